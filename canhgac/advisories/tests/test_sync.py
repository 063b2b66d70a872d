"""Online sync against scripted HTTP servers on loopback: retries, resume, 304, isolation."""

from __future__ import annotations

import gzip
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings

from canhgac.accounts.actors import SystemActor
from canhgac.advisories.models import Attribution, FeedRun, FeedState, Vulnerability
from canhgac.advisories.sync.http import Fetcher
from canhgac.advisories.sync.service import advisories_sync
from canhgac.advisories.sync.sources import _windows
from canhgac.audit.models import AuditEvent
from canhgac.core.exceptions import ServiceError
from canhgac.core.tests.http_server import Reply, ScriptedServer, Seen

pytestmark = pytest.mark.django_db
ACTOR = SystemActor("test:sync")
SAMPLES = Path(__file__).parent / "samples"


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def fetcher(sleeps: Sleeps | None = None, attempts: int = 3) -> Fetcher:
    return Fetcher(
        timeout=5, attempts=attempts, backoff=1.0, sleep=Sleeps() if sleeps is None else sleeps
    )


@pytest.fixture
def server() -> Any:
    with ScriptedServer() as running:
        yield running


# --- The fetcher ---------------------------------------------------------------------------


def test_retries_with_backoff_and_retry_after(server: ScriptedServer, tmp_path: Path) -> None:
    server.script(
        "/f",
        Reply(503),
        Reply(429, headers={"Retry-After": "7"}),
        Reply(403, headers={"message": "rate limit"}),
        Reply(200, b"done", {"ETag": '"v1"'}),
    )
    sleeps = Sleeps()
    got = fetcher(sleeps, attempts=4).download(server.url("/f"), tmp_path / "f")
    assert got.path is not None
    assert got.path.read_bytes() == b"done"
    assert got.etag == '"v1"'
    # 1 s, then what Retry-After asked, then 4 s (doubled twice)
    assert sleeps == [1.0, 7.0, 4.0]


def test_gives_up_naming_the_address_and_the_last_answer(
    server: ScriptedServer, tmp_path: Path
) -> None:
    server.script("/f", Reply(503))
    with pytest.raises(ServiceError) as caught:
        fetcher(attempts=2).download(server.url("/f"), tmp_path / "f")
    assert caught.value.message == (
        f"{server.url('/f')}: gave up after 2 attempts; last: HTTP 503 Service Unavailable"
    )
    assert not (tmp_path / "f").exists()


def test_not_found_is_not_retried(server: ScriptedServer, tmp_path: Path) -> None:
    with pytest.raises(ServiceError, match="HTTP 404 Not Found"):
        fetcher().download(server.url("/missing"), tmp_path / "f")
    assert len(server.requests) == 1


def test_network_errors_are_retried(tmp_path: Path) -> None:
    sleeps = Sleeps()
    with pytest.raises(ServiceError, match="ConnectError"):
        fetcher(sleeps, attempts=2).download("http://127.0.0.1:9/", tmp_path / "f")
    assert sleeps == [1.0]


def test_unchanged_answer_is_not_downloaded(server: ScriptedServer, tmp_path: Path) -> None:
    def answer(seen: Seen) -> Reply:
        if seen.headers.get("if-none-match") == '"v1"':
            return Reply(304)
        return Reply(200, b"body", {"ETag": '"v1"'})

    server.script("/f", answer)
    first = fetcher().download(server.url("/f"), tmp_path / "f")
    again = fetcher().download(server.url("/f"), tmp_path / "g", validators=first.validators)
    assert first.path is not None
    assert again.path is None
    assert not (tmp_path / "g").exists()


def test_too_large_answer_is_refused(server: ScriptedServer, tmp_path: Path) -> None:
    server.script("/f", Reply(200, b"x" * 200_000))
    small = Fetcher(timeout=5, attempts=1, max_bytes=100_000)
    with pytest.raises(ServiceError, match="larger than 100000"):
        small.download(server.url("/f"), tmp_path / "f")
    assert list(tmp_path.iterdir()) == []


