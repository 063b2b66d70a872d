"""The online advisory sources, listed explicitly. Each knows its addresses and its paging;
everything it downloads is imported through `SyncContext.import_file` (the same parsers and
writer as a file import, one transaction per file or page), and it saves its resume point
after every file, so an interrupted sync continues where it stopped.
"""

from __future__ import annotations

import hashlib
import json
import re
from abc import ABC, abstractmethod
from datetime import datetime, timedelta
from pathlib import Path
from typing import ClassVar
from urllib.parse import urlencode

from django.conf import settings

from canhgac.advisories.feeds.csaf_provider import (
    directory_changes,
    directory_document_url,
    read_provider_metadata,
    read_rolie_feed,
)
from canhgac.advisories.sync.context import SyncContext
from canhgac.core.exceptions import ServiceError
from canhgac.core.registry import Registry

NVD_WINDOW = timedelta(days=120)  # the NVD API refuses longer lastMod ranges
_TOTAL = re.compile(rb'"totalResults"\s*:\s*(\d+)')


class SyncSource(ABC):
    id: ClassVar[str]
    display_name: ClassVar[str]

    @abstractmethod
    def sync(self, ctx: SyncContext) -> None:
        """Fetch what changed since `ctx.state`, import it, keep the resume point."""


class _SingleFile(SyncSource):
    """One file at one address (KEV, EPSS), fetched again only when it changed (ETag)."""

    format_id: ClassVar[str]
    url_setting: ClassVar[str]
    file_name: ClassVar[str]

    def sync(self, ctx: SyncContext) -> None:
        url = getattr(settings, self.url_setting)
        got = ctx.fetch(url, self.file_name, validators=ctx.state.cursor.get("validators"))
        if got.path is not None:
            ctx.import_file(got.path, self.format_id, url)
        ctx.save(cursor={"validators": got.validators}, synced_until=ctx.started)


class KevSource(_SingleFile):
    id = "kev"
    display_name = "CISA Known Exploited Vulnerabilities"
    format_id = "kev"
    url_setting = "KEV_URL"
    file_name = "known_exploited_vulnerabilities.json"


class EpssSource(_SingleFile):
    id = "epss"
    display_name = "FIRST EPSS"
    format_id = "epss"
    url_setting = "EPSS_URL"
    file_name = "epss_scores-current.csv.gz"


def _windows(since: datetime | None, until: datetime) -> list[list[str | None]]:
    """[start, end] ranges of at most 120 days from `since` to `until` (ISO strings);
    one open range (the whole database) when there was no sync before."""
    if since is None:
        return [[None, until.isoformat()]]
    windows: list[list[str | None]] = []
    start = since
    while start < until:
        end = min(start + NVD_WINDOW, until)
        windows.append([start.isoformat(), end.isoformat()])
        start = end
    return windows


def _nvd_time(text: str) -> str:
    """NVD wants ISO 8601 with milliseconds and an offset: 2022-04-01T00:00:00.000+00:00."""
    moment = datetime.fromisoformat(text)
    return moment.isoformat(timespec="milliseconds")


def total_results(path: Path) -> int:
    """`totalResults` from the head of an NVD API page."""
    with path.open("rb") as handle:
        found = _TOTAL.search(handle.read(4096))
    if found is None:
        raise ServiceError(f"{path.name}: not an NVD API page (no totalResults)")
    return int(found.group(1))


