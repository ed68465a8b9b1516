from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PatronsConfig(AppConfig):
    name = "wenjin.patrons"
    label = "patrons"
    verbose_name = _("Readers")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from wenjin.patrons.credit_providers import clear_credit_cache
        from wenjin.patrons.models import CreditSettings

        # The credit settings are cached per process: a change here is seen at once.
        post_save.connect(clear_credit_cache, sender=CreditSettings, weak=False)
        post_delete.connect(clear_credit_cache, sender=CreditSettings, weak=False)
