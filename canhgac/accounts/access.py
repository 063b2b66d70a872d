"""The access module: the one place that decides which units a user reaches and what they may do.

Every guarded read in every context goes through an `<entity>_get_for_user` /
`<entity>_list_for_user` function built on `restrict()` and `require_permission()` below.

Rules:
- A user's rights come only from memberships (user, unit, role); `is_superuser` grants nothing.
- Each role has a scope rule (enums.ROLE_SCOPE) and a permission set (enums.ROLE_PERMISSIONS).
  A permission holds for a unit when some membership with that permission reaches the unit.
- An object outside the user's view raises NotFoundError (the user cannot learn it exists);
  a visible object with a forbidden action raises PermissionDeniedError.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from django.db.models import Model, Q, QuerySet

from canhgac.accounts.enums import ROLE_PERMISSIONS, ROLE_SCOPE, Permission, Role, ScopeRule
from canhgac.accounts.models import Membership, ServiceContract, Unit, User
from canhgac.core import clock
from canhgac.core.exceptions import NotFoundError, PermissionDeniedError

ModelT = TypeVar("ModelT", bound=Model)

_CACHE_ATTRIBUTE = "_canhgac_access"


@dataclass(frozen=True, slots=True)
class UnitSet:
    """A set of unit ids, or every unit."""

    everything: bool
    ids: frozenset[int]

    def __contains__(self, unit_id: object) -> bool:
        return self.everything or unit_id in self.ids

    def union(self, other: UnitSet) -> UnitSet:
        if self.everything or other.everything:
            return ALL_UNITS
        return UnitSet(False, self.ids | other.ids)

    @property
    def empty(self) -> bool:
        return not self.everything and not self.ids


ALL_UNITS = UnitSet(True, frozenset())
NO_UNITS = UnitSet(False, frozenset())


@dataclass(frozen=True, slots=True)
class Grant:
    """One membership, resolved: its role and the units it reaches."""

    role: Role
    unit_id: int
    reach: UnitSet


@dataclass(frozen=True, slots=True)
class AccessContext:
    user_id: int | None
    grants: tuple[Grant, ...]

    def units_with(self, permission: Permission, *, contracted: bool = True) -> UnitSet:
        """Units where `permission` holds; `contracted=False` leaves out provider contracts."""
        result = NO_UNITS
        for grant in self.grants:
            if not contracted and ROLE_SCOPE[grant.role] is ScopeRule.CONTRACTED:
                continue
            if permission in ROLE_PERMISSIONS[grant.role]:
                result = result.union(grant.reach)
        return result

    def provider_units(self) -> frozenset[int]:
        """The service-provider units the user works for (provider-analyst memberships)."""
        return frozenset(
            grant.unit_id for grant in self.grants if ROLE_SCOPE[grant.role] is ScopeRule.CONTRACTED
        )

    def roles(self) -> frozenset[Role]:
        return frozenset(grant.role for grant in self.grants)


def _subtree_ids(units: list[Unit]) -> frozenset[int]:
    if not units:
        return frozenset()
    condition = Q()
    for unit in units:
        condition |= Q(path__startswith=unit.path)
    return frozenset(Unit.objects.filter(condition).values_list("id", flat=True))


def _contracted_ids(provider_ids: list[int]) -> dict[int, frozenset[int]]:
    """Client units of the providers' contracts active today (with sub-units where agreed)."""
    today = clock.today()
    contracts = (
        ServiceContract.objects.filter(
            provider_id__in=provider_ids, starts_on__lte=today, client__is_active=True
        )
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .select_related("client")
    )
    direct: dict[int, set[int]] = {provider_id: set() for provider_id in provider_ids}
    subtree_roots: dict[int, list[Unit]] = {provider_id: [] for provider_id in provider_ids}
    for contract in contracts:
        direct[contract.provider_id].add(contract.client_id)
        if contract.include_subunits:
            subtree_roots[contract.provider_id].append(contract.client)
    return {
        provider_id: frozenset(direct[provider_id]) | _subtree_ids(subtree_roots[provider_id])
        for provider_id in provider_ids
    }


def _build_context(user: User) -> AccessContext:
    if not user.is_authenticated or not user.is_active:
        return AccessContext(None, ())
    # A deactivated unit's members lose what the membership gave them.
    memberships = list(
        Membership.objects.filter(user=user, unit__is_active=True).select_related("unit")
    )
    provider_ids = [
        m.unit_id for m in memberships if ROLE_SCOPE[Role(m.role)] is ScopeRule.CONTRACTED
    ]
    contracted = _contracted_ids(provider_ids) if provider_ids else {}
    grants: list[Grant] = []
    for membership in memberships:
        role = Role(membership.role)
        rule = ROLE_SCOPE[role]
        if rule is ScopeRule.ALL_UNITS:
            reach = ALL_UNITS
        elif rule is ScopeRule.SUBTREE:
            reach = UnitSet(False, _subtree_ids([membership.unit]))
        elif rule is ScopeRule.OWN_UNIT:
            reach = UnitSet(False, frozenset({membership.unit_id}))
        else:
            reach = UnitSet(False, contracted.get(membership.unit_id, frozenset()))
        grants.append(Grant(role, membership.unit_id, reach))
    return AccessContext(user.pk, tuple(grants))


