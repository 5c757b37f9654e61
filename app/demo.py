"""The demo province for ``make run``: Bình Phước as it was, the 2025 reorganisation, and the
current school year under the merged Đồng Nai.

1. School year 2024-2025, closed, in the pre-reform tree: Sở GD&ĐT Bình Phước, two district
   offices, their schools. A Sở training was held, marked and closed (one unexcused absence
   became a violation), results were finalised and certificates issued.
2. 1 July 2025: Bình Phước joins Đồng Nai, district offices are abolished. Applied as unit
   moves with their history: schools go under the wards (UBND phường) or straight under the
   Sở of Đồng Nai; the old offices keep their records, empty, under the new Sở.
3. The current school year, in progress: policy and modules set, a Sở training with open
   quotas, a draft conference waiting to be summoned, an absence letter and a personal plan
   waiting for the head, an outside organiser's event waiting for the Sở.

Everything goes through the services, as the API would, with the system as the actor.
"""

import random
from datetime import UTC, date, datetime

from sqlalchemy import select, update
from sqlmodel import Session

from app.auth.actor import system_actor
from app.auth.models import Role, RoleAssignment, User
from app.core.db import get_engine
from app.core.school_year import school_year_of
from app.core.security import hash_password
from app.staff.models import Gender, Staff, StaffCategory
from app.staff.schemas import StaffCreate
from app.staff.service import create_staff
from app.units.models import EducationLevel, Unit, UnitKind, UnitMove
from app.units.schemas import UnitCreate, UnitMoveRequest, UnitUpdate
from app.units.service import create_unit, move_unit, update_unit

