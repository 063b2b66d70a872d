"""Pure rules of the unit tree (no Django models): which parent a kind of unit may have,
and the materialised path used for subtree queries."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from canhgac.accounts.enums import EXTERNAL_KINDS, PROVINCE_ROLES, Role, UnitKind

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


def cycle_from(start: str, parents: Mapping[str, str | None]) -> list[str] | None:
    """The parent cycle reached from `start` (codes, closing on the repeated one), or None."""
    trail: list[str] = []
    seen: set[str] = set()
    current: str | None = start
    while current is not None:
        if current in seen:
            return [*trail[trail.index(current) :], current]
        seen.add(current)
        trail.append(current)
        current = parents.get(current)
    return None


def compute_paths(parents: Mapping[int, int | None]) -> dict[int, tuple[str, int]]:
    """Path and depth of every unit from the parent map (which must be acyclic)."""
    result: dict[int, tuple[str, int]] = {}

    def resolve(unit_id: int) -> tuple[str, int]:
        chain: list[int] = []
        current: int | None = unit_id
        while current is not None and current not in result:
            chain.append(current)
            current = parents[current]
            if len(chain) > len(parents):
                raise ValueError(f"parent cycle through unit {unit_id}")
        path, depth = result[current] if current is not None else ("", -1)
        for member in reversed(chain):
            path, depth = child_path(path or None, member), depth + 1
            result[member] = (path, depth)
        return result[unit_id]

    for unit_id in parents:
        resolve(unit_id)
    return result


@dataclass(frozen=True, slots=True)
class UnitState:
    """What the structural rules look at: a unit's kind, parent and coordinator flag."""

    kind: str
    parent: str | None
    is_coordinator: bool


def role_problem(role: str, kind: str, is_coordinator: bool) -> str | None:
    """Why `role` may not be held in a unit of `kind`, or None if it may."""
    if role in PROVINCE_ROLES and not (kind == UnitKind.PROVINCE_COMMITTEE or is_coordinator):
        return (
            "province-wide roles are granted only in the Provincial People's Committee "
            "or the security coordinator unit"
        )
    if role == Role.PROVIDER_ANALYST and kind != UnitKind.SERVICE_PROVIDER:
        return "the provider-analyst role is granted only in a service-provider unit"
    if role != Role.PROVIDER_ANALYST and kind == UnitKind.SERVICE_PROVIDER:
        return "in a service-provider unit only the provider-analyst role can be granted"
    return None


def structure_problems(
    before: Mapping[str, UnitState],
    after: Mapping[str, UnitState],
    roles: Mapping[str, list[str]],
) -> list[tuple[str, str, str]]:
    """Problems (unit code, field, message) of changing the tree from `before` to `after`.

    Checks every unit that is new or whose kind, parent or coordinator flag changes: its
    parent exists and fits its kind, no parent cycle appears, its stored children still fit
    under it, and the roles held in it (`roles`: unit code → role values) are still allowed.
    """
    problems: list[tuple[str, str, str]] = []
    parents = {code: state.parent for code, state in after.items()}
    children: dict[str, list[str]] = {}
    for code, state in after.items():
        if state.parent is not None:
            children.setdefault(state.parent, []).append(code)
    reported_cycles: set[frozenset[str]] = set()
    for code, state in after.items():
        old = before.get(code)
        if old == state:
            continue
        if state.parent is not None and state.parent not in after:
            problems.append(
                (code, "parent", f"parent {state.parent!r} is neither in the file nor stored")
            )
            continue
        cycle = cycle_from(code, parents)
        if cycle is not None:
            if frozenset(cycle) not in reported_cycles:
                reported_cycles.add(frozenset(cycle))
                problems.append((code, "parent", f"parent cycle: {' → '.join(cycle)}"))
            continue
        parent_kind = after[state.parent].kind if state.parent is not None else None
        problem = parent_problem(kind=state.kind, parent_kind=parent_kind)
        if problem:
            problems.append((code, "parent", problem))
        if old is not None and old.kind != state.kind:
            for child in children.get(code, []):
                if before.get(child) == after[child]:  # changed children are checked themselves
                    child_problem = parent_problem(kind=after[child].kind, parent_kind=state.kind)
                    if child_problem:
                        problems.append((code, "kind", f"sub-unit {child}: {child_problem}"))
        if old is not None and (old.kind, old.is_coordinator) != (state.kind, state.is_coordinator):
            for role in sorted(set(roles.get(code, []))):
                held = role_problem(role, state.kind, state.is_coordinator)
                if held:
                    problems.append((code, "kind", f"role {role} is held here: {held}"))
    return problems
