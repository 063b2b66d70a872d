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
    title = models.TextField(_("title"), blank=True)
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
    source = models.CharField(_("source"), max_length=128)
    document = models.CharField(_("document"), max_length=255, blank=True)
    references = models.JSONField(_("references"), default=list, blank=True)
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
    source = models.CharField(_("source"), max_length=128)
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
    """What an advisory says is affected, keyed for matching.

    NVD: one CPE criterion of a configuration with its place in the AND/OR structure
    (configuration, node) and its version bounds. OSV/CSAF: one version range of a package
    (configuration = the package's index, node = the range's index), keyed by a versionless
    purl, a CPE or a vendor/product name, with the range as written (`events`) and as a vers
    string (`vers`, "" when it cannot be compared), enumerated `versions` and the source's
    product `status`.
    """

    vulnerability = models.ForeignKey(
        Vulnerability, on_delete=models.CASCADE, related_name="criteria"
    )
    source = models.CharField(_("source"), max_length=128)
    configuration = models.PositiveSmallIntegerField()
    configuration_operator = models.CharField(max_length=3, blank=True)
    configuration_negate = models.BooleanField(default=False)
    node = models.PositiveSmallIntegerField()
    node_operator = models.CharField(max_length=3)
    node_negate = models.BooleanField(default=False)
    scheme = models.CharField(_("scheme"), max_length=8, default="cpe")
    key = models.CharField(_("criterion"), max_length=512)
    # What the matcher looks criteria up by: "a:vendor:product" for a CPE, the versionless
    # package URL for a purl, the key itself otherwise (`canhgac.core.files.cpe_product_key`).
    product = models.CharField(_("product"), max_length=512, default="")
    vulnerable = models.BooleanField(_("vulnerable"))
    version_start_including = models.CharField(max_length=64, blank=True)
    version_start_excluding = models.CharField(max_length=64, blank=True)
    version_end_including = models.CharField(max_length=64, blank=True)
    version_end_excluding = models.CharField(max_length=64, blank=True)
    ecosystem = models.CharField(_("ecosystem"), max_length=64, blank=True)
    status = models.CharField(_("product status"), max_length=32, blank=True)
    range_type = models.CharField(_("range type"), max_length=16, blank=True)
    vers = models.TextField(_("version range"), blank=True)
    events = models.JSONField(default=list, blank=True)
    repo = models.TextField(_("repository"), blank=True)
    versions = models.JSONField(_("affected versions"), default=list, blank=True)

    class Meta:
        verbose_name = _("affected criterion")
        ordering = ["configuration", "node", "pk"]
        indexes = [
            models.Index(fields=["key"], name="criterion_key"),
            models.Index(fields=["product"], name="criterion_product"),
        ]

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
    url = models.TextField(_("URL"), blank=True)
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
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

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


class Alias(models.Model):
    """Another identifier of a vulnerability (GHSA-…, PYSEC-…, GO-…), and who said so."""

    vulnerability = models.ForeignKey(
        Vulnerability, on_delete=models.CASCADE, related_name="aliases"
    )
    alias = models.CharField(_("alias"), max_length=128)
    source = models.CharField(_("source"), max_length=128)

    class Meta:
        verbose_name = _("alias")
        ordering = ["alias"]
        indexes = [models.Index(fields=["alias"], name="alias_alias")]
        constraints = [
            models.UniqueConstraint(
                fields=["vulnerability", "alias", "source"], name="alias_unique_source"
            )
        ]

    def __str__(self) -> str:
        return self.alias


class Remediation(models.Model):
    """A remediation of a generic advisory (CSAF): vendor fix, workaround, mitigation…"""

    vulnerability = models.ForeignKey(
        Vulnerability, on_delete=models.CASCADE, related_name="remediations"
    )
    source = models.CharField(_("source"), max_length=128)
    category = models.CharField(_("category"), max_length=32)
    details = models.TextField(_("details"), blank=True)
    url = models.TextField(_("URL"), blank=True)
    products = models.JSONField(_("products"), default=list, blank=True)
    date = models.DateTimeField(_("date"), null=True, blank=True)

    class Meta:
        verbose_name = _("remediation")
        ordering = ["source", "pk"]

    def __str__(self) -> str:
        return self.category


