"""The report register (sổ đăng ký văn bản): every document canhgac issues, with its number.

A numbered document takes the next sequence of its series and year from a `Counter` row
(locked while it is taken, so two renders never share a number and none is skipped); the
province's forwarding letter keeps the number it was forwarded under; exports (CSV, XLSX) are
registered without a number. The file is stored by its SHA-256 under MEDIA_ROOT/reports/,
outside the web root, and served only through views that check who may see the entry.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from canhgac.reports.enums import ReportFormat

FORMAT_CHOICES = [(value.value, value.value.upper()) for value in ReportFormat]


class Counter(models.Model):
    """The last sequence used in a series for a year ("12" of 12/STTTT-ATTT in 2022)."""

    series = models.CharField(_("series"), max_length=64)
    year = models.PositiveSmallIntegerField(_("year"))
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("register counter")
        constraints = [
            models.UniqueConstraint(fields=["series", "year"], name="report_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.series} {self.year}: {self.last}"


def report_path(instance: RegisterEntry, filename: str) -> str:
    return f"reports/{instance.sha256[:2]}/{instance.sha256}"


class RegisterEntry(models.Model):
    """One issued document or export."""

    kind = models.CharField(_("kind"), max_length=64)
    number = models.CharField(_("number"), max_length=128, blank=True)  # "" for exports
    series = models.CharField(_("series"), max_length=64, blank=True)
    year = models.PositiveSmallIntegerField(_("year"))
    sequence = models.PositiveIntegerField(_("sequence"), null=True, blank=True)
    issued_on = models.DateField(_("dated"))
    title = models.CharField(_("title"), max_length=512)
    unit = models.ForeignKey(
        "accounts.Unit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The unit the document is about or issued by; empty: province-wide."),
    )
    target_type = models.CharField(_("about"), max_length=64)  # "advisories.warningletter"
    target_id = models.CharField(max_length=64)
    format = models.CharField(_("format"), max_length=8, choices=FORMAT_CHOICES)
    name = models.CharField(_("file name"), max_length=255)
    file = models.FileField(upload_to=report_path, max_length=255)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField(_("size"))
    created_at = models.DateTimeField(_("created at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by_label = models.CharField(_("created by"), max_length=255)

    class Meta:
        verbose_name = _("register entry")
        verbose_name_plural = _("register entries")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["series", "year", "sequence"],
                condition=models.Q(sequence__isnull=False),
                name="report_number_unique",
            )
        ]
        indexes = [models.Index(fields=["target_type", "target_id"], name="report_target")]

    def __str__(self) -> str:
        return self.number or self.name
