"""Sở and office trainings of a school year with their summons, nominations, sessions and
attendance; the absences that became violations and the letters that cited them; external
events with participation requests."""

import math
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from app.core.model_base import LOCAL_TZ
from app.criticisms.models import Criticism, CriticismCounter, CriticismViolation
from app.events.models import (
    AbsenceExcuse,
    AttendanceMark,
    Event,
    EventSession,
    Nomination,
    NominationChange,
    Requirement,
    RequirementTarget,
    TrainingCredit,
)
from app.external.models import ExternalEvent, ParticipationRequest
from app.staff.models import StaffCategory, StaffStatus
from app.synthetic import names
from app.synthetic.model import Person, Province, Scale, UnitInfo, Year
from app.synthetic.writer import Writer
from app.units.models import EducationLevel, UnitKind
from app.violations.models import Violation

L = EducationLevel
T = {
    name: model.__table__  # type: ignore[attr-defined]
    for name, model in {
        "event": Event,
        "event_session": EventSession,
        "summons_requirement": Requirement,
        "requirement_target": RequirementTarget,
        "nomination": Nomination,
        "nomination_change": NominationChange,
        "attendance_mark": AttendanceMark,
        "absence_excuse": AbsenceExcuse,
        "violation": Violation,
        "training_credit": TrainingCredit,
        "criticism": Criticism,
        "criticism_violation": CriticismViolation,
        "criticism_counter": CriticismCounter,
        "external_event": ExternalEvent,
        "participation_request": ParticipationRequest,
    }.items()
}
LEVEL_NAMES = {
    L.preschool: "mầm non",
    L.primary: "tiểu học",
    L.lower_secondary: "THCS",
    L.upper_secondary: "THPT",
    L.continuing: "GDTX",
}
TOPICS = [
    "dạy học theo Chương trình GDPT 2018",
    "đổi mới kiểm tra, đánh giá học sinh",
    "chuyển đổi số trong dạy học",
    "ứng dụng trí tuệ nhân tạo trong dạy học",
    "giáo dục STEM",
    "giáo dục kĩ năng sống",
    "phòng, chống bạo lực học đường",
    "giáo dục hoà nhập",
    "xây dựng văn hoá nhà trường",
    "sử dụng sách giáo khoa mới",
]
MANAGER_TITLES = [
    ("Hội nghị triển khai nhiệm vụ năm học {year}", "conference"),
    ("Hội nghị sơ kết học kì I năm học {year}", "conference"),
    ("Bồi dưỡng cán bộ quản lý cơ sở giáo dục về quản trị nhà trường", "training"),
    ("Tập huấn chuyển đổi số trong quản lý giáo dục", "training"),
    ("Tập huấn công tác kiểm định chất lượng giáo dục", "training"),
    ("Hội thảo nâng cao chất lượng đội ngũ cán bộ quản lý", "workshop"),
]
MARKS = ["present", "late", "left_early", "absent"]
MARK_WEIGHTS = [90, 4, 2, 4]
EXCUSES = [
    "Ốm, có giấy xác nhận của cơ sở y tế",
    "Việc gia đình đột xuất (hiếu hỷ)",
    "Đi công tác theo quyết định của đơn vị",
    "Trùng lịch coi thi",
]
ORGANISERS = [
    "Công ty Cổ phần Giáo dục Việt",
    "Nhà xuất bản Giáo dục Việt Nam",
    "Hội Khuyến học tỉnh",
    "Công ty TNHH Công nghệ Giáo dục Tương Lai",
    "Trung tâm Ngoại ngữ Quốc tế",
    "Viện Nghiên cứu Phát triển Giáo dục",
]
COMMITMENT = "Tôi cam kết việc tham gia không ảnh hưởng đến nhiệm vụ được giao."


@dataclass
class Audience:
    level: EducationLevel | None  # None: managers of every level
    category: StaffCategory


@dataclass
class EventPlan:
    organizer: UnitInfo
    audience: Audience
    title: str
    kind: str
    sessions: int
    participants: int
    module: tuple[str, int] | None
    status: str
    start: date


