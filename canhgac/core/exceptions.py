"""The one exception tree of canhgac. Adapters (web, API, CLI) render these; nothing else.

    CanhgacError                      base; carries `code` (ErrorCode), `message`, `extra`
    ├── ValidationError               input is wrong; `extra["problems"]` lists every problem
    │   └── ParseError                a file could not be read; names file, line and field
    ├── NotFoundError                 no such object, or not visible to this user (never tell which)
    ├── PermissionDeniedError         the object is visible but the action is not allowed
    ├── ConflictError                 the action clashes with the current state (duplicates, ...)
    └── ServiceError                  an outside service (feed, SMTP, ...) failed; may be retried

API status codes: ValidationError 422, NotFoundError 404, PermissionDeniedError 403,
ConflictError 409, ServiceError 502.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any


class ErrorCode(enum.StrEnum):
    INVALID = "invalid"
    PARSE_ERROR = "parse_error"
    NOT_FOUND = "not_found"
    PERMISSION_DENIED = "permission_denied"
    NOT_AUTHENTICATED = "not_authenticated"
    CONFLICT = "conflict"
    SERVICE_UNAVAILABLE = "service_unavailable"
    RATE_LIMITED = "rate_limited"


@dataclass(frozen=True, slots=True)
class SourceLocation:
    """Where in an input a problem is: file, 1-based line (or row), field/column name."""

    path: str
    line: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        text = self.path
        if self.line is not None:
            text += f":{self.line}"
        if self.field:
            text += f" [{self.field}]"
        return text


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem found in an input, with its location."""

    message: str
    location: SourceLocation | None = None

    def __str__(self) -> str:
        return f"{self.location}: {self.message}" if self.location else self.message

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"message": self.message}
        if self.location is not None:
            data.update(path=self.location.path, line=self.location.line, field=self.location.field)
        return data


class CanhgacError(Exception):
    code: ErrorCode = ErrorCode.INVALID

    def __init__(
        self, message: str, *, code: ErrorCode | None = None, extra: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.extra: dict[str, Any] = extra or {}


class ValidationError(CanhgacError):
    code = ErrorCode.INVALID

    def __init__(
        self,
        message: str,
        *,
        problems: list[Problem] | None = None,
        code: ErrorCode | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        self.problems: list[Problem] = problems or []
        merged = dict(extra or {})
        if self.problems:
            merged["problems"] = [problem.as_dict() for problem in self.problems]
        super().__init__(message, code=code, extra=merged)

    def __str__(self) -> str:
        if not self.problems:
            return self.message
        lines = [self.message, *(f"  - {problem}" for problem in self.problems)]
        return "\n".join(lines)


class ParseError(ValidationError):
    code = ErrorCode.PARSE_ERROR

    def __init__(self, message: str, *, source: SourceLocation) -> None:
        super().__init__(f"{source}: {message}", problems=[Problem(message, source)])
        self.source = source


class NotFoundError(CanhgacError):
    code = ErrorCode.NOT_FOUND


class PermissionDeniedError(CanhgacError):
    code = ErrorCode.PERMISSION_DENIED


class ConflictError(CanhgacError):
    code = ErrorCode.CONFLICT


class ServiceError(CanhgacError):
    code = ErrorCode.SERVICE_UNAVAILABLE
