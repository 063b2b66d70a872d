"""Information systems, assets and what runs on them, per unit.

Natural keys make re-imports update in place: a system by its `code`, an asset by
(unit, key), and what an asset runs by (asset, source, fingerprint/port/KB). Components,
services and updates are snapshots per source: rows a source stops reporting get `removed_at`.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from canhgac.core.models import TimeStampedModel
from canhgac.inventory.enums import AssetKind, Criticality, SystemStatus, SystemType

SYSTEM_TYPE_CHOICES = [
    (SystemType.INTERNAL.value, _("Internal operations")),
    (SystemType.CITIZEN_BUSINESS.value, _("Services for citizens and businesses")),
    (SystemType.SHARED_INFRASTRUCTURE.value, _("Shared information infrastructure")),
    (SystemType.INDUSTRIAL_CONTROL.value, _("Industrial control")),
    (SystemType.OTHER.value, _("Other")),
]
SYSTEM_STATUS_CHOICES = [
    (SystemStatus.PLANNED.value, _("Planned")),
    (SystemStatus.LIVE.value, _("In operation")),
    (SystemStatus.RETIRED.value, _("Retired")),
]
ASSET_KIND_CHOICES = [
    (AssetKind.SERVER.value, _("Server")),
    (AssetKind.WORKSTATION.value, _("Workstation")),
    (AssetKind.NETWORK_DEVICE.value, _("Network device")),
    (AssetKind.WEB_APPLICATION.value, _("Web application")),
    (AssetKind.CLOUD_SERVICE.value, _("Cloud service")),
]
CRITICALITY_CHOICES = [
    (Criticality.LOW.value, _("Low")),
    (Criticality.MEDIUM.value, _("Medium")),
    (Criticality.HIGH.value, _("High")),
    (Criticality.CRITICAL.value, _("Critical")),
]


class InformationSystem(TimeStampedModel):
    """Hệ thống thông tin: what the regulation levels and the province reports on."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=255)
    owner_unit = models.ForeignKey(
        "accounts.Unit",
        verbose_name=_("owner unit"),
        on_delete=models.PROTECT,
        related_name="owned_systems",
    )
    operator_unit = models.ForeignKey(
        "accounts.Unit",
        verbose_name=_("operator unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="operated_systems",
    )
    provider_unit = models.ForeignKey(
        "accounts.Unit",
        verbose_name=_("security service provider"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="protected_systems",
    )
    isp = models.CharField(_("Internet service provider"), max_length=255, blank=True)
    purpose = models.TextField(_("purpose"), blank=True)
    system_type = models.CharField(
        _("system type"), max_length=32, choices=SYSTEM_TYPE_CHOICES, default=SystemType.INTERNAL
    )
    information_types = models.JSONField(_("information types"), default=list, blank=True)
    user_count = models.PositiveIntegerField(_("number of users"), null=True, blank=True)
    online_service_level = models.PositiveSmallIntegerField(
        _("online public service level"), null=True, blank=True
    )
    proposed_level = models.PositiveSmallIntegerField(
        _("proposed security level"), null=True, blank=True
    )
    approved_level = models.PositiveSmallIntegerField(
        _("approved security level"), null=True, blank=True
    )
    approval_decision = models.CharField(_("approval decision number"), max_length=128, blank=True)
    approval_date = models.DateField(_("approval date"), null=True, blank=True)
    approver = models.CharField(_("approved by"), max_length=255, blank=True)
    public_ips = models.JSONField(_("public IP addresses"), default=list, blank=True)
    domains = models.JSONField(_("domains"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=SYSTEM_STATUS_CHOICES, default=SystemStatus.LIVE
    )
    sources = models.JSONField(_("sources"), default=list, blank=True)

    class Meta:
        verbose_name = _("information system")
        verbose_name_plural = _("information systems")
        ordering = ["owner_unit__path", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(proposed_level__isnull=True)
                | Q(proposed_level__gte=1, proposed_level__lte=5),
                name="system_proposed_level_1_5",
            ),
            models.CheckConstraint(
                condition=Q(approved_level__isnull=True)
                | Q(approved_level__gte=1, approved_level__lte=5),
                name="system_approved_level_1_5",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Asset(TimeStampedModel):
    """A server, workstation, network device, web application or cloud service of a unit."""

    unit = models.ForeignKey(
        "accounts.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="assets"
    )
    system = models.ForeignKey(
        InformationSystem,
        verbose_name=_("information system"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assets",
    )
    key = models.CharField(_("key"), max_length=255)
    kind = models.CharField(_("kind"), max_length=32, choices=ASSET_KIND_CHOICES)
    name = models.CharField(_("name"), max_length=255, blank=True)
    hostnames = models.JSONField(_("host names"), default=list, blank=True)
    ip_addresses = models.JSONField(_("IP addresses"), default=list, blank=True)
    mac_addresses = models.JSONField(_("MAC addresses"), default=list, blank=True)
    internet_facing = models.BooleanField(_("internet-facing"), null=True, blank=True)
    criticality = models.CharField(
        _("criticality"), max_length=16, blank=True, choices=CRITICALITY_CHOICES
    )
    os_name = models.CharField(_("operating system"), max_length=255, blank=True)
    os_cpe = models.CharField(_("OS CPE"), max_length=512, blank=True)
    os_version = models.CharField(_("OS version"), max_length=64, blank=True)
    os_build = models.CharField(_("OS build"), max_length=64, blank=True)
    os_accuracy = models.PositiveSmallIntegerField(
        _("OS detection accuracy"), null=True, blank=True
    )
    tags = models.JSONField(_("tags"), default=list, blank=True)
    sources = models.JSONField(_("sources"), default=list, blank=True)
    first_seen = models.DateTimeField(_("first seen"))
    last_seen = models.DateTimeField(_("last seen"))

    class Meta:
        verbose_name = _("asset")
        verbose_name_plural = _("assets")
        ordering = ["unit__path", "key"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "key"], name="asset_unique_unit_key"),
        ]

    def __str__(self) -> str:
        return self.name or self.key


class Component(models.Model):
    """Software or a library on an asset, as one source reported it."""

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="components")
    source = models.CharField(_("source"), max_length=32)
    fingerprint = models.CharField(max_length=64)
    name = models.CharField(_("name"), max_length=255)
    vendor = models.CharField(_("vendor"), max_length=255, blank=True)
    version = models.CharField(_("version"), max_length=128, blank=True)
    cpe = models.CharField(_("CPE"), max_length=512, blank=True)
    purl = models.CharField(_("package URL"), max_length=1024, blank=True)
    evidence = models.CharField(_("evidence"), max_length=512, blank=True)
    first_seen = models.DateTimeField(_("first seen"))
    last_seen = models.DateTimeField(_("last seen"))
    removed_at = models.DateTimeField(_("no longer reported since"), null=True, blank=True)

    class Meta:
        verbose_name = _("component")
        verbose_name_plural = _("components")
        constraints = [
            models.UniqueConstraint(
                fields=["asset", "source", "fingerprint"],
                name="component_unique_asset_source_fingerprint",
            ),
        ]
        indexes = [
            models.Index(fields=["name"], name="component_name"),
            models.Index(fields=["purl"], name="component_purl"),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.version}".strip()


class Service(models.Model):
    """A listening network service on an asset."""

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="services")
    source = models.CharField(_("source"), max_length=32)
    port = models.PositiveIntegerField(_("port"))
    protocol = models.CharField(_("protocol"), max_length=8)
    name = models.CharField(_("service"), max_length=64, blank=True)
    product = models.CharField(_("product"), max_length=255, blank=True)
    version = models.CharField(_("version"), max_length=128, blank=True)
    cpes = models.JSONField(_("CPEs"), default=list, blank=True)
    banner = models.CharField(_("banner"), max_length=512, blank=True)
    confidence = models.PositiveSmallIntegerField(_("detection confidence"), null=True, blank=True)
    first_seen = models.DateTimeField(_("first seen"))
    last_seen = models.DateTimeField(_("last seen"))
    removed_at = models.DateTimeField(_("no longer reported since"), null=True, blank=True)

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["port", "protocol"]
        constraints = [
            models.UniqueConstraint(
                fields=["asset", "source", "protocol", "port"],
                name="service_unique_asset_source_port",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.port}/{self.protocol} {self.product} {self.version}".strip()


class InstalledUpdate(models.Model):
    """A Windows update (KB) installed on an asset."""

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="updates")
    source = models.CharField(_("source"), max_length=32)
    kb = models.CharField(_("KB"), max_length=16)
    installed_on = models.DateField(_("installed on"), null=True, blank=True)
    first_seen = models.DateTimeField(_("first seen"))
    last_seen = models.DateTimeField(_("last seen"))
    removed_at = models.DateTimeField(_("no longer reported since"), null=True, blank=True)

    class Meta:
        verbose_name = _("installed update")
        verbose_name_plural = _("installed updates")
        ordering = ["kb"]
        constraints = [
            models.UniqueConstraint(
                fields=["asset", "source", "kb"], name="update_unique_asset_source_kb"
            ),
        ]

    def __str__(self) -> str:
        return self.kb
