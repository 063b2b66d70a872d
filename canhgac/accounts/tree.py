"""Pure rules of the unit tree (no Django models): which parent a kind of unit may have,
and the materialised path used for subtree queries."""

from __future__ import annotations

from canhgac.accounts.enums import EXTERNAL_KINDS, UnitKind

ALLOWED_PARENTS: dict[str, frozenset[str]] = {
    UnitKind.PROVINCE_COMMITTEE: frozenset(),
    UnitKind.DEPARTMENT: frozenset({UnitKind.PROVINCE_COMMITTEE}),
    UnitKind.DISTRICT: frozenset({UnitKind.PROVINCE_COMMITTEE}),
    # Since the 2025 reform communes sit directly under the province; earlier, under a district.
    UnitKind.COMMUNE: frozenset({UnitKind.PROVINCE_COMMITTEE, UnitKind.DISTRICT}),
    UnitKind.SUB_UNIT: frozenset(
        {
            UnitKind.PROVINCE_COMMITTEE,
            UnitKind.DEPARTMENT,
            UnitKind.DISTRICT,
            UnitKind.COMMUNE,
            UnitKind.SUB_UNIT,
        }
    ),
}
for _kind in EXTERNAL_KINDS:
    ALLOWED_PARENTS[_kind] = frozenset({_kind})

# Kinds that may stand without a parent.
ROOT_KINDS = frozenset({UnitKind.PROVINCE_COMMITTEE, *EXTERNAL_KINDS})


def parent_problem(*, kind: str, parent_kind: str | None) -> str | None:
    """Why a unit of `kind` may not sit under a parent of `parent_kind`, or None if it may."""
    kind = str(kind)
    parent_kind = None if parent_kind is None else str(parent_kind)
    if parent_kind is None:
        if kind in ROOT_KINDS:
            return None
        return f"a unit of kind {kind!r} needs a parent"
    allowed = ALLOWED_PARENTS.get(kind, frozenset())
    if parent_kind not in allowed:
        expected = ", ".join(sorted(allowed)) or "none (it is a root)"
        return f"a unit of kind {kind!r} cannot sit under {parent_kind!r} (allowed: {expected})"
    return None


PATH_DIGITS = 10


def child_path(parent_path: str | None, unit_id: int) -> str:
    """Materialised path `/0000000001/0000000005/`: ids zero-padded so that ordering by path
    lists parents before children and siblings in creation order; a subtree is a prefix."""
    return f"{parent_path or '/'}{unit_id:0{PATH_DIGITS}d}/"
