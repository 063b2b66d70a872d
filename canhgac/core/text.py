"""Small pure text helpers shared by importers."""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[^a-z0-9]+")


def fold(text: str) -> str:
    """Lower-case ASCII key of a label: 'Mã đơn vị cấp trên' -> 'ma_don_vi_cap_tren'."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    ascii_text = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NON_WORD.sub("_", ascii_text.lower()).strip("_")


TRUE_WORDS = frozenset({"1", "true", "yes", "y", "x", "co", "dung"})
FALSE_WORDS = frozenset({"", "0", "false", "no", "n", "khong", "sai"})


def parse_flag(text: str) -> bool | None:
    """'có', 'yes', '1', 'x' -> True; 'không', 'no', '0', '' -> False; anything else -> None."""
    word = fold(text)
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return None


def shorten(text: str, limit: int) -> str:
    """`text`, or its first `limit` - 1 characters and '…': cut where a reader sees it."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