def test_requests_to_one_host_are_spaced(server: ScriptedServer, tmp_path: Path) -> None:
    server.script("/f", Reply(200, b"x"))
    sleeps = Sleeps()
    host = server.url().removeprefix("http://")
    spaced = Fetcher(timeout=5, spacing={host: 6.0}, sleep=sleeps)
    spaced.download(server.url("/f"), tmp_path / "a")
    spaced.download(server.url("/f"), tmp_path / "b")
    assert len(sleeps) == 1
    assert 5.0 < sleeps[0] <= 6.0


# --- NVD -----------------------------------------------------------------------------------


def nvd_records(samples_dir: Path) -> list[dict[str, Any]]:
    folder = samples_dir / "advisories/nvd"
    return [json.loads(path.read_text()) for path in sorted(folder.glob("*.json"))]


def nvd_pages(records: list[dict[str, Any]], *, fail_from: int | None = None) -> Any:
    """A responder paging `records` like the NVD API; 503 from startIndex `fail_from` on."""

    def answer(seen: Seen) -> Reply:
        start = int(seen.query["startIndex"][0])
        size = int(seen.query["resultsPerPage"][0])
        if fail_from is not None and start >= fail_from:
            return Reply(503)
        chosen = records if "lastModStartDate" not in seen.query else []
        page = {
            "resultsPerPage": len(chosen[start : start + size]),
            "startIndex": start,
            "totalResults": len(chosen),
            "format": "NVD_CVE",
            "version": "2.0",
            "timestamp": "2026-11-24T00:00:00.000",
            "vulnerabilities": [{"cve": record} for record in chosen[start : start + size]],
        }
        return Reply(200, json.dumps(page).encode())

    return answer


def nvd_settings(server: ScriptedServer) -> Any:
    return override_settings(NVD_API_URL=server.url("/nvd"), NVD_PAGE_SIZE=2, NVD_API_KEY="k")


def test_nvd_full_then_incremental(server: ScriptedServer, samples_dir: Path) -> None:
    records = nvd_records(samples_dir)
    server.script("/nvd", Reply(503), nvd_pages(records))
    with nvd_settings(server):
        [outcome] = advisories_sync(by=ACTOR, sources=["nvd"], fetcher=fetcher())
    assert outcome.ok, outcome.error
    assert (outcome.files, outcome.changed) == (3, len(records))
    assert Attribution.objects.filter(source="nvd").count() == len(records)
    starts = [seen.query["startIndex"] for seen in server.hits("/nvd")]
    assert starts == [["0"], ["0"], ["2"], ["4"]]  # the 503 was retried
    assert {seen.headers["apikey"] for seen in server.hits("/nvd")} == {"k"}
    state = FeedState.objects.get(source="nvd")
    assert state.cursor == {}
    assert state.last_error == ""
    assert state.locked_until is None
    assert state.synced_until is not None
    assert state.last_success_at is not None
    assert FeedRun.objects.filter(origin="sync", feed="nvd", status="ok").count() == 3

    server.requests.clear()
    with nvd_settings(server):
        [again] = advisories_sync(by=ACTOR, sources=["nvd"], fetcher=fetcher())
    assert again.ok
    assert again.changed == 0
    [seen] = server.hits("/nvd")
    since = datetime.fromisoformat(seen.query["lastModStartDate"][0])
    assert since == state.synced_until.replace(
        microsecond=state.synced_until.microsecond // 1000 * 1000
    )
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", seen.query["lastModEndDate"][0]
    )


