"""From inventory rows to what the matcher compares: CPE names, package URLs, versions.

A component keeps the CPE its source gave. When it only has a package URL, or a service only
an nmap product name, the CPE comes from an explicit table of well-known packages (never from
guessing a vendor out of a name: that is how Grype and Dependency-Track invent findings).
Distribution packages compare NVD's upstream ranges on their upstream version, which is only
evidence of exposure: distributions backport fixes without changing the upstream part.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from canhgac.core.files import cpe22_to_23
from canhgac.core.purls import read_purl
from canhgac.exposure.matching import versions
from canhgac.exposure.matching.facts import Kind, Software

DISTRIBUTION_TYPES = frozenset({"deb", "rpm", "apk", "alpm"})


@dataclass(frozen=True, slots=True)
class Product:
    """A (vendor, product) pair of the CPE dictionary, the 'a' or 'o' part."""

    vendor: str
    product: str
    part: str = "a"

    def cpe(self, version: str) -> str:
        value = _escape(version) if version else "*"
        return f"cpe:2.3:{self.part}:{self.vendor}:{self.product}:{value}:*:*:*:*:*:*:*"


def _escape(value: str) -> str:
    return re.sub(r"([^A-Za-z0-9_.\-])", r"\\\1", value)


SPRING = (Product("vmware", "spring_framework"), Product("pivotal_software", "spring_framework"))
JDK = (Product("oracle", "jdk"), Product("oracle", "openjdk"))
NGINX = (Product("f5", "nginx"), Product("nginx", "nginx"))

# Package URL (type, namespace or "", name) → CPE products. Names ending in "*" are prefixes.
PACKAGES: dict[tuple[str, str, str], tuple[Product, ...]] = {
    ("maven", "org.springframework", "spring-beans"): SPRING,
    ("maven", "org.springframework", "spring-core"): SPRING,
    ("maven", "org.springframework", "spring-webmvc"): SPRING,
    ("maven", "org.springframework", "spring-webflux"): SPRING,
    ("maven", "org.apache.logging.log4j", "log4j-core"): (Product("apache", "log4j"),),
    ("maven", "com.fasterxml.jackson.core", "jackson-databind"): (
        Product("fasterxml", "jackson-databind"),
    ),
    ("maven", "org.apache.tomcat.embed", "tomcat-embed-core"): (Product("apache", "tomcat"),),
    ("deb", "", "openjdk-*"): JDK,
    ("rpm", "", "java-*-openjdk*"): JDK,
    ("deb", "", "tomcat*"): (Product("apache", "tomcat"),),
    ("rpm", "", "tomcat"): (Product("apache", "tomcat"),),
    ("deb", "", "nginx"): NGINX,
    ("rpm", "", "nginx"): NGINX,
    ("deb", "", "openssl"): (Product("openssl", "openssl"),),
    ("rpm", "", "openssl"): (Product("openssl", "openssl"),),
    ("deb", "", "apache2"): (Product("apache", "http_server"),),
    ("rpm", "", "httpd"): (Product("apache", "http_server"),),
    ("deb", "", "openssh-server"): (Product("openbsd", "openssh"),),
    ("rpm", "", "openssh-server"): (Product("openbsd", "openssh"),),
    ("rpm", "", "php"): (Product("php", "php"),),
}

# nmap product names (as `-sV` writes them) → CPE products, for services without a CPE.
SERVICES: dict[str, tuple[Product, ...]] = {
    "apache httpd": (Product("apache", "http_server"),),
    "apache tomcat": (Product("apache", "tomcat"),),
    "nginx": NGINX,
    "openssh": (Product("openbsd", "openssh"),),
    "microsoft iis httpd": (Product("microsoft", "internet_information_services"),),
    "microsoft exchange smtpd": (Product("microsoft", "exchange_server"),),
}


# Software as the Windows uninstall registry names it → a CPE, when the name says the version.
NAMED: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r"^Microsoft Exchange Server (\d{4}) Cumulative Update (\d+)$", re.IGNORECASE),
        "cpe:2.3:a:microsoft:exchange_server:{0}:cumulative_update_{1}:*:*:*:*:*:*",
    ),
)


def _named(name: str) -> str:
    for pattern, template in NAMED:
        if found := pattern.match(name.strip()):
            return template.format(*found.groups())
    return ""


def _mapped(purl_type: str, namespace: str, name: str) -> tuple[Product, ...]:
    exact = PACKAGES.get((purl_type, namespace, name))
    if exact is not None:
        return exact
    for (known_type, known_namespace, pattern), products in PACKAGES.items():
        if known_type != purl_type or known_namespace not in ("", namespace):
            continue
        if pattern.endswith("*") and name.startswith(pattern[:-1]):
            return products
    return ()


def component_software(
    ref: int, *, name: str, version: str = "", cpe: str = "", purl: str = ""
) -> Software:
    """A component as the matcher sees it: its own CPE, or one mapped from its package URL."""
    package = read_purl(purl) if purl else None
    version = version or (package.version if package else "")
    if cpe:
        return Software(Kind.COMPONENT, ref, name, version, (cpe22_to_23(cpe) or cpe,), purl)
    if package is None:
        named = _named(name)
        return Software(Kind.COMPONENT, ref, name, version, (named,) if named else (), mapped=True)
    namespace = "" if package.type in DISTRIBUTION_TYPES else _namespace(purl)
    products = _mapped(package.type, namespace, package.name)
    guess = ""
    upstream = version
    if package.type in DISTRIBUTION_TYPES and version:
        upstream = versions.upstream_version(version, scheme=package.type)
        guess = "distribution_package"
    cpes = tuple(product.cpe(upstream) for product in products)
    return Software(
        Kind.COMPONENT,
        ref,
        name,
        upstream if products else version,
        cpes,
        purl,
        mapped=bool(products),
        version_guess=guess if products else "",
    )


def _namespace(purl: str) -> str:
    body = purl.split(":", 1)[1].split("@", 1)[0].split("?", 1)[0]
    parts = body.split("/")
    return "/".join(parts[1:-1])


def service_software(
    ref: int, *, product: str, version: str = "", cpes: tuple[str, ...] = ()
) -> Software | None:
    """A network service: nmap's CPEs, else the product table; None when nothing identifies it.

    The version nmap prints comes from a banner: a range verdict on it is potential."""
    given = tuple(text for text in (cpe22_to_23(item) for item in cpes) if text)
    if given:
        return Software(
            Kind.SERVICE, ref, product, version, given, version_guess="banner" if version else ""
        )
    products = SERVICES.get(product.strip().lower(), ())
    if not products:
        return None
    return Software(
        Kind.SERVICE,
        ref,
        product,
        version,
        tuple(item.cpe(version) for item in products),
        mapped=True,
        version_guess="banner" if version else "",
    )


def os_software(asset: int, *, name: str, version: str = "", cpe: str = "") -> Software | None:
    """The operating system: by its CPE for NVD criteria; by name and build alone for
    Microsoft's rules (a spreadsheet often gives "Windows Server 2019" and the build but no
    CPE). None when the inventory says nothing about it."""
    if not cpe and not name.strip():
        return None
    return Software(Kind.OS, asset, name, version, (cpe22_to_23(cpe) or cpe,) if cpe else ())
