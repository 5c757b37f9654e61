"""The demo's two school years (see ``app.demo``): what happened in 2024-2025 before the
reorganisation, and what is waiting in the current year."""

from datetime import UTC, datetime, timedelta

from sqlmodel import Session, col, select

from app.bdtx import results
from app.bdtx import service as bdtx
from app.bdtx.models import ResultStatus
from app.bdtx.policy import CRITERIA, Rating
from app.bdtx.schemas import LmsCompletion, ModuleCreate, PlanCreate, PolicyPut
from app.core.school_year import school_year_of
from app.demo import HISTORY_YEAR, SYSTEM
from app.events import attendance, nominations
from app.events import service as events
from app.events.models import Event, EventSession, MarkStatus
from app.events.schemas import (
    EventCreate,
    ExcuseCreate,
    MarkInput,
    MarksInput,
    NominationCreate,
    RequirementCreate,
    SessionCreate,
    SummonRequest,
)
from app.external import service as external
from app.external.schemas import ExternalEventCreate, Speaker
from app.staff.models import Staff, StaffCategory

VN = timedelta(hours=7)  # sessions are set in Vietnam's morning hours, stored in UTC
LOWER_SECONDARY = ("THCS-TP", "THCS-AL")


def _teachers(session: Session, unit_id: int) -> list[int]:
    stmt = (
        select(Staff.id)
        .where(Staff.unit_id == unit_id, Staff.category == StaffCategory.teacher)
        .order_by(col(Staff.id))
    )
    return [i for i in session.scalars(stmt).all() if i is not None]


def _modules(session: Session, year: str, issuer: int, nd2_title: str) -> dict[str, str]:
    """The year's three blocks: the Ministry's content, the Sở's, and an elective module."""
    short = year[:4]
    rows = [
        (
            f"ND1-{short}",
            f"Nội dung 1 năm học {year}: thực hiện Chương trình GDPT 2018",
            "ministry",
        ),
        (f"ND2-{short}", nd2_title, "local"),
        (
            f"GVPT-05-{short}",
            "Mô đun GVPT 05: Kiểm tra, đánh giá học sinh THCS theo hướng phát triển phẩm chất, "
            "năng lực",
            "elective",
        ),
    ]
    for code, title, block in rows:
        bdtx.create_module(
            session,
            SYSTEM,
            ModuleCreate(
                code=code,
                title=title,
                block=block,
                periods=40,
                education_levels=["lower_secondary"] if block == "elective" else [],
                issuer_unit_id=issuer if block == "local" else None,
            ),
        )
    return {block: code for code, _, block in rows}


def _training(
    session: Session, organiser: int, year: str, start: datetime, module: str, units: list[int]
) -> tuple[Event, int]:
    """A two-session Sở training summoning two teachers from each lower-secondary school."""
    event = events.create_event(
        session,
        SYSTEM,
        EventCreate(
            kind="training",
            organizer_unit_id=organiser,
            title="Tập huấn kiểm tra, đánh giá học sinh THCS theo Chương trình GDPT 2018",
            school_year=year,
            location="Hội trường Sở GD&ĐT",
            bdtx_module_code=module,
            bdtx_periods=40,
        ),
    )
    for half, hours in (("sáng", 0), ("chiều", 6)):
        begin = start + timedelta(hours=hours)
        data = SessionCreate(
            title=f"Buổi {half}", starts_at=begin, ends_at=begin + timedelta(hours=4)
        )
        events.add_session(session, SYSTEM, event, data)
    requirement, _ = events.add_requirement(
        session,
        SYSTEM,
        event,
        RequirementCreate(
            unit_ids=units, categories=["teacher"], education_levels=["lower_secondary"], quota=2
        ),
    )
    return event, requirement.id or 0


def _summon(session: Session, event: Event, number: str) -> None:
    events.summon(session, SYSTEM, event, SummonRequest(summons_number=number), event.version)


def _nominate(
    session: Session, event: Event, requirement: int, staff_ids: list[int], accept: bool = True
) -> None:
    """Units propose; the organiser accepts each onto the roster."""
    for staff_id in staff_ids:
        data = NominationCreate(staff_id=staff_id, requirement_id=requirement)
        row = nominations.nominate(session, SYSTEM, event, data)
        if accept:
            nominations.decide(session, SYSTEM, row, event, True, None, row.version)


def _sessions(session: Session, event: Event) -> list[EventSession]:
    stmt = (
        select(EventSession).where(EventSession.event_id == event.id).order_by(col(EventSession.id))
    )
    return list(session.scalars(stmt).all())