L = EducationLevel
K = UnitKind
SYSTEM = system_actor("seed-demo")
HISTORY_YEAR = "2024-2025"
# 00:00 on 1 July 2025 in Vietnam: the two-level local government starts
REFORM_AT = datetime(2025, 6, 30, 17, 0, tzinfo=UTC)
REFORM_REASON = (
    "Sắp xếp đơn vị hành chính từ 01/07/2025: tỉnh Bình Phước hợp nhất vào tỉnh Đồng Nai "
    "(Nghị quyết 202/2025/QH15), chính quyền địa phương hai cấp, giải thể Phòng GD&ĐT cấp huyện"
)
BASIC = [L.preschool, L.primary, L.lower_secondary]  # what a district office and a ward manage
# (code, name, kind, levels, parent code) before the reorganisation
UNITS: list[tuple[str, str, UnitKind, list[EducationLevel], str | None]] = [
    ("BGDDT", "Bộ Giáo dục và Đào tạo", K.ministry, [], None),
    ("SGD-DN", "Sở Giáo dục và Đào tạo tỉnh Đồng Nai", K.department, [], "BGDDT"),
    ("THPT-LTV", "Trường THPT chuyên Lương Thế Vinh", K.school, [L.upper_secondary], "SGD-DN"),
    ("SGD-BP", "Sở Giáo dục và Đào tạo tỉnh Bình Phước", K.department, [], "BGDDT"),
    (
        "PGD-DX",
        "Phòng Giáo dục và Đào tạo thành phố Đồng Xoài",
        K.district_office,
        [L.preschool, L.primary, L.lower_secondary],
        "SGD-BP",
    ),
    (
        "PGD-BL",
        "Phòng Giáo dục và Đào tạo thị xã Bình Long",
        K.district_office,
        [L.preschool, L.primary, L.lower_secondary],
        "SGD-BP",
    ),
    ("THPT-QT", "Trường THPT chuyên Quang Trung", K.school, [L.upper_secondary], "SGD-BP"),
    ("THPT-DX", "Trường THPT Đồng Xoài", K.school, [L.upper_secondary], "SGD-BP"),
    ("TTGDTX-DP", "Trung tâm GDNN-GDTX huyện Đồng Phú", K.center, [L.continuing], "SGD-BP"),
    ("THCS-TP", "Trường THCS Tân Phú", K.school, [L.lower_secondary], "PGD-DX"),
    ("TH-TB", "Trường Tiểu học Tân Bình", K.school, [L.primary], "PGD-DX"),
    ("MN-HS", "Trường Mầm non Hoa Sen", K.school, [L.preschool], "PGD-DX"),
    ("THCS-AL", "Trường THCS An Lộc", K.school, [L.lower_secondary], "PGD-BL"),
    ("TH-ALA", "Trường Tiểu học An Lộc A", K.school, [L.primary], "PGD-BL"),
]
WARDS = [
    ("PHUONG-DX", "Ủy ban nhân dân phường Đồng Xoài", "PGD-DX"),
    ("PHUONG-BL", "Ủy ban nhân dân phường Bình Long", "PGD-BL"),
]
ABOLISHED = {
    "SGD-BP": "Sở GD&ĐT tỉnh Bình Phước (hợp nhất vào Sở GD&ĐT Đồng Nai từ 01/07/2025)",
    "PGD-DX": "Phòng Giáo dục và Đào tạo thành phố Đồng Xoài (giải thể từ 01/07/2025)",
    "PGD-BL": "Phòng Giáo dục và Đào tạo thị xã Bình Long (giải thể từ 01/07/2025)",
}
# the people the README's walk-through meets, at Trường THCS Tân Phú
NAMED_STAFF = [
    ("Lê Thị Hồng Vân", Gender.female, "Hiệu trưởng", None),
    ("Nguyễn Thị Thu Hà", Gender.female, "Giáo viên", "Ngữ văn"),
    ("Trần Minh Khoa", Gender.male, "Giáo viên", "Toán"),
    ("Phạm Ngọc Mai", Gender.female, "Giáo viên", "Khoa học tự nhiên"),
    ("Vũ Mỹ Linh", Gender.female, "Giáo viên", "Tiếng Anh"),
    ("Hoàng Đức Thắng", Gender.male, "Giáo viên", "Lịch sử và Địa lí"),
]
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ"]
MIDDLE_M = ["Văn", "Hữu", "Đức", "Minh", "Quốc", "Thành"]
MIDDLE_F = ["Thị", "Ngọc", "Kim", "Mỹ", "Bích", "Diệu"]
GIVEN_M = ["An", "Bình", "Cường", "Dũng", "Hải", "Hùng", "Long", "Nam", "Phúc", "Tâm"]
GIVEN_F = ["Anh", "Châu", "Dung", "Hương", "Lan", "Ngân", "Thảo", "Yến", "Trinh", "Nhung"]
SUBJECTS = {
    L.upper_secondary: ["Toán", "Ngữ văn", "Tiếng Anh", "Vật lí", "Hoá học", "Lịch sử", "Tin học"],
    L.lower_secondary: ["Toán", "Ngữ văn", "Tiếng Anh", "Khoa học tự nhiên", "Lịch sử và Địa lí"],
    L.primary: ["Tiểu học (dạy các môn)", "Tiếng Anh", "Âm nhạc"],
    L.preschool: ["Giáo dục mầm non"],
    L.continuing: ["Toán", "Ngữ văn", "Tin học"],
}
RANKS = {
    L.upper_secondary: "V.07.05.14",
    L.lower_secondary: "V.07.04.32",
    L.primary: "V.07.03.29",
    L.preschool: "V.07.02.26",
    L.continuing: "V.07.05.15",
}
STAFF_PER_SCHOOL = 8