def access_context(user: Any) -> AccessContext:
    """The user's resolved grants, computed once per user object (i.e. once per request)."""
    cached = getattr(user, _CACHE_ATTRIBUTE, None)
    if isinstance(cached, AccessContext):
        return cached
    context = _build_context(user) if isinstance(user, User) else AccessContext(None, ())
    if isinstance(user, User):
        setattr(user, _CACHE_ATTRIBUTE, context)
    return context


def access_cache_clear(user: User) -> None:
    """Forget the cached grants (after memberships or contracts change)."""
    if hasattr(user, _CACHE_ATTRIBUTE):
        delattr(user, _CACHE_ATTRIBUTE)


def units_with_permission(*, user: Any, permission: Permission) -> UnitSet:
    return access_context(user).units_with(permission)


def has_permission(*, user: Any, permission: Permission, unit_id: int | None = None) -> bool:
    """With `unit_id`: does the permission hold for that unit? Without: for some unit?"""
    units = units_with_permission(user=user, permission=permission)
    if unit_id is None:
        return not units.empty
    return unit_id in units


def require_permission(*, user: Any, permission: Permission, unit_id: int | None = None) -> None:
    if not has_permission(user=user, permission=permission, unit_id=unit_id):
        raise PermissionDeniedError(
            f"permission {permission.value} denied",
            extra={"permission": permission.value, "unit_id": unit_id},
        )


def restrict(
    queryset: QuerySet[ModelT],
    *,
    user: Any,
    permission: Permission = Permission.UNIT_VIEW,
    unit_field: str = "unit_id",
) -> QuerySet[ModelT]:
    """Limit a unit-scoped queryset to the units where `permission` holds for `user`."""
    units = units_with_permission(user=user, permission=permission)
    if units.everything:
        return queryset
    return queryset.filter(**{f"{unit_field}__in": units.ids})


# --- Units -------------------------------------------------------------------------------------


def unit_list_for_user(*, user: Any) -> QuerySet[Unit]:
    return restrict(Unit.objects.select_related("parent"), user=user, unit_field="id")


def unit_get_for_user(
    *, user: Any, unit_id: int | str, permission: Permission = Permission.UNIT_VIEW
) -> Unit:
    """A unit by id or code. Not visible → NotFoundError; visible, action denied → 403."""
    lookup: dict[str, int | str] = (
        {"pk": unit_id} if isinstance(unit_id, int) else {"code": unit_id}
    )
    try:
        unit = unit_list_for_user(user=user).get(**lookup)
    except (Unit.DoesNotExist, ValueError):
        raise NotFoundError("unit not found", extra={"unit": str(unit_id)}) from None
    if permission is not Permission.UNIT_VIEW:
        require_permission(user=user, permission=permission, unit_id=unit.pk)
    return unit


def membership_list_for_user(*, user: Any, unit: Unit) -> QuerySet[Membership]:
    require_permission(user=user, permission=Permission.MEMBER_VIEW, unit_id=unit.pk)
    return Membership.objects.filter(unit=unit).select_related("user", "unit")


def contract_list_for_user(*, user: Any) -> QuerySet[ServiceContract]:
    """Contracts of units the user sees through their own unit tree, and the contracts of the
    user's own provider; a provider analyst never sees another provider's contracts."""
    context = access_context(user)
    units = context.units_with(Permission.UNIT_VIEW, contracted=False)
    contracts = ServiceContract.objects.select_related("provider", "client")
    if units.everything:
        return contracts
    return contracts.filter(
        Q(provider_id__in=units.ids)
        | Q(client_id__in=units.ids)
        | Q(provider_id__in=context.provider_units())
    )


def membership_get_for_user(
    *, user: Any, membership_id: int, permission: Permission = Permission.USER_MANAGE
) -> Membership:
    """A membership the user may act on (administrators), or NotFoundError."""
    require_permission(user=user, permission=permission)
    membership = (
        restrict(
            Membership.objects.select_related("user", "unit"), user=user, permission=permission
        )
        .filter(pk=membership_id)
        .first()
    )
    if membership is None:
        raise NotFoundError("membership not found", extra={"membership_id": membership_id})
    return membership


# --- Users -------------------------------------------------------------------------------------


def user_list_for_user(*, user: Any) -> QuerySet[User]:
    require_permission(user=user, permission=Permission.USER_MANAGE)
    return User.objects.prefetch_related("memberships__unit")


def user_get_for_user(*, user: Any, user_id: int | str) -> User:
    """Administrators reach every account; everyone else only their own."""
    lookup: dict[str, int | str] = (
        {"pk": user_id} if isinstance(user_id, int) else {"username": user_id}
    )
    if has_permission(user=user, permission=Permission.USER_MANAGE):
        found = User.objects.filter(**lookup).first()
    elif lookup.get("pk") == user.pk or lookup.get("username") == user.get_username():
        found = user
    else:
        found = None
    if found is None:
        raise NotFoundError("user not found", extra={"user": str(user_id)})
    return found
