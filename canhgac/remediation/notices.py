"""Who hears about remediation work, and what they are told (through the notification service).

Messages are written in the installation's language (Vietnamese by default): they go out by
email as well as to the in-app inbox, and a unit's mailbox has no language of its own.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from canhgac.accounts.enums import Role
from canhgac.accounts.models import Membership, Unit, User
from canhgac.accounts.services.common import Actor
from canhgac.duty.services.notifications import notify
from canhgac.remediation.models import Campaign, Task

UNIT_ROLES = (Role.UNIT_MANAGER, Role.UNIT_OFFICER)
PROVINCE_ROLES = (Role.PROVINCE_ANALYST, Role.PROVINCE_ADMIN)


def members(units: Iterable[Unit] | None, roles: Iterable[Role]) -> list[User]:
    """Active users holding one of `roles` in one of `units` (in any unit: None)."""
    memberships = Membership.objects.filter(role__in=[role.value for role in roles])
    if units is not None:
        memberships = memberships.filter(unit__in=list(units))
    users = User.objects.filter(is_active=True, pk__in=memberships.values("user_id"))
    return list(users.order_by("pk"))


def managers(unit: Unit) -> list[User]:
    """The unit's managers; without one, the nearest ancestor's (a manager's scope is the
    subtree below them)."""
    current: Unit | None = unit
    while current is not None:
        found = members([current], [Role.UNIT_MANAGER])
        if found:
            return found
        current = current.parent
    return []


def _day(value: object) -> str:
    return value.strftime("%d/%m/%Y") if hasattr(value, "strftime") else "—"


def task_link(task: Task) -> str:
    return reverse("web:task_detail", args=[task.pk])


def tell_task_opened(*, by: Actor, task: Task, hosts: int) -> None:
    """A unit received a provincial letter: its officers and manager, and its mailbox."""
    letter = task.letter
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("[Warning %(number)s] %(title)s") % {
            "number": letter.number,
            "title": letter.title,
        }
        body = "\n".join(
            [
                _("%(issuer)s forwards warning letter %(number)s of %(day)s to %(unit)s.")
                % {
                    "issuer": letter.issuer,
                    "number": letter.number,
                    "day": _day(letter.issued_on),
                    "unit": task.unit.name,
                },
                _("Affected hosts found in your inventory: %(hosts)s.") % {"hosts": hosts},
                _("Fix by: %(day)s.") % {"day": _day(task.due_date)},
                _("Please acknowledge the letter and declare the status of each host."),
            ]
        )
    notify(
        by=by,
        users=members([task.unit], UNIT_ROLES),
        subject=subject,
        body=body,
        kind="remediation.task_opened",
        unit=task.unit,
        link=task_link(task),
        emails=[task.unit.email] if task.unit.email else [],
    )


def tell_task_overdue(*, by: Actor, task: Task, to_province: bool) -> None:
    """An overdue task: first the unit's manager, later the province's analysts too."""
    letter = task.letter
    users = managers(task.unit)
    if to_province:  # province roles are held in the committee or a coordinator unit
        users += members(None, PROVINCE_ROLES)
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("[Overdue] %(unit)s: warning %(number)s") % {
            "unit": task.unit.name,
            "number": letter.number,
        }
        body = _(
            "The remediation of warning letter %(number)s by %(unit)s was due on %(day)s and is "
            "not finished."
        ) % {"number": letter.number, "unit": task.unit.name, "day": _day(task.due_date)}
    notify(
        by=by,
        users=list({user.pk: user for user in users}.values()),
        subject=subject,
        body=body,
        kind="remediation.task_overdue",
        unit=task.unit,
        link=task_link(task),
    )


def tell_campaign_opened(*, by: Actor, campaign: Campaign, unit: Unit) -> None:
    """A unit is in a campaign's scope: its officers, manager and mailbox."""
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("[Campaign] %(name)s: readiness by %(day)s") % {
            "name": campaign.name,
            "day": _day(campaign.prepare_by),
        }
        body = "\n".join(
            [
                _("High-risk period %(name)s: %(start)s to %(end)s.")
                % {
                    "name": campaign.name,
                    "start": _day(campaign.starts_on),
                    "end": _day(campaign.ends_on),
                },
                _("Answer the readiness checklist of %(unit)s by %(day)s.")
                % {"unit": unit.name, "day": _day(campaign.prepare_by)},
            ]
        )
    notify(
        by=by,
        users=members([unit], UNIT_ROLES),
        subject=subject,
        body=body,
        kind="remediation.campaign_opened",
        unit=unit,
        link=reverse("web:campaign_unit", args=[campaign.code, unit.code]),
        emails=[unit.email] if unit.email else [],
    )
