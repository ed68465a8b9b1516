"""Mask passport and permit numbers again: the earlier mask showed all of a number shorter
than ten characters (E12345678 → E123455678). Resident IDs were masked right and keep
their mask."""

from django.db import migrations


def remask(apps, schema_editor):
    from wenjin.lib import crypto

    for model_name in ("Patron", "PendingRegistration"):
        model = apps.get_model("patrons", model_name)
        rows = model.objects.exclude(identity_type="resident_id").exclude(identity_encrypted="")
        for row in rows.only("pk", "identity_encrypted").iterator():
            masked = crypto.mask_identity(crypto.decrypt(row.identity_encrypted))
            model.objects.filter(pk=row.pk).update(identity_masked=masked)


class Migration(migrations.Migration):
    dependencies = [("patrons", "0004_remote_registration")]

    operations = [migrations.RunPython(remask, migrations.RunPython.noop)]
