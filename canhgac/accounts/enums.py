"""Unit kinds, roles and permissions of the accounts context."""

from __future__ import annotations

import enum

from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    PROVINCE_COMMITTEE = "province_committee", _("Provincial People's Committee")
    DEPARTMENT = "department", _("Department / agency")
    DISTRICT = "district", _("District-level committee")
    COMMUNE = "commune", _("Commune-level committee")
    SUB_UNIT = "sub_unit", _("Sub-unit")
    SERVICE_PROVIDER = "service_provider", _("Security service provider")
    ASSESSOR = "assessor", _("Independent assessor")
    NATIONAL_BODY = "national_body", _("National body")
    ISP = "isp", _("Internet service provider")


# Kinds that belong to the province's own administrative tree.
PROVINCE_TREE_KINDS = frozenset(
    {
        UnitKind.PROVINCE_COMMITTEE,
        UnitKind.DEPARTMENT,
        UnitKind.DISTRICT,
        UnitKind.COMMUNE,
        UnitKind.SUB_UNIT,
    }
)
# Kinds outside the tree: they stand alone (no parent) or under a unit of the same kind.
EXTERNAL_KINDS = frozenset(
    {UnitKind.SERVICE_PROVIDER, UnitKind.ASSESSOR, UnitKind.NATIONAL_BODY, UnitKind.ISP}
)


class Role(models.TextChoices):
    PROVINCE_ADMIN = "province_admin", _("Province administrator")
    PROVINCE_ANALYST = "province_analyst", _("Province analyst")
    UNIT_MANAGER = "unit_manager", _("Unit manager")
    UNIT_OFFICER = "unit_officer", _("Unit officer")
    DUTY_OFFICER = "duty_officer", _("Duty officer")
    PROVIDER_ANALYST = "provider_analyst", _("Service provider analyst")
    AUDITOR = "auditor", _("Auditor / viewer")


class ScopeRule(enum.Enum):
    """Which units a membership reaches."""

    ALL_UNITS = "all_units"  # every unit of the installation
    SUBTREE = "subtree"  # the membership's unit and everything below it
    OWN_UNIT = "own_unit"  # the membership's unit only
    CONTRACTED = "contracted"  # units the provider unit has an active contract with


class Permission(enum.StrEnum):
    UNIT_VIEW = "unit.view"
    UNIT_EDIT = "unit.edit"  # contact details of an existing unit
    UNIT_MANAGE = "unit.manage"  # create, import, move, deactivate units; contracts
    MEMBER_VIEW = "member.view"  # who belongs to a unit, with which role
    USER_MANAGE = "user.manage"  # create users, grant and revoke memberships
    AUDIT_VIEW = "audit.view"
    INVENTORY_EDIT = "inventory.edit"  # systems, assets and imports of a unit
    ADVISORY_MANAGE = "advisory.manage"  # import feeds, write warning letters (province-wide)
    EXPOSURE_MATCH = "exposure.match"  # run matching for a unit's assets
    FINDING_TRIAGE = "finding.triage"  # set a finding's status (false positive, not affected...)
    RISK_ACCEPT = "finding.accept_risk"  # accept a risk until a date (a manager's decision)
    # acknowledge a provincial letter, declare hosts' remediation status, attach evidence
    REMEDIATION_UPDATE = "remediation.update"
    CAMPAIGN_MANAGE = "campaign.manage"  # create holiday campaigns (province-wide)
    NOTIFICATION_ADMIN = "notification.admin"  # every delivery; send failed ones again


ROLE_SCOPE: dict[Role, ScopeRule] = {
    Role.PROVINCE_ADMIN: ScopeRule.ALL_UNITS,
    Role.PROVINCE_ANALYST: ScopeRule.ALL_UNITS,
    Role.UNIT_MANAGER: ScopeRule.SUBTREE,
    Role.UNIT_OFFICER: ScopeRule.OWN_UNIT,
    Role.DUTY_OFFICER: ScopeRule.OWN_UNIT,
    Role.PROVIDER_ANALYST: ScopeRule.CONTRACTED,
    Role.AUDITOR: ScopeRule.SUBTREE,
}

_READ = frozenset({Permission.UNIT_VIEW, Permission.MEMBER_VIEW})

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.PROVINCE_ADMIN: frozenset(Permission),
    Role.PROVINCE_ANALYST: _READ
    | {
        Permission.AUDIT_VIEW,
        Permission.INVENTORY_EDIT,
        Permission.ADVISORY_MANAGE,
        Permission.EXPOSURE_MATCH,
        Permission.FINDING_TRIAGE,
        Permission.RISK_ACCEPT,
        Permission.REMEDIATION_UPDATE,
        Permission.CAMPAIGN_MANAGE,
        Permission.NOTIFICATION_ADMIN,
    },
    Role.UNIT_MANAGER: _READ
    | {
        Permission.UNIT_EDIT,
        Permission.INVENTORY_EDIT,
        Permission.EXPOSURE_MATCH,
        Permission.FINDING_TRIAGE,
        Permission.RISK_ACCEPT,
        Permission.REMEDIATION_UPDATE,
    },
    Role.UNIT_OFFICER: _READ
    | {
        Permission.INVENTORY_EDIT,
        Permission.EXPOSURE_MATCH,
        Permission.FINDING_TRIAGE,
        Permission.REMEDIATION_UPDATE,
    },
    Role.DUTY_OFFICER: _READ,
    Role.PROVIDER_ANALYST: _READ,
    Role.AUDITOR: _READ | {Permission.AUDIT_VIEW},
}

# Roles whose scope is the whole province: granted only on the committee or a coordinator unit.
PROVINCE_ROLES = frozenset({Role.PROVINCE_ADMIN, Role.PROVINCE_ANALYST})
