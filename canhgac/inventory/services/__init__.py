"""The only writer of the inventory: imports of any format (`imports`) and manual edits of
systems and assets (`edits`)."""

from canhgac.inventory.services.edits import (
    asset_create,
    asset_delete,
    asset_update,
    system_create,
    system_delete,
    system_update,
)
from canhgac.inventory.services.imports import (
    ImportReport,
    KindCounts,
    fingerprint,
    inventory_import,
    inventory_import_file,
    inventory_import_upload,
)

__all__ = [
    "ImportReport",
    "KindCounts",
    "asset_create",
    "asset_delete",
    "asset_update",
    "fingerprint",
    "inventory_import",
    "inventory_import_file",
    "inventory_import_upload",
    "system_create",
    "system_delete",
    "system_update",
]
