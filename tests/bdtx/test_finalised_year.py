"""Nothing is credited to a year whose result is finalised, whichever source reports it:
approved self-study, an LMS completion (one by one or in bulk), a closed event (R-BDTX-1)."""

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlmodel import Session

from app.core.model_base import utcnow
from app.events.models import TrainingCredit
from app.staff.models import Staff
from tests.bdtx.helpers import B, act, catalogue, credit, set_policy
from tests.events.builders import build_event, nominate
from tests.factories import make_staff, make_tree

EVENT_YEAR = "2024-2025"  # the year of the events the builders make
E = "/api/v1/events"


def _credits(session: Session, staff: Staff) -> int:
    return session.scalar(
        select(func.count()).select_from(TrainingCredit).where(TrainingCredit.staff_id == staff.id)
    )


def _finalise(client: TestClient, staff: Staff, year: str) -> None:
    r = client.post(f"{B}/results", json={"staff_id": staff.id, "school_year": year})
    assert r.status_code == 201, r.text
    assert act(client, f"{B}/results/{r.json()['id']}", "finalise").status_code == 200


def test_r_bdtx_1_a_closed_event_credits_nothing_to_a_finalised_year(
    client: TestClient, session: Session
) -> None:
    t = make_tree(session)
    set_policy(client, year=EVENT_YEAR)
    mods = catalogue(session)
    done, open_year = make_staff(session, t["s1"]), make_staff(session, t["s1"])
    credit(session, done, mods["E1"].code, year=EVENT_YEAR)
    _finalise(client, done, EVENT_YEAR)
    built = build_event(session, t["so"], [t["s1"]], start=utcnow() - timedelta(days=1))
    for person in (done, open_year):
        nominate(session, built, person.id or 0)
    url = f"{E}/{built.event.id}"
    for row in built.sessions:
        marks = [{"staff_id": p.id, "status": "present"} for p in (done, open_year)]
        r = client.put(f"{url}/sessions/{row.id}/attendance", json={"marks": marks})
        assert r.status_code == 200, r.text
    before = _credits(session, done)
    r = client.post(f"{url}/close", headers={"If-Match": client.get(url).headers["etag"]})
    assert r.status_code == 200, r.text
    assert (r.json()["credits_created"], r.json()["credits_withheld"]) == (1, [done.id])
    assert r.json()["event"]["status"] == "closed"
    assert _credits(session, done) == before  # nothing written to the finalised year
    assert _credits(session, open_year) == 1


def test_r_bdtx_1_an_lms_completion_credits_nothing_to_a_finalised_year(
    client: TestClient, session: Session
) -> None:
    t = make_tree(session)
    set_policy(client)
    mods = catalogue(session)
    staff = make_staff(session, t["s1"])
    credit(session, staff, mods["M1"].code)
    year = "2026-2027"
    _finalise(client, staff, year)
    row = {
        "staff_external_code": staff.external_code,
        "school_year": year,
        "module_code": mods["E1"].code,
        "periods": 40,
        "score": 8.0,
    }
    r = client.post(f"{B}/lms-completions", json=[row])
    assert (r.status_code, r.json()["code"], r.json()["rule"]) == (
        409,
        "bdtx_result_finalised",
        "R-BDTX-1",
    )
    assert _credits(session, staff) == 1  # only the credit made before finalising
