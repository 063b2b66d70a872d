"""Package URLs as the knowledge base keys them: versionless, normalised per purl-spec.

Advisory parsers (OSV, CSAF) and the matcher must produce the same key for the same package,
or a vulnerable package is silently missed: one function does it for all of them.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from packageurl import PackageURL

LOWER_CASE_PURL_TYPES = ("composer", "hex", "pub", "deb", "apk")  # purl-spec: names lower-cased


@functools.lru_cache(maxsize=65536)
def package_key(purl_type: str, namespace: str | None, name: str) -> str:
    """A versionless package URL; PyPI names PEP 503-normalised."""
    purl_type = purl_type.lower()
    if purl_type == "pypi":
        name = re.sub(r"[-_.]+", "-", name).lower()
    elif purl_type in LOWER_CASE_PURL_TYPES:
        namespace, name = namespace and namespace.lower(), name.lower()
    return str(PackageURL(type=purl_type, namespace=namespace or None, name=name).to_string())


@dataclass(frozen=True, slots=True)
class Package:
    """A package URL read for matching: its key, type, version and distribution qualifier."""

    key: str
    type: str
    name: str
    version: str
    distro: str  # the `distro` qualifier ("ubuntu-20.04"), "" when absent


@functools.lru_cache(maxsize=65536)
def read_purl(text: str) -> Package | None:
    """The package of a full package URL; None when `text` is not one."""
    try:
        purl = PackageURL.from_string(text)
    except ValueError:
        return None
    version = purl.version or ""
    qualifiers = purl.qualifiers if isinstance(purl.qualifiers, dict) else {}
    if purl.type == "rpm" and version and qualifiers.get("epoch", "0") != "0":
        version = f"{qualifiers['epoch']}:{version}"
    return Package(
        key=package_key(purl.type, purl.namespace, purl.name),
        type=purl.type,
        name=purl.name,
        version=version,
        distro=str(qualifiers.get("distro", "")),
    )