class NvdSource(SyncSource):
    """The NVD CVE API 2.0: the whole database by `startIndex` the first time, then what was
    modified since the last success in windows of 120 days (`lastModStartDate`)."""

    id = "nvd"
    display_name = "NVD CVE API 2.0"
    format_id: ClassVar[str] = "nvd"
    url_setting: ClassVar[str] = "NVD_API_URL"

    def sync(self, ctx: SyncContext) -> None:
        url = getattr(settings, self.url_setting)
        size = settings.NVD_PAGE_SIZE
        headers = {"apiKey": settings.NVD_API_KEY} if settings.NVD_API_KEY else {}
        cursor = dict(ctx.state.cursor) or {
            "windows": _windows(ctx.state.synced_until, ctx.started),
            "index": 0,
        }
        while cursor["windows"]:
            start, end = cursor["windows"][0]
            while True:
                params: dict[str, object] = {"resultsPerPage": size, "startIndex": cursor["index"]}
                if start is not None:
                    params |= {
                        "lastModStartDate": _nvd_time(start),
                        "lastModEndDate": _nvd_time(end),
                    }
                name = f"{self.id}-{cursor['index']}.json"
                page = ctx.fetch_file(url, name, params=params, headers=headers)
                total = total_results(page)
                ctx.import_file(page, self.format_id, f"{url}?{urlencode(params)}")
                cursor["index"] += size
                ctx.progress(min(cursor["index"], total), total, f"{start or '…'} → {end}")
                if cursor["index"] >= total:
                    break
                ctx.save(cursor=cursor)
            cursor = {"windows": cursor["windows"][1:], "index": 0}
            ctx.save(cursor=cursor, synced_until=datetime.fromisoformat(str(end)))
        ctx.save(cursor={})


class NvdCpeSource(NvdSource):
    """The NVD Products (CPE) API 2.0, for deprecated CPE names; paged like the CVE API."""

    id = "nvd-cpe"
    display_name = "NVD CPE dictionary (deprecations)"
    format_id = "nvd-cpe"
    url_setting = "NVD_CPE_API_URL"


def msrc_documents(path: Path) -> list[tuple[str, str, str]]:
    """(ID, CurrentReleaseDate, CvrfUrl) of the MSRC `updates` answer, oldest first."""
    try:
        answer = json.loads(path.read_bytes())
        items = [
            (str(item["ID"]), str(item["CurrentReleaseDate"]), str(item["CvrfUrl"]))
            for item in answer["value"]
        ]
    except (ValueError, KeyError, TypeError) as error:
        raise ServiceError(f"MSRC updates: unexpected answer ({error})") from None
    return sorted(items, key=lambda item: item[1])


def _month(document_id: str) -> datetime | None:
    try:
        return datetime.strptime(document_id, "%Y-%b")  # noqa: DTZ007 (a month name only)
    except ValueError:
        return None


class MsrcSource(SyncSource):
    """Microsoft's monthly CVRF documents from the MSRC API, each fetched again when its
    CurrentReleaseDate changes (Microsoft revises documents after release)."""

    id = "msrc"
    display_name = "Microsoft Security Update Guide (CVRF)"

    def sync(self, ctx: SyncContext) -> None:
        base = settings.MSRC_API_URL.rstrip("/")
        listing = ctx.fetch_file(
            f"{base}/updates", "msrc-updates.json", headers={"Accept": "application/json"}
        )
        first = _month(settings.MSRC_FIRST_MONTH)
        known: dict[str, str] = dict(ctx.state.cursor.get("documents", {}))
        todo = [
            item
            for item in msrc_documents(listing)
            if known.get(item[0]) != item[1]
            and (first is None or ((month := _month(item[0])) is not None and month >= first))
        ]
        for done, (document_id, released, address) in enumerate(todo, start=1):
            page = ctx.fetch_file(
                address, f"cvrf-{document_id}.xml", headers={"Accept": "application/xml"}
            )
            ctx.import_file(page, "msrc-cvrf", address)
            known[document_id] = released
            ctx.save(cursor={"documents": known})
            ctx.progress(done, len(todo), document_id)
        ctx.save(cursor={"documents": known}, synced_until=ctx.started)


