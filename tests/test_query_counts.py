"""The cost of a list grows with the page, not with the table (issue 9).

A synthetic province is generated into its own database; the service reads it as a
department officer of the Sở (scoped, the realistic case). Every SQL statement a request
sends is counted with SQLAlchemy's ``before_cursor_execute``: a list answers with the same
number of statements for ``limit=5`` as for ``limit=100`` (no query per item), and a report
for one school's office costs the same statements as for the whole province.
"""

from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, select
from sqlmodel import Session

from app.auth.models import Role
from app.core.db import make_engine
from app.core.security import create_access_token
from app.main import create_app
from app.synthetic.generate import generate, years_for
from app.synthetic.model import TINY
from app.units.models import Unit, UnitKind
from tests.factories import make_user, read_with_cached_grants

TODAY = date(2026, 12, 1)
YEAR = years_for(TODAY).done.label
# Enough rows that a page of 100 is full for every list below.
SCALE = replace(
    TINY,
    name="query-counts",
    offices=3,
    schools_per_office=40,
    staff=1_500,
    events=130,
    marks=12_000,
    big_event_participants=20,
)


class Counter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, *args: Any) -> None:
        self.statements.append(args[2])  # (conn, cursor, statement, ...)


@pytest.fixture(scope="module")
def world(fresh_database_url: Callable[[], str]) -> Iterator[tuple[Engine, dict[str, int], str]]:
    url = fresh_database_url()
    generate(url, SCALE, seed=11, progress=False, today=TODAY)
    eng = make_engine(url)
    with Session(eng) as s:
        department = s.scalars(select(Unit).where(Unit.kind == UnitKind.department)).one()
        office = s.scalars(select(Unit).where(Unit.kind == UnitKind.district_office)).first()
        assert office is not None
        officer = make_user(s, [(Role.department_officer, department)])
        s.commit()
        ids = {"department": department.id or 0, "office": office.id or 0, "user": officer.id or 0}
        token, _ = create_access_token(officer.id or 0, officer.password_hash)
    yield eng, ids, token
    eng.dispose()


@pytest.fixture(scope="module")
def api(world: tuple[Engine, dict[str, int], str]) -> Iterator[tuple[TestClient, Counter]]:
    eng, _, token = world
    app = create_app()

    app.state.session_factory = lambda _request: Session(eng, expire_on_commit=False)
    counter = Counter()
    event.listen(eng, "before_cursor_execute", counter)
    headers = {"Authorization": f"Bearer {token}"}
    with TestClient(app, raise_server_exceptions=True, headers=headers) as client:
        yield client, counter
    event.remove(eng, "before_cursor_execute", counter)


def statements(api: tuple[TestClient, Counter], url: str) -> tuple[int, Any]:
    """The statements of a request once the worker knows the caller (app.auth.grant_cache:
    the first request of a caller also reads their grants)."""
    client, counter = api
    response = read_with_cached_grants(client, url, counter.statements)
    assert response.status_code == 200, response.text
    return len(counter.statements), response.json()


LISTS = {
    "staff": "/api/v1/staff?unit_id={department}&include_descendants=true&limit={limit}",
    "units": "/api/v1/units?limit={limit}",
    "events": "/api/v1/events?limit={limit}",
    "violations": "/api/v1/violations?limit={limit}",
}


@pytest.mark.parametrize("name", sorted(LISTS))
def test_list_statements_do_not_grow_with_the_page(
    name: str, api: tuple[TestClient, Counter], world: tuple[Engine, dict[str, int], str]
) -> None:
    ids = world[1]
    small, page5 = statements(api, LISTS[name].format(limit=5, **ids))
    large, page100 = statements(api, LISTS[name].format(limit=100, **ids))
    assert len(page5["items"]) == 5
    assert len(page100["items"]) == 100
    assert small == large, f"{name}: {small} statements for 5 items, {large} for 100"


@pytest.mark.parametrize("report", ["/api/v1/reports/bdtx", "/api/v1/reports/emulation"])
def test_report_statements_do_not_grow_with_the_units(
    report: str, api: tuple[TestClient, Counter], world: tuple[Engine, dict[str, int], str]
) -> None:
    ids = world[1]
    query = f"{report}?school_year={YEAR}&unit_id="
    office, small = statements(api, query + str(ids["office"]))
    province, large = statements(api, query + str(ids["department"]))
    assert len(small["units"]) >= 5
    assert len(large["units"]) >= 5
    assert len(small["units"]) != len(large["units"])
    assert office == province, f"{office} statements for an office, {province} for the Sở"


READABLE = [
    "/api/v1/units",
    "/api/v1/staff",
    "/api/v1/events",
    "/api/v1/violations",
    "/api/v1/criticisms",
    "/api/v1/external-events",
    "/api/v1/participation-requests",
    "/api/v1/absence-excuses",
    "/api/v1/bdtx/modules",
    "/api/v1/bdtx/personal-plans",
    "/api/v1/bdtx/self-study",
    "/api/v1/bdtx/results",
    "/api/v1/bdtx/certificates",
    "/api/v1/bdtx/unit-plans",
]


@pytest.mark.parametrize("path", READABLE)
def test_generated_rows_read_back_through_the_api(
    path: str, api: tuple[TestClient, Counter]
) -> None:
    """Every generated row is a valid API object (a schema mismatch answers 500)."""
    client = api[0]
    url: str | None = f"{path}?limit=500"
    seen = 0
    while url is not None and seen < 3_000:
        response = client.get(url)
        assert response.status_code == 200, response.text
        body = response.json()
        seen += len(body["items"])
        cursor = body["next_cursor"]
        url = f"{path}?limit=500&cursor={cursor}" if cursor else None
    assert seen > 0