class CpeDeprecation(models.Model):
    """A CPE name the dictionary deprecates, and the names that replace it."""

    name = models.CharField(_("CPE name"), max_length=512, unique=True)
    deprecated_by = models.JSONField(_("replaced by"), default=list, blank=True)
    last_modified = models.DateTimeField(_("last modified"), null=True, blank=True)

    class Meta:
        verbose_name = _("deprecated CPE name")

    def __str__(self) -> str:
        return self.name


class FeedRun(models.Model):
    """One import of advisory data: a file, an online sync page, or an offline bundle."""

    class Status(models.TextChoices):
        RUNNING = "running", _("running")
        OK = "ok", _("succeeded")
        FAILED = "failed", _("failed")

    class Origin(models.TextChoices):
        FILE = "file", _("file import")
        SYNC = "sync", _("online sync")
        BUNDLE = "bundle", _("offline bundle")

    feed = models.CharField(_("feed"), max_length=32)  # parser id or sync source id
    origin = models.CharField(_("origin"), max_length=8, choices=Origin.choices)
    source_name = models.CharField(_("file or address"), max_length=1024, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices)
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    archived = models.CharField(_("archived copy"), max_length=255, blank=True)
    actor = models.CharField(_("by"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("feed run")
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["feed", "-started_at"], name="feedrun_feed")]

    def __str__(self) -> str:
        return f"{self.feed} {self.started_at:%Y-%m-%d %H:%M} {self.status}"


class FeedState(models.Model):
    """Where the online sync of one source stands: last success, and where to resume."""

    source = models.CharField(_("source"), max_length=32, unique=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    last_success_at = models.DateTimeField(_("last success"), null=True, blank=True)
    synced_until = models.DateTimeField(_("data up to"), null=True, blank=True)
    cursor = models.JSONField(_("resume point"), default=dict, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    # One sync per source at a time: set while a sync runs (expires if its process died).
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("feed state")
        ordering = ["source"]

    def __str__(self) -> str:
        return self.source


class BundleImport(models.Model):
    """An offline bundle applied here (by its manifest's SHA-256): importing it again is a no-op."""

    sha256 = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at the source"))
    producer = models.CharField(_("produced by"), max_length=255, blank=True)
    since = models.DateTimeField(_("changes since"), null=True, blank=True)
    files = models.PositiveIntegerField(_("files"))
    imported_at = models.DateTimeField(_("imported at"))

    class Meta:
        verbose_name = _("imported bundle")
        ordering = ["-imported_at"]

    def __str__(self) -> str:
        return self.sha256[:12]


def attachment_path(instance: WarningAttachment, filename: str) -> str:
    return f"warnings/{instance.sha256[:2]}/{instance.sha256}"


class WarningAttachment(models.Model):
    """A file attached to a warning letter (the scanned letter, an annex), stored by content."""

    warning = models.ForeignKey(WarningLetter, on_delete=models.CASCADE, related_name="attachments")
    name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=128, blank=True)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    file = models.FileField(upload_to=attachment_path, max_length=255)
    uploaded_at = models.DateTimeField(_("uploaded at"))
    uploaded_by = models.CharField(_("uploaded by"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("attachment")
        ordering = ["uploaded_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["warning", "sha256"], name="attachment_unique_content")
        ]

    def __str__(self) -> str:
        return self.name


class WindowsRelease(models.Model):
    """The latest update Microsoft lists for a Windows product (reference for the matcher)."""

    product = models.CharField(_("product"), max_length=255, unique=True)
    version = models.CharField(_("version"), max_length=32, blank=True)
    build = models.CharField(_("build"), max_length=128, blank=True)
    latest_kb = models.CharField(_("latest KB"), max_length=16, blank=True)
    released = models.DateField(_("released"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("Windows release")
        ordering = ["product"]

    def __str__(self) -> str:
        return self.product