def _mark(session: Session, event: Event, people: list[int], absent: int | None) -> None:
    for row in _sessions(session, event):
        marks = [
            MarkInput(staff_id=p, status=MarkStatus.absent if p == absent else MarkStatus.present)
            for p in people
        ]
        attendance.mark_session(session, SYSTEM, event, row, MarksInput(marks=marks))


# --- 2024-2025, before the reorganisation ---------------------------------------------------


def closed_year(session: Session, ids: dict[str, int]) -> None:
    """The Sở of Bình Phước's year: training held and closed, results final, certificates."""
    year = HISTORY_YEAR
    bdtx.put_policy(session, SYSTEM, year, PolicyPut(preset="tt17_2019"), None)
    blocks = _modules(
        session,
        year,
        ids["SGD-BP"],
        "Nội dung 2 năm học 2024-2025 (Sở GD&ĐT Bình Phước): "
        "chuyển đổi số trong dạy học và quản lý lớp học",
    )
    schools = [ids[c] for c in LOWER_SECONDARY]
    start = datetime(2025, 3, 15, 7, 30, tzinfo=UTC) - VN
    event, requirement = _training(session, ids["SGD-BP"], year, start, blocks["elective"], schools)
    _summon(session, event, "86/GTT-SGDĐT")
    people = [t for school in schools for t in _teachers(session, school)[:2]]
    _nominate(session, event, requirement, people)
    _mark(session, event, people, absent=people[-1])  # a teacher of An Lộc missed both sessions
    attendance.close_event(session, SYSTEM, event, event.version)
    _results(session, schools, year, blocks)


def _results(session: Session, schools: list[int], year: str, blocks: dict[str, str]) -> None:
    """Nội dung 1 and 2 came from the Ministry's and the Sở's LMS; the elective from the
    training or the LMS. Every teacher's result is finalised, passes get a certificate."""
    codes = {s.id: s.external_code for s in session.scalars(select(Staff)).all()}
    rows = []
    for n, staff_id in enumerate(t for school in schools for t in _teachers(session, school)):
        for block, code in blocks.items():
            score = 7.0 + (n * 3 + len(block)) % 30 / 10
            rows.append(
                LmsCompletion(
                    staff_external_code=codes[staff_id],
                    school_year=year,
                    module_code=code,
                    periods=40,
                    score=score,
                )
            )
    bdtx.import_lms(session, SYSTEM, rows)
    for school in schools:
        for staff_id in _teachers(session, school):
            result = results.compute_result(session, SYSTEM, staff_id, year)
            result = results.finalise_result(session, SYSTEM, result, result.version)
            if result.passed and result.status == ResultStatus.finalised:
                results.issue_certificate(session, SYSTEM, result.id or 0)


# --- the current school year ----------------------------------------------------------------


def current_year(session: Session, ids: dict[str, int], now: datetime) -> None:
    year = school_year_of(now)
    bdtx.put_policy(session, SYSTEM, year, PolicyPut(preset="tt17_2019"), None)
    blocks = _modules(
        session,
        year,
        ids["SGD-DN"],
        f"Nội dung 2 năm học {year} (Sở GD&ĐT Đồng Nai): "
        "giáo dục địa phương tỉnh Đồng Nai sau sắp xếp",
    )
    schools = [ids[c] for c in LOWER_SECONDARY]
    start = _morning(now + timedelta(days=14))
    event, requirement = _training(session, ids["SGD-DN"], year, start, blocks["elective"], schools)
    _summon(session, event, "215/GTT-SGDĐT")
    # Tân Phú has sent one of its two; the head fills the other (their first action)
    _nominate(session, event, requirement, _teachers(session, ids["THCS-TP"])[2:3])
    _draft_conference(session, ids, year, now)
    _ward_meeting(session, ids, year, now)
    _plan_in_review(session, ids, year, blocks)
    _outside_event(session, ids, year, now)


def _morning(day: datetime) -> datetime:
    """07:30 Vietnam time on ``day``'s Vietnamese date."""
    local = (day + VN).date()
    return datetime(local.year, local.month, local.day, 7, 30, tzinfo=UTC) - VN


def _one_session_event(
    session: Session, data: EventCreate, begin: datetime, hours: int, title: str | None = None
) -> Event:
    event = events.create_event(session, SYSTEM, data)
    slot = SessionCreate(title=title, starts_at=begin, ends_at=begin + timedelta(hours=hours))
    events.add_session(session, SYSTEM, event, slot)
    return event


