"""What a channel implements. A new channel (Telegram, webhook, SMS) is a new module with one
class, and one line in `registry.py`."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Protocol

if TYPE_CHECKING:
    from canhgac.duty.models import Delivery, Notification


class Notifier(Protocol):
    channel: ClassVar[str]  # the `Delivery.channel` it sends; unique in the registry
    display_name: ClassVar[str]

    def send(self, delivery: Delivery, notification: Notification) -> None:
        """Deliver `notification` to `delivery.address`, or raise `NotifierError` with a
        message that is safe to store (it must not contain passwords or tokens). Every
        network call has a timeout."""