def test_nvd_sync_resumes_where_it_failed(server: ScriptedServer, samples_dir: Path) -> None:
    records = nvd_records(samples_dir)
    server.script("/nvd", nvd_pages(records, fail_from=2))
    with nvd_settings(server):
        [failed] = advisories_sync(by=ACTOR, sources=["nvd"], fetcher=fetcher(attempts=2))
    assert not failed.ok
    assert "gave up after 2 attempts" in failed.error
    assert Attribution.objects.filter(source="nvd").count() == 2  # page 1 is kept
    state = FeedState.objects.get(source="nvd")
    assert state.cursor["index"] == 2
    assert state.synced_until is None
    assert "HTTP 503" in state.last_error
    assert state.locked_until is None
    failure = FeedRun.objects.get(status="failed")
    assert (failure.feed, failure.origin) == ("nvd", "sync")
    assert "HTTP 503" in failure.error

    server.requests.clear()
    server.script("/nvd", nvd_pages(records))
    with nvd_settings(server):
        [resumed] = advisories_sync(by=ACTOR, sources=["nvd"], fetcher=fetcher())
    assert resumed.ok
    assert [seen.query["startIndex"] for seen in server.hits("/nvd")] == [["2"], ["4"]]
    assert Attribution.objects.filter(source="nvd").count() == len(records)
    assert FeedState.objects.get(source="nvd").synced_until is not None


def test_windows_of_at_most_120_days() -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    windows = _windows(start, start + timedelta(days=250))
    assert [(w[0], w[1]) for w in windows] == [
        ("2026-01-01T00:00:00+00:00", "2026-05-01T00:00:00+00:00"),
        ("2026-05-01T00:00:00+00:00", "2026-08-29T00:00:00+00:00"),
        ("2026-08-29T00:00:00+00:00", "2026-09-08T00:00:00+00:00"),
    ]
    assert _windows(None, start) == [[None, "2026-01-01T00:00:00+00:00"]]


# --- KEV, EPSS: one file, 304 when unchanged; a failing source does not stop the others -------


def test_kev_and_epss_once_then_not_modified(server: ScriptedServer) -> None:
    kev = (SAMPLES / "kev-min.json").read_bytes()
    epss = (SAMPLES / "epss-min.csv").read_bytes()

    def once(body: bytes, etag: str) -> Any:
        def answer(seen: Seen) -> Reply:
            if seen.headers.get("if-none-match") == etag:
                return Reply(304)
            return Reply(200, body, {"ETag": etag})

        return answer

    server.script("/kev.json", once(kev, '"k1"'))
    server.script("/epss.csv.gz", once(gzip.compress(epss), '"e1"'))
    urls = {"KEV_URL": server.url("/kev.json"), "EPSS_URL": server.url("/epss.csv.gz")}
    with override_settings(**urls):
        first = advisories_sync(by=ACTOR, sources=["kev", "epss"], fetcher=fetcher())
        assert [(o.source, o.ok, o.files) for o in first] == [("kev", True, 1), ("epss", True, 1)]
        runs = FeedRun.objects.count()
        second = advisories_sync(by=ACTOR, sources=["kev", "epss"], fetcher=fetcher())
    assert [(o.ok, o.files) for o in second] == [(True, 0), (True, 0)]
    assert FeedRun.objects.count() == runs
    assert FeedState.objects.get(source="kev").cursor == {
        "validators": {"etag": '"k1"', "last_modified": ""}
    }
    event = AuditEvent.objects.filter(action="advisories.synced").latest("pk")
    assert [o["source"] for o in event.parameters["outcomes"]] == ["kev", "epss"]


def test_a_failing_source_keeps_data_and_the_next_one_runs(server: ScriptedServer) -> None:
    server.script("/kev.json", Reply(200, (SAMPLES / "kev-min.json").read_bytes()))
    server.script("/epss.csv", Reply(200, (SAMPLES / "epss-min.csv").read_bytes()))
    with override_settings(KEV_URL=server.url("/kev.json"), EPSS_URL=server.url("/epss.csv")):
        advisories_sync(by=ACTOR, sources=["kev"], fetcher=fetcher())
        before = sorted(Vulnerability.objects.values_list("cve_id", "kev_date_added"))
        server.script("/kev.json", Reply(500))
        outcomes = advisories_sync(by=ACTOR, sources=["kev", "epss"], fetcher=fetcher(attempts=1))
    assert [(o.source, o.ok) for o in outcomes] == [("kev", False), ("epss", True)]
    after = dict(Vulnerability.objects.values_list("cve_id", "kev_date_added"))
    assert all(after[cve_id] == added for cve_id, added in before)
    assert "HTTP 500" in FeedState.objects.get(source="kev").last_error


