"""Who performs an action: a signed-in user, or the system itself (CLI, demo loader, tasks)."""

from __future__ import annotations

import getpass
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SystemActor:
    """A trusted caller with shell access to the server; recorded in the audit log by label."""

    label: str

    @classmethod
    def cli(cls) -> SystemActor:
        try:
            who = getpass.getuser()
        except (KeyError, OSError):
            who = "unknown"
        return cls(f"cli:{who}")


DEMO_LOADER = SystemActor("system:demo")
