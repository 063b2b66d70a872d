"""Forms of the web UI (input validation only; services do the work)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from canhgac.audit.enums import AuditAction


class TokenCreateForm(forms.Form):
    name = forms.CharField(label=_("Token name"), max_length=100)
    days = forms.IntegerField(
        label=_("Valid for (days, 0 = no expiry)"),
        min_value=0,
        max_value=3650,
        initial=settings.API_TOKEN_DEFAULT_DAYS,
    )


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(
        label=_("Action"),
        required=False,
        choices=[("", _("All actions")), *AuditAction.choices],
    )
    actor = forms.CharField(label=_("Actor"), required=False, max_length=150)


class UnitContactForm(forms.Form):
    """Contact details a unit manager keeps up to date for their own unit."""

    name_en = forms.CharField(label=_("English name"), max_length=255, required=False)
    short_name = forms.CharField(label=_("Short name"), max_length=64, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=64, required=False)
    address = forms.CharField(label=_("Address"), max_length=255, required=False)
