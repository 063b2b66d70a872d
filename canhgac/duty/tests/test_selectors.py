"""Who sees the deliveries of a notification."""

from __future__ import annotations

import pytest

from canhgac.accounts.actors import SystemActor
from canhgac.accounts.tests.world import World
from canhgac.core.exceptions import NotFoundError
from canhgac.duty.selectors import delivery_list_for_notification, inbox_unread_count
from canhgac.duty.tests.helpers import matrix_rows


def test_a_recipient_sees_only_their_own_deliveries_and_admins_all(world: World) -> None:
    entry, delivery = matrix_rows()  # every user's inbox; one email, to unit_officer
    notification = entry.notification_id

    assert delivery_list_for_notification(
        user=world.users["unit_officer"], notification_id=notification
    ) == [delivery]
    assert (
        delivery_list_for_notification(
            user=world.users["unit_manager"], notification_id=notification
        )
        == []
    )
    for admin in (world.users["province_analyst"], SystemActor("test")):
        assert delivery_list_for_notification(user=admin, notification_id=notification) == [
            delivery
        ]
    entry.notification.inbox_entries.filter(user=world.users["other_unit"]).delete()
    with pytest.raises(NotFoundError):
        delivery_list_for_notification(user=world.users["other_unit"], notification_id=notification)
    with pytest.raises(NotFoundError):
        delivery_list_for_notification(user=world.users["unit_officer"], notification_id=999999)
    assert inbox_unread_count(user=world.users["unit_officer"]) == 1
    assert inbox_unread_count(user=world.users["other_unit"]) == 0
