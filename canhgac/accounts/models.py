"""Units (the province's agencies and outside parties), users, memberships, contracts, tokens."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from canhgac.accounts.enums import Role, UnitKind
from canhgac.core.models import TimeStampedModel


class Unit(TimeStampedModel):
    """An agency in the province tree, or an outside party (provider, assessor, national body)."""

    code = models.SlugField(
        _("code"),
        max_length=64,
        unique=True,
        allow_unicode=False,
        help_text=_("Stable identifier used by imports and the API, e.g. SO-TTTT."),
    )
    name = models.CharField(_("name"), max_length=255)
    name_en = models.CharField(_("English name"), max_length=255, blank=True)
    short_name = models.CharField(_("short name"), max_length=64, blank=True)
    kind = models.CharField(_("kind"), max_length=32, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # Materialised path of zero-padded ids from the root (tree.child_path): a subtree is a
    # prefix query, and ordering by path lists the tree depth-first.
    path = models.CharField(max_length=512, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    is_coordinator = models.BooleanField(
        _("security coordinator"),
        default=False,
        help_text=_("The province's dedicated information-security unit (e.g. the DIC)."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=64, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person. Vietnamese names are one field; roles come from memberships, never flags."""

    first_name = None  # type: ignore[assignment]
    last_name = None  # type: ignore[assignment]
    full_name = models.CharField(_("full name"), max_length=255, blank=True)
    title = models.CharField(_("job title"), max_length=255, blank=True)
    phone = models.CharField(_("phone"), max_length=64, blank=True)
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="vi"
    )

    objects: ClassVar[UserManager[User]] = UserManager()  # type: ignore[assignment]

    REQUIRED_FIELDS: ClassVar[list[str]] = ["email"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]

    def __str__(self) -> str:
        return self.full_name or self.username

    def get_full_name(self) -> str:
        return self.full_name or self.username

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[-1] if self.full_name else self.username


class Membership(TimeStampedModel):
    """A user holds a role in a unit. The role decides what the user sees and may do."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    granted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["unit__path", "role", "user__username"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "unit", "role"], name="membership_unique_user_unit_role"
            )
        ]

    def __str__(self) -> str:
        # Language-neutral (the role code): this text is stored in audit-event labels.
        return f"{self.user} · {self.role} · {self.unit}"


class ServiceContract(TimeStampedModel):
    """A security service provider is contracted to monitor/support a client unit."""

    provider = models.ForeignKey(
        Unit,
        verbose_name=_("provider"),
        on_delete=models.PROTECT,
        related_name="contracts_as_provider",
        limit_choices_to={"kind": UnitKind.SERVICE_PROVIDER},
    )
    client = models.ForeignKey(
        Unit,
        verbose_name=_("client unit"),
        on_delete=models.PROTECT,
        related_name="contracts_as_client",
    )
    reference = models.CharField(_("contract number"), max_length=128, blank=True)
    services = models.CharField(_("services"), max_length=255, blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    include_subunits = models.BooleanField(_("covers sub-units"), default=False)

    class Meta:
        verbose_name = _("service contract")
        verbose_name_plural = _("service contracts")
        ordering = ["provider__code", "client__path"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "client", "starts_on"], name="contract_unique_period_start"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="contract_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider} → {self.client}"


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 digest is stored; the token is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=16, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
