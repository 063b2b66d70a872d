"""Writes of the accounts context (units, contracts, users, memberships, API tokens).

Every function checks the caller's permission (a `SystemActor` is trusted: it has shell access
to the server), writes in one transaction and records its audit event in that transaction.
"""

from canhgac.accounts.services.common import Actor
from canhgac.accounts.services.tokens import (
    TOKEN_PREFIX,
    token_authenticate,
    token_create,
    token_digest,
    token_revoke,
    tokens_revoke_all,
)
from canhgac.accounts.services.units import (
    CONTACT_FIELDS,
    ImportResult,
    contract_save,
    unit_create,
    unit_import,
    unit_update,
    units_rebuild_paths,
)
from canhgac.accounts.services.users import (
    membership_grant,
    membership_revoke,
    password_changed,
    user_create,
    user_set_active,
    user_set_password,
)

__all__ = [
    "CONTACT_FIELDS",
    "TOKEN_PREFIX",
    "Actor",
    "ImportResult",
    "contract_save",
    "membership_grant",
    "membership_revoke",
    "password_changed",
    "token_authenticate",
    "token_create",
    "token_digest",
    "token_revoke",
    "tokens_revoke_all",
    "unit_create",
    "unit_import",
    "unit_update",
    "units_rebuild_paths",
    "user_create",
    "user_set_active",
    "user_set_password",
]
