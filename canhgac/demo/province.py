"""Data of the fictional province of Thanh Vân (no real agency, person or address).

Pure data: the loader turns it into units, users, memberships and contracts through services.
"""

from __future__ import annotations

from dataclasses import dataclass

from canhgac.accounts.enums import Role, UnitKind

PROVINCE_NAME = "Thanh Vân"
# Printed by `canhgac demo`; never used outside the demo province.
DEMO_PASSWORD = "CanhGac@2026"  # noqa: S105


@dataclass(frozen=True, slots=True)
class DemoUnit:
    code: str
    name: str
    name_en: str
    kind: str
    parent: str | None
    short_name: str = ""
    is_coordinator: bool = False


@dataclass(frozen=True, slots=True)
class DemoUser:
    username: str
    full_name: str
    title: str
    unit: str
    role: Role


ROOT = "UBND-TV"
DIC = "SO-TTTT"

UNITS: tuple[DemoUnit, ...] = (
    DemoUnit(
        ROOT,
        "Ủy ban nhân dân tỉnh Thanh Vân",
        "Thanh Van Provincial People's Committee",
        UnitKind.PROVINCE_COMMITTEE,
        None,
        "UBND tỉnh",
    ),
    DemoUnit(
        DIC,
        "Sở Thông tin và Truyền thông",
        "Department of Information and Communications",
        UnitKind.DEPARTMENT,
        ROOT,
        "Sở TT&TT",
        is_coordinator=True,
    ),
    DemoUnit(
        "TT-CNTT",
        "Trung tâm Công nghệ thông tin và Truyền thông",
        "Information Technology and Communications Centre",
        UnitKind.SUB_UNIT,
        DIC,
        "Trung tâm CNTT&TT",
    ),
    DemoUnit(
        "VP-UBND",
        "Văn phòng Ủy ban nhân dân tỉnh",
        "Office of the Provincial Committee",
        UnitKind.DEPARTMENT,
        ROOT,
        "VP UBND",
    ),
    DemoUnit(
        "TT-HCC",
        "Trung tâm Phục vụ hành chính công tỉnh",
        "Public Administration Centre",
        UnitKind.SUB_UNIT,
        "VP-UBND",
        "TT PVHCC",
    ),
    DemoUnit("SO-NV", "Sở Nội vụ", "Department of Home Affairs", UnitKind.DEPARTMENT, ROOT),
    DemoUnit("SO-TC", "Sở Tài chính", "Department of Finance", UnitKind.DEPARTMENT, ROOT),
    DemoUnit(
        "SO-KHDT",
        "Sở Kế hoạch và Đầu tư",
        "Department of Planning and Investment",
        UnitKind.DEPARTMENT,
        ROOT,
    ),
    DemoUnit("SO-YT", "Sở Y tế", "Department of Health", UnitKind.DEPARTMENT, ROOT),
    DemoUnit(
        "BV-DK",
        "Bệnh viện Đa khoa tỉnh Thanh Vân",
        "Thanh Van General Hospital",
        UnitKind.SUB_UNIT,
        "SO-YT",
        "BVĐK tỉnh",
    ),
    DemoUnit(
        "SO-GDDT",
        "Sở Giáo dục và Đào tạo",
        "Department of Education and Training",
        UnitKind.DEPARTMENT,
        ROOT,
    ),
    DemoUnit(
        "SO-TNMT",
        "Sở Tài nguyên và Môi trường",
        "Department of Natural Resources and Environment",
        UnitKind.DEPARTMENT,
        ROOT,
    ),
    DemoUnit("SO-XD", "Sở Xây dựng", "Department of Construction", UnitKind.DEPARTMENT, ROOT),
    DemoUnit(
        "SO-GTVT", "Sở Giao thông vận tải", "Department of Transport", UnitKind.DEPARTMENT, ROOT
    ),
    DemoUnit(
        "SO-NNPTNT",
        "Sở Nông nghiệp và Phát triển nông thôn",
        "Department of Agriculture and Rural Development",
        UnitKind.DEPARTMENT,
        ROOT,
    ),
    DemoUnit(
        "SO-LDTBXH",
        "Sở Lao động - Thương binh và Xã hội",
        "Department of Labour, Invalids and Social Affairs",
        UnitKind.DEPARTMENT,
        ROOT,
    ),
    DemoUnit("SO-TP", "Sở Tư pháp", "Department of Justice", UnitKind.DEPARTMENT, ROOT),
    DemoUnit(
        "TP-TV",
        "Ủy ban nhân dân thành phố Thanh Vân",
        "Thanh Van City People's Committee",
        UnitKind.DISTRICT,
        ROOT,
        "UBND TP Thanh Vân",
    ),
    DemoUnit(
        "TX-VP",
        "Ủy ban nhân dân thị xã Vân Phong",
        "Van Phong Town People's Committee",
        UnitKind.DISTRICT,
        ROOT,
        "UBND TX Vân Phong",
    ),
    DemoUnit(
        "H-VS",
        "Ủy ban nhân dân huyện Vân Sơn",
        "Van Son District People's Committee",
        UnitKind.DISTRICT,
        ROOT,
        "UBND huyện Vân Sơn",
    ),
    DemoUnit(
        "H-VH",
        "Ủy ban nhân dân huyện Vân Hà",
        "Van Ha District People's Committee",
        UnitKind.DISTRICT,
        ROOT,
        "UBND huyện Vân Hà",
    ),
    DemoUnit(
        "H-VL",
        "Ủy ban nhân dân huyện Vân Lâm",
        "Van Lam District People's Committee",
        UnitKind.DISTRICT,
        ROOT,
        "UBND huyện Vân Lâm",
    ),
    DemoUnit(
        "H-VK",
        "Ủy ban nhân dân huyện Vân Khê",
        "Van Khe District People's Committee",
        UnitKind.DISTRICT,
        ROOT,
        "UBND huyện Vân Khê",
    ),
    DemoUnit(
        "NCC-TVSEC",
        "Công ty Cổ phần An ninh mạng Thanh Vân (TVSec)",
        "Thanh Van Cyber Security JSC (TVSec)",
        UnitKind.SERVICE_PROVIDER,
        None,
        "TVSec",
    ),
    DemoUnit(
        "NCC-PNSOC",
        "Công ty TNHH Dịch vụ Giám sát Phương Nam",
        "Phuong Nam Monitoring Services Co., Ltd.",
        UnitKind.SERVICE_PROVIDER,
        None,
        "PN-SOC",
    ),
    DemoUnit(
        "DG-KIEMDINH",
        "Công ty TNHH Kiểm định An toàn thông tin Bắc Vân",
        "Bac Van Security Assessment Co., Ltd.",
        UnitKind.ASSESSOR,
        None,
    ),
    DemoUnit(
        "QG-DIEUPHOI",
        "Cơ quan điều phối ứng cứu sự cố quốc gia",
        "National incident-response coordinator",
        UnitKind.NATIONAL_BODY,
        None,
        "Điều phối quốc gia",
    ),
)

