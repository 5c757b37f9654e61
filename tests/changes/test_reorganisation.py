"""A mirror kept from the change feed survives reorganisations.

Schools move between districts while district and department systems poll the feed; at the
end every subscriber's mirror (a listing at the start, then the feed applied in order) must
equal a fresh listing of its scope, staff and units alike.
"""

import random
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from app.auth.models import Role
from app.units.models import Unit, UnitKind
from tests.factories import auth_headers, make_staff, make_unit, make_user

MOVES, SCHOOLS, STAFF_EACH = 12, 5, 4
RESOURCES = ("unit", "staff")
Mirror = dict[tuple[str, int], dict[str, Any]]


def listing(client: TestClient, resource: str) -> Mirror:
    """Every object of the scope, page by page, as the REST list shows it."""
    path = {"unit": "/api/v1/units", "staff": "/api/v1/staff"}[resource]
    found: Mirror = {}
    cursor = None
    while True:
        r = client.get(path, params={"limit": 200, **({"cursor": cursor} if cursor else {})})
        assert r.status_code == 200, r.text
        body = r.json()
        found.update({(resource, item["id"]): item for item in body["items"]})
        cursor = body["next_cursor"]
        if not cursor:
            return found


def apply(mirror: Mirror, items: list[dict[str, Any]]) -> None:
    for item in items:
        key = (item["resource"], item["resource_id"])
        if item["op"] in ("delete", "moved_out"):
            mirror.pop(key, None)
        else:
            mirror[key] = item["data"]


def placement(mirror: Mirror) -> dict[tuple[str, int], Any]:
    """What a move changes: which unit each object hangs from."""
    return {
        key: data["parent_id"] if key[0] == "unit" else data["unit_id"]
        for key, data in mirror.items()
    }


def test_mirrors_kept_from_the_feed_follow_schools_moving_between_districts(
    committed_client: TestClient, engine: Engine
) -> None:
    with Session(engine, expire_on_commit=False) as s:
        so = make_unit(s, kind=UnitKind.department, name="Sở GD&ĐT thử nghiệm")
        districts = [
            make_unit(s, so, UnitKind.district_office, name=f"Phòng GD&ĐT {n}") for n in "ABC"
        ]
        schools: list[Unit] = []
        for n in range(SCHOOLS):
            school = make_unit(s, districts[n % 3], name=f"Trường THCS số {n}")
            schools.append(school)
            for _ in range(STAFF_EACH):
                make_staff(s, school)
        subscribers = [make_user(s, [(Role.integration, u)]) for u in [so, *districts]]
        s.commit()
    app = committed_client.app
    clients = [
        TestClient(app, raise_server_exceptions=False, headers=auth_headers(u))  # type: ignore[arg-type]
        for u in subscribers
    ]
    done = threading.Event()

    def subscribe(client: TestClient) -> Mirror:
        after = client.get("/api/v1/changes").json()["next_cursor"]  # before the listing
        mirror: Mirror = {}
        for resource in RESOURCES:
            mirror.update(listing(client, resource))
        while True:
            finished = done.is_set()  # one full pass after the last move
            params = {"limit": 7, "after": after, "resource": ",".join(RESOURCES)}
            r = client.get("/api/v1/changes", params=params)
            assert r.status_code == 200, r.text
            body = r.json()
            apply(mirror, body["items"])
            after = body["next_cursor"]
            if finished and not body["has_more"]:
                return mirror

    def reorganise() -> None:
        rng = random.Random(18)
        for _ in range(MOVES):
            school = rng.choice(schools)
            url = f"/api/v1/units/{school.id}"
            current = committed_client.get(url)
            parent = current.json()["parent_id"]
            target = rng.choice([d for d in districts if d.id != parent])
            body = {"new_parent_id": target.id, "reason": "Sắp xếp lại đơn vị hành chính"}
            r = committed_client.post(
                f"{url}/move", json=body, headers={"If-Match": current.headers["etag"]}
            )
            assert r.status_code == 200, r.text

    with ThreadPoolExecutor(max_workers=len(clients) + 1) as pool:
        mirrors = [pool.submit(subscribe, c) for c in clients]
        pool.submit(reorganise).result()
        done.set()
        kept = [m.result() for m in mirrors]

    assert len(placement(kept[0])) == 4 + SCHOOLS * (1 + STAFF_EACH)  # the Sở sees it all
    for client, mirror in zip(clients, kept, strict=True):
        fresh: Mirror = {}
        for resource in RESOURCES:
            fresh.update(listing(client, resource))
        assert placement(mirror) == placement(fresh)
        staff = {k: v for k, v in fresh.items() if k[0] == "staff"}
        for key, item in staff.items():
            assert {k: v for k, v in mirror[key].items() if k in item} == {
                k: v for k, v in item.items() if k in mirror[key]
            }
