"""The staff page of a reader's notices: what was sent and how it went, and the form for
the reader's email, language and channel preferences. Readers are addressed by record
number, never by card or phone number."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from wenjin.accounts.actor import Actor
from wenjin.accounts.policies import Perm
from wenjin.lib.errors import DomainError
from wenjin.notices import selectors, services
from wenjin.notices.forms import ContactForm
from wenjin.notices.models import NoticeLanguage
from wenjin.patrons.models import Patron
from wenjin.web.formtools import add_domain_error


@login_required
@require_http_methods(["GET", "POST"])
def reader_notices(request: HttpRequest, patron_id: int) -> HttpResponse:
    actor = Actor.from_request(request, request.user)
    patron = Patron.objects.select_related("home_org").filter(pk=patron_id, deleted_at=None).first()
    if patron is None:
        raise Http404(_("There is no such reader."))
    # Contact details are the reader's personal data: the staff who may edit the reader
    # (their home library's part of the network) see and change them, no one else.
    if not actor.can(Perm.PATRONS_EDIT, patron.home_org):
        raise PermissionDenied(_("This reader's home library is outside your roles."))
    contact = selectors.contact_for(patron)
    initial = {
        "language": contact.language if contact else NoticeLanguage.ZH_HANS,
        "channels": [
            name
            for name, on in (
                ("email", contact.email_on if contact else True),
                ("sms", contact.sms_on if contact else True),
            )
            if on
        ],
        "opt_outs": contact.opt_outs if contact else [],
    }
    form = ContactForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        email = "" if data["remove_email"] else (data["email"] or None)
        try:
            services.reader_contact_save(
                actor=actor,
                patron=patron,
                email=email,
                language=data["language"],
                channels=data["channels"],
                opt_outs=data["opt_outs"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("notices:reader", patron_id=patron.pk)
    return render(
        request,
        "notices/reader.html",
        {
            "patron": patron,
            "contact": contact,
            "form": form,
            "notices": selectors.notices_for(patron),
        },
        status=400 if form.errors else 200,
    )
