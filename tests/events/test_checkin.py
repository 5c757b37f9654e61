"""Session check-in with a rotating code (R-ATT-1 marks, R-ATT-3 close)."""

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlmodel import Session

from app.core.model_base import utcnow
from app.events import checkin
from app.events.models import AttendanceMark, Event, SessionCheckIn
from app.main import create_app
from app.violations.models import Violation
from tests.events.builders import build_event, nominate
from tests.factories import auth_headers, make_staff, make_tree, make_user

START = utcnow().replace(microsecond=0) - timedelta(days=2)  # sessions lie in the past


@pytest.fixture(autouse=True)
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[datetime]]:
    """The check-in clock, set to a minute after the first session starts."""
    at = [START + timedelta(minutes=1)]
    monkeypatch.setattr(checkin, "now", lambda: at[0])
    checkin.limiter.reset()
    yield at
    checkin.limiter.reset()


def _setup(s: Session, people: int = 2, sessions: int = 1) -> tuple[object, list[int]]:
    t = make_tree(s)
    built = build_event(s, t["so"], [t["s1"]], quota=people, start=START, n_sessions=sessions)
    staff = [make_staff(s, t["s1"]).id or 0 for _ in range(people)]
    for staff_id in staff:
        nominate(s, built, staff_id)
    return built, staff


def _participant(app: object, s: Session, staff_id: int) -> TestClient:
    from app.staff.models import Staff

    users = s.info.setdefault("check_in_users", {})
    if staff_id not in users:
        users[staff_id] = make_user(s, [], staff=s.get(Staff, staff_id))
    user = users[staff_id]
    return TestClient(app, raise_server_exceptions=False, headers=auth_headers(user))  # type: ignore[arg-type]


def _base(built: object, i: int = 0) -> str:
    return f"/api/v1/events/{built.event.id}/sessions/{built.sessions[i].id}/check-in"  # type: ignore[attr-defined]


def _marks(s: Session, event_id: int) -> int:
    return (
        s.scalar(
            select(func.count())
            .select_from(AttendanceMark)
            .where(AttendanceMark.event_id == event_id)
        )
        or 0
    )


def test_r_att_1_check_in_with_current_code_marks_present_then_late(
    app: object, session: Session, client: TestClient, clock: list[datetime]
) -> None:
    built, staff = _setup(session)
    base = _base(built)
    assert client.post(f"{base}/open").json()["state"] == "open"
    code = client.get(f"{base}/code").json()["code"]
    first = _participant(app, session, staff[0]).post(base, json={"code": code})
    assert first.status_code == 201, first.text
    assert first.json()["status"] == "present"
    assert first.json()["source"] == "check_in"
    again = _participant(app, session, staff[0]).post(base, json={"code": code})
    assert again.status_code == 200
    clock[0] = START + timedelta(minutes=20)  # past the 15 minutes of the default policy
    code = client.get(f"{base}/code").json()["code"]
    late = _participant(app, session, staff[1]).post(base, json={"code": code})
    assert late.json()["status"] == "late"
    counts = client.get(base).json()
    assert (counts["roster"], counts["checked_in"], counts["late"], counts["missing"]) == (
        2,
        2,
        1,
        0,
    )
    matrix = client.get(f"/api/v1/events/{built.event.id}/attendance").json()  # type: ignore[attr-defined]
    sid = str(built.sessions[0].id)  # type: ignore[attr-defined]
    assert {p["sources"][sid] for p in matrix["participants"]} == {"check_in"}


def test_r_att_1_previous_code_valid_one_step_older_refused(
    app: object, session: Session, client: TestClient, clock: list[datetime]
) -> None:
    built, staff = _setup(session)
    base = _base(built)
    client.post(f"{base}/open")
    code = client.get(f"{base}/code").json()["code"]
    clock[0] += timedelta(seconds=30)
    assert _participant(app, session, staff[0]).post(base, json={"code": code}).status_code == 201
    clock[0] += timedelta(seconds=60)
    r = _participant(app, session, staff[1]).post(base, json={"code": code})
    assert r.status_code == 422
    assert r.json()["code"] == "check_in_code_expired"


def test_r_att_1_refusals_write_nothing(
    app: object, session: Session, client: TestClient, client_for: object
) -> None:
    built, staff = _setup(session, sessions=2)
    base, other = _base(built, 0), _base(built, 1)
    event_id = built.event.id  # type: ignore[attr-defined]
    me = _participant(app, session, staff[0])
    # closed window: not opened yet
    r = me.post(base, json={"code": "123456"})
    assert (r.status_code, r.json()["code"]) == (409, "check_in_closed")
    client.post(f"{base}/open")
    client.post(f"{other}/open", json={"opens_before_minutes": 24 * 60})
    code = client.get(f"{base}/code").json()["code"]
    leaked = client.get(f"{other}/code").json()["code"]
    # a code leaked from another session is useless here
    if leaked != code:
        r = me.post(base, json={"code": leaked})
        assert (r.status_code, r.json()["code"]) == (422, "check_in_code_invalid")
    wrong = str((int(code) + 1) % 10**6).zfill(6)
    assert me.post(base, json={"code": wrong}).json()["code"] == "check_in_code_invalid"
    # nobody checks in for someone else
    r = me.post(base, json={"code": code, "staff_id": staff[1]})
    assert r.status_code == 422
    # not on the roster
    stranger = make_staff(
        session, session.get(Event, event_id) and built.event and _unit(session, staff[0])
    )
    r = _participant(app, session, stranger.id or 0).post(base, json={"code": code})
    assert r.status_code in (404, 409)
    # an organiser without a staff record
    r = client.post(base, json={"code": code})
    assert (r.status_code, r.json()["code"]) == (403, "check_in_own_account_only")
    client.post(f"{base}/close")
    r = me.post(base, json={"code": code})
    assert (r.status_code, r.json()["code"]) == (409, "check_in_closed")
    assert _marks(session, event_id) == 0


