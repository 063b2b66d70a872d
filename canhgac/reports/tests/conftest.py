from __future__ import annotations

import pytest

from canhgac.demo.loader import demo_load


@pytest.fixture
def demo(db: None) -> None:
    """The demo province: units, users, inventory, advisories matched (590 and 651 hit hosts)."""
    demo_load()
