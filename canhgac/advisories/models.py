"""The advisory knowledge base: one merged view per vulnerability, and who said what.

A `Vulnerability` holds the merged facts (description, KEV, EPSS); `Attribution` records each
source that described it and when; scores, affected criteria and Microsoft fixes keep their
source, so records from several sources about one CVE never overwrite each other.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Vulnerability(models.Model):
    cve_id = models.CharField(_("identifier"), max_length=64, unique=True)
    title = models.CharField(_("title"), max_length=512, blank=True)
    description = models.TextField(_("description"), blank=True)
    published = models.DateTimeField(_("published"), null=True, blank=True)
    last_modified = models.DateTimeField(_("last modified"), null=True, blank=True)
    nvd_status = models.CharField(_("NVD status"), max_length=32, blank=True)
    cwes = models.JSONField(_("weaknesses (CWE)"), default=list, blank=True)
    kev_date_added = models.DateField(_("added to KEV"), null=True, blank=True)
    kev_due_date = models.DateField(_("KEV due date"), null=True, blank=True)
    kev_required_action = models.TextField(_("KEV required action"), blank=True)
    kev_ransomware = models.CharField(_("known ransomware use"), max_length=16, blank=True)
    kev_name = models.CharField(_("KEV name"), max_length=512, blank=True)
    epss_score = models.FloatField(_("EPSS score"), null=True, blank=True)
    epss_percentile = models.FloatField(_("EPSS percentile"), null=True, blank=True)
    epss_date = models.DateField(_("EPSS date"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("vulnerability")
        verbose_name_plural = _("vulnerabilities")
        ordering = ["-published", "cve_id"]
        indexes = [models.Index(fields=["kev_date_added"], name="vuln_kev_added")]

    def __str__(self) -> str:
        return self.cve_id


class Attribution(models.Model):
    """A source described the vulnerability (NVD record, KEV entry, MSRC document...)."""

    vulnerability = models.ForeignKey(
        Vulnerability, on_delete=models.CASCADE, related_name="attributions"
    )
    source = models.CharField(_("source"), max_length=32)
    document = models.CharField(_("document"), max_length=255, blank=True)
    source_modified = models.DateTimeField(_("modified at the source"), null=True, blank=True)
    fingerprint = models.CharField(max_length=64)
    first_seen = models.DateTimeField(_("first seen"))
    last_seen = models.DateTimeField(_("last seen"))

    class Meta:
        verbose_name = _("attribution")
        constraints = [
            models.UniqueConstraint(
                fields=["vulnerability", "source"], name="attribution_unique_source"
            )
        ]

    def __str__(self) -> str:
        return f"{self.vulnerability} ← {self.source}"


class Score(models.Model):
    vulnerability = models.ForeignKey(
        Vulnerability, on_delete=models.CASCADE, related_name="scores"
    )
    source = models.CharField(_("source"), max_length=32)
    system = models.CharField(_("scoring system"), max_length=16)
    vector = models.CharField(_("vector"), max_length=255, blank=True)
    base_score = models.FloatField(_("base score"), null=True, blank=True)
    severity = models.CharField(_("severity"), max_length=32, blank=True)
    provider = models.CharField(_("scored by"), max_length=128, blank=True)
    primary = models.BooleanField(_("primary"), default=False)

    class Meta:
        verbose_name = _("score")
        ordering = ["-primary", "system"]

    def __str__(self) -> str:
        return f"{self.system} {self.base_score}"


class AffectedCriterion(models.Model):
    """One CPE criterion of an NVD configuration, with its place in the AND/OR structure."""

    vulnerability = models.ForeignKey(
        Vulnerability, on_delete=models.CASCADE, related_name="criteria"
    )
    source = models.CharField(_("source"), max_length=32)
    configuration = models.PositiveSmallIntegerField()
    configuration_operator = models.CharField(max_length=3, blank=True)
    configuration_negate = models.BooleanField(default=False)
    node = models.PositiveSmallIntegerField()
    node_operator = models.CharField(max_length=3)
    node_negate = models.BooleanField(default=False)
    scheme = models.CharField(_("scheme"), max_length=8, default="cpe")
    key = models.CharField(_("criterion"), max_length=512)
    vulnerable = models.BooleanField(_("vulnerable"))
    version_start_including = models.CharField(max_length=64, blank=True)
    version_start_excluding = models.CharField(max_length=64, blank=True)
    version_end_including = models.CharField(max_length=64, blank=True)
    version_end_excluding = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("affected criterion")
        ordering = ["configuration", "node", "pk"]
        indexes = [models.Index(fields=["key"], name="criterion_key")]

    def __str__(self) -> str:
        return self.key


class MsrcProduct(models.Model):
    product_id = models.CharField(_("Microsoft product id"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=255)

    class Meta:
        verbose_name = _("Microsoft product")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class MsrcAffected(models.Model):
    """A Microsoft product affected by a CVE, with Microsoft's severity and impact for it."""

    vulnerability = models.ForeignKey(
        Vulnerability, on_delete=models.CASCADE, related_name="msrc_affected"
    )
    product = models.ForeignKey(MsrcProduct, on_delete=models.CASCADE, related_name="+")
    document = models.CharField(_("document"), max_length=32)
    severity = models.CharField(_("severity"), max_length=32, blank=True)
    impact = models.CharField(_("impact"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("affected Microsoft product")
        constraints = [
            models.UniqueConstraint(
                fields=["vulnerability", "product"], name="msrc_affected_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.vulnerability} · {self.product}"


class MsrcFix(models.Model):
    """A Microsoft remediation of a CVE for one product: the KB, and the build it brings."""

    vulnerability = models.ForeignKey(
        Vulnerability, on_delete=models.CASCADE, related_name="msrc_fixes"
    )
    product = models.ForeignKey(
        MsrcProduct, on_delete=models.CASCADE, related_name="+", null=True, blank=True
    )
    document = models.CharField(_("document"), max_length=32)
    kb = models.CharField(_("KB"), max_length=16, blank=True)
    kind = models.CharField(_("kind"), max_length=32)
    sub_type = models.CharField(_("sub-type"), max_length=64, blank=True)
    supersedence = models.CharField(_("supersedes"), max_length=255, blank=True)
    fixed_build = models.CharField(_("fixed build"), max_length=64, blank=True)
    url = models.CharField(_("URL"), max_length=512, blank=True)
    restart_required = models.CharField(_("restart required"), max_length=16, blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("Microsoft fix")
        ordering = ["product__name", "kb"]
        indexes = [models.Index(fields=["kb"], name="msrcfix_kb")]

    def __str__(self) -> str:
        return f"KB{self.kb}" if self.kb else self.kind


class WarningLetter(models.Model):
    """A warning letter (công văn cảnh báo) of the national authority or the province."""

    number = models.CharField(
        _("number"), max_length=64, unique=True, help_text=_("e.g. 674/CATTT-NCSC")
    )
    issuer = models.CharField(_("issuer"), max_length=255)
    issued_on = models.DateField(_("issued on"))
    title = models.CharField(_("title"), max_length=512)
    summary = models.TextField(_("summary"), blank=True)
    affected_products = models.TextField(_("affected products"), blank=True)
    required_actions = models.TextField(_("required actions"), blank=True)
    due_date = models.DateField(_("fix by"), null=True, blank=True)
    exploited = models.BooleanField(_("exploited in the wild"), default=False)
    public_exploit = models.BooleanField(_("public exploit code"), default=False)
    forwarded_from = models.ForeignKey(
        "self",
        verbose_name=_("forwards"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="forwards",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("warning letter")
        verbose_name_plural = _("warning letters")
        ordering = ["-issued_on", "number"]

    def __str__(self) -> str:
        return self.number


class WarningCve(models.Model):
    """A vulnerability a warning letter cites, with the letter's severity group."""

    class Severity(models.TextChoices):
        CRITICAL = "critical", _("Critical (Nghiêm trọng)")
        HIGH = "high", _("High (Cao)")
        OTHER = "other", _("Other")

    warning = models.ForeignKey(WarningLetter, on_delete=models.CASCADE, related_name="cves")
    vulnerability = models.ForeignKey(
        Vulnerability, on_delete=models.PROTECT, related_name="warnings"
    )
    severity = models.CharField(_("severity"), max_length=16, choices=Severity.choices)

    class Meta:
        verbose_name = _("cited vulnerability")
        ordering = ["severity", "vulnerability__cve_id"]
        constraints = [
            models.UniqueConstraint(fields=["warning", "vulnerability"], name="warning_cve_unique")
        ]

    def __str__(self) -> str:
        return f"{self.warning} · {self.vulnerability}"