DEMO_PASSWORD = "bdtx-demo-2024"
# (username, full name or None for the linked staff member's, role, unit code, staff code)
DEMO_USERS: list[tuple[str, str | None, Role, str | None, str | None]] = [
    ("admin", "Lê Minh Khôi", Role.admin, None, None),
    ("so.canbo", "Phạm Thị Ngọc Diệp", Role.department_officer, "SGD-DN", None),
    ("phuong.dongxoai", "Võ Thanh Tùng", Role.department_officer, "PHUONG-DX", None),
    ("hieutruong.thcstp", None, Role.unit_head, "THCS-TP", "THCS-TP-001"),
    ("giaovien.thcstp", None, Role.staff, "THCS-TP", "THCS-TP-002"),
    ("tochuc.so", "Đặng Quốc Huy", Role.organizer, "SGD-DN", None),
    ("thanhtra.so", "Bùi Thị Mai Phương", Role.inspector, "SGD-DN", None),
    (
        "tichhop.dongxoai",
        "Hệ thống quản lý trường học phường Đồng Xoài",
        Role.integration,
        "PHUONG-DX",
        None,
    ),
]
# what each account does first in the demo (README, tests/test_demo.py)
FIRST_ACTIONS = {
    "admin": "tạo tài khoản cho một giáo viên mới (POST /users)",
    "so.canbo": "duyệt sự kiện bên ngoài đang chờ Sở (POST /external-events/{id}/approve)",
    "phuong.dongxoai": "xem lịch sử sắp xếp của trường THCS Tân Phú (GET /units/{id}/moves)",
    "hieutruong.thcstp": "cử giáo viên vào chỉ tiêu còn trống (POST /events/{id}/nominations)",
    "giaovien.thcstp": "lập kế hoạch BDTX cá nhân năm học hiện tại (POST /bdtx/personal-plans)",
    "tochuc.so": "triệu tập hội nghị đang ở dạng dự thảo (POST /events/{id}/summon)",
    "thanhtra.so": "xem báo cáo BDTX năm học 2024-2025 (GET /reports/bdtx)",
    "tichhop.dongxoai": "đọc luồng thay đổi để đồng bộ (GET /changes)",
}


def _person(rng: random.Random) -> tuple[str, Gender]:
    if rng.random() < 0.7:
        name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE_F)} {rng.choice(GIVEN_F)}"
        return name, Gender.female
    return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE_M)} {rng.choice(GIVEN_M)}", Gender.male


def _staff_of(rng: random.Random, code: str, i: int, level: L) -> tuple[str, Gender, str, str]:
    if code == "THCS-TP" and i < len(NAMED_STAFF):
        name, gender, position, subject = NAMED_STAFF[i]
        return name, gender, position, subject or ""
    name, gender = _person(rng)
    if i == 0:
        return name, gender, "Hiệu trưởng" if code != "TTGDTX-DP" else "Giám đốc", ""
    return name, gender, "Giáo viên", rng.choice(SUBJECTS[level])


def _seed_school_staff(session: Session, rng: random.Random, unit: Unit, code: str) -> None:
    level = L(unit.education_levels[0])
    head_id = None
    for i in range(STAFF_PER_SCHOOL):
        name, gender, position, subject = _staff_of(rng, code, i, level)
        staff = create_staff(
            session,
            SYSTEM,
            StaffCreate(
                external_code=f"{code}-{i + 1:03d}",
                full_name=name,
                unit_id=unit.id or 0,
                category=StaffCategory.manager if i == 0 else StaffCategory.teacher,
                position=position,
                subjects=[subject] if subject else [],
                education_level=level,
                title_rank=RANKS[level],
                date_of_birth=date(rng.randint(1968, 1998), rng.randint(1, 12), rng.randint(1, 28)),
                gender=gender,
                email=f"{code.lower()}.{i + 1:03d}@dongnai.edu.vn",
            ),
        )
        head_id = head_id or staff.id
    update_unit(session, SYSTEM, unit, UnitUpdate(head_staff_id=head_id), unit.version)