def _draft_conference(session: Session, ids: dict[str, int], year: str, now: datetime) -> None:
    """Ready to summon: a session and a requirement, the organiser's first action."""
    data = EventCreate(
        kind="conference",
        organizer_unit_id=ids["SGD-DN"],
        title="Hội nghị sơ kết học kỳ I, triển khai nhiệm vụ học kỳ II",
        school_year=year,
        location="Hội trường Sở GD&ĐT Đồng Nai, Biên Hòa",
    )
    event = _one_session_event(session, data, _morning(now + timedelta(days=30)), 4, "Hội nghị")
    heads = RequirementCreate(
        under_unit_id=ids["SGD-DN"], unit_kinds=["school"], categories=["manager"], quota=1
    )
    events.add_requirement(session, SYSTEM, event, heads)


def _ward_meeting(session: Session, ids: dict[str, int], year: str, now: datetime) -> None:
    """Yesterday's ward meeting: one teacher was absent and has sent a letter, waiting."""
    data = EventCreate(
        kind="workshop",
        organizer_unit_id=ids["PHUONG-DX"],
        title="Sinh hoạt chuyên môn liên trường: dạy học tích hợp môn Khoa học tự nhiên",
        school_year=year,
        location="Trường THCS Tân Phú",
    )
    begin = _morning(now - timedelta(days=1)) + timedelta(hours=6)
    event = _one_session_event(session, data, begin, 3)
    teachers = _teachers(session, ids["THCS-TP"])
    requirement, _ = events.add_requirement(
        session, SYSTEM, event, RequirementCreate(unit_ids=[ids["THCS-TP"]], quota=2)
    )
    _summon(session, event, "12/GTT-UBND")
    _nominate(session, event, requirement.id or 0, teachers[2:4])
    _mark(session, event, teachers[2:4], absent=teachers[3])
    row = _sessions(session, event)[0]
    reason = "Con ốm phải đưa đi khám tại Bệnh viện Đa khoa tỉnh, có giấy xác nhận kèm theo"
    excuse = ExcuseCreate(session_id=row.id or 0, staff_id=teachers[3], reason=reason)
    attendance.submit_excuse(session, SYSTEM, excuse)


def _plan_in_review(
    session: Session, ids: dict[str, int], year: str, blocks: dict[str, str]
) -> None:
    """Trần Minh Khoa's plan, submitted to the head; Nguyễn Thị Thu Hà has not started hers."""
    staff_id = _teachers(session, ids["THCS-TP"])[1]
    data = PlanCreate(
        staff_id=staff_id,
        school_year=year,
        module_codes=list(blocks.values()),
        self_evaluation=dict.fromkeys(CRITERIA, Rating.kha),
    )
    plan = bdtx.create_plan(session, SYSTEM, data)
    bdtx.submit_plan(session, SYSTEM, plan, plan.version)


def _outside_event(session: Session, ids: dict[str, int], year: str, now: datetime) -> None:
    """A province-wide workshop by an outside organisation, waiting for the Sở's approval."""
    starts = (now + VN).date() + timedelta(days=21)
    external.create_event(
        session,
        SYSTEM,
        ExternalEventCreate(
            title="Hội thảo ứng dụng trí tuệ nhân tạo trong dạy học THCS",
            kind="workshop",
            organiser_type="organization",
            organiser_name="Viện Nghiên cứu Giáo dục, Trường Đại học Sư phạm TP. Hồ Chí Minh",
            organiser_registration_number="QĐ-1150-ĐHSP",
            organiser_issuer="Trường Đại học Sư phạm TP. Hồ Chí Minh",
            organiser_address="280 An Dương Vương, phường Chợ Quán, TP. Hồ Chí Minh",
            agenda="Sáng: báo cáo chuyên đề về AI trong soạn bài và đánh giá. "
            "Chiều: thực hành trên lớp học mẫu, trao đổi.",
            topics=["Trí tuệ nhân tạo trong dạy học", "Đánh giá năng lực học sinh"],
            speakers=[Speaker(full_name="PGS.TS. Nguyễn Thị Minh Hằng")],
            starts_on=starts,
            ends_on=starts,
            venue="Hội trường Trường THPT chuyên Lương Thế Vinh, Biên Hòa",
            expected_participants=200,
            host_unit_id=ids["SGD-DN"],
            province_wide=True,
            school_year=year,
        ),
    )
