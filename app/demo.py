"""A small demo province for ``make run``: the Sở, two district offices, schools and staff."""

import random
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlmodel import Session

from app.auth.actor import system_actor
from app.auth.models import Role, RoleAssignment, User
from app.core.db import get_engine
from app.core.school_year import school_year_of
from app.core.security import hash_password
from app.staff.models import Gender, Staff, StaffCategory
from app.staff.schemas import StaffCreate
from app.staff.service import create_staff
from app.units.models import EducationLevel, Unit, UnitKind
from app.units.schemas import UnitCreate, UnitUpdate
from app.units.service import create_unit, update_unit

L = EducationLevel
SYSTEM = system_actor("seed-demo")
# (code, name, kind, levels, parent code)
UNITS: list[tuple[str, str, UnitKind, list[EducationLevel], str | None]] = [
    ("BGDDT", "Bộ Giáo dục và Đào tạo", UnitKind.ministry, [], None),
    ("SGD-BP", "Sở Giáo dục và Đào tạo tỉnh Bình Phước", UnitKind.department, [], "BGDDT"),
    (
        "PGD-DX",
        "Phòng Giáo dục và Đào tạo thành phố Đồng Xoài",
        UnitKind.district_office,
        [L.preschool, L.primary, L.lower_secondary],
        "SGD-BP",
    ),
    (
        "PGD-BL",
        "Phòng Giáo dục và Đào tạo thị xã Bình Long",
        UnitKind.district_office,
        [L.preschool, L.primary, L.lower_secondary],
        "SGD-BP",
    ),
    ("THPT-QT", "Trường THPT chuyên Quang Trung", UnitKind.school, [L.upper_secondary], "SGD-BP"),
    ("THPT-DX", "Trường THPT Đồng Xoài", UnitKind.school, [L.upper_secondary], "SGD-BP"),
    ("TTGDTX-DP", "Trung tâm GDNN-GDTX huyện Đồng Phú", UnitKind.center, [L.continuing], "SGD-BP"),
    ("THCS-TP", "Trường THCS Tân Phú", UnitKind.school, [L.lower_secondary], "PGD-DX"),
    ("TH-TB", "Trường Tiểu học Tân Bình", UnitKind.school, [L.primary], "PGD-DX"),
    ("MN-HS", "Trường Mầm non Hoa Sen", UnitKind.school, [L.preschool], "PGD-DX"),
    ("THCS-AL", "Trường THCS An Lộc", UnitKind.school, [L.lower_secondary], "PGD-BL"),
    ("TH-ALA", "Trường Tiểu học An Lộc A", UnitKind.school, [L.primary], "PGD-BL"),
]
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ"]
MIDDLE_M = ["Văn", "Hữu", "Đức", "Minh", "Quốc", "Thành"]
MIDDLE_F = ["Thị", "Ngọc", "Thu", "Thanh", "Kim", "Mỹ"]
GIVEN_M = ["An", "Bình", "Cường", "Dũng", "Hải", "Hùng", "Khang", "Long", "Nam", "Phúc", "Tâm"]
GIVEN_F = ["Anh", "Châu", "Dung", "Hà", "Hương", "Lan", "Linh", "Mai", "Ngân", "Thảo", "Yến"]
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


def _person(rng: random.Random) -> tuple[str, Gender]:
    if rng.random() < 0.7:
        name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE_F)} {rng.choice(GIVEN_F)}"
        return name, Gender.female
    return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE_M)} {rng.choice(GIVEN_M)}", Gender.male


def _seed_school_staff(session: Session, rng: random.Random, unit: Unit, code: str) -> None:
    level = unit.education_levels[0]
    head_id = None
    for i in range(STAFF_PER_SCHOOL):
        name, gender = _person(rng)
        manager = i == 0
        staff = create_staff(
            session,
            SYSTEM,
            StaffCreate(
                external_code=f"{code}-{i + 1:03d}",
                full_name=name,
                unit_id=unit.id or 0,
                category=StaffCategory.manager if manager else StaffCategory.teacher,
                position="Hiệu trưởng" if manager else "Giáo viên",
                subjects=[] if manager else [rng.choice(SUBJECTS[L(level)])],
                education_level=L(level),
                title_rank=RANKS[L(level)],
                date_of_birth=date(rng.randint(1968, 1998), rng.randint(1, 12), rng.randint(1, 28)),
                gender=gender,
                email=f"{code.lower()}.{i + 1:03d}@binhphuoc.edu.vn",
            ),
        )
        head_id = head_id or staff.id
    update_unit(session, SYSTEM, unit, UnitUpdate(head_staff_id=head_id), unit.version)