# Provider → client units, with the contract reference. Active for the whole demo year.
CONTRACTS: tuple[tuple[str, str, str, bool], ...] = (
    ("NCC-TVSEC", "SO-YT", "HĐ-01/2026/SOC", True),
    ("NCC-TVSEC", "SO-TC", "HĐ-02/2026/SOC", False),
    ("NCC-TVSEC", "TT-HCC", "HĐ-03/2026/SOC", False),
    ("NCC-PNSOC", "TP-TV", "HĐ-07/2026/GS", False),
    ("NCC-PNSOC", "SO-GDDT", "HĐ-08/2026/GS", False),
)

USERS: tuple[DemoUser, ...] = (
    DemoUser("admin", "Nguyễn Văn An", "Phó Giám đốc Sở TT&TT", DIC, Role.PROVINCE_ADMIN),
    DemoUser("phantich", "Trần Thị Bình", "Chuyên viên ứng cứu sự cố", DIC, Role.PROVINCE_ANALYST),
    DemoUser("lanhdao", "Lê Minh Châu", "Phó Chủ tịch UBND tỉnh", ROOT, Role.AUDITOR),
    DemoUser(
        "yte.quanly", "Phạm Quốc Dũng", "Trưởng phòng CNTT Sở Y tế", "SO-YT", Role.UNIT_MANAGER
    ),
    DemoUser("yte.canbo", "Hoàng Thu Hà", "Chuyên viên CNTT Sở Y tế", "SO-YT", Role.UNIT_OFFICER),
    DemoUser("yte.truc", "Vũ Đức Khánh", "Cán bộ trực Sở Y tế", "SO-YT", Role.DUTY_OFFICER),
    DemoUser("benhvien.canbo", "Đỗ Thị Lan", "Kỹ sư CNTT Bệnh viện", "BV-DK", Role.UNIT_OFFICER),
    DemoUser(
        "taichinh.quanly",
        "Ngô Văn Minh",
        "Trưởng phòng Tin học Sở Tài chính",
        "SO-TC",
        Role.UNIT_MANAGER,
    ),
    DemoUser(
        "thanhpho.quanly",
        "Bùi Thị Ngọc",
        "Chánh Văn phòng UBND thành phố",
        "TP-TV",
        Role.UNIT_MANAGER,
    ),
    DemoUser(
        "tvsec.soc", "Đặng Hữu Phúc", "Chuyên gia SOC TVSec", "NCC-TVSEC", Role.PROVIDER_ANALYST
    ),
    DemoUser(
        "pnsoc.soc",
        "Lý Thanh Quang",
        "Chuyên gia giám sát PN-SOC",
        "NCC-PNSOC",
        Role.PROVIDER_ANALYST,
    ),
)
