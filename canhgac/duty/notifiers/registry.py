"""The channels canhgac can send through. Add a channel: a module with its class, one line here."""

from __future__ import annotations

from collections.abc import Iterable

from canhgac.core.registry import DuplicatePluginError
from canhgac.duty.errors import NotifierError
from canhgac.duty.notifiers.email import EmailNotifier
from canhgac.duty.notifiers.interface import Notifier

NOTIFIERS: tuple[type[Notifier], ...] = (EmailNotifier,)


def build(notifiers: Iterable[type[Notifier]]) -> dict[str, type[Notifier]]:
    by_channel: dict[str, type[Notifier]] = {}
    for notifier in notifiers:
        if notifier.channel in by_channel:
            raise DuplicatePluginError(
                f"notifiers: channel {notifier.channel!r} used by "
                f"{by_channel[notifier.channel].__qualname__} and {notifier.__qualname__}"
            )
        by_channel[notifier.channel] = notifier
    return by_channel


REGISTRY = build(NOTIFIERS)


def notifier_for(channel: str) -> Notifier:
    try:
        return REGISTRY[channel]()
    except KeyError:
        known = ", ".join(sorted(REGISTRY))
        raise NotifierError(f"no notifier for channel {channel!r} (known: {known})") from None