def _unit(s: Session, staff_id: int) -> object:
    from app.staff.models import Staff
    from app.units.models import Unit

    staff = s.get(Staff, staff_id)
    assert staff is not None
    return s.get(Unit, staff.unit_id)


def test_r_att_1_attempts_rate_limited_per_user(
    app: object, session: Session, client: TestClient
) -> None:
    built, staff = _setup(session)
    base = _base(built)
    client.post(f"{base}/open")
    me = _participant(app, session, staff[0])
    codes = [me.post(base, json={"code": "000000"}).status_code for _ in range(11)]
    assert codes[-1] == 429
    assert 422 in codes
    last = me.post(base, json={"code": "000000"})
    assert int(last.headers["Retry-After"]) >= 1
    assert (
        _participant(app, session, staff[1]).post(base, json={"code": "000000"}).status_code == 422
    )


def test_r_att_1_organiser_mark_wins_over_check_in_both_ways(
    app: object, session: Session, client: TestClient
) -> None:
    built, staff = _setup(session)
    base = _base(built)
    put = f"/api/v1/events/{built.event.id}/sessions/{built.sessions[0].id}/attendance"  # type: ignore[attr-defined]
    client.post(f"{base}/open")
    code = client.get(f"{base}/code").json()["code"]
    assert _participant(app, session, staff[0]).post(base, json={"code": code}).status_code == 201
    marks = [
        {"staff_id": staff[0], "status": "absent"},
        {"staff_id": staff[1], "status": "present"},
    ]
    r = client.put(put, json={"marks": marks})
    assert r.status_code == 200, r.text
    assert {m["source"] for m in r.json()["items"]} == {"organizer"}
    r = _participant(app, session, staff[1]).post(base, json={"code": code})
    assert (r.status_code, r.json()["code"]) == (409, "check_in_already_marked")
    row = session.scalar(select(AttendanceMark).where(AttendanceMark.staff_id == staff[0]))
    assert row is not None
    assert (row.status, row.source) == ("absent", "organizer")


def test_code_as_png_and_svg(session: Session, client: TestClient) -> None:
    built, _ = _setup(session)
    base = _base(built)
    client.post(f"{base}/open")
    png = client.get(f"{base}/code", headers={"Accept": "image/png"})
    assert png.headers["content-type"] == "image/png"
    assert png.content.startswith(b"\x89PNG")
    svg = client.get(f"{base}/code?format=svg")
    assert svg.headers["content-type"].startswith("image/svg+xml")
    assert b"<svg" in svg.content
    unknown = client.get(f"{base}/code?format=gif")
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["loc"] == ["query", "format"]


PEOPLE = 500


def test_r_att_3_500_concurrent_check_ins_then_close_only_missing_violate(
    engine: Engine, committed_client: TestClient
) -> None:
    with Session(engine, expire_on_commit=False) as s:
        built, staff = _setup(s, people=PEOPLE)
        missing = set(staff[::50])  # ten stay away
        tokens = {}
        from app.staff.models import Staff

        for staff_id in staff:
            tokens[staff_id] = auth_headers(make_user(s, [], staff=s.get(Staff, staff_id)))
        s.commit()
    base = _base(built)
    assert committed_client.post(f"{base}/open").status_code == 200
    code = committed_client.get(f"{base}/code").json()["code"]
    app = create_app()
    with TestClient(app, raise_server_exceptions=False) as c:

        def go(staff_id: int) -> int:
            return c.post(base, json={"code": code}, headers=tokens[staff_id]).status_code

        with ThreadPoolExecutor(max_workers=8) as pool:
            results = list(pool.map(go, [x for x in staff if x not in missing]))
    assert set(results) == {201}, sorted(set(results))
    event_id = built.event.id  # type: ignore[attr-defined]
    with Session(engine) as s:
        rows = (
            s.execute(select(AttendanceMark.staff_id).where(AttendanceMark.event_id == event_id))
            .scalars()
            .all()
        )
    assert sorted(rows) == sorted(set(staff) - missing)
    counts = committed_client.get(base).json()
    assert (counts["checked_in"], counts["missing"]) == (PEOPLE - len(missing), len(missing))
    event = committed_client.get(f"/api/v1/events/{event_id}")
    r = committed_client.post(
        f"/api/v1/events/{event_id}/close", headers={"If-Match": event.headers["etag"]}
    )
    assert r.status_code == 200, r.text
    with Session(engine) as s:
        absent = (
            s.execute(
                select(Violation.staff_id).where(
                    Violation.event_id == event_id, Violation.kind == "unexcused_absence"
                )
            )
            .scalars()
            .all()
        )
        assert s.get(SessionCheckIn, built.sessions[0].id) is not None  # type: ignore[attr-defined]
    assert sorted(absent) == sorted(missing)