class OsvSource(SyncSource):
    """Whole OSV ecosystems (`<OSV_URL>/<ecosystem>/all.zip`), fetched again when changed."""

    id = "osv"
    display_name = "OSV (open source ecosystems)"

    def sync(self, ctx: SyncContext) -> None:
        base = settings.OSV_URL.rstrip("/")
        seen: dict[str, dict[str, str]] = dict(ctx.state.cursor.get("validators", {}))
        for done, ecosystem in enumerate(settings.OSV_ECOSYSTEMS, start=1):
            url = f"{base}/{ecosystem}/all.zip"
            got = ctx.fetch(url, f"osv-{ecosystem}.zip", validators=seen.get(ecosystem))
            if got.path is not None:
                ctx.import_file(got.path, "osv", url)
            seen[ecosystem] = got.validators
            ctx.save(cursor={"validators": seen})
            ctx.progress(done, len(settings.OSV_ECOSYSTEMS), ecosystem)
        ctx.save(cursor={"validators": seen}, synced_until=ctx.started)


PUBLIC_TLP = {"WHITE", "CLEAR", ""}  # what is fetched without credentials


class CsafSource(SyncSource):
    """CSAF providers (CSAF_PROVIDERS: their provider-metadata.json): the documents their
    public ROLIE feeds (or, without feeds, their directories' changes.csv) list, each fetched
    again when its `updated` time changes and checked against its published SHA-256."""

    id = "csaf"
    display_name = "CSAF 2.0 providers"

    def sync(self, ctx: SyncContext) -> None:
        seen: dict[str, str] = dict(ctx.state.cursor.get("documents", {}))
        for provider in settings.CSAF_PROVIDERS:
            todo = sorted(self._listed(ctx, provider), key=lambda item: item[1])
            todo = [item for item in todo if seen.get(item[0]) != item[1].isoformat()]
            for done, (url, updated, hash_url) in enumerate(todo, start=1):
                document = ctx.fetch_file(url, "csaf-document.json")
                if hash_url:
                    _check_hash(ctx, document, hash_url, url)
                ctx.import_file(document, "csaf", url)
                seen[url] = updated.isoformat()
                ctx.save(cursor={"documents": seen})
                ctx.progress(done, len(todo), url.rsplit("/", 1)[-1])
        ctx.save(cursor={"documents": seen}, synced_until=ctx.started)

    @staticmethod
    def _listed(ctx: SyncContext, provider: str) -> list[tuple[str, datetime, str]]:
        """(document URL, updated, hash URL) of everything the provider lists publicly."""
        raw = ctx.fetch_file(provider, "provider-metadata.json").read_bytes()
        metadata = read_provider_metadata(raw, source=provider, base_url=provider)
        listed: list[tuple[str, datetime, str]] = []
        for feed in metadata.feeds:
            if feed.tlp_label not in PUBLIC_TLP:
                continue
            body = ctx.fetch_file(feed.url, "rolie-feed.json").read_bytes()
            rolie = read_rolie_feed(body, source=feed.url, base_url=feed.url)
            listed += [(e.document_url, e.updated, e.hash_url) for e in rolie.entries]
        if metadata.feeds:
            return listed
        for directory in metadata.directories:
            if directory.tlp_label not in PUBLIC_TLP:
                continue
            address = directory_document_url(directory.url, "changes.csv")
            body = ctx.fetch_file(address, "changes.csv").read_bytes()
            listed += [
                (directory_document_url(directory.url, change.path), change.updated, "")
                for change in directory_changes(body, source=address).changes
            ]
        return listed


def _check_hash(ctx: SyncContext, document: Path, hash_url: str, url: str) -> None:
    """The provider's `<document>.sha256` or `.sha512` ("<hex>  <name>") must match the
    document fetched."""
    algorithm = hash_url.rsplit(".", 1)[-1].lower()
    if algorithm not in {"sha256", "sha512"}:
        raise ServiceError(f"{url}: unknown hash file {hash_url}")
    text = ctx.fetch_file(hash_url, f"csaf-document.{algorithm}").read_text("ascii", "replace")
    expected = text.split()[0].lower() if text.split() else ""
    digest = hashlib.new(algorithm, document.read_bytes()).hexdigest()
    if expected != digest:
        raise ServiceError(f"{url}: the document does not match its {algorithm} ({hash_url})")


SOURCES: Registry[SyncSource] = Registry(
    "advisory source",
    [KevSource, EpssSource, NvdSource, NvdCpeSource, MsrcSource, OsvSource, CsafSource],
)
