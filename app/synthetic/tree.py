"""Units (Sở → Phòng → schools, THPT schools under the Sở) and the staff of each."""

import random
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

from app.core.text import fold
from app.staff.models import Gender, Staff, StaffAssignment, StaffCategory, StaffStatus
from app.synthetic import names
from app.synthetic.model import Person, Province, Scale, UnitInfo
from app.synthetic.writer import Writer
from app.units.models import EducationLevel, Unit, UnitClosure, UnitKind

L = EducationLevel
C = StaffCategory
UNIT = Unit.__table__  # type: ignore[attr-defined]
CLOSURE = UnitClosure.__table__  # type: ignore[attr-defined]
STAFF = Staff.__table__  # type: ignore[attr-defined]
ASSIGNMENT = StaffAssignment.__table__  # type: ignore[attr-defined]
LOADED_AT = datetime(2025, 8, 15, 2, 0, tzinfo=UTC)

# school type -> (name prefix, levels, code, share of an office's schools, relative size)
OFFICE_SCHOOLS: list[tuple[str, list[EducationLevel], str, float, float]] = [
    ("Trường Mầm non", [L.preschool], "MN", 0.34, 0.75),
    ("Trường Tiểu học", [L.primary], "TH", 0.34, 1.0),
    ("Trường THCS", [L.lower_secondary], "THCS", 0.26, 1.15),
    ("Trường TH và THCS", [L.primary, L.lower_secondary], "THCS2", 0.06, 1.3),
]
SUBJECTS: dict[EducationLevel, list[str]] = {
    L.upper_secondary: [
        "Toán", "Ngữ văn", "Tiếng Anh", "Vật lí", "Hoá học", "Sinh học", "Lịch sử", "Địa lí",
        "Tin học", "Giáo dục kinh tế và pháp luật", "Giáo dục thể chất", "Công nghệ",
    ],
    L.lower_secondary: [
        "Toán", "Ngữ văn", "Tiếng Anh", "Khoa học tự nhiên", "Lịch sử và Địa lí", "Tin học",
        "Giáo dục công dân", "Công nghệ", "Giáo dục thể chất", "Nghệ thuật",
    ],
    L.primary: ["Tiểu học (dạy các môn)", "Tiếng Anh", "Âm nhạc", "Mĩ thuật", "Tin học"],
    L.preschool: ["Giáo dục mầm non"],
    L.continuing: ["Toán", "Ngữ văn", "Tin học", "Tiếng Anh", "Giáo dục nghề nghiệp"],
}  # fmt: skip
# Chức danh nghề nghiệp: hạng I, II, III for teachers of each level.
RANKS: dict[EducationLevel, list[str]] = {
    L.upper_secondary: ["V.07.05.13", "V.07.05.14", "V.07.05.15"],
    L.lower_secondary: ["V.07.04.30", "V.07.04.31", "V.07.04.32"],
    L.primary: ["V.07.03.27", "V.07.03.28", "V.07.03.29"],
    L.preschool: ["V.07.02.24", "V.07.02.25", "V.07.02.26"],
    L.continuing: ["V.07.05.13", "V.07.05.14", "V.07.05.15"],
}
OTHER_POSITIONS = [
    "Kế toán",
    "Văn thư",
    "Nhân viên thư viện",
    "Nhân viên y tế",
    "Nhân viên thiết bị",
]
FEMALE_SHARE = {L.preschool: 0.98, L.primary: 0.8}
STATUSES = [StaffStatus.active, StaffStatus.on_leave, StaffStatus.retired, StaffStatus.left]
STATUS_WEIGHTS = [97.5, 1.5, 0.7, 0.3]


def _unique_name(used: set[str], base: str) -> str:
    for suffix in names.SUFFIXES:
        if base + suffix not in used:
            used.add(base + suffix)
            return base + suffix
    n = 4
    while f"{base} {n}" in used:
        n += 1
    used.add(f"{base} {n}")
    return f"{base} {n}"


