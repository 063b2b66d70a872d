"""Offline bundles: advisory data carried from a connected machine into an isolated network.

A bundle is a zip (docs/advisories-sync.md):

    manifest.json       format "canhgac-advisory-bundle", version, created_at, since, producer,
                        files: [{member, format, source_name, file_name, sha256, size}]
    manifest.sig        HMAC-SHA256 of manifest.json with ADVISORY_BUNDLE_KEY (when set)
    files/00001.gz ...  the imported files as archived (gzip, or as they came when compressed)
    letters.yaml        warning letters changed since `since` (the warning-letter format)

It holds the files imported since a date, in the order they were imported, exactly as they
were (the SHA-256 of each original file is in the manifest), and the warning letters. The
bundle's identity is the SHA-256 of its manifest: `export` prints it, `import` can be told to
expect it. Import verifies the signature (when a key is configured), the manifest and every
file before it applies anything, then imports the files in order, each in its own
transaction through the same parsers and writer as any import (so a file already applied
changes nothing), and records the bundle: importing the same bundle again changes nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings

from canhgac.accounts.enums import Permission
from canhgac.accounts.services.common import Actor, audit, require
from canhgac.advisories.feeds.records import WarningLetterRecord
from canhgac.advisories.feeds.registry import PARSERS
from canhgac.advisories.feeds.warning import dump_letters
from canhgac.advisories.models import BundleImport, FeedRun, WarningLetter
from canhgac.advisories.runs import archive_root, restore
from canhgac.advisories.store import AdvisoryReport
from canhgac.audit.enums import AuditAction
from canhgac.core import clock
from canhgac.core.exceptions import ParseError, SourceLocation
from canhgac.core.files import check_size, max_bytes, sha256_of
from canhgac.core.text import shorten

FORMAT = "canhgac-advisory-bundle"
VERSION = 1
MANIFEST, SIGNATURE, LETTERS = "manifest.json", "manifest.sig", "letters.yaml"
MAX_MANIFEST = 64 << 20


@dataclass
class BundleSummary:
    sha256: str  # of manifest.json: the bundle's identity
    files: int
    letters: int
    signed: bool
    already: bool = False  # import: the bundle had been imported before
    reports: list[AdvisoryReport] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "sha256": self.sha256,
            "files": self.files,
            "letters": self.letters,
            "signed": self.signed,
            "already_imported": self.already,
            "changed": sum(
                r.vulnerabilities.created + r.vulnerabilities.updated for r in self.reports
            ),
            "warnings": self.warnings,
        }


def _signature(manifest: bytes) -> str:
    return hmac.new(settings.ADVISORY_BUNDLE_KEY.encode(), manifest, hashlib.sha256).hexdigest()


def _file_name(run: FeedRun) -> str:
    """A file name for the parser: the original one, or the format's usual extension."""
    name = PurePosixPath(urlsplit(run.source_name).path).name or run.feed
    if "." not in name:
        name += PARSERS.get(run.feed).extensions[0]
    return name


def _letter_record(letter: WarningLetter) -> WarningLetterRecord:
    return WarningLetterRecord(
        number=letter.number,
        issuer=letter.issuer,
        issued_on=letter.issued_on,
        title=letter.title,
        location=SourceLocation(LETTERS),
        cves=tuple(letter.cves.values_list("vulnerability__cve_id", "severity")),
        summary=letter.summary,
        affected_products=letter.affected_products,
        required_actions=letter.required_actions,
        due_date=letter.due_date,
        exploited=letter.exploited,
        public_exploit=letter.public_exploit,
        forwarded_from=letter.forwarded_from.number if letter.forwarded_from else "",
    )


