"""`/reports/bdtx` defaults like the other reports: without `unit_id`, the caller's units;
without `school_year`, the current one (R-BDTX-4)."""

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.auth.models import Role
from app.core.model_base import to_local_date, utcnow
from app.core.school_year import school_year_of
from tests.bdtx.helpers import YEAR, set_policy
from tests.conftest import ClientFor
from tests.factories import make_staff, make_tree

REPORT = "/api/v1/reports/bdtx"


def test_r_bdtx_4_the_bdtx_report_defaults_to_the_callers_units(
    client: TestClient, client_for: ClientFor, session: Session
) -> None:
    units = make_tree(session)
    make_staff(session, units["s1"])
    set_policy(client)

    def rows(who: TestClient, query: str = "") -> tuple[list[int], list[int]]:
        r = who.get(f"{REPORT}?school_year={YEAR}{query}")
        assert r.status_code == 200, r.text
        return r.json()["unit_ids"], [u["unit_id"] for u in r.json()["units"]]

    office = client_for(Role.department_officer, units["d1"])
    assert rows(office) == ([units["d1"].id], [units["s1"].id])
    # a school has no units below it: its own row
    assert rows(client_for(Role.unit_head, units["s1"])) == ([units["s1"].id], [units["s1"].id])
    # a system-wide admin: the root of the tree, as before with unit_id given
    so_rows = [units[k].id for k in ("d1", "d2", "thpt")]
    assert rows(client) == ([units["so"].id], so_rows)
    assert rows(client, f"&unit_id={units['so'].id}") == ([units["so"].id], so_rows)
    # a unit outside the caller's units is still not found
    assert office.get(f"{REPORT}?school_year={YEAR}&unit_id={units['d2'].id}").status_code == 404
    # teachers read no reports
    teacher = client_for(Role.staff, units["s1"])
    assert teacher.get(f"{REPORT}?school_year={YEAR}").status_code == 403


def test_r_bdtx_4_the_bdtx_report_defaults_to_the_current_school_year(
    client: TestClient, session: Session
) -> None:
    make_tree(session)
    r = client.get(REPORT)
    assert r.status_code == 200, r.text
    assert r.json()["school_year"] == school_year_of(to_local_date(utcnow()))
    assert r.json()["unit_id"] is None
