"""What the audit log records. New contexts add their actions here."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    LOGIN = "auth.login", _("Signed in")
    LOGIN_FAILED = "auth.login_failed", _("Failed sign-in")
    LOGOUT = "auth.logout", _("Signed out")
    PASSWORD_CHANGED = "auth.password_changed", _("Password changed")
    ACCESS_DENIED = "access.denied", _("Access denied")
    UNIT_CREATED = "unit.created", _("Unit created")
    UNIT_UPDATED = "unit.updated", _("Unit updated")
    UNITS_IMPORTED = "unit.imported", _("Units imported")
    CONTRACT_SAVED = "contract.saved", _("Service contract saved")
    USER_CREATED = "user.created", _("User created")
    USER_UPDATED = "user.updated", _("User updated")
    MEMBERSHIP_GRANTED = "membership.granted", _("Role granted")
    MEMBERSHIP_REVOKED = "membership.revoked", _("Role revoked")
    TOKEN_CREATED = "token.created", _("API token created")
    TOKEN_REVOKED = "token.revoked", _("API token revoked")
    DEMO_LOADED = "system.demo_loaded", _("Demo province loaded")
    INVENTORY_IMPORTED = "inventory.imported", _("Inventory imported")
    SYSTEM_SAVED = "inventory.system_saved", _("Information system saved")
    SYSTEM_DELETED = "inventory.system_deleted", _("Information system deleted")
    ASSET_SAVED = "inventory.asset_saved", _("Asset saved")
    ASSET_DELETED = "inventory.asset_deleted", _("Asset deleted")
    ADVISORIES_IMPORTED = "advisories.imported", _("Advisories imported")
    WARNING_SAVED = "advisories.warning_saved", _("Warning letter saved")
    ADVISORIES_SYNCED = "advisories.synced", _("Advisory sources synchronised")
    BUNDLE_EXPORTED = "advisories.bundle_exported", _("Advisory bundle exported")
    BUNDLE_IMPORTED = "advisories.bundle_imported", _("Advisory bundle imported")
    ATTACHMENT_ADDED = "advisories.attachment_added", _("Attachment added to a warning letter")
    EXPOSURE_MATCHED = "exposure.matched", _("Inventory matched against advisories")
    FINDING_TRIAGED = "exposure.finding_triaged", _("Finding triaged")
    DECISION_ENDED = "exposure.decision_ended", _("Triage decision ended")
    SLA_SAVED = "exposure.sla_saved", _("Remediation deadline policy saved")