def test_a_file_the_parser_refuses_fails_the_source(server: ScriptedServer) -> None:
    server.script("/kev.json", Reply(200, b'{"vulnerabilities": 3}'))
    with override_settings(KEV_URL=server.url("/kev.json")):
        [outcome] = advisories_sync(by=ACTOR, sources=["kev"], fetcher=fetcher())
    assert not outcome.ok
    assert "kev.json" in outcome.error
    failed = FeedRun.objects.filter(status="failed").values_list("origin", flat=True)
    assert sorted(failed) == ["sync", "sync"]  # the file's run and the source's run


def test_one_sync_per_source_at_a_time(server: ScriptedServer) -> None:
    FeedState.objects.create(source="kev", locked_until=datetime.now(UTC) + timedelta(hours=1))
    [outcome] = advisories_sync(by=ACTOR, sources=["kev"], fetcher=fetcher())
    assert not outcome.ok
    assert "is running" in outcome.error
    assert server.requests == []


def test_unknown_source_is_refused_before_any_work() -> None:
    from canhgac.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="unknown id 'nvdd'"):
        advisories_sync(by=ACTOR, sources=["kev", "nvdd"], fetcher=fetcher())
    assert not FeedState.objects.exists()


# --- Microsoft -------------------------------------------------------------------------------


def test_msrc_documents_fetched_when_released_or_revised(server: ScriptedServer) -> None:
    cvrf = (SAMPLES / "msrc-cvrf-min.xml").read_bytes()
    listing = {
        "value": [
            {"ID": "2021-Dec", "CurrentReleaseDate": "2021-12-14T08:00:00Z", "CvrfUrl": "x"},
            {
                "ID": "2022-Apr",
                "CurrentReleaseDate": "2022-04-12T07:00:00Z",
                "CvrfUrl": server.url("/cvrf/2022-Apr"),
            },
        ]
    }
    server.script("/updates", Reply(200, json.dumps(listing).encode()))
    server.script("/cvrf/2022-Apr", Reply(200, cvrf))
    with override_settings(MSRC_API_URL=server.url(""), MSRC_FIRST_MONTH="2022-Jan"):
        [first] = advisories_sync(by=ACTOR, sources=["msrc"], fetcher=fetcher())
        [second] = advisories_sync(by=ACTOR, sources=["msrc"], fetcher=fetcher())
        listing["value"][1]["CurrentReleaseDate"] = "2022-04-20T07:00:00Z"  # revised
        server.script("/updates", Reply(200, json.dumps(listing).encode()))
        [third] = advisories_sync(by=ACTOR, sources=["msrc"], fetcher=fetcher())
    assert (first.ok, first.files, second.files, third.files) == (True, 1, 0, 1)
    assert len(server.hits("/cvrf/2022-Apr")) == 2
    assert server.hits("/cvrf/2022-Apr")[0].headers["accept"] == "application/xml"


# --- CSAF providers ----------------------------------------------------------------------------


