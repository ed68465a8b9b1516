"""Showing domain errors on Django forms."""

from django import forms

from wenjin.lib.errors import DomainError


def add_domain_error(form: forms.Form, error: DomainError) -> None:
    """Attach a service's error to the form: on the named field when the form has it,
    otherwise at the top of the form."""
    fields = error.details.get("fields") or {}
    placed = False
    for name in fields:
        if name in form.fields:
            form.add_error(name, error.message)
            placed = True
    if not placed:
        form.add_error(None, error.message)
