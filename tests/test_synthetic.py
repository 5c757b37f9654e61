"""``bdtx generate`` (issue 9): the tiny scale has the expected shape and passes the rules.

The dataset is generated once into its own database (SQLite file or a fresh PostgreSQL
database) and checked with the services' own rule functions where they exist.
"""

import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import date

import pytest
from sqlalchemy import Engine, func, select
from sqlmodel import Session

from app.bdtx.models import BdtxResult, Certificate, PersonalPlan, YearPolicy
from app.bdtx.policy import PolicyRules
from app.bdtx.results import _evaluate
from app.cli import main
from app.core.db import make_engine
from app.core.text import fold
from app.criticisms.models import Criticism, CriticismViolation
from app.events.models import (
    AbsenceExcuse,
    AttendanceMark,
    Event,
    Nomination,
    Requirement,
    RequirementTarget,
    TrainingCredit,
)
from app.events.nominations import unmet_criteria
from app.external.models import ExternalEvent, ParticipationRequest
from app.staff.models import Staff, StaffStatus
from app.synthetic.generate import GenerateError, generate, years_for
from app.synthetic.model import TINY
from app.units.models import Unit, UnitClosure
from app.violations.models import Violation

TODAY = date(2026, 12, 1)
YEARS = years_for(TODAY)


@pytest.fixture(scope="module")
def generated(fresh_database_url: Callable[[], str]) -> Iterator[tuple[str, dict[str, int]]]:
    url = fresh_database_url()
    counts = generate(url, "tiny", seed=7, progress=False, today=TODAY)
    return url, counts


@pytest.fixture(scope="module")
def gen_engine(generated: tuple[str, dict[str, int]]) -> Iterator[Engine]:
    eng = make_engine(generated[0])
    yield eng
    eng.dispose()


@pytest.fixture
def s(gen_engine: Engine) -> Iterator[Session]:
    with Session(gen_engine) as session:
        yield session


def count(s: Session, model: object, *where: object) -> int:
    return int(s.scalar(select(func.count()).select_from(model).where(*where)) or 0)  # type: ignore[arg-type]


def test_counts_match_the_scale(s: Session, generated: tuple[str, dict[str, int]]) -> None:
    counts = generated[1]
    assert counts["staff"] == count(s, Staff)
    assert abs(count(s, Staff) - TINY.staff) <= TINY.staff * 0.05
    assert count(s, Unit, Unit.kind == "department") == 1
    assert count(s, Unit, Unit.kind == "district_office") == TINY.offices
    assert count(s, Event) == TINY.events + TINY.open_events
    marks = count(s, AttendanceMark)
    assert TINY.marks * 0.6 <= marks <= TINY.marks * 1.4
    # a school year of BDTX records: one result per active teacher or manager
    bdtx_people = count(
        s, Staff, Staff.status == StaffStatus.active, Staff.category.in_(["teacher", "manager"])
    )
    assert count(s, BdtxResult, BdtxResult.school_year == YEARS.done.label) == bdtx_people
    assert count(s, PersonalPlan) == bdtx_people
    assert count(s, Certificate) > 0


def test_big_open_event_has_its_roster(s: Session) -> None:
    """The attendance benchmark marks one session of this event for every nominee."""
    event = s.scalars(select(Event).where(Event.school_year == YEARS.current.label)).first()
    assert event is not None
    assert event.status == "summoned"
    accepted = count(
        s, Nomination, Nomination.event_id == event.id, Nomination.status == "accepted"
    )
    # every nominee is accepted; quotas of 10 per school cap it in a tiny province
    assert TINY.big_event_participants * 0.75 <= accepted <= TINY.big_event_participants
    assert count(s, Nomination, Nomination.event_id == event.id) == accepted


def test_names_are_vietnamese_nfc_and_searchable(s: Session) -> None:
    names = s.execute(select(Staff.full_name, Staff.name_search)).all()
    assert all(unicodedata.is_normalized("NFC", n) for n, _ in names)
    assert all(search == fold(n) for n, search in names)
    with_marks = sum(1 for n, _ in names if not n.isascii())
    assert with_marks > len(names) * 0.5  # diacritics, not ASCII stand-ins


def test_unit_tree_and_closure_agree(s: Session) -> None:
    parents = dict(s.execute(select(Unit.id, Unit.parent_id)).all())

    def depth(uid: int) -> int:
        return 0 if parents[uid] is None else 1 + depth(parents[uid])

    assert count(s, UnitClosure) == sum(depth(u) + 1 for u in parents)
    assert count(s, UnitClosure, UnitClosure.depth == 0) == len(parents)