def export_bundle(*, by: Actor, path: Path, since: datetime | None = None) -> BundleSummary:
    """Write the files imported (and letters changed) since `since` (all when None) to `path`."""
    require(by, Permission.ADVISORY_MANAGE)
    runs = FeedRun.objects.filter(status=FeedRun.Status.OK).exclude(archived="")
    letters = WarningLetter.objects.select_related("forwarded_from").prefetch_related(
        "cves__vulnerability"
    )
    if since is not None:
        runs, letters = runs.filter(finished_at__gte=since), letters.filter(updated_at__gte=since)
    chosen: dict[str, FeedRun] = {}
    for run in runs.order_by("finished_at", "pk"):
        if run.sha256 not in chosen and (archive_root() / run.archived).is_file():
            chosen[run.sha256] = run
    records = [_letter_record(letter) for letter in letters]
    entries = []
    partial = path.with_name(path.name + ".part")
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_STORED) as bundle:
        for index, run in enumerate(chosen.values(), start=1):
            member = f"files/{index:05d}.{run.archived.rsplit('.', 1)[1]}"
            bundle.write(archive_root() / run.archived, member)
            entries.append(
                {
                    "member": member,
                    "format": run.feed,
                    "source_name": run.source_name,
                    "file_name": _file_name(run),
                    "sha256": run.sha256,
                    "imported_at": run.finished_at.isoformat() if run.finished_at else None,
                }
            )
        letters_text = dump_letters(records) if records else ""
        if letters_text:
            bundle.writestr(LETTERS, letters_text.encode(), zipfile.ZIP_DEFLATED)
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "created_at": clock.now().isoformat(),
            "since": since.isoformat() if since else None,
            "producer": socket.gethostname(),
            "files": entries,
            "letters": {
                "member": LETTERS,
                "count": len(records),
                "sha256": hashlib.sha256(letters_text.encode()).hexdigest(),
            }
            if letters_text
            else None,
        }
        body = json.dumps(manifest, indent=2, ensure_ascii=False).encode()
        bundle.writestr(MANIFEST, body, zipfile.ZIP_DEFLATED)
        signed = bool(settings.ADVISORY_BUNDLE_KEY)
        if signed:
            bundle.writestr(SIGNATURE, _signature(body) + "\n")
    partial.replace(path)
    summary = BundleSummary(hashlib.sha256(body).hexdigest(), len(entries), len(records), signed)
    audit(
        by,
        AuditAction.BUNDLE_EXPORTED,
        parameters=summary.as_dict() | {"since": manifest["since"], "file": path.name},
    )
    return summary


# --- Import ----------------------------------------------------------------------------------


def _refuse(source: str, message: str, member: str | None = None) -> ParseError:
    return ParseError(message, source=SourceLocation(source, None, member))


def _manifest(bundle: zipfile.ZipFile, source: str) -> tuple[bytes, dict[str, Any]]:
    try:
        info = bundle.getinfo(MANIFEST)
    except KeyError:
        raise _refuse(source, "not a canhgac advisory bundle: no manifest.json") from None
    if info.file_size > MAX_MANIFEST:
        raise _refuse(source, "manifest.json is too large", MANIFEST)
    body = bundle.read(MANIFEST)
    try:
        manifest = json.loads(body)
    except ValueError as error:
        raise _refuse(source, f"manifest.json is not JSON: {error}", MANIFEST) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _refuse(source, f"manifest.json: format is not {FORMAT!r}", "format")
    version = manifest.get("version")
    if version != VERSION:
        raise _refuse(
            source,
            f"bundle version {version!r}; this canhgac reads version {VERSION}",
            "version",
        )
    return body, manifest


def _check_signature(bundle: zipfile.ZipFile, body: bytes, source: str) -> tuple[bool, list[str]]:
    names = set(bundle.namelist())
    if not settings.ADVISORY_BUNDLE_KEY:
        note = "the bundle is signed but ADVISORY_BUNDLE_KEY is not set: signature not checked"
        return False, [note] if SIGNATURE in names else []
    if SIGNATURE not in names:
        raise _refuse(source, "the bundle is not signed and ADVISORY_BUNDLE_KEY is set")
    given = bundle.read(SIGNATURE).decode("ascii", "replace").strip()
    if not hmac.compare_digest(given, _signature(body)):
        raise _refuse(source, "the signature does not match: wrong key, or the bundle was changed")
    return True, []


def _entries(manifest: dict[str, Any], names: set[str], source: str) -> list[dict[str, str]]:
    files = manifest.get("files")
    if not isinstance(files, list):
        raise _refuse(source, "manifest.json: files must be a list", "files")
    entries: list[dict[str, str]] = []
    for index, entry in enumerate(files):
        where = f"files[{index}]"
        if not isinstance(entry, dict) or not all(
            isinstance(entry.get(key), str) and entry.get(key)
            for key in ("member", "format", "file_name", "sha256")
        ):
            raise _refuse(source, "member, format, file_name and sha256 are required", where)
        if entry["member"] not in names:
            raise _refuse(source, f"{entry['member']} is missing from the bundle", where)
        if entry["format"] not in PARSERS.ids():
            raise _refuse(source, f"unknown format {entry['format']!r}", where)
        if "/" in entry["file_name"] or entry["file_name"].startswith("."):
            raise _refuse(source, f"bad file name {entry['file_name']!r}", where)
        entries.append(entry)
    return entries