class TreeBuilder:
    """Builds one province's units and staff and writes them."""

    def __init__(
        self, writer: Writer, rng: random.Random, scale: Scale, ids: dict[str, int]
    ) -> None:
        self.w, self.rng, self.scale, self.ids = writer, rng, scale, ids

    def _id(self, table: str) -> int:
        value = self.ids[table]
        self.ids[table] = value + 1
        return value

    # --- units ---------------------------------------------------------------------------

    def units(self, province: Province) -> None:
        rng, used = self.rng, set[str]()
        places = rng.sample(names.PLACES, len(names.PLACES))
        for n in range(self.scale.offices):
            place = places[n % len(places)]
            province.offices.append(
                self._unit(
                    province,
                    f"PGD-{province.code}-{n + 1:02d}",
                    _unique_name(used, f"Phòng Giáo dục và Đào tạo {place}"),
                    UnitKind.district_office,
                    [L.preschool, L.primary, L.lower_secondary],
                    province.department,
                )
            )
        number = 0
        for office in province.offices:
            for prefix, levels, code, share, _size in OFFICE_SCHOOLS:
                for _ in range(round(self.scale.schools_per_office * share)):
                    number += 1
                    label = (
                        rng.choice(names.PRESCHOOL)
                        if code == "MN" and rng.random() < 0.5
                        else rng.choice(places)
                        if rng.random() < 0.75
                        else rng.choice(names.NOTABLES)
                    )
                    province.schools.append(
                        self._unit(
                            province,
                            f"{province.code}-{code}-{number:04d}",
                            _unique_name(used, f"{prefix} {label}"),
                            UnitKind.school,
                            levels,
                            office,
                        )
                    )
        centres = max(1, self.scale.schools_under_department // 5)
        for n in range(self.scale.schools_under_department):
            number += 1
            if n < centres:
                name = f"Trung tâm GDNN-GDTX {rng.choice(places)}"
                kind, levels, code = UnitKind.center, [L.continuing], "GDTX"
            else:
                label = rng.choice(names.NOTABLES if rng.random() < 0.6 else places)
                name = f"Trường THPT {label}"
                kind, levels, code = UnitKind.school, [L.upper_secondary], "THPT"
            province.schools.append(
                self._unit(
                    province,
                    f"{province.code}-{code}-{number:04d}",
                    _unique_name(used, name),
                    kind,
                    levels,
                    province.department,
                )
            )
        self._write_units(province.units())

    def _unit(
        self,
        province: Province,
        code: str,
        name: str,
        kind: UnitKind,
        levels: list[EducationLevel],
        parent: UnitInfo,
    ) -> UnitInfo:
        return UnitInfo(
            id=self._id("unit"),
            code=code,
            name=name,
            kind=kind,
            levels=levels,
            parent_id=parent.id,
            ancestors=[parent.id, *parent.ancestors],
        )

    def _write_units(self, units: list[UnitInfo]) -> None:
        self.w.insert(UNIT, (unit_row(u) for u in units))
        self.w.insert(CLOSURE, (row for u in units for row in closure_rows(u)))

    # --- staff ---------------------------------------------------------------------------

    def staff(self, province: Province) -> None:
        sizes = self._sizes(province)
        rows: list[dict[str, Any]] = []
        for unit in province.units():
            people = self._people(province, unit, sizes[unit.id])
            province.by_unit[unit.id] = people
            province.people.extend(people)
        email_domain = f"{province.slug}.edu.vn"
        for p in province.people:
            rows.append(self._staff_row(p, email_domain))
        self.w.insert(STAFF, rows)
        self.w.insert(ASSIGNMENT, (self._assignment(p) for p in province.people))

    def _sizes(self, province: Province) -> dict[int, int]:
        """Head counts that add up to the scale's staff: offices about 12, the Sở about
        80, schools by type (a THPT school is about three times a kindergarten)."""
        rng = self.rng
        fixed = {province.department.id: 80, **{o.id: 12 for o in province.offices}}
        weights = {}
        for school in province.schools:
            weight = 1.0
            for _prefix, levels, _code, _share, size in OFFICE_SCHOOLS:
                if levels == school.levels:
                    weight = size
            if school.levels == [L.upper_secondary]:
                weight = 2.6
            weights[school.id] = weight * rng.uniform(0.7, 1.3)
        left = max(len(weights), self.scale.staff - sum(fixed.values()))
        total = sum(weights.values())
        sizes = {uid: max(6, round(left * w / total)) for uid, w in weights.items()}
        return {**fixed, **sizes}

    def _people(self, province: Province, unit: UnitInfo, size: int) -> list[Person]:
        if unit.kind == UnitKind.department:
            heads = ["Giám đốc", "Phó Giám đốc", "Phó Giám đốc", "Phó Giám đốc"]
            heads += ["Trưởng phòng", "Phó Trưởng phòng"] * 6
            return self._office_people(unit, size, heads)
        if unit.kind == UnitKind.district_office:
            return self._office_people(unit, size, ["Trưởng phòng", "Phó Trưởng phòng"])
        return self._school_people(unit, size)

    def _office_people(self, unit: UnitInfo, size: int, heads: list[str]) -> list[Person]:
        people = []
        for i in range(size):
            manager = i < len(heads)
            people.append(
                self._person(
                    unit,
                    C.manager if manager else C.other,
                    heads[i] if manager else "Chuyên viên",
                    None,
                    0.55,
                )
            )
        return people

    def _school_people(self, unit: UnitInfo, size: int) -> list[Person]:
        rng = self.rng
        deputies = 1 if size < 30 else 2 if size < 60 else 3
        others = max(1, round(size * 0.08))
        people = []
        for i in range(size):
            level = rng.choice(unit.levels)
            female = FEMALE_SHARE.get(level, 0.68)
            if i == 0:
                people.append(self._person(unit, C.manager, "Hiệu trưởng", level, female))
            elif i <= deputies:
                people.append(self._person(unit, C.manager, "Phó Hiệu trưởng", level, female))
            elif i > size - others:
                position = rng.choice(OTHER_POSITIONS)
                people.append(self._person(unit, C.other, position, None, 0.8))
            else:
                position = "Tổ trưởng chuyên môn" if rng.random() < 0.08 else "Giáo viên"
                people.append(self._person(unit, C.teacher, position, level, female))
        return people

    def _person(
        self,
        unit: UnitInfo,
        category: StaffCategory,
        position: str,
        level: EducationLevel | None,
        female_share: float,
    ) -> Person:
        rng = self.rng
        female = rng.random() < female_share
        heads = category == C.manager and position in ("Hiệu trưởng", "Giám đốc", "Trưởng phòng")
        status = StaffStatus.active if heads else rng.choices(STATUSES, STATUS_WEIGHTS)[0]
        return Person(
            id=self._id("staff"),
            unit_id=unit.id,
            full_name=names.person_name(rng, female),
            category=category,
            position=position,
            level=level,
            gender=Gender.female if female else Gender.male,
            status=status,
        )

    def _staff_row(self, p: Person, email_domain: str) -> dict[str, Any]:
        rng = self.rng
        teaches = p.category == C.teacher and p.level is not None
        subjects = [rng.choice(SUBJECTS[p.level])] if teaches and p.level else []
        rank = rng.choice(RANKS[p.level]) if p.level and p.category != C.other else None
        email = None
        if rng.random() < 0.6:
            email = f"{names.ascii_slug(p.full_name)}.{p.id}@{email_domain}"
        return {
            "id": p.id,
            "external_code": f"{p.id:010d}",
            "full_name": p.full_name,
            "name_search": fold(p.full_name),
            "unit_id": p.unit_id,
            "category": p.category.value,
            "position": p.position,
            "subjects": subjects,
            "education_level": p.level.value if p.level else None,
            "title_rank": rank,
            "date_of_birth": date(rng.randint(1966, 2001), rng.randint(1, 12), rng.randint(1, 28)),
            "gender": p.gender.value,
            "email": email,
            "status": p.status.value,
            "created_at": LOADED_AT,
            "updated_at": LOADED_AT,
        }

    def _assignment(self, p: Person) -> dict[str, Any]:
        year = self.rng.randint(1990, 2024)
        return {
            "id": self._id("staff_assignment"),
            "staff_id": p.id,
            "unit_id": p.unit_id,
            "started_at": datetime(year, 9, 1, 1, 0, tzinfo=UTC),
            "reason": "Tuyển dụng",
        }

    def heads(self, province: Province) -> list[dict[str, Any]]:
        """(unit id, head staff id): the first person of each unit is its head."""
        return [
            {"uid": unit.id, "head": people[0].id}
            for unit in province.units()
            if (people := province.by_unit.get(unit.id))
        ]


def unit_row(u: UnitInfo) -> dict[str, Any]:
    return {
        "id": u.id,
        "external_code": u.code,
        "name": u.name,
        "kind": u.kind.value,
        "education_levels": [level.value for level in u.levels],
        "parent_id": u.parent_id,
        "created_at": LOADED_AT,
        "updated_at": LOADED_AT,
    }


def closure_rows(u: UnitInfo) -> Iterator[dict[str, Any]]:
    yield {"ancestor_id": u.id, "descendant_id": u.id, "depth": 0}
    for depth, ancestor in enumerate(u.ancestors, start=1):
        yield {"ancestor_id": ancestor, "descendant_id": u.id, "depth": depth}
