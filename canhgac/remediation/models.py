"""Remediation tasks: what each unit must fix for a provincial letter, host by host.

A letter the DIC forwards (`advisories.WarningLetter` with `forwarded_from`) goes to units; each
recipient unit gets one `Task`, which is also where it acknowledges the letter. A task holds one
`Item` per affected host: what the unit declares (the regulation's five statuses) and, apart,
what matching sees (`verification`): a host declared patched is only "verified" once the
inventory no longer matches a cited vulnerability on it. `ItemEvent` keeps every declaration
and verification change; `Evidence` holds the files a unit attaches.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from canhgac.remediation.enums import Escalation, ItemStatus, Origin, TaskStatus, Verification

ITEM_STATUS_CHOICES = [
    (ItemStatus.NOT_REVIEWED.value, _("Not reviewed")),
    # the regulation's "không ảnh hưởng" (a finding's "not affected" is a VEX status)
    (ItemStatus.NOT_AFFECTED.value, pgettext_lazy("remediation status", "Not affected")),
    (ItemStatus.PATCHED.value, _("Patched")),
    (ItemStatus.WORKAROUND.value, _("Workaround applied")),
    (ItemStatus.NOT_FIXED.value, _("Not fixed")),
]
VERIFICATION_CHOICES = [
    (Verification.MATCHED.value, _("Still matched")),
    (Verification.VERIFIED.value, _("Verified")),
    (Verification.UNMATCHED.value, _("Not matched")),
]
ORIGIN_CHOICES = [
    (Origin.MATCHED.value, _("Affected when forwarded")),
    (Origin.ADDED.value, _("Added by the analyst")),
    (Origin.CASCADE.value, _("Affected later")),
]
TASK_STATUS_CHOICES = [
    (TaskStatus.NEW.value, _("Not acknowledged")),
    (TaskStatus.IN_PROGRESS.value, _("In progress")),
    (TaskStatus.DONE.value, _("Done")),
]
ESCALATION_CHOICES = [
    (Escalation.NONE.value, _("None")),
    (Escalation.MANAGER.value, _("Unit manager told")),
    (Escalation.PROVINCE.value, _("Province told")),
]


class Task(models.Model):
    """One unit's work on one provincial letter."""

    unit = models.ForeignKey(
        "accounts.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    letter = models.ForeignKey(
        "advisories.WarningLetter",
        verbose_name=_("letter"),
        on_delete=models.PROTECT,
        related_name="tasks",
    )
    origin = models.CharField(_("why this unit"), max_length=16, choices=ORIGIN_CHOICES)
    status = models.CharField(
        _("status"), max_length=16, choices=TASK_STATUS_CHOICES, default=TaskStatus.NEW.value
    )
    due_date = models.DateField(_("due"), null=True, blank=True)
    due_reason = models.CharField(_("due date from"), max_length=255, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acknowledged by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("review declared complete at"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    escalation = models.PositiveSmallIntegerField(
        _("escalation"), choices=ESCALATION_CHOICES, default=Escalation.NONE.value
    )
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("remediation task")
        ordering = ["letter", "unit__path"]
        constraints = [
            models.UniqueConstraint(fields=["letter", "unit"], name="task_unique_letter_unit")
        ]
        indexes = [models.Index(fields=["status", "due_date"], name="task_status_due")]

    def __str__(self) -> str:
        return f"{self.letter} · {self.unit}"


class Item(models.Model):
    """One affected host of a task: the unit's declaration and what matching sees."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="items")
    asset = models.ForeignKey(
        "inventory.Asset",
        verbose_name=_("host"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    asset_name = models.CharField(_("host"), max_length=255)  # kept if the asset is deleted
    system = models.ForeignKey(
        "inventory.InformationSystem",
        verbose_name=_("system"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ITEM_STATUS_CHOICES,
        default=ItemStatus.NOT_REVIEWED.value,
    )
    reason = models.TextField(_("reason"), blank=True)
    plan_date = models.DateField(_("planned fix date"), null=True, blank=True)
    declared_at = models.DateTimeField(_("declared at"), null=True, blank=True)
    declared_by = models.CharField(_("declared by"), max_length=255, blank=True)
    verification = models.CharField(_("verification"), max_length=16, choices=VERIFICATION_CHOICES)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    matched = models.JSONField(_("still matched"), default=list, blank=True)  # CVE ids
    fixed = models.JSONField(_("no longer matched"), default=list, blank=True)  # CVE ids
    due_date = models.DateField(_("due"), null=True, blank=True)
    due_reason = models.CharField(_("due date from"), max_length=255, blank=True)
    revision = models.PositiveIntegerField(default=1)  # optimistic concurrency of declarations
    created_at = models.DateTimeField(_("added at"))

    class Meta:
        verbose_name = _("affected host")
        ordering = ["task", "asset_name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["task", "asset"], name="item_unique_task_asset")
        ]

    def __str__(self) -> str:
        return f"{self.task} · {self.asset_name}"


class ItemEvent(models.Model):
    """A change of an item: a declaration, a verification, a host added or reopened."""

    class Kind(models.TextChoices):
        ADDED = "added", _("Host added")
        DECLARED = "declared", _("Status declared")
        VERIFIED = "verified", _("Fix verified by matching")
        REOPENED = "reopened", _("Matched again")

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("at"))
    actor = models.CharField(_("by"), max_length=255)
    kind = models.CharField(_("event"), max_length=16, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=16, choices=ITEM_STATUS_CHOICES)
    reason = models.TextField(_("reason"), blank=True)
    plan_date = models.DateField(_("planned fix date"), null=True, blank=True)
    cves = models.JSONField(_("vulnerabilities"), default=list, blank=True)

    class Meta:
        verbose_name = _("item event")
        ordering = ["item", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.item} · {self.kind}"


def evidence_path(instance: Evidence, filename: str) -> str:
    return f"evidence/{instance.sha256[:2]}/{instance.sha256}"


class Evidence(models.Model):
    """A file a unit attaches to its task (a screenshot of the update history, a scan report),
    stored by content outside the web root and served only to those who see the task."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="evidence")
    item = models.ForeignKey(
        Item, null=True, blank=True, on_delete=models.SET_NULL, related_name="evidence"
    )
    name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=128, blank=True)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    file = models.FileField(upload_to=evidence_path, max_length=255)
    note = models.TextField(_("note"), blank=True)
    uploaded_at = models.DateTimeField(_("uploaded at"))
    uploaded_by = models.CharField(_("uploaded by"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["uploaded_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["task", "sha256"], name="evidence_unique_content")
        ]

    def __str__(self) -> str:
        return self.name


class Campaign(models.Model):
    """A high-risk period (đợt cao điểm: a holiday, a warning wave): the units in scope, the
    warnings that must be fully fixed before it starts, and the readiness checklist."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=255)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    prepare_by = models.DateField(_("ready by"))
    letters = models.ManyToManyField(
        "advisories.WarningLetter",
        verbose_name=_("warnings to fix before it starts"),
        related_name="campaigns",
        blank=True,
    )
    units = models.ManyToManyField(
        "accounts.Unit", verbose_name=_("units in scope"), related_name="+"
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created at"))
    created_by = models.CharField(_("created by"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("campaign")
        ordering = ["-starts_on", "code"]

    def __str__(self) -> str:
        return self.name


class CampaignCheck(models.Model):
    """One item of a campaign's readiness checklist."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="checks")
    key = models.SlugField(_("key"), max_length=64)
    label = models.CharField(_("item"), max_length=255)
    computed = models.BooleanField(_("decided by canhgac"), default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("readiness item")
        ordering = ["campaign", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "key"], name="campaign_check_unique_key")
        ]

    def __str__(self) -> str:
        return self.label


class Readiness(models.Model):
    """A unit's answer to one checklist item (items decided by canhgac are not stored)."""

    item = models.ForeignKey(CampaignCheck, on_delete=models.CASCADE, related_name="answers")
    unit = models.ForeignKey(
        "accounts.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    done = models.BooleanField(_("done"), default=False)
    note = models.TextField(_("note"), blank=True)
    answered_at = models.DateTimeField(_("answered at"))
    answered_by = models.CharField(_("answered by"), max_length=255)

    class Meta:
        verbose_name = _("readiness answer")
        ordering = ["item", "unit__path"]
        constraints = [
            models.UniqueConstraint(fields=["item", "unit"], name="readiness_unique_item_unit")
        ]

    def __str__(self) -> str:
        return f"{self.item} · {self.unit}"


class Declined(models.Model):
    """A unit matching proposed for a forwarded letter and the analyst left out: the cascade
    does not add it back (sending it the letter by hand later removes this row)."""

    letter = models.ForeignKey(
        "advisories.WarningLetter", on_delete=models.CASCADE, related_name="declined"
    )
    unit = models.ForeignKey("accounts.Unit", on_delete=models.CASCADE, related_name="+")
    declined_at = models.DateTimeField(_("left out at"))
    declined_by = models.CharField(_("left out by"), max_length=255)

    class Meta:
        verbose_name = _("unit left out")
        constraints = [
            models.UniqueConstraint(fields=["letter", "unit"], name="declined_unique_letter_unit")
        ]

    def __str__(self) -> str:
        return f"{self.letter} · {self.unit}"
