"""Which rows the emulation and compliance reports have, and who may read which: the rows
and the 404 for a unit outside the caller's units come from the report's own statement."""

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.auth.models import Role
from app.units.models import Unit, UnitKind
from tests.conftest import ClientFor
from tests.factories import auth_headers, make_tree, make_unit, make_user

YEAR = "2024-2025"
REPORTS = ("emulation", "compliance")


def report(client: TestClient, name: str, unit: Unit | None = None) -> tuple[int, dict]:
    params: dict[str, object] = {"school_year": YEAR}
    if unit is not None:
        params["unit_id"] = unit.id
    reply = client.get(f"/api/v1/reports/{name}", params=params)
    return reply.status_code, reply.json()


def rows(body: dict) -> list[tuple[int, str]]:
    return [(r["unit_id"], r["scope"]) for r in body["units"]]


@pytest.mark.parametrize("name", REPORTS)
def test_rows_are_the_unit_then_the_units_below_it_by_name(
    session: Session, client_for: ClientFor, name: str
) -> None:
    t = make_tree(session)
    status, body = report(client_for(Role.department_officer, t["so"]), name, t["so"])
    assert status == 200
    assert body["unit_ids"] == [t["so"].id]
    # names: "Phòng GD&ĐT A" < "Phòng GD&ĐT B" < "Trường THPT trực thuộc Sở"
    expected = [(t["so"].id, "own")] + [(t[k].id, "subtree") for k in ("d1", "d2", "thpt")]
    assert rows(body) == expected
    assert list(body) == ["school_year", "unit_ids", "units", "totals"]


@pytest.mark.parametrize("name", REPORTS)
def test_a_unit_outside_the_callers_units_is_not_found(
    session: Session, client_for: ClientFor, name: str
) -> None:
    t = make_tree(session)
    inspector = client_for(Role.inspector, t["d1"])
    assert report(inspector, name, t["s1"])[0] == 200
    assert rows(report(inspector, name, t["s1"])[1]) == [(t["s1"].id, "own")]
    for outside in (t["d2"], t["s2"], t["so"]):
        status, problem = report(inspector, name, outside)
        assert status == 404, (outside.name, problem)
    admin = client_for(Role.admin, None)
    assert report(admin, name, t["s2"])[0] == 200
    gone = Unit(id=10**9, name="x", external_code="x", kind=UnitKind.school)
    assert report(admin, name, gone)[0] == 404
    assert report(client_for(Role.staff, t["s1"]), name, t["s1"])[0] == 403


@pytest.mark.parametrize("name", REPORTS)
def test_without_a_unit_the_callers_top_units(
    session: Session, app: object, client_for: ClientFor, name: str
) -> None:
    t = make_tree(session)
    other = make_unit(session, kind=UnitKind.department, name="Sở khác")
    # roles at the office and at a school under it: the office covers the school
    user = make_user(session, [(Role.inspector, t["d1"]), (Role.unit_head, t["s1"])])
    both = TestClient(app, raise_server_exceptions=False, headers=auth_headers(user))  # type: ignore[arg-type]
    status, body = report(both, name)
    assert status == 200
    assert body["unit_ids"] == [t["d1"].id]
    assert rows(body) == [(t["d1"].id, "own"), (t["s1"].id, "subtree")]
    # two separate roots: one block each, in id order
    user = make_user(session, [(Role.inspector, t["d2"]), (Role.inspector, t["thpt"])])
    two = TestClient(app, raise_server_exceptions=False, headers=auth_headers(user))  # type: ignore[arg-type]
    status, body = report(two, name)
    assert set(body["unit_ids"]) == {t["d2"].id, t["thpt"].id}
    assert body["unit_ids"] == sorted(body["unit_ids"])
    assert {(t["d2"].id, "own"), (t["s2"].id, "subtree"), (t["thpt"].id, "own")} == set(rows(body))
    # a global admin: every unit without a parent
    status, body = report(client_for(Role.admin, None), name)
    assert status == 200
    assert {t["so"].id, other.id} <= set(body["unit_ids"])
    assert (t["d1"].id, "subtree") in rows(body)