def _seed_units(session: Session, rng: random.Random) -> dict[str, int]:
    ids: dict[str, int] = {}
    for code, name, kind, levels, parent in UNITS:
        data = UnitCreate(
            external_code=code,
            name=name,
            kind=kind,
            education_levels=levels,
            parent_id=ids[parent] if parent else None,
        )
        unit = create_unit(session, SYSTEM, data)
        ids[code] = unit.id or 0
        if kind in (K.school, K.center):
            _seed_school_staff(session, rng, unit, code)
    return ids


def _reorganise(session: Session, ids: dict[str, int]) -> None:
    """1 July 2025, as unit moves: each keeps its history (``GET /units/{id}/moves``)."""
    for code, name, _ in WARDS:
        data = UnitCreate(
            external_code=code,
            name=name,
            kind=K.commune,
            education_levels=BASIC,
            parent_id=ids["SGD-DN"],
        )
        ids[code] = create_unit(session, SYSTEM, data).id or 0
    ward_of = {office: ward for ward, _, office in WARDS}
    for code, _, kind, _, parent in UNITS:
        if kind in (K.school, K.center) and parent in ward_of:
            _move(session, ids, code, ward_of[parent])
        elif kind in (K.school, K.center) and parent == "SGD-BP":
            _move(session, ids, code, "SGD-DN")
    _move(session, ids, "SGD-BP", "SGD-DN")  # the emptied offices keep their records under it
    for code, name in ABOLISHED.items():
        unit = session.get(Unit, ids[code])
        assert unit is not None
        update_unit(session, SYSTEM, unit, UnitUpdate(name=name), unit.version)
    session.execute(update(UnitMove).values(moved_at=REFORM_AT))


def _move(session: Session, ids: dict[str, int], code: str, to: str) -> None:
    unit = session.get(Unit, ids[code])
    assert unit is not None
    data = UnitMoveRequest(new_parent_id=ids[to], reason=REFORM_REASON)
    move_unit(session, SYSTEM, unit, data, unit.version)


def _seed_users(session: Session, units: dict[str, int]) -> None:
    password_hash = hash_password(DEMO_PASSWORD)
    for username, full_name, role, unit_code, staff_code in DEMO_USERS:
        staff = (
            session.scalar(select(Staff).where(Staff.external_code == staff_code))
            if staff_code
            else None
        )
        user = User(
            username=username,
            password_hash=password_hash,
            full_name=full_name or (staff.full_name if staff else username),
            staff_id=staff.id if staff else None,
        )
        session.add(user)
        session.flush()
        unit_id = units[unit_code] if unit_code else None
        session.add(RoleAssignment(user_id=user.id or 0, role=role, unit_id=unit_id))
    session.flush()


def credentials() -> str:
    rows = [
        f"  {u:<20} {r.value:<20} {c or 'toàn hệ thống':<12} {FIRST_ACTIONS[u]}"
        for u, _, r, c, _ in DEMO_USERS
    ]
    header = f"Tài khoản mẫu (mật khẩu chung: {DEMO_PASSWORD}):"
    return "\n".join([header, *rows])


def seed_demo(now: datetime | None = None) -> str:
    """Load the demo province once; a second run changes nothing."""
    from app import demo_story

    now = now or datetime.now(UTC)
    rng = random.Random(2024)
    with Session(get_engine(), expire_on_commit=False) as session:
        if session.scalar(select(Unit.id).where(Unit.external_code == "SGD-DN")):
            return "Dữ liệu mẫu đã có sẵn; không thay đổi gì.\n" + credentials()
        ids = _seed_units(session, rng)
        demo_story.closed_year(session, ids)
        _reorganise(session, ids)
        _seed_users(session, ids)
        demo_story.current_year(session, ids, now)
        session.commit()
    year = school_year_of(now)
    return (
        f"Đã tạo dữ liệu mẫu: năm học {HISTORY_YEAR} đã khép lại ở tỉnh Bình Phước cũ, "
        f"sắp xếp đơn vị ngày 01/07/2025, năm học {year} đang diễn ra ở Sở GD&ĐT Đồng Nai.\n"
        + credentials()
    )
