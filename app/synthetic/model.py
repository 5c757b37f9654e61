"""Sizes of the synthetic datasets and the in-memory picture the generator builds of them."""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from app.staff.models import Gender, StaffCategory, StaffStatus
from app.units.models import EducationLevel, UnitKind


@dataclass(frozen=True)
class Scale:
    """Per province unless named otherwise."""

    name: str
    provinces: int
    offices: int  # Phòng GD&ĐT under each Sở
    schools_per_office: int
    schools_under_department: int  # THPT schools and GDNN-GDTX centres
    staff: int
    events: int  # in the generated school year
    sessions_per_event: float
    marks: int
    open_events: int  # summoned, in the school year after it (the current one)
    external_events: int
    big_event_participants: int  # the open event the attendance benchmark marks
    full_bdtx: bool = True  # plans, credits, scores and unit plans besides results


PROVINCE = Scale(
    name="province",
    provinces=1,
    offices=10,
    schools_per_office=65,
    schools_under_department=45,
    staff=25_000,
    events=300,
    sessions_per_event=6,
    marks=250_000,
    open_events=6,
    external_events=30,
    big_event_participants=2_000,
)
# 1.2 million staff in the 34 provincial units; events per province are fewer so that the
# nation fits a two-core machine in minutes (the reports under test read staff and BDTX).
NATION = Scale(
    name="nation",
    provinces=34,
    offices=10,
    schools_per_office=65,
    schools_under_department=45,
    staff=35_300,
    events=40,
    sessions_per_event=6,
    marks=33_000,
    open_events=1,
    external_events=5,
    big_event_participants=2_000,
    full_bdtx=False,
)
# A few hundred rows of everything, for the tests.
TINY = Scale(
    name="tiny",
    provinces=1,
    offices=2,
    schools_per_office=6,
    schools_under_department=5,
    staff=400,
    events=12,
    sessions_per_event=4,
    marks=2_000,
    open_events=2,
    external_events=3,
    big_event_participants=40,
)
SCALES = {s.name: s for s in (TINY, PROVINCE, NATION)}


@dataclass
class UnitInfo:
    id: int
    code: str
    name: str
    kind: UnitKind
    levels: list[EducationLevel]
    parent_id: int | None
    ancestors: list[int]  # nearest first, itself excluded


@dataclass
class Person:
    id: int
    unit_id: int
    full_name: str
    category: StaffCategory
    position: str
    level: EducationLevel | None
    gender: Gender
    status: StaffStatus


@dataclass
class Province:
    """What later phases need to know about one generated province."""

    index: int
    name: str
    code: str
    slug: str
    department: UnitInfo
    offices: list[UnitInfo] = field(default_factory=list)
    schools: list[UnitInfo] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)
    by_unit: dict[int, list[Person]] = field(default_factory=dict)
    # staff id -> [(module code, periods)] credited by the events they completed
    event_credits: dict[int, list[tuple[str, int]]] = field(default_factory=dict)

    def units(self) -> list[UnitInfo]:
        return [self.department, *self.offices, *self.schools]


@dataclass(frozen=True)
class Year:
    """A school year: 5 September to 31 May are school days."""

    label: str

    @property
    def first(self) -> int:
        return int(self.label[:4])

    @property
    def opens(self) -> date:
        return date(self.first, 9, 5)

    @property
    def closes(self) -> date:
        return date(self.first + 1, 5, 31)

    def at(self, day: date, hour: int, minute: int = 0) -> datetime:
        """A local (UTC+7) wall-clock time on ``day``, as an aware UTC datetime."""
        local = datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)
        return local - timedelta(hours=7)

    def next(self) -> "Year":
        return Year(f"{self.first + 1}-{self.first + 2}")
