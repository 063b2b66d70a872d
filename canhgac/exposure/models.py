"""Findings: which thing on which asset a vulnerability affects, why, and what the unit does.

A finding's identity is (asset, vulnerability, matched thing): the thing is a component, a
service or the OS (`kind`, `ref`). `FindingSource` rows say which sources report it now (the
matcher, a scanner import, a person); a finding is open while one of them still does. Triage
decisions live apart from findings (`TriageDecision`) so that they stick when the inventory row
a finding points at is replaced by a newer import.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from canhgac.exposure.enums import (
    FindingStatus,
    Justification,
    Priority,
    RunStatus,
    TriageScope,
)

STATUS_CHOICES = [
    (FindingStatus.OPEN.value, _("Open")),
    (FindingStatus.IN_REMEDIATION.value, _("In remediation")),
    (FindingStatus.MITIGATED.value, _("Mitigated (workaround)")),
    (FindingStatus.FIXED.value, _("Fixed")),
    (FindingStatus.VERIFIED.value, _("Fix verified")),
    (FindingStatus.FALSE_POSITIVE.value, _("False positive")),
    (FindingStatus.ACCEPTED_RISK.value, _("Risk accepted")),
    (FindingStatus.NOT_AFFECTED.value, _("Not affected")),
]
JUSTIFICATION_CHOICES = [
    (Justification.COMPONENT_NOT_PRESENT.value, _("Component not present")),
    (Justification.VULNERABLE_CODE_NOT_PRESENT.value, _("Vulnerable code not present")),
    (
        Justification.VULNERABLE_CODE_NOT_IN_EXECUTE_PATH.value,
        _("Vulnerable code not in execute path"),
    ),
    (
        Justification.VULNERABLE_CODE_CANNOT_BE_CONTROLLED_BY_ADVERSARY.value,
        _("Vulnerable code cannot be controlled by an adversary"),
    ),
    (Justification.INLINE_MITIGATIONS_ALREADY_EXIST.value, _("Inline mitigations already exist")),
]
SCOPE_CHOICES = [
    (TriageScope.VERSION.value, _("This version of the component")),
    (TriageScope.ANY_VERSION.value, _("Any version of the component")),
]
PRIORITY_CHOICES = [(item.value, item.value) for item in Priority]
RUN_STATUS_CHOICES = [
    (RunStatus.RUNNING.value, _("running")),
    (RunStatus.OK.value, _("succeeded")),
    (RunStatus.FAILED.value, _("failed")),
]
KIND_CHOICES = [
    ("component", _("Component")),
    ("service", _("Service")),
    ("os", _("Operating system")),
]
STATE_CHOICES = [("affected", _("Affected")), ("potential", _("Potentially affected"))]


class MatchRun(models.Model):
    """One matching run: its scope, how it ended, and what it changed."""

    scope = models.CharField(_("scope"), max_length=255)  # "all", "unit:SO-YT", "asset:12", ...
    full = models.BooleanField(_("full rebuild"), default=False)
    status = models.CharField(_("status"), max_length=8, choices=RUN_STATUS_CHOICES)
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    actor = models.CharField(_("by"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("matching run")
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.scope} {self.started_at:%Y-%m-%d %H:%M} {self.status}"


class Finding(models.Model):
    unit = models.ForeignKey(
        "accounts.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    asset = models.ForeignKey(
        "inventory.Asset",
        verbose_name=_("asset"),
        on_delete=models.CASCADE,
        related_name="findings",
    )
    vulnerability = models.ForeignKey(
        "advisories.Vulnerability",
        verbose_name=_("vulnerability"),
        on_delete=models.PROTECT,
        related_name="findings",
    )
    kind = models.CharField(_("matched kind"), max_length=16, choices=KIND_CHOICES)
    ref = models.PositiveBigIntegerField()  # component / service id; the asset id for the OS
    matched_name = models.CharField(_("matched"), max_length=255)
    matched_version = models.CharField(_("version"), max_length=128, blank=True)
    state = models.CharField(_("match"), max_length=16, choices=STATE_CHOICES)
    status = models.CharField(
        _("status"), max_length=16, choices=STATUS_CHOICES, default=FindingStatus.OPEN
    )
    confidence = models.PositiveSmallIntegerField(_("confidence"))
    rule = models.CharField(_("rule"), max_length=16)
    source = models.CharField(_("decided by"), max_length=128)
    explanation = models.JSONField(_("explanation"), default=list, blank=True)
    # SHA-1 of what matching derives (verdict, priority, due date): an unchanged finding is
    # recognised without loading it.
    fingerprint = models.CharField(max_length=40, blank=True)
    reported = models.BooleanField(_("reported by a source"), default=True)
    priority = models.CharField(_("priority"), max_length=2, choices=PRIORITY_CHOICES)
    priority_score = models.FloatField(_("priority score"))
    priority_breakdown = models.JSONField(_("priority breakdown"), default=list, blank=True)
    priority_formula = models.CharField(_("priority formula"), max_length=16)
    due_date = models.DateField(_("due"), null=True, blank=True)
    due_reason = models.CharField(_("due date from"), max_length=255, blank=True)
    decision = models.ForeignKey(
        "TriageDecision",
        verbose_name=_("triage decision"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="findings",
    )
    first_seen = models.DateTimeField(_("first seen"))
    last_seen = models.DateTimeField(_("last seen"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["-priority_score", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["asset", "vulnerability", "kind", "ref"], name="finding_identity"
            )
        ]
        indexes = [
            models.Index(fields=["unit", "status"], name="finding_unit_status"),
            models.Index(fields=["status", "-priority_score"], name="finding_status_priority"),
            models.Index(fields=["vulnerability", "status"], name="finding_vulnerability"),
            models.Index(fields=["due_date"], name="finding_due"),
        ]

    def __str__(self) -> str:
        return f"{self.vulnerability_id} · {self.matched_name}"


class FindingSource(models.Model):
    """A source that reports the finding (the matcher, a scanner import, a person)."""

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="sources")
    source = models.CharField(_("source"), max_length=128)
    active = models.BooleanField(_("still reports it"), default=True)
    first_seen = models.DateTimeField(_("first seen"))
    last_seen = models.DateTimeField(_("last seen"))
    run = models.ForeignKey(
        MatchRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("finding source")
        ordering = ["source"]
        constraints = [
            models.UniqueConstraint(fields=["finding", "source"], name="finding_source_unique")
        ]

    def __str__(self) -> str:
        return self.source


class FindingEvent(models.Model):
    """The history of a finding: opened, closed, reopened, triaged, re-prioritised."""

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("at"))
    kind = models.CharField(_("event"), max_length=32)
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)
    actor = models.CharField(_("by"), max_length=255, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    run = models.ForeignKey(
        MatchRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("finding event")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%Y-%m-%d %H:%M}"


class TriageDecision(models.Model):
    """A person's decision about a vulnerability on a component of an asset; sticky.

    It covers findings of the same asset, vulnerability and matched name, at the same version
    (`scope` version) or at any version. Accepted risk ends at `until` (the finding reopens).
    """

    asset = models.ForeignKey(
        "inventory.Asset", on_delete=models.CASCADE, related_name="triage_decisions"
    )
    vulnerability = models.ForeignKey(
        "advisories.Vulnerability", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=KIND_CHOICES)
    matched_name = models.CharField(_("matched"), max_length=255)
    matched_version = models.CharField(_("version"), max_length=128, blank=True)
    scope = models.CharField(_("applies to"), max_length=16, choices=SCOPE_CHOICES)
    status = models.CharField(_("status"), max_length=16, choices=STATUS_CHOICES)
    justification = models.CharField(
        _("justification"), max_length=64, blank=True, choices=JUSTIFICATION_CHOICES
    )
    reason = models.TextField(_("reason"))
    until = models.DateField(_("until"), null=True, blank=True)
    approver = models.CharField(_("approved by"), max_length=255, blank=True)
    decided_by = models.CharField(_("decided by"), max_length=255)
    decided_at = models.DateTimeField(_("decided at"))
    active = models.BooleanField(_("in force"), default=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    end_reason = models.CharField(_("ended because"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("triage decision")
        ordering = ["-decided_at", "-pk"]
        indexes = [models.Index(fields=["asset", "vulnerability", "active"], name="triage_lookup")]

    def __str__(self) -> str:
        return f"{self.status} · {self.matched_name}"


class SlaPolicy(models.Model):
    """Days to fix per priority for a unit and its sub-units (none: the installation default)."""

    unit = models.OneToOneField(
        "accounts.Unit", on_delete=models.CASCADE, related_name="sla_policy"
    )
    p1_days = models.PositiveSmallIntegerField(_("P1 days"))
    p2_days = models.PositiveSmallIntegerField(_("P2 days"))
    p3_days = models.PositiveSmallIntegerField(_("P3 days"))
    p4_days = models.PositiveSmallIntegerField(_("P4 days"))
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("remediation deadline policy")

    def __str__(self) -> str:
        return str(self.unit_id)

    def days(self) -> dict[str, int]:
        return {
            Priority.P1.value: self.p1_days,
            Priority.P2.value: self.p2_days,
            Priority.P3.value: self.p3_days,
            Priority.P4.value: self.p4_days,
        }


class AssetKey(models.Model):
    """What an asset can match on, as its last matching run saw it: CPE product keys, package
    keys, its Windows release, "microsoft" for Microsoft software. A new or changed advisory
    looks its candidate assets up here instead of loading every host of the province."""

    asset = models.ForeignKey("inventory.Asset", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=512)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["asset", "key"], name="asset_key_unique"),
        ]
        indexes = [models.Index(fields=["key"], name="asset_key_key")]

    def __str__(self) -> str:
        return self.key
