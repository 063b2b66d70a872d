"""Forms of the exposure pages: the findings filter, triage (one or many) and "match now".

They validate input only; `findings_triage` checks the same rules again (and the permissions),
so a form that lets something through still cannot store it.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from canhgac.accounts.models import Unit
from canhgac.core import clock
from canhgac.exposure import selectors
from canhgac.exposure.enums import TRIAGE_STATUSES, FindingStatus, Priority, TriageScope
from canhgac.exposure.models import JUSTIFICATION_CHOICES, STATE_CHOICES, STATUS_CHOICES
from canhgac.exposure.services.decisions import MAX_REASON

ACTIVE = "active"
DAY = forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"}, format="%d/%m/%Y")


class FindingFilterForm(forms.Form):
    """Every field of `exposure.selectors.FindingFilter`, as GET parameters."""

    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[
            ("", gettext_lazy("All")),
            (ACTIVE, gettext_lazy("Active (open, in remediation, mitigated)")),
            *STATUS_CHOICES,
        ],
    )
    unit = forms.ModelChoiceField(
        label=gettext_lazy("Unit"),
        queryset=Unit.objects.none(),
        required=False,
        to_field_name="code",
        empty_label=gettext_lazy("All units"),
    )
    cve = forms.CharField(label="CVE", required=False, max_length=64)
    asset = forms.CharField(label=gettext_lazy("Asset key"), required=False, max_length=255)
    system = forms.CharField(label=gettext_lazy("System code"), required=False, max_length=64)
    state = forms.ChoiceField(
        label=gettext_lazy("Match"),
        required=False,
        choices=[("", gettext_lazy("All")), *STATE_CHOICES],
    )
    min_priority = forms.ChoiceField(
        label=gettext_lazy("Priority"),
        required=False,
        choices=[
            ("", gettext_lazy("All")),
            (Priority.P1.value, "P1"),
            (Priority.P2.value, gettext_lazy("P2 or higher")),
            (Priority.P3.value, gettext_lazy("P3 or higher")),
            (Priority.P4.value, gettext_lazy("P4 or higher")),
        ],
    )
    kev = forms.BooleanField(label=gettext_lazy("In KEV"), required=False)
    warned = forms.BooleanField(label=gettext_lazy("Cited by a warning letter"), required=False)
    overdue = forms.BooleanField(label=gettext_lazy("Overdue"), required=False)

    def where(self) -> selectors.FindingFilter:
        data = self.cleaned_data
        return selectors.FindingFilter(
            unit=data["unit"].code if data["unit"] else "",
            cve=data["cve"].strip(),
            asset=data["asset"].strip(),
            system=data["system"].strip(),
            status=data["status"],
            state=data["state"],
            min_priority=data["min_priority"],
            kev=data["kev"],
            warned=data["warned"],
            overdue=data["overdue"],
        )


TRIAGE_CHOICES = [(value, label) for value, label in STATUS_CHOICES if value in TRIAGE_STATUSES]


class TriageForm(forms.Form):
    """A person's decision about one finding or several (the service validates again)."""

    status = forms.ChoiceField(
        label=gettext_lazy("New status"),
        choices=TRIAGE_CHOICES,
        initial=FindingStatus.IN_REMEDIATION.value,
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    justification = forms.ChoiceField(
        label=gettext_lazy("Justification (only for “not affected”)"),
        required=False,
        choices=[("", "—"), *JUSTIFICATION_CHOICES],
    )
    until = forms.DateField(
        label=gettext_lazy("Risk accepted until (only for “risk accepted”)"),
        required=False,
        widget=DAY,
    )
    any_version = forms.BooleanField(
        label=gettext_lazy("Also for other versions of the same software"), required=False
    )

    def __init__(self, *args: Any, allow_risk: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not allow_risk:  # still accepted from a POST: the service answers 403
            status = self.fields["status"]
            assert isinstance(status, forms.ChoiceField)  # noqa: S101
            status.widget.choices = [
                choice for choice in TRIAGE_CHOICES if choice[0] != FindingStatus.ACCEPTED_RISK
            ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        status, until = data.get("status"), data.get("until")
        justification = data.get("justification", "")
        if status == FindingStatus.ACCEPTED_RISK:
            if until is None:
                self.add_error("until", _("An accepted risk needs an end date."))
            elif until <= clock.today():
                self.add_error(
                    "until", _("The end date of an accepted risk must be in the future.")
                )
        elif until is not None:
            self.add_error("until", _("Only an accepted risk has an end date."))
        if status == FindingStatus.NOT_AFFECTED and not justification:
            self.add_error("justification", _("“Not affected” needs a justification."))
        elif justification and status != FindingStatus.NOT_AFFECTED:
            self.add_error("justification", _("Only “not affected” takes a justification."))
        return data

    def triage(self) -> dict[str, Any]:
        """The keyword arguments of `findings_triage`."""
        data = self.cleaned_data
        return {
            "status": data["status"],
            "reason": data["reason"],
            "justification": data["justification"],
            "until": data["until"],
            "scope": (
                TriageScope.ANY_VERSION if data["any_version"] else TriageScope.VERSION
            ).value,
        }


class MatchForm(forms.Form):
    unit = forms.CharField(label=gettext_lazy("Unit"), required=False, widget=forms.Select)
    full = forms.BooleanField(
        label=gettext_lazy("Full rebuild (match everything again, not only what changed)"),
        required=False,
    )