def csaf_provider(server: ScriptedServer, document: bytes, digest: str) -> None:
    metadata = {
        "canonical_url": server.url("/.well-known/csaf/provider-metadata.json"),
        "distributions": [
            {
                "rolie": {
                    "feeds": [
                        {"tlp_label": "WHITE", "url": server.url("/csaf/feed-white.json")},
                        {"tlp_label": "AMBER", "url": server.url("/csaf/feed-amber.json")},
                    ]
                }
            }
        ],
        "last_updated": "2024-06-11T10:31:00Z",
        "metadata_version": "2.0",
        "list_on_CSAF_aggregators": True,
        "mirror_on_CSAF_aggregators": True,
        "publisher": {"category": "vendor", "name": "ACME", "namespace": "https://acme.example"},
        "role": "csaf_provider",
    }
    address = server.url("/csaf/white/2024/acme-sa-2024-0042.json")
    feed = {
        "feed": {
            "id": "acme-white",
            "title": "ACME TLP:WHITE",
            "updated": "2024-06-11T10:31:00Z",
            "entry": [
                {
                    "id": "ACME-SA-2024-0042",
                    "title": "ACME-SA-2024-0042",
                    "link": [
                        {"rel": "self", "href": address},
                        {"rel": "hash", "href": address + ".sha256"},
                    ],
                    "published": "2024-05-14T07:00:00Z",
                    "updated": "2024-06-11T10:30:00Z",
                    "content": {"type": "application/json", "src": address},
                }
            ],
        }
    }
    server.script(
        "/.well-known/csaf/provider-metadata.json", Reply(200, json.dumps(metadata).encode())
    )
    server.script("/csaf/feed-white.json", Reply(200, json.dumps(feed).encode()))
    server.script("/csaf/white/2024/acme-sa-2024-0042.json", Reply(200, document))
    server.script(
        "/csaf/white/2024/acme-sa-2024-0042.json.sha256",
        Reply(200, f"{digest}  acme-sa-2024-0042.json\n".encode()),
    )


def test_csaf_provider_public_feed_documents_checked_by_hash(server: ScriptedServer) -> None:
    import hashlib

    document = (SAMPLES / "csaf-min.json").read_bytes()
    csaf_provider(server, document, hashlib.sha256(document).hexdigest())
    providers = [server.url("/.well-known/csaf/provider-metadata.json")]
    with override_settings(CSAF_PROVIDERS=providers):
        [first] = advisories_sync(by=ACTOR, sources=["csaf"], fetcher=fetcher())
        [second] = advisories_sync(by=ACTOR, sources=["csaf"], fetcher=fetcher())
    assert (first.ok, first.files, second.ok, second.files) == (True, 1, True, 0)
    assert not server.hits("/csaf/feed-amber.json")  # TLP:AMBER is not fetched
    assert Attribution.objects.filter(source__startswith="csaf:").exists()


def test_csaf_document_that_does_not_match_its_hash_is_refused(server: ScriptedServer) -> None:
    csaf_provider(server, (SAMPLES / "csaf-min.json").read_bytes(), "0" * 64)
    providers = [server.url("/.well-known/csaf/provider-metadata.json")]
    with override_settings(CSAF_PROVIDERS=providers):
        [outcome] = advisories_sync(by=ACTOR, sources=["csaf"], fetcher=fetcher())
    assert not outcome.ok
    assert "does not match its sha256" in outcome.error
    assert not Vulnerability.objects.exists()


def test_schedule_is_read_in_the_local_time_zone() -> None:
    from canhgac.core.tasks import local_schedule

    nightly = local_schedule("30 1 * * *", "Asia/Ho_Chi_Minh")  # 01:30 in Hà Nội
    # Huey hands naive UTC times to periodic-task validators.
    evening_utc = datetime(2026, 11, 23, 18, 30)  # noqa: DTZ001 (= 01:30 the next day there)
    assert nightly(evening_utc)
    assert not nightly(datetime(2026, 11, 24, 1, 30))  # noqa: DTZ001
    assert nightly(evening_utc.replace(tzinfo=UTC))
    assert not local_schedule("", "Asia/Ho_Chi_Minh")(evening_utc)
    with pytest.raises(ValueError, match="expected 5 cron fields"):
        local_schedule("30 1 * *", "UTC")
    with pytest.raises(ValueError, match="61 is not a valid input"):
        local_schedule("61 1 * * *", "UTC")