@dataclass
class ProvinceLog:
    """Violations kept in memory until the letters that cite them are decided."""

    violations: list[dict[str, Any]] = field(default_factory=list)


def _weekday(day: date) -> date:
    return day + timedelta(days=(7 - day.weekday()) % 7) if day.weekday() >= 5 else day


class EventBuilder:
    def __init__(
        self,
        writer: Writer,
        rng: random.Random,
        scale: Scale,
        ids: dict[str, int],
        local_modules: dict[EducationLevel, str],
    ) -> None:
        self.w, self.rng, self.scale, self.ids = writer, rng, scale, ids
        self.local_modules = local_modules

    def _id(self, table: str) -> int:
        value = self.ids[table]
        self.ids[table] = value + 1
        return value

    # --- planning ------------------------------------------------------------------------

    def _audience(self, organizer: UnitInfo) -> Audience:
        rng = self.rng
        if rng.random() < 0.2:
            return Audience(None, StaffCategory.manager)
        if organizer.kind == UnitKind.department:
            levels = [L.upper_secondary, L.lower_secondary, L.primary, L.preschool, L.continuing]
            weights = [36, 24, 20, 14, 6]
        else:
            levels, weights = [L.preschool, L.primary, L.lower_secondary], [30, 40, 30]
        return Audience(rng.choices(levels, weights)[0], StaffCategory.teacher)

    def _title(self, audience: Audience, year: Year) -> tuple[str, str]:
        rng = self.rng
        if audience.level is None:
            title, kind = rng.choice(MANAGER_TITLES)
            return title.format(year=year.label), kind
        level = LEVEL_NAMES[audience.level]
        topic = rng.choice(TOPICS)
        if rng.random() < 0.15:
            return f"Hội thảo {topic} cấp {level}", "workshop"
        return f"Tập huấn {topic} cho giáo viên {level}", "training"

    def plan(
        self,
        province: Province,
        year: Year,
        count: int,
        closed: bool,
        after: date | None = None,
    ) -> list[EventPlan]:
        """``count`` events of ``year``; open ones (``closed`` false) start after ``after``
        so that nominations and attendance can still be made through the API."""
        rng = self.rng
        plans = []
        span = (year.closes - year.opens).days - 20
        for _ in range(count):
            # the Sở organises a little under half of the trainings, the offices the rest
            organizer = (
                province.department
                if rng.random() < 0.45 or not province.offices
                else rng.choice(province.offices)
            )
            audience = self._audience(organizer)
            title, kind = self._title(audience, year)
            module = None
            if kind == "training" and audience.level is not None and rng.random() < 0.7:
                module = (self.local_modules[audience.level], rng.choice([8, 12, 16]))
            status = "closed" if closed else "summoned"
            if closed and rng.random() < 0.02:
                status = "cancelled"
            start = year.opens + timedelta(days=rng.randint(3, span))
            if after is not None:
                start = after + timedelta(days=rng.randint(14, 75))
            plans.append(
                EventPlan(
                    organizer=organizer,
                    audience=audience,
                    title=title,
                    kind=kind,
                    sessions=rng.choices([2, 4, 6, 8, 10, 12], [2, 3, 3, 2, 1, 1])[0],
                    participants=max(10, round(rng.lognormvariate(4.6, 0.6))),
                    module=module,
                    status=status,
                    start=_weekday(start),
                )
            )
        live = [p for p in plans if p.status != "cancelled"]
        wanted = self.scale.marks if closed else 0
        planned = sum(p.participants * p.sessions for p in live)
        if wanted and planned:
            factor = wanted / planned * 1.1  # quotas cap some events below plan
            for p in live:
                p.participants = max(5, round(p.participants * factor))
        return plans

    # --- writing -------------------------------------------------------------------------

    def write(
        self, province: Province, year: Year, plans: list[EventPlan], log: ProvinceLog
    ) -> None:
        rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for n, plan in enumerate(plans, start=1):
            self._event(province, year, plan, n, rows, log)
        for name in (
            "event",
            "event_session",
            "summons_requirement",
            "requirement_target",
            "nomination",
            "nomination_change",
            "attendance_mark",
            "absence_excuse",
            "training_credit",
        ):
            self.w.insert(T[name], rows[name])

    def _candidates(self, province: Province, plan: EventPlan) -> dict[int, list[Person]]:
        organizer, audience = plan.organizer, plan.audience
        out = {}
        for school in province.schools:
            if organizer.id not in school.ancestors:
                continue
            if audience.level is not None and audience.level not in school.levels:
                continue
            people = [
                p
                for p in province.by_unit.get(school.id, [])
                if p.status == StaffStatus.active
                and p.category == audience.category
                and (audience.level is None or p.level == audience.level)
            ]
            if people:
                out[school.id] = people
        return out

    def _pick(
        self, candidates: dict[int, list[Person]], wanted: int
    ) -> tuple[int, dict[int, list[Person]]]:
        """A quota per unit and the people each summoned unit sends, ``wanted`` in all."""
        rng = self.rng
        units = list(candidates)
        rng.shuffle(units)
        quota = min(10, max(1, math.ceil(wanted / max(1, len(units)))))
        picked: dict[int, list[Person]] = {}
        left = wanted
        for uid in units:
            if left <= 0:
                break
            take = min(quota, len(candidates[uid]), left)
            picked[uid] = rng.sample(candidates[uid], take)
            left -= take
        return quota, picked

    def _event(
        self,
        province: Province,
        year: Year,
        plan: EventPlan,
        n: int,
        rows: dict[str, list[dict[str, Any]]],
        log: ProvinceLog,
    ) -> None:
        rng = self.rng
        event_id = self._id("event")
        summoned_on = plan.start - timedelta(days=rng.randint(14, 30))
        created = year.at(summoned_on - timedelta(days=3), 9)
        sessions = self._sessions(event_id, plan, rows)
        closed_at = sessions[-1]["ends_at"] + timedelta(days=2) if plan.status == "closed" else None
        office = plan.organizer.kind == UnitKind.district_office
        rows["event"].append(
            {
                "id": event_id,
                "kind": plan.kind,
                "organizer_unit_id": plan.organizer.id,
                "title": plan.title,
                "school_year": year.label,
                "summons_number": f"{n}/GTT-{'PGDĐT' if office else 'SGDĐT'}",
                "summons_date": summoned_on,
                "location": f"Hội trường {plan.organizer.name}",
                "mode": "online" if rng.random() < 0.15 else "in_person",
                "nomination_deadline": year.at(plan.start - timedelta(days=5), 17),
                "bdtx_module_code": plan.module[0] if plan.module else None,
                "bdtx_periods": plan.module[1] if plan.module else None,
                "status": plan.status,
                "cancel_reason": "Thay đổi kế hoạch" if plan.status == "cancelled" else None,
                "closed_at": closed_at,
                "created_at": created,
                "updated_at": closed_at or created,
            }
        )
        requirement_id = self._id("summons_requirement")
        audience = plan.audience
        candidates = self._candidates(province, plan)
        quota, picked = self._pick(candidates, plan.participants)
        if not picked:  # nobody to summon: keep the event, target its organiser's first unit
            picked, quota = {}, 1
        rows["summons_requirement"].append(
            {
                "id": requirement_id,
                "event_id": event_id,
                "categories": [audience.category.value],
                "education_levels": [audience.level.value] if audience.level else [],
                "quota": quota,
                "quota_mode": "up_to",
            }
        )
        accepted: list[Person] = []
        for uid, people in picked.items():
            used = 0
            for person in people if plan.status != "cancelled" else []:
                status = self._nominate(event_id, requirement_id, person, created, plan, rows)
                if status in ("proposed", "accepted"):
                    used += 1
                if status == "accepted":
                    accepted.append(person)
            rows["requirement_target"].append(
                {"requirement_id": requirement_id, "unit_id": uid, "quota": quota, "used": used}
            )
        if plan.status == "closed":
            self._attendance(year, event_id, plan, sessions, accepted, province, rows, log)

    def _sessions(
        self, event_id: int, plan: EventPlan, rows: dict[str, list[dict[str, Any]]]
    ) -> list[dict[str, Any]]:
        out = []
        year = Year("2000-2001")  # only its clock helper is used
        for i in range(plan.sessions):
            day = _weekday(plan.start + timedelta(days=i // 2))
            morning = i % 2 == 0
            starts = year.at(day, 7, 30) if morning else year.at(day, 13, 30)
            ends = year.at(day, 11, 30) if morning else year.at(day, 17, 0)
            half = "sáng" if morning else "chiều"
            out.append(
                {
                    "id": self._id("event_session"),
                    "event_id": event_id,
                    "title": f"Ngày {i // 2 + 1}, buổi {half}",
                    "starts_at": starts,
                    "ends_at": ends,
                    "created_at": starts - timedelta(days=20),
                    "updated_at": starts - timedelta(days=20),
                }
            )
        rows["event_session"].extend(out)
        return out

    def _nominate(
        self,
        event_id: int,
        requirement_id: int,
        person: Person,
        created: datetime,
        plan: EventPlan,
        rows: dict[str, list[dict[str, Any]]],
    ) -> str:
        rng = self.rng
        if plan.status == "closed":
            status = rng.choices(["accepted", "refused", "withdrawn"], [95, 3, 2])[0]
        else:
            status = rng.choices(["accepted", "proposed"], [70, 30])[0]
        if plan.participants >= self.scale.big_event_participants:
            status = "accepted"
        nomination_id = self._id("nomination")
        at = created + timedelta(days=rng.randint(1, 8), minutes=rng.randint(0, 600))
        rows["nomination"].append(
            {
                "id": nomination_id,
                "event_id": event_id,
                "requirement_id": requirement_id,
                "staff_id": person.id,
                "unit_id": person.unit_id,
                "target_unit_id": person.unit_id,
                "status": status,
                "version": 1 if status == "proposed" else 2,
                "created_at": at,
                "updated_at": at + timedelta(days=1),
            }
        )
        history: list[tuple[str | None, str, datetime]] = [(None, "proposed", at)]
        if status != "proposed":
            history.append(("proposed", status, at + timedelta(days=1)))
        for before, after, when in history:
            rows["nomination_change"].append(
                {
                    "id": self._id("nomination_change"),
                    "nomination_id": nomination_id,
                    "from_status": before,
                    "to_status": after,
                    "changed_at": when,
                }
            )
        return status

    def _attendance(
        self,
        year: Year,
        event_id: int,
        plan: EventPlan,
        sessions: list[dict[str, Any]],
        people: list[Person],
        province: Province,
        rows: dict[str, list[dict[str, Any]]],
        log: ProvinceLog,
    ) -> None:
        rng = self.rng
        closed_at = sessions[-1]["ends_at"] + timedelta(days=2)
        for person in people:
            completed = True
            for s in sessions:
                status = rng.choices(MARKS, MARK_WEIGHTS)[0]
                completed = completed and status in ("present", "late")
                rows["attendance_mark"].append(
                    {
                        "id": self._id("attendance_mark"),
                        "event_id": event_id,
                        "session_id": s["id"],
                        "staff_id": person.id,
                        "unit_id": person.unit_id,
                        "status": status,
                        "check_in_at": (
                            s["starts_at"] + timedelta(minutes=rng.randint(-20, 25))
                            if status != "absent"
                            else None
                        ),
                        "marked_at": s["ends_at"],
                    }
                )
                if status == "absent":
                    self._absence(year, event_id, s, person, closed_at, rows, log)
            if completed and plan.module:
                code, periods = plan.module
                province.event_credits.setdefault(person.id, []).append((code, periods))
                rows["training_credit"].append(
                    {
                        "id": self._id("training_credit"),
                        "staff_id": person.id,
                        "unit_id": person.unit_id,
                        "school_year": year.label,
                        "source": "event",
                        "event_id": event_id,
                        "module_code": code,
                        "periods": periods,
                        "credited_at": closed_at,
                    }
                )

    def _absence(
        self,
        year: Year,
        event_id: int,
        s: dict[str, Any],
        person: Person,
        closed_at: datetime,
        rows: dict[str, list[dict[str, Any]]],
        log: ProvinceLog,
    ) -> None:
        rng = self.rng
        if rng.random() < 0.5:
            at = s["starts_at"] - timedelta(days=1)
            rows["absence_excuse"].append(
                {
                    "id": self._id("absence_excuse"),
                    "event_id": event_id,
                    "session_id": s["id"],
                    "staff_id": person.id,
                    "unit_id": person.unit_id,
                    "reason": rng.choice(EXCUSES),
                    "status": "confirmed",
                    "decided_at": at + timedelta(hours=3),
                    "version": 2,
                    "created_at": at,
                    "updated_at": at + timedelta(hours=3),
                }
            )
            return
        log.violations.append(
            {
                "id": self._id("violation"),
                "kind": "unexcused_absence",
                "status": "open",
                "school_year": year.label,
                "unit_id": person.unit_id,
                "staff_id": person.id,
                "event_id": event_id,
                "session_id": s["id"],
                "created_at": closed_at,
                "updated_at": closed_at,
            }
        )

    # --- violations and letters (R-VIO-1) ------------------------------------------------

    def letters(self, province: Province, year: Year, log: ProvinceLog) -> None:
        """About a third of the units with two or more absences get a letter from the unit
        above them citing all of them; four or more propose the emulation review."""
        rng = self.rng
        by_unit: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for v in log.violations:
            by_unit[v["unit_id"]].append(v)
        units = {u.id: u for u in province.units()}
        counters: dict[int, int] = defaultdict(int)
        letters, links = [], []
        issued_year = year.first + 1
        for uid in sorted(by_unit):
            cited = by_unit[uid]
            unit = units[uid]
            if len(cited) < 2 or unit.parent_id is None or rng.random() > 0.35:
                continue
            issuer = units.get(unit.parent_id, province.department)
            counters[issuer.id] += 1
            letter_id = self._id("criticism")
            letters.append(self._letter(letter_id, issuer, unit, cited, counters, province, year))
            for v in cited:
                v["status"] = "cited"
                links.append({"criticism_id": letter_id, "violation_id": v["id"]})
        self.w.insert(T["violation"], log.violations)
        self.w.insert(T["criticism"], letters)
        self.w.insert(T["criticism_violation"], links)
        self.w.insert(
            T["criticism_counter"],
            (
                {"issuing_unit_id": uid, "year": issued_year, "last_number": n}
                for uid, n in counters.items()
            ),
        )

    def _letter(
        self,
        letter_id: int,
        issuer: UnitInfo,
        unit: UnitInfo,
        cited: list[dict[str, Any]],
        counters: dict[int, int],
        province: Province,
        year: Year,
    ) -> dict[str, Any]:
        number = counters[issuer.id]
        department = issuer.kind == UnitKind.department
        symbol = "SGDĐT-VP" if department else "PGDĐT"
        issued_on = date(year.first + 1, 6, 10) + timedelta(days=number % 15)
        # a letter never predates what it cites: after the last cited event has closed
        closed = max(v["created_at"] for v in cited).astimezone(LOCAL_TZ).date()
        issued_on = max(issued_on, closed + timedelta(days=1))
        at = year.at(issued_on, 10)
        staff = province.by_unit.get(issuer.id) or []
        signer = staff[0] if staff else None
        return {
            "id": letter_id,
            "status": "issued",
            "school_year": year.label,
            "issuing_unit_id": issuer.id,
            "recipient_unit_id": unit.id,
            "subject": "V/v phê bình việc vắng mặt không có lý do tại các lớp tập huấn",
            "body": (
                f"{unit.name} có {len(cited)} lượt cán bộ, giáo viên vắng mặt không có lý do "
                f"tại các lớp tập huấn năm học {year.label}. Đề nghị đơn vị kiểm điểm, "
                "rút kinh nghiệm và báo cáo kết quả."
            ),
            "propose_emulation": len(cited) >= 4,
            "place": province.name,
            "document_symbol": symbol,
            "signer_title": "Giám đốc" if department else "Trưởng phòng",
            "signer_name": signer.full_name if signer else None,
            "copy_to": ["Lưu: VT"],
            "number": number,
            "issued_year": year.first + 1,
            "document_number": f"{number:02d}/{symbol}",
            "issued_on": issued_on,
            "issued_at": at,
            "issued_by_name": signer.full_name if signer else None,
            "version": 2,
            "created_at": at - timedelta(days=2),
            "updated_at": at,
        }

    # --- external events (R-EXT-*) -------------------------------------------------------

    def external(self, province: Province, year: Year) -> None:
        rng = self.rng
        events, requests = [], []
        for _ in range(self.scale.external_events):
            host = rng.choice(province.schools)
            authority_id = host.parent_id or province.department.id
            starts = _weekday(year.opens + timedelta(days=rng.randint(10, 240)))
            status = rng.choices(["approved", "rejected", "submitted"], [80, 10, 10])[0]
            event_id = self._id("external_event")
            events.append(self._external(event_id, host, authority_id, starts, status, year))
            if status != "approved":
                continue
            n = min(8, len(province.schools))
            pool = [
                p
                for uid in sorted({host.id, *(u.id for u in rng.sample(province.schools, n))})
                for p in province.by_unit.get(uid, [])
                if p.category == StaffCategory.teacher and p.status == StaffStatus.active
            ]
            for person in rng.sample(pool, min(len(pool), rng.randint(10, 60))):
                requests.append(self._request(event_id, person, starts, year))
        self.w.insert(T["external_event"], events)
        self.w.insert(T["participation_request"], requests)

    def _external(
        self,
        event_id: int,
        host: UnitInfo,
        authority_id: int,
        starts: date,
        status: str,
        year: Year,
    ) -> dict[str, Any]:
        rng = self.rng
        topic = rng.choice(TOPICS)
        submitted = year.at(starts - timedelta(days=30), 9)
        decided = submitted + timedelta(days=7) if status != "submitted" else None
        return {
            "id": event_id,
            "title": f"Hội thảo {topic}",
            "kind": "workshop",
            "status": status,
            "school_year": year.label,
            "organiser_type": "organization",
            "organiser_name": rng.choice(ORGANISERS),
            "organiser_registration_number": f"36{rng.randint(10**7, 10**8 - 1)}",
            "agenda": f"Sáng: báo cáo chuyên đề về {topic}. Chiều: thảo luận, trao đổi.",
            "topics": [topic],
            "speakers": [
                {
                    "full_name": names.person_name(rng, rng.random() < 0.5),
                    "affiliation": "Trường Đại học Sư phạm",
                    "qualification": rng.choice(["ThS.", "TS.", "PGS.TS."]),
                }
            ],
            "starts_on": starts,
            "ends_on": starts,
            "venue": host.name,
            "host_unit_id": host.id,
            "authority_unit_id": authority_id,
            "decided_at": decided,
            "approval_document_number": (
                f"{rng.randint(100, 999)}/SGDĐT-VP" if status == "approved" else None
            ),
            "approval_document_on": decided.date() if decided and status == "approved" else None,
            "rejection_reason": "Chưa đủ hồ sơ pháp lý" if status == "rejected" else None,
            "version": 1 if status == "submitted" else 2,
            "created_at": submitted,
            "updated_at": decided or submitted,
        }

    def _request(self, event_id: int, person: Person, starts: date, year: Year) -> dict[str, Any]:
        rng = self.rng
        status = rng.choices(["consented", "submitted", "refused", "withdrawn"], [70, 10, 10, 10])[
            0
        ]
        asked = year.at(starts - timedelta(days=10), 8)
        decided = asked + timedelta(days=2) if status in ("consented", "refused") else None
        return {
            "id": self._id("participation_request"),
            "external_event_id": event_id,
            "staff_id": person.id,
            "unit_id": person.unit_id,
            "school_year": year.label,
            "status": status,
            "commitment_text": COMMITMENT,
            "commitment_acknowledged_at": asked,
            "decided_at": decided,
            "refusal_reason": "Trùng lịch dạy" if status == "refused" else None,
            "withdrawn_at": asked + timedelta(days=1) if status == "withdrawn" else None,
            "version": 1 if status == "submitted" else 2,
            "created_at": asked,
            "updated_at": decided or asked,
        }
