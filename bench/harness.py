"""What every benchmark does first: a throw-away home, Django set up, the schema migrated."""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def django_ready() -> str:
    """Set up Django on a fresh CANHGAC_HOME (removed at exit) unless one is given, migrate the
    database (the embedded SQLite one, or DATABASE_URL's) and return its engine's name."""
    if "CANHGAC_HOME" not in os.environ:
        home = tempfile.mkdtemp(prefix="canhgac-bench-")
        atexit.register(shutil.rmtree, home, ignore_errors=True)
        os.environ["CANHGAC_HOME"] = home
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return str(settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1])
