"""The host collectors: the Linux script run for real (several shells, a stripped PATH, fake
tools, a normal user), the PowerShell script checked statically, both against the schema."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from canhgac.inventory.importers.host_json import SCHEMA_PATH, HostJsonParser
from canhgac.inventory.importers.records import AssetRecord

ROOT = Path(__file__).resolve().parents[3]
LINUX_SCRIPT = ROOT / "canhgac" / "inventory" / "collectors" / "linux" / "canhgac-collect.sh"
WINDOWS_SCRIPT = ROOT / "canhgac" / "inventory" / "collectors" / "windows" / "canhgac-collect.ps1"
SAMPLES = Path(__file__).parent / "samples"
# What the Linux script may use besides the shell: coreutils, awk, sed.
BASIC_TOOLS = ("awk", "cat", "date", "head", "od", "sed", "sleep", "timeout", "tr", "uname")
ANY_IPV4 = "0.0.0.0"  # noqa: S104  (an address the collector reports, not a bind)
SHELLS = [shell for shell in ("sh", "dash", "bash") if shutil.which(shell)]


def schema_validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def assert_valid(document: Any) -> None:
    errors = [
        f"{list(error.absolute_path)}: {error.message}"
        for error in schema_validator().iter_errors(document)
    ]
    assert errors == []


def run_collector(
    shell: str = "sh", *, env: dict[str, str] | None = None, timeout: float = 120
) -> tuple[dict[str, Any], str]:
    """Run the Linux collector; returns (document, stdout)."""
    executable = shutil.which(shell) or shell
    completed = subprocess.run(
        [executable, str(LINUX_SCRIPT)],
        capture_output=True,
        check=True,
        timeout=timeout,
        env=env,
        stdin=subprocess.DEVNULL,
    )
    output = completed.stdout.decode("utf-8")  # strict: the script always writes UTF-8
    return json.loads(output), output


def parse_output(tmp_path: Path, output: str) -> AssetRecord:
    path = tmp_path / "host.json"
    path.write_text(output, encoding="utf-8")
    (asset,) = HostJsonParser().parse(path, source="host.json").assets
    return asset


def has_package_database() -> bool:
    return bool(
        shutil.which("dpkg-query")
        or shutil.which("rpm")
        or Path("/var/lib/dpkg/status").is_file()
        or Path("/lib/apk/db/installed").is_file()
    )


def stripped_path(directory: Path, *extra: str) -> dict[str, str]:
    """An environment whose PATH holds links to the basic tools (and `extra`) only."""
    bin_directory = directory / "bin"
    bin_directory.mkdir(exist_ok=True)
    for tool in (*BASIC_TOOLS, *extra):
        found = shutil.which(tool)
        if found and not (bin_directory / tool).exists():
            (bin_directory / tool).symlink_to(found)
    return {"PATH": str(bin_directory), "LC_ALL": "C"}


def fake_tool(env: dict[str, str], name: str, script: str) -> None:
    path = Path(env["PATH"]) / name
    if path.is_symlink():
        path.unlink()
    path.write_text("#!/bin/sh\n" + script, encoding="utf-8")
    path.chmod(0o755)


# --- the Linux collector, for real ----------------------------------------------------------


def test_schema_is_valid_draft_2020_12() -> None:
    Draft202012Validator.check_schema(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))


@pytest.mark.parametrize("shell", SHELLS)
def test_linux_collector_on_this_machine(shell: str, tmp_path: Path) -> None:
    started = time.monotonic()
    document, output = run_collector(shell)
    assert time.monotonic() - started < 60
    assert_valid(document)
    assert document["schema"] == "canhgac-host-inventory"
    assert document["hostname"] == os.uname().nodename
    assert document["os"]["family"] == "linux"
    assert document["kernel"]["release"] == os.uname().release
    assert "incomplete" not in document
    asset = parse_output(tmp_path, output)
    assert os.uname().nodename.lower() in asset.hostnames
    assert asset.key in asset.hostnames
    assert asset.os_build == os.uname().release
    assert has_package_database(), "the test machine (Debian) must have a package database"
    assert len(asset.components) > 50
    assert all(component.purl.startswith("pkg:") for component in asset.components)


def test_linux_collector_read_from_stdin() -> None:
    """`ssh host sh -s < canhgac-collect.sh`: no command may read the script as its input."""
    with LINUX_SCRIPT.open("rb") as script:
        completed = subprocess.run(
            [shutil.which("sh") or "sh", "-s"],
            stdin=script,
            capture_output=True,
            check=True,
            timeout=120,
        )
    document = json.loads(completed.stdout.decode("utf-8"))
    assert_valid(document)
    assert "listening" in document


def test_dash_syntax_check() -> None:
    dash = shutil.which("dash")
    if dash is None:
        pytest.fail("dash is not installed: run `bash scripts/system-packages.sh test`")
    subprocess.run([dash, "-n", str(LINUX_SCRIPT)], check=True, timeout=30)


def test_shellcheck_is_clean() -> None:
    shellcheck = shutil.which("shellcheck")
    if shellcheck is None:
        pytest.fail("shellcheck is not installed: run `bash scripts/system-packages.sh test`")
    completed = subprocess.run(
        [shellcheck, "--shell=sh", str(LINUX_SCRIPT)], capture_output=True, text=True, timeout=60
    )
    assert completed.returncode == 0, completed.stdout


def test_fallbacks_with_only_the_basic_tools(tmp_path: Path) -> None:
    """No ss, netstat, ip, hostname, dpkg-query, rpm: /var/lib/dpkg/status and /proc instead."""
    full, _ = run_collector()
    env = stripped_path(tmp_path)
    assert shutil.which("ss", path=env["PATH"]) is None
    assert shutil.which("dpkg-query", path=env["PATH"]) is None
    document, output = run_collector("sh", env=env)
    assert_valid(document)
    assert document["hostname"] == full["hostname"]
    assert document["os"] == full["os"]
    if Path("/var/lib/dpkg/status").is_file():
        assert document["packages"] == [p for p in full["packages"] if p["manager"] == "dpkg"]
    if Path("/proc/net/tcp").is_file():
        listening = {(item["protocol"], item["port"]) for item in document["listening"]}
        assert listening == {(item["protocol"], item["port"]) for item in full["listening"]}
        assert all("process" not in item for item in document["listening"])
    if Path("/proc/net/fib_trie").is_file():
        assert {a for a in document["ip_addresses"] if "." in a} == {
            a for a in full["ip_addresses"] if "." in a
        }
    asset = parse_output(tmp_path, output)
    assert asset.key == parse_output(tmp_path, json.dumps(full)).key


def test_netstat_fallback(tmp_path: Path) -> None:
    env = stripped_path(tmp_path)
    fake_tool(
        env,
        "netstat",
        "cat <<'EOF'\n"
        "Active Internet connections (only servers)\n"
        "Proto Recv-Q Send-Q Local Address  Foreign Address  State   PID/Program name\n"
        "tcp        0      0 0.0.0.0:22     0.0.0.0:*        LISTEN  812/sshd: /usr/sbin\n"
        "tcp6       0      0 :::443         :::*             LISTEN  901/nginx: master\n"
        "udp        0      0 0.0.0.0:68     0.0.0.0:*                655/dhclient\n"
        "udp6       0      0 fe80::1%eth0:546 :::*                   -\n"
        "EOF\n",
    )
    document, _ = run_collector("sh", env=env)
    assert document["listening"] == [
        {"protocol": "tcp", "port": 22, "address": ANY_IPV4, "process": "sshd"},
        {"protocol": "tcp", "port": 443, "address": "::", "process": "nginx"},
        {"protocol": "udp", "port": 68, "address": ANY_IPV4, "process": "dhclient"},
        {"protocol": "udp", "port": 546, "address": "fe80::1"},
    ]


def test_ss_output_parsing(tmp_path: Path) -> None:
    env = stripped_path(tmp_path)
    fake_tool(
        env,
        "ss",
        "cat <<'EOF'\n"
        "Netid State  Recv-Q Send-Q Local Address:Port  Peer Address:Port Process\n"
        'tcp   LISTEN 0      511    0.0.0.0:80   0.0.0.0:*  users:(("nginx",pid=901,fd=6),'
        '("nginx",pid=900,fd=6))\n'
        "tcp   LISTEN 0      4096   127.0.0.53%lo:53  0.0.0.0:*  "
        'users:(("systemd-resolve",pid=600,fd=14))\n'
        "tcp   LISTEN 0      128    [::]:22      [::]:*\n"
        "tcp   LISTEN 0      50     [::ffff:127.0.0.1]:8005 *:*\n"
        "tcp   LISTEN 0      511    *:8080       *:*\n"
        "udp   UNCONN 0      0      10.0.0.5%ens3:68 0.0.0.0:*\n"
        "EOF\n",
    )
    document, output = run_collector("sh", env=env)
    assert document["listening"] == [
        {"protocol": "tcp", "port": 80, "address": ANY_IPV4, "process": "nginx"},
        {"protocol": "tcp", "port": 53, "address": "127.0.0.53", "process": "systemd-resolve"},
        {"protocol": "tcp", "port": 22, "address": "::"},
        {"protocol": "tcp", "port": 8005, "address": "::ffff:127.0.0.1"},
        {"protocol": "tcp", "port": 8080, "address": "*"},
        {"protocol": "udp", "port": 68, "address": "10.0.0.5"},
    ]
    services = parse_output(tmp_path, output).services
    assert [(s.protocol, s.port, s.banner) for s in services] == [
        ("tcp", 80, "nginx"),
        ("tcp", 22, ""),
        ("tcp", 8080, ""),
        ("udp", 68, ""),
    ]


def test_rpm_packages_and_a_hanging_tool(tmp_path: Path) -> None:
    env = stripped_path(tmp_path)
    env["CANHGAC_COLLECT_TIMEOUT"] = "2"
    fake_tool(
        env,
        "rpm",
        "printf 'openssl\\t3.0.7-25.el9_3\\tx86_64\\t1\\topenssl-3.0.7-25.el9_3.src.rpm\\n'\n"
        "printf 'gpg-pubkey\\tfd431d51-4ae0493b\\t(none)\\t(none)\\t(none)\\n'\n"
        "printf 'kernel-core\\t5.14.0-362.8.1.el9_3\\tx86_64\\t(none)\\t"
        "kernel-5.14.0-362.8.1.el9_3.src.rpm\\n'\n",
    )
    fake_tool(env, "hostname", "exec sleep 60\n")  # `hostname -f` waiting on DNS
    started = time.monotonic()
    document, _ = run_collector("sh", env=env, timeout=60)
    assert time.monotonic() - started < 30
    rpm = [package for package in document["packages"] if package["manager"] == "rpm"]
    assert rpm == [
        {
            "name": "openssl",
            "version": "3.0.7-25.el9_3",
            "arch": "x86_64",
            "manager": "rpm",
            "epoch": "1",
            "source_name": "openssl",
            "source_version": "3.0.7-25.el9_3",
        },
        {
            "name": "kernel-core",
            "version": "5.14.0-362.8.1.el9_3",
            "arch": "x86_64",
            "manager": "rpm",
            "source_name": "kernel",
            "source_version": "5.14.0-362.8.1.el9_3",
        },
    ]
    assert document["fqdn"] == ""
    assert "incomplete" not in document

    fake_tool(env, "rpm", "exec sleep 60\n")  # a locked rpm database
    started = time.monotonic()
    document, output = run_collector("sh", env=env, timeout=60)
    assert time.monotonic() - started < 30
    assert document["incomplete"] == ["packages"]
    assert_valid(document)
    batch = HostJsonParser().parse(_write(tmp_path, output), source="host.json")
    assert "components" not in batch.complete


def _write(directory: Path, output: str) -> Path:
    path = directory / "host.json"
    path.write_text(output, encoding="utf-8")
    return path


def test_strings_are_escaped_and_made_utf8(tmp_path: Path) -> None:
    env = stripped_path(tmp_path)
    # A host name with a backslash, a quote, control characters, a lone Latin-1 byte, a valid
    # "é", an encoded UTF-16 surrogate (invalid in UTF-8) and a tab.
    fake_tool(
        env,
        "uname",
        'case "$1" in\n'
        "  -n) printf 'h\\\\o\"s\\001t\\033\\351x\\303\\251\\355\\240\\200z\\tq' ;;\n"
        "  -r) printf '6.1.0-test' ;;\n"
        "  *) printf 'x86_64' ;;\n"
        "esac\n",
    )
    document, output = run_collector("sh", env=env)
    assert document["hostname"] == 'h\\o"s\x01t\x1b\ufffdxé\ufffd\ufffd\ufffdz q'
    assert '"h\\\\o\\"s\\u0001t\\u001b' in output
    assert_valid(document)


def test_collector_as_a_normal_user(tmp_path: Path) -> None:
    """As root, switch to the user nobody; as anyone else, the current user already is one."""
    setpriv = shutil.which("setpriv")
    script = LINUX_SCRIPT.read_text(encoding="utf-8")
    unprivileged = (
        [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", "--reset-env"]
        if os.geteuid() == 0 and setpriv is not None
        else []
    )
    completed = subprocess.run(
        [*unprivileged, "sh", "-c", script, "canhgac-collect.sh"],
        capture_output=True,
        check=True,
        timeout=120,
        cwd="/",
        stdin=subprocess.DEVNULL,
    )
    document = json.loads(completed.stdout.decode("utf-8"))
    assert_valid(document)
    assert document["hostname"] == os.uname().nodename


def test_help() -> None:
    completed = subprocess.run(
        ["sh", str(LINUX_SCRIPT), "--help"], capture_output=True, text=True, check=True, timeout=30
    )
    assert completed.stdout.startswith("usage: ")


# --- the PowerShell collector, statically ----------------------------------------------------


def windows_script() -> str:
    return WINDOWS_SCRIPT.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "needle",
    [
        r"HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion",
        "'UBR'",
        "'CurrentBuild'",
        "'DisplayVersion'",
        "'ReleaseId'",
        "'ProductName'",
        "'EditionID'",
        "Win32_OperatingSystem",
        "Get-HotFix",
        "InstalledOn",
        r"HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall",
        r"HKLM:\SOFTWARE\WOW6432Node\Microsoft\Windows\CurrentVersion\Uninstall",
        r"HKCU:\Software\Microsoft\Windows\CurrentVersion\Uninstall",
        "'DisplayName'",
        "'Publisher'",
        "'InstallDate'",
        "Get-NetTCPConnection",
        "Get-NetUDPEndpoint",
        "OwningProcess",
        "ConvertTo-Json -InputObject $document -Depth 6",
        "UTF8Encoding",
        "'canhgac-host-inventory'",
    ],
)
def test_powershell_script_reads_what_it_should(needle: str) -> None:
    assert needle in windows_script()


def test_powershell_script_is_windows_powershell_5_1_compatible() -> None:
    text = windows_script()
    # Windows PowerShell 5.1 reads a script without a BOM in the ANSI code page: ASCII only.
    assert text.isascii()
    without_help = re.sub(r"<#.*?#>", "", text, flags=re.DOTALL)
    code = "\n".join(
        line for line in without_help.splitlines() if not line.lstrip().startswith("#")
    )
    for newer in ("??", "?.", "&&", "||", "-Parallel", "using namespace", "::new("):
        assert newer not in code, newer
    assert re.search(r"\$\w+\s+\?\s+\S+\s+:", code) is None  # ternary operator (7.0)
    assert code.count("{") == code.count("}")
    assert code.count("(") == code.count(")")


def test_windows_sample_documents_what_the_script_writes() -> None:
    """The Windows sample stands for the script's output: valid, and every key is one the
    script writes."""
    document = json.loads((SAMPLES / "host-windows-2019.json").read_text(encoding="utf-8"))
    assert_valid(document)
    text = windows_script()

    def written(key: str) -> bool:
        return re.search(rf"(^|[\s.{{;]){re.escape(key)}\s*=", text, re.MULTILINE) is not None

    keys = set(document) | set(document["collector"]) | set(document["os"])
    for section in ("programs", "updates", "listening"):
        for item in document[section]:
            keys |= set(item)
    missing = sorted(key for key in keys if not written(key))
    assert missing == []


def test_linux_sample_matches_the_scripts_layout() -> None:
    document = json.loads((SAMPLES / "host-linux-ubuntu.json").read_text(encoding="utf-8"))
    assert_valid(document)
    script = LINUX_SCRIPT.read_text(encoding="utf-8")
    keys = {*document, *document["os"], *document["packages"][0], *document["listening"][0]}
    missing = sorted(key for key in keys if not re.search(rf"\b{key}\b", script))
    assert missing == []