def _extract(
    bundle: zipfile.ZipFile, entry: dict[str, str], folder: Path, index: int, source: str
) -> Path:
    """The original file of `entry`, written to `folder` and checked against its SHA-256."""
    member = entry["member"]
    if bundle.getinfo(member).file_size > max_bytes():
        raise _refuse(source, f"{member} is larger than {max_bytes()} bytes", member)
    target = folder / f"{index:05d}-{entry['file_name']}"
    with bundle.open(member) as stored:
        try:
            restore(stored, member, target)
        except (OSError, EOFError) as error:
            raise _refuse(source, f"{member} is damaged: {error}", member) from None
    if sha256_of(target) != entry["sha256"]:
        raise _refuse(source, f"{member} does not match its SHA-256 in the manifest", member)
    return target


def import_bundle(*, by: Actor, path: Path, source: str, expect_sha256: str = "") -> BundleSummary:
    """Verify the bundle at `path`, then apply it (see the module docs). `source` names it."""
    from canhgac.advisories.services import advisories_import_file

    require(by, Permission.ADVISORY_MANAGE)
    check_size(path, source)
    try:
        bundle = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        raise _refuse(source, f"not a bundle (zip): {error}") from None
    with bundle, tempfile.TemporaryDirectory(prefix="canhgac-bundle-") as folder:
        body, manifest = _manifest(bundle, source)
        digest = hashlib.sha256(body).hexdigest()
        if expect_sha256 and expect_sha256.lower() != digest:
            raise _refuse(source, f"the bundle's SHA-256 is {digest}, not {expect_sha256}")
        signed, warnings = _check_signature(bundle, body, source)
        entries = _entries(manifest, set(bundle.namelist()), source)
        letters = manifest.get("letters")
        if letters is not None and not (
            isinstance(letters, dict)
            and isinstance(letters.get("count"), int)
            and isinstance(letters.get("sha256"), str)
            and letters.get("member") == LETTERS
            and LETTERS in bundle.namelist()
        ):
            raise _refuse(source, "manifest.json: letters is not as written by canhgac", "letters")
        created = _moment(manifest.get("created_at"), source, "created_at")
        since = manifest.get("since")
        since_moment = _moment(since, source, "since") if since else None
        summary = BundleSummary(
            digest, len(entries), letters["count"] if letters else 0, signed, warnings=warnings
        )
        if BundleImport.objects.filter(sha256=digest).exists():
            summary.already = True
            return summary
        files = [
            (_extract(bundle, entry, Path(folder), index, source), entry)
            for index, entry in enumerate(entries, start=1)
        ]
        if letters:
            letters_path = Path(folder) / LETTERS
            letters_path.write_bytes(bundle.read(LETTERS))
            if sha256_of(letters_path) != letters.get("sha256"):
                raise _refuse(source, "letters.yaml does not match its SHA-256", LETTERS)
            files.append((letters_path, {"format": "warning", "file_name": LETTERS}))
        for file_path, entry in files:
            summary.reports.append(
                advisories_import_file(
                    by=by,
                    path=file_path,
                    source=f"{source}!{entry['file_name']}",
                    format_id=entry["format"],
                    origin=FeedRun.Origin.BUNDLE,
                )
            )
    BundleImport.objects.create(
        sha256=digest,
        created_at=created,
        producer=shorten(str(manifest.get("producer", "")), 255),
        since=since_moment,
        files=len(entries),
        imported_at=clock.now(),
    )
    audit(by, AuditAction.BUNDLE_IMPORTED, parameters=summary.as_dict() | {"file": source})
    return summary


def _moment(text: Any, source: str, name: str) -> datetime:
    try:
        moment = datetime.fromisoformat(str(text))
    except ValueError:
        raise _refuse(source, f"manifest.json: {name} is not a date and time", name) from None
    if moment.tzinfo is None:
        raise _refuse(source, f"manifest.json: {name} has no time zone", name)
    return moment
