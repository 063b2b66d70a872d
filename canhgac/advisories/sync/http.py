"""Downloads for the online sync: retries with backoff, rate spacing, conditional requests.

* 403, 408, 429 and 5xx answers and network errors are retried up to `attempts` times, waiting
  `backoff` seconds, doubled each time (capped at 300 s), or what `Retry-After` asks for.
  NVD answers 403 when the rate limit is exceeded, so 403 is retried like 429.
* Requests to one host are spaced by at least `spacing[host]` seconds (NVD: 6 s without an
  API key, 0.6 s with one).
* Bodies are streamed to a file (transfer encodings such as gzip undone), never held in
  memory; `If-None-Match`/`If-Modified-Since`
  from the previous answer turn an unchanged feed into a 304 and no download.
* Anything else (404, a body larger than the limit, retries exhausted) raises `ServiceError`
  naming the address and what happened; nothing is stored.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from canhgac.core.exceptions import ServiceError

RETRIED = {403, 408, 425, 429, 500, 502, 503, 504}
MAX_WAIT = 300.0
CHUNK = 1 << 16


@dataclass(frozen=True, slots=True)
class Downloaded:
    """A fetched body in `path` (None when the server said 304 Not Modified)."""

    url: str
    path: Path | None
    etag: str = ""
    last_modified: str = ""
    size: int = 0

    @property
    def validators(self) -> dict[str, str]:
        """What to send next time to get a 304 if nothing changed."""
        return {"etag": self.etag, "last_modified": self.last_modified}


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        moment: datetime = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    seconds: float = (moment - datetime.now(UTC)).total_seconds()
    return max(0.0, seconds)


@dataclass
class Fetcher:
    timeout: float = 60
    attempts: int = 5
    backoff: float = 5.0
    max_bytes: int = 4 << 30
    proxy: str = ""
    spacing: dict[str, float] = field(default_factory=dict)  # host → seconds between requests
    sleep: Callable[[float], None] = time.sleep
    user_agent: str = "canhgac advisory sync"
    _last: dict[str, float] = field(default_factory=dict)
    _client: httpx.Client | None = None

    def _http(self) -> httpx.Client:
        if self._client is None:
            self._client = httpx.Client(
                timeout=self.timeout,
                follow_redirects=True,
                proxy=self.proxy or None,
                headers={"User-Agent": self.user_agent},
            )
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def _space(self, host: str) -> None:
        gap = self.spacing.get(host, 0.0)
        if gap and host in self._last:
            wait = self._last[host] + gap - time.monotonic()
            if wait > 0:
                self.sleep(wait)
        self._last[host] = time.monotonic()

    def download(
        self,
        url: str,
        target: Path,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        validators: Mapping[str, str] | None = None,
    ) -> Downloaded:
        """GET `url` into `target`, retrying what is worth retrying."""
        sent = dict(headers or {})
        if validators and validators.get("etag"):
            sent["If-None-Match"] = validators["etag"]
        if validators and validators.get("last_modified"):
            sent["If-Modified-Since"] = validators["last_modified"]
        host = urlsplit(url).netloc
        wait = self.backoff
        problem = ""
        for attempt in range(1, self.attempts + 1):
            self._space(host)
            try:
                return self._get(url, target, params, sent)
            except _RetryableError as retry:
                problem = retry.reason
                delay = retry.after if retry.after is not None else wait
            except httpx.TransportError as error:
                problem = f"{type(error).__name__}: {error}"
                delay = wait
            if attempt < self.attempts:
                self.sleep(min(delay, MAX_WAIT))
                wait = min(wait * 2, MAX_WAIT)
        raise ServiceError(f"{url}: gave up after {self.attempts} attempts; last: {problem}")

    def _get(
        self, url: str, target: Path, params: Mapping[str, Any] | None, headers: dict[str, str]
    ) -> Downloaded:
        with self._http().stream("GET", url, params=params, headers=headers) as response:
            if response.status_code == 304:
                return Downloaded(url, None, headers.get("If-None-Match", ""))
            if response.status_code in RETRIED:
                message = response.headers.get("message", "")  # NVD explains errors here
                raise _RetryableError(
                    f"HTTP {response.status_code} {response.reason_phrase} {message}".strip(),
                    _retry_after(response),
                )
            if response.status_code != 200:
                raise ServiceError(
                    f"{url}: HTTP {response.status_code} {response.reason_phrase}",
                    extra={"status": response.status_code},
                )
            size = 0
            partial = target.with_name(target.name + ".part")
            with partial.open("wb") as out:
                for chunk in response.iter_bytes(CHUNK):
                    size += len(chunk)
                    if size > self.max_bytes:
                        partial.unlink()
                        raise ServiceError(f"{url}: the answer is larger than {self.max_bytes} B")
                    out.write(chunk)
            partial.replace(target)
            return Downloaded(
                url,
                target,
                etag=response.headers.get("ETag", ""),
                last_modified=response.headers.get("Last-Modified", ""),
                size=target.stat().st_size,
            )


class _RetryableError(Exception):
    def __init__(self, reason: str, after: float | None) -> None:
        super().__init__(reason)
        self.reason, self.after = reason, after