DEMO_PASSWORD = "bdtx-demo-2024"
# (username, role, unit code or None for system-wide, staff code to link)
DEMO_USERS: list[tuple[str, Role, str | None, str | None]] = [
    ("admin", Role.admin, None, None),
    ("so.canbo", Role.department_officer, "SGD-BP", None),
    ("phong.dongxoai", Role.department_officer, "PGD-DX", None),
    ("hieutruong.thcstp", Role.unit_head, "THCS-TP", "THCS-TP-001"),
    ("giaovien.thcstp", Role.staff, "THCS-TP", "THCS-TP-002"),
    ("tochuc.so", Role.organizer, "SGD-BP", None),
    ("thanhtra.so", Role.inspector, "SGD-BP", None),
    ("tichhop.dongxoai", Role.integration, "PGD-DX", None),
]


def _seed_users(session: Session, units: dict[str, int]) -> None:
    password_hash = hash_password(DEMO_PASSWORD)
    for username, role, unit_code, staff_code in DEMO_USERS:
        staff_id = (
            session.scalar(select(Staff.id).where(Staff.external_code == staff_code))
            if staff_code
            else None
        )
        user = User(
            username=username,
            password_hash=password_hash,
            full_name=username,
            staff_id=staff_id,
        )
        session.add(user)
        session.flush()
        unit_id = units[unit_code] if unit_code else None
        session.add(RoleAssignment(user_id=user.id or 0, role=role, unit_id=unit_id))
    session.flush()


def credentials() -> str:
    rows = [f"  {u:<20} {r.value:<20} {c or 'toàn hệ thống'}" for u, r, c, _ in DEMO_USERS]
    header = f"Tài khoản mẫu (mật khẩu chung: {DEMO_PASSWORD}):"
    return "\n".join([header, *rows])


def _seed_training(session: Session, units: dict[str, int]) -> None:
    """A summoned Sở training for lower-secondary teachers, two schools already nominated."""
    from app.events import nominations, service
    from app.events.schemas import (
        EventCreate,
        NominationCreate,
        RequirementCreate,
        SessionCreate,
        SummonRequest,
    )

    start = datetime.now(UTC).replace(hour=1, minute=0, second=0, microsecond=0)
    start += timedelta(days=14)
    event = service.create_event(
        session,
        SYSTEM,
        EventCreate(
            kind="training",
            organizer_unit_id=units["SGD-BP"],
            title="Tập huấn dạy học môn Khoa học tự nhiên theo Chương trình GDPT 2018",
            school_year=school_year_of(start),
            location="Hội trường Sở GD&ĐT, Đồng Xoài",
            nomination_deadline=start - timedelta(days=5),
            bdtx_module_code="THCS-KHTN-01",
            bdtx_periods=16,
        ),
    )
    for day in range(2):
        for half, hour in (("sáng", 0), ("chiều", 6)):
            begin = start + timedelta(days=day, hours=hour)
            session_in = SessionCreate(
                title=f"Ngày {day + 1}, buổi {half}",
                starts_at=begin,
                ends_at=begin + timedelta(hours=4),
            )
            service.add_session(session, SYSTEM, event, session_in)
    requirement, _ = service.add_requirement(
        session,
        SYSTEM,
        event,
        RequirementCreate(
            under_unit_id=units["SGD-BP"],
            unit_kinds=["school"],
            categories=["teacher"],
            education_levels=["lower_secondary"],
            quota=2,
        ),
    )
    service.summon(session, SYSTEM, event, SummonRequest(summons_number="125/GTT-SGDĐT"), 1)
    teachers = session.scalars(
        select(Staff.id).where(
            Staff.unit_id == units["THCS-TP"], Staff.category == StaffCategory.teacher
        )
    ).all()
    for staff_id in teachers[:2]:
        data = NominationCreate(staff_id=staff_id, requirement_id=requirement.id or 0)
        nominations.nominate(session, SYSTEM, event, data)


def seed_demo() -> str:
    """Load the demo province once; a second run changes nothing."""
    rng = random.Random(2024)
    with Session(get_engine(), expire_on_commit=False) as session:
        if session.scalar(select(Unit.id).where(Unit.external_code == "SGD-BP")):
            return "Dữ liệu mẫu đã có sẵn; không thay đổi gì.\n" + credentials()
        ids: dict[str, int] = {}
        for code, name, kind, levels, parent in UNITS:
            unit = create_unit(
                session,
                SYSTEM,
                UnitCreate(
                    external_code=code,
                    name=name,
                    kind=kind,
                    education_levels=levels,
                    parent_id=ids[parent] if parent else None,
                ),
            )
            ids[code] = unit.id or 0
            if kind in (UnitKind.school, UnitKind.center):
                _seed_school_staff(session, rng, unit, code)
        _seed_users(session, ids)
        _seed_training(session, ids)
        session.commit()
    schools = sum(1 for u in UNITS if u[2] in (UnitKind.school, UnitKind.center))
    return (
        f"Đã tạo dữ liệu mẫu: {len(UNITS)} đơn vị, {schools * STAFF_PER_SCHOOL} nhân sự "
        "(Sở GD&ĐT tỉnh Bình Phước), 1 đợt tập huấn đã triệu tập.\n" + credentials()
    )
