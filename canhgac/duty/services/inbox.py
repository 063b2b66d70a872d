"""The in-app inbox: a user marks their own notifications as read."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from canhgac.accounts.models import User
from canhgac.accounts.services.common import Actor, audit
from canhgac.audit.enums import AuditAction
from canhgac.core import clock
from canhgac.core.exceptions import NotFoundError, ValidationError
from canhgac.duty.models import InboxEntry


def inbox_mark_read(
    *,
    by: Actor,
    user: User,
    entries: Iterable[InboxEntry] = (),
    all_unread: bool = False,
) -> int:
    """Mark `entries` (or, with `all_unread`, every unread entry) of `user`'s inbox as read.

    Only the user themself (or the system) may; an entry of another inbox is not found.
    Returns how many entries changed (reading twice changes nothing)."""
    if isinstance(by, User) and by.pk != user.pk:
        raise NotFoundError("inbox entry not found", extra={"user": user.pk})
    chosen = list(entries)
    if all_unread == bool(chosen):
        raise ValidationError("give the entries to mark, or all_unread, not both")
    foreign = [entry.pk for entry in chosen if entry.user_id != user.pk]
    if foreign:
        raise NotFoundError("inbox entry not found", extra={"entry": foreign[0]})
    unread = InboxEntry.objects.filter(user=user, read_at__isnull=True)
    if not all_unread:
        unread = unread.filter(pk__in=[entry.pk for entry in chosen])
    now = clock.now()
    with transaction.atomic():
        ids = list(unread.values_list("pk", flat=True))
        count = InboxEntry.objects.filter(pk__in=ids, read_at__isnull=True).update(read_at=now)
        if count:
            audit(
                by,
                AuditAction.INBOX_READ,
                target=user,
                parameters={"entries": ids[:100], "count": count, "all": all_unread},
            )
    return count