def test_r_nom_1_every_live_nomination_meets_its_requirement(s: Session) -> None:
    live = s.scalars(select(Nomination).where(Nomination.status.in_(["proposed", "accepted"])))
    checked = 0
    for nomination in live:
        staff = s.get(Staff, nomination.staff_id)
        req = s.get(Requirement, nomination.requirement_id)
        assert staff is not None
        assert req is not None
        assert staff.status == StaffStatus.active
        assert unmet_criteria(s, req, staff) == []
        checked += 1
    assert checked > 0
    used = Counter(
        tuple(row)
        for row in s.execute(
            select(Nomination.requirement_id, Nomination.unit_id).where(
                Nomination.status.in_(["proposed", "accepted"])
            )
        ).all()
    )
    for target in s.scalars(select(RequirementTarget)):
        assert target.used == used[(target.requirement_id, target.unit_id)] <= target.quota


def test_r_att_marks_only_for_accepted_nominees(s: Session) -> None:
    orphan = s.scalar(
        select(func.count())
        .select_from(AttendanceMark)
        .outerjoin(
            Nomination,
            (Nomination.event_id == AttendanceMark.event_id)
            & (Nomination.staff_id == AttendanceMark.staff_id)
            & (Nomination.status == "accepted"),
        )
        .where(Nomination.id.is_(None))
    )
    assert orphan == 0


def test_r_att_2_unexcused_absences_are_violations(s: Session) -> None:
    absent = {
        tuple(row)
        for row in s.execute(
            select(AttendanceMark.session_id, AttendanceMark.staff_id).where(
                AttendanceMark.status == "absent"
            )
        ).all()
    }
    excused = {
        tuple(row)
        for row in s.execute(
            select(AbsenceExcuse.session_id, AbsenceExcuse.staff_id).where(
                AbsenceExcuse.status == "confirmed"
            )
        ).all()
    }
    violations = {
        tuple(row)
        for row in s.execute(
            select(Violation.session_id, Violation.staff_id).where(
                Violation.kind == "unexcused_absence"
            )
        ).all()
    }
    assert absent
    assert violations
    assert violations == absent - excused


def test_r_att_3_event_credits_only_for_completers(s: Session) -> None:
    for credit in s.scalars(select(TrainingCredit).where(TrainingCredit.source == "event")):
        marks = s.scalars(
            select(AttendanceMark.status).where(
                AttendanceMark.event_id == credit.event_id,
                AttendanceMark.staff_id == credit.staff_id,
            )
        ).all()
        assert marks
        assert all(m in ("present", "late") for m in marks)
        event = s.get(Event, credit.event_id)
        assert event is not None
        assert event.bdtx_module_code == credit.module_code


def test_r_bdtx_1_results_agree_with_the_service_evaluation(s: Session) -> None:
    """Each stored result equals what ``app.bdtx.results`` computes from the stored
    credits and scores under the year's policy."""
    policy = s.scalars(select(YearPolicy).where(YearPolicy.school_year == YEARS.done.label)).one()
    rules = PolicyRules.model_validate(policy.rules)
    results = s.scalars(select(BdtxResult)).all()
    assert {r.passed for r in results} == {True, False}  # both outcomes occur
    for result in results:
        values = _evaluate(s, result.staff_id, result.school_year, policy, rules)
        assert (result.credited_periods, result.result_class, result.passed) == (
            values["credited_periods"],
            values["result_class"],
            values["passed"],
        )


def test_r_bdtx_1_certificates_only_for_finalised_passing_results(s: Session) -> None:
    for cert in s.scalars(select(Certificate)):
        result = s.get(BdtxResult, cert.result_id)
        assert result is not None
        assert result.status == "finalised"
        assert result.passed
        assert cert.staff_id == result.staff_id
        assert cert.result_class == result.result_class


def test_r_vio_1_letters_cite_the_recipients_violations(s: Session) -> None:
    rows = s.execute(
        select(Criticism.recipient_unit_id, Violation.unit_id, Violation.status)
        .join(CriticismViolation, CriticismViolation.criticism_id == Criticism.id)
        .join(Violation, Violation.id == CriticismViolation.violation_id)
    ).all()
    assert rows
    assert all(recipient == unit and status == "cited" for recipient, unit, status in rows)


def test_r_ext_3_consent_only_for_approved_events(s: Session) -> None:
    statuses = s.execute(
        select(ExternalEvent.status)
        .join(ParticipationRequest, ParticipationRequest.external_event_id == ExternalEvent.id)
        .where(ParticipationRequest.status == "consented")
    ).scalars()
    assert set(statuses) == {"approved"}


def test_a_second_run_is_refused_and_changes_nothing(
    s: Session, generated: tuple[str, dict[str, int]]
) -> None:
    before = count(s, Staff)
    with pytest.raises(GenerateError):
        generate(generated[0], "tiny", seed=7, progress=False, today=TODAY)
    assert count(s, Staff) == before


def test_cli_generate(
    fresh_database_url: Callable[[], str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from app.core import config

    monkeypatch.setenv("BDTX_DATABASE_URL", fresh_database_url())
    config.get_settings.cache_clear()
    try:
        assert main(["generate", "--scale", "tiny", "--seed", "3"]) == 0
    finally:
        monkeypatch.undo()
        config.get_settings.cache_clear()
    out = capsys.readouterr().out
    assert "staff" in out
    assert "Đã sinh dữ liệu quy mô tiny" in out
