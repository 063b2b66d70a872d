"""Password rule beyond Django's validators: mix letters with digits or symbols."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class CharacterClassValidator:
    """Require at least one letter and at least one digit or symbol."""

    def validate(self, password: str, user: Any = None) -> None:
        has_letter = any(character.isalpha() for character in password)
        has_other = any(not character.isalpha() for character in password)
        if not (has_letter and has_other):
            raise ValidationError(
                _("The password must contain letters and at least one digit or symbol."),
                code="password_character_classes",
            )

    def get_help_text(self) -> str:
        return _("Your password must contain letters and at least one digit or symbol.")
