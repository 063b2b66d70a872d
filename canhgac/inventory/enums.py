"""Kinds and states of the inventory (pure string enums: parsers use them without Django)."""

from __future__ import annotations

import enum


class AssetKind(enum.StrEnum):
    SERVER = "server"
    WORKSTATION = "workstation"
    NETWORK_DEVICE = "network_device"
    WEB_APPLICATION = "web_application"
    CLOUD_SERVICE = "cloud_service"


class SystemType(enum.StrEnum):
    """NĐ 85/2016 Art. 6.2 system types."""

    INTERNAL = "internal"  # phục vụ hoạt động nội bộ
    CITIZEN_BUSINESS = "citizen_business"  # phục vụ người dân, doanh nghiệp
    SHARED_INFRASTRUCTURE = "shared_infrastructure"  # cơ sở hạ tầng thông tin
    INDUSTRIAL_CONTROL = "industrial_control"  # điều khiển công nghiệp
    OTHER = "other"


class SystemStatus(enum.StrEnum):
    PLANNED = "planned"
    LIVE = "live"
    RETIRED = "retired"


class Criticality(enum.StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"
