"""Limit/offset pagination for every list endpoint: `{"items": [...], "count": N}`."""

from __future__ import annotations

from ninja.pagination import LimitOffsetPagination

MAX_LIMIT = 500


class Pagination(LimitOffsetPagination):
    """`limit` (default 100, at most 500) and `offset` query parameters."""
