"""The change feed: every API write in the caller's scope, in commit order, with a cursor."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.auth.models import Role
from app.changes.models import ChangeHorizon
from app.changes.service import encode_position, resources
from app.units.models import Unit
from tests.conftest import ClientFor
from tests.factories import make_staff, make_tree

FEED = "/api/v1/changes"


def poll(client: TestClient, after: str | None = None, **params: Any) -> dict[str, Any]:
    r = client.get(FEED, params={**({"after": after} if after else {}), **params})
    assert r.status_code == 200, r.text
    return r.json()


def drain(client: TestClient, after: str | None = None, **params: Any) -> list[dict[str, Any]]:
    """Every item from ``after`` on, page by page."""
    items: list[dict[str, Any]] = []
    while True:
        page = poll(client, after, **params)
        items += page["items"]
        after = page["next_cursor"]
        if not page["has_more"]:
            return items


def etag(client: TestClient, url: str) -> dict[str, str]:
    return {"If-Match": client.get(url).headers["etag"]}


def new_unit(client: TestClient, parent: Unit, code: str) -> dict[str, Any]:
    body = {"external_code": code, "name": f"Trường {code}", "kind": "school"}
    r = client.post("/api/v1/units", json={**body, "parent_id": parent.id})
    assert r.status_code == 201, r.text
    return r.json()


def test_create_update_delete_appear_in_commit_order_with_state(
    client: TestClient, session: Session
) -> None:
    t = make_tree(session)
    start = poll(client)["next_cursor"]
    unit = new_unit(client, t["d1"], "FEED-1")
    url = f"/api/v1/units/{unit['id']}"
    assert client.patch(url, json={"name": "Tên mới"}, headers=etag(client, url)).is_success
    assert client.delete(url, headers=etag(client, url)).status_code == 204

    items = drain(client, start, resource="unit")
    assert [(i["op"], i["resource"], i["resource_id"]) for i in items] == [
        ("create", "unit", unit["id"]),
        ("update", "unit", unit["id"]),
        ("delete", "unit", unit["id"]),
    ]
    created, updated, deleted = items
    assert created["data"]["name"] == "Trường FEED-1"
    assert created["data"]["parent_id"] == t["d1"].id
    assert updated["data"]["name"] == "Tên mới"
    assert (created["version"], updated["version"]) == (1, 2)
    assert deleted["data"]["name"] == "Tên mới"  # a delete carries the last state
    assert {i["unit_id"] for i in items} == {unit["id"]}
    ids = [i["id"] for i in items]
    assert ids == sorted(ids)
    assert created["committed_at"] <= updated["committed_at"] <= deleted["committed_at"]


def test_next_cursor_is_always_given_and_polling_resumes_exactly(
    client: TestClient, session: Session
) -> None:
    t = make_tree(session)
    first = poll(client)
    assert first["next_cursor"]
    caught_up = drain(client, first["next_cursor"])
    assert caught_up == []
    empty = poll(client, first["next_cursor"])
    assert empty == {"items": [], "next_cursor": first["next_cursor"], "has_more": False}

    for n in range(5):
        new_unit(client, t["s1"], f"PAGE-{n}")
    page = poll(client, empty["next_cursor"], limit=2)
    assert [i["data"]["external_code"] for i in page["items"]] == ["PAGE-0", "PAGE-1"]
    assert page["has_more"] is True
    rest = drain(client, page["next_cursor"], limit=2)
    assert [i["data"]["external_code"] for i in rest] == ["PAGE-2", "PAGE-3", "PAGE-4"]
    assert poll(client, page["next_cursor"], limit=500)["items"] == rest


def test_a_cursor_is_plain_position_and_survives_restarts(
    client: TestClient, session: Session, app: Any
) -> None:
    """No server state: a cursor from one app instance works on a fresh one."""
    t = make_tree(session)
    start = poll(client)["next_cursor"]
    made = new_unit(client, t["s1"], "RESTART")
    with TestClient(app, headers=dict(client.headers)) as other:
        [item] = drain(other, start)
    assert item["resource_id"] == made["id"]
    assert poll(client, encode_position(item["id"] - 1))["items"][0] == item


def test_a_cursor_before_what_retention_dropped_is_410(
    client: TestClient, session: Session
) -> None:
    """Retention (PostgreSQL, app.ops.partitions) records the newest id it dropped; a reader
    behind it would skip changes without knowing, so it is told to resynchronise."""
    t = make_tree(session)
    new_unit(client, t["s1"], "HORIZON-1")
    new_unit(client, t["s1"], "HORIZON-2")
    newest = drain(client)[-1]["id"]
    session.add(ChangeHorizon(dropped_through=newest))
    session.flush()
    gone = client.get(FEED, params={"after": encode_position(newest - 1)})
    assert gone.status_code == 410
    assert gone.headers["content-type"] == "application/problem+json"
    assert gone.json()["code"] == "feed_position_expired"
    assert gone.json()["errors"][0]["loc"] == ["query", "after"]
    assert str(newest) in gone.json()["detail"]
    # at the horizon nothing was skipped; no cursor starts from what is kept
    assert client.get(FEED, params={"after": encode_position(newest)}).status_code == 200
    assert client.get(FEED).status_code == 200


@pytest.mark.parametrize("cursor", ["garbage!", "eyJpZCI6IDF9", "eyJjaGFuZ2UiOi0xfQ", "e30"])
def test_an_invalid_cursor_is_422_naming_after(client: TestClient, cursor: str) -> None:
    r = client.get(FEED, params={"after": cursor})
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["code"] == "invalid_cursor"  # as every other list answers
    assert r.json()["errors"][0]["loc"] == ["query", "after"]


def test_an_unknown_resource_is_422_naming_resource(client: TestClient) -> None:
    r = client.get(FEED, params={"resource": "staff,audit_log"})
    assert r.status_code == 422
    [error] = r.json()["errors"]
    assert error["loc"] == ["query", "resource"]
    assert "audit_log" in error["msg"]


def test_resource_filter_takes_repeats_and_comma_lists(
    client: TestClient, session: Session
) -> None:
    t = make_tree(session)
    start = poll(client)["next_cursor"]
    new_unit(client, t["s1"], "FILTER")
    body = {"external_code": "S-FILTER", "full_name": "Lê Thị Lọc", "unit_id": t["s1"].id}
    assert client.post("/api/v1/staff", json={**body, "category": "teacher"}).status_code == 201
    both = drain(client, start, resource="staff,unit")
    assert [i["resource"] for i in both] == ["unit", "staff"]
    r = client.get(FEED, params=[("after", start), ("resource", "staff"), ("resource", "unit")])
    assert r.json()["items"] == both
    assert [i["resource"] for i in drain(client, start, resource="staff")] == ["staff"]


def test_unit_filter_with_or_without_descendants(client: TestClient, session: Session) -> None:
    t = make_tree(session)
    start = poll(client)["next_cursor"]
    in_s1 = new_unit(client, t["s1"], "UNDER-S1")
    new_unit(client, t["s2"], "UNDER-S2")
    under_d1 = drain(client, start, unit_id=t["d1"].id)
    assert [i["resource_id"] for i in under_d1] == [in_s1["id"]]
    assert drain(client, start, unit_id=t["d1"].id, include_descendants=False) == []
    only = drain(client, start, unit_id=in_s1["id"], include_descendants=False)
    assert [i["resource_id"] for i in only] == [in_s1["id"]]


def test_refused_writes_leave_nothing_in_the_feed(client: TestClient, session: Session) -> None:
    t = make_tree(session)
    start = poll(client)["next_cursor"]
    new_unit(client, t["s1"], "TWICE")
    r = client.post(
        "/api/v1/units",
        json={"external_code": "TWICE", "name": "Trùng", "kind": "school", "parent_id": t["s1"].id},
    )
    assert r.status_code == 409
    assert [i["data"]["name"] for i in drain(client, start)] == ["Trường TWICE"]


def test_secrets_are_masked_as_in_the_audit_log(client: TestClient, session: Session) -> None:
    t = make_tree(session)
    start = poll(client)["next_cursor"]
    body = {
        "username": "dong.bo",
        "password": "mat-khau-bi-mat-2",
        "full_name": "Đồng Bộ",
        "roles": [{"role": "integration", "unit_id": t["s1"].id}],
    }
    assert client.post("/api/v1/users", json=body).status_code == 201
    key = client.post(
        "/api/v1/api-keys",
        json={"name": "Phần mềm", "role": "integration", "unit_id": t["s1"].id},
    )
    assert key.status_code == 201
    items = drain(client, start)
    by_resource = {i["resource"]: i for i in items}
    assert by_resource["app_user"]["data"]["password_hash"] == "***"
    assert by_resource["api_key"]["data"]["key_hash"] == "***"
    assert "mat-khau-bi-mat-2" not in str(items)
    assert key.json()["key"] not in str(items)


def test_scope_readers_see_their_subtree_only(
    client: TestClient, client_for: ClientFor, session: Session
) -> None:
    t = make_tree(session)
    start = poll(client)["next_cursor"]
    a = new_unit(client, t["s1"], "SCOPE-A")
    b = new_unit(client, t["s2"], "SCOPE-B")
    user = {"username": "pham.vi", "password": "mat-khau-dai-du-3", "full_name": "Phạm Vi"}
    assert client.post("/api/v1/users", json={**user, "roles": []}).status_code == 201

    def seen(role: Role, unit: Unit | None) -> set[tuple[str, int | None]]:
        return {(i["resource"], i["resource_id"]) for i in drain(client_for(role, unit), start)}

    for role in (Role.department_officer, Role.inspector, Role.integration, Role.unit_head):
        assert seen(role, t["d1"]) == {("unit", a["id"])}, role
    assert seen(Role.integration, t["d2"]) == {("unit", b["id"])}
    assert seen(Role.admin, t["so"]) == {("unit", a["id"]), ("unit", b["id"])}
    # accounts have no unit: only a system-wide admin sees them
    assert ("app_user", None) not in seen(Role.admin, t["so"])
    assert {r for r, _ in seen(Role.admin, None)} == {"unit", "app_user"}


def test_role_assignments_and_keys_only_for_those_who_manage_users(
    client: TestClient, client_for: ClientFor, session: Session
) -> None:
    t = make_tree(session)
    start = poll(client)["next_cursor"]
    key = {"name": "Khoá trường", "role": "integration", "unit_id": t["s1"].id}
    assert client.post("/api/v1/api-keys", json=key).status_code == 201

    def resources(role: Role) -> list[str]:
        return [i["resource"] for i in drain(client_for(role, t["d1"]), start)]

    assert resources(Role.department_officer) == ["api_key"]
    assert resources(Role.inspector) == []
    assert resources(Role.integration) == []


@pytest.mark.parametrize("role", [Role.staff, Role.organizer])
def test_roles_without_the_feed_get_403(
    client_for: ClientFor, session: Session, role: Role
) -> None:
    t = make_tree(session)
    r = client_for(role, t["s1"]).get(FEED)
    assert r.status_code == 403
    assert r.headers["content-type"] == "application/problem+json"


def test_a_transfer_out_of_scope_is_moved_out_without_data(
    client: TestClient, client_for: ClientFor, session: Session
) -> None:
    t = make_tree(session)
    person = make_staff(session, t["s1"])
    start = poll(client)["next_cursor"]
    url = f"/api/v1/staff/{person.id}"
    r = client.post(f"{url}/transfer", json={"unit_id": t["s2"].id}, headers=etag(client, url))
    assert r.status_code == 200, r.text

    def staff_items(unit: Unit) -> list[dict[str, Any]]:
        items = drain(client_for(Role.integration, unit), start, resource="staff")
        return [i for i in items if i["resource_id"] == person.id]

    [left] = staff_items(t["d1"])
    assert (left["op"], left["data"], left["unit_id"]) == ("moved_out", None, None)
    [arrived] = staff_items(t["d2"])
    assert arrived["op"] == "update"
    assert arrived["data"]["unit_id"] == t["s2"].id
    [both] = staff_items(t["so"])  # sees both sides: a plain update
    assert both["op"] == "update"
    assert left["id"] == arrived["id"] == both["id"]


def test_a_moved_unit_is_moved_out_for_its_old_parents_readers(
    client: TestClient, client_for: ClientFor, session: Session
) -> None:
    t = make_tree(session)
    start = poll(client)["next_cursor"]
    url = f"/api/v1/units/{t['s1'].id}"
    r = client.post(
        f"{url}/move",
        json={"new_parent_id": t["d2"].id, "reason": "Sắp xếp lại"},
        headers=etag(client, url),
    )
    assert r.status_code == 200, r.text
    old = drain(client_for(Role.integration, t["d1"]), start, resource="unit")
    assert [(i["op"], i["resource_id"]) for i in old] == [("moved_out", t["s1"].id)]
    new = drain(client_for(Role.integration, t["d2"]), start, resource="unit")
    assert [(i["op"], i["data"]["parent_id"]) for i in new] == [("update", t["d2"].id)]


def test_a_reader_that_sees_nothing_still_moves_forward(
    client: TestClient, client_for: ClientFor, session: Session
) -> None:
    """The cursor goes to the newest committed change, so an idle scope never rescans."""
    t = make_tree(session)
    start = poll(client)
    for n in range(3):
        new_unit(client, t["s2"], f"ELSEWHERE-{n}")
    newest = poll(client, start["next_cursor"])["items"][-1]["id"]
    page = poll(client_for(Role.integration, t["s1"]), start["next_cursor"])
    assert page["items"] == []
    assert page["next_cursor"] == encode_position(newest)


def test_limit_is_bounded_like_every_list(client: TestClient, session: Session) -> None:
    t = make_tree(session)
    start = poll(client)["next_cursor"]
    new_unit(client, t["s1"], "CAP")
    assert len(poll(client, start, limit=500)["items"]) == 1
    for limit in (0, 501):  # the contract's bounds, 1–500
        r = client.get(FEED, params={"limit": limit})
        assert r.status_code == 422
        assert r.json()["errors"][0]["loc"] == ["query", "limit"]


def move(client: TestClient, unit_id: int | None, parent_id: int | None) -> None:
    url = f"/api/v1/units/{unit_id}"
    body = {"new_parent_id": parent_id, "reason": "Sắp xếp lại đơn vị"}
    r = client.post(f"{url}/move", json=body, headers=etag(client, url))
    assert r.status_code == 200, r.text


def test_a_unit_move_carries_its_staff_out_of_and_into_scopes(
    client: TestClient, client_for: ClientFor, session: Session
) -> None:
    """Staff of a moved school leave the old district's mirror and arrive, with their full
    state, in the new one's; readers above both see plain updates."""
    t = make_tree(session)
    person = make_staff(session, t["s1"])
    start = poll(client)["next_cursor"]
    move(client, t["s1"].id, t["d2"].id)

    def staff_items(unit: Unit) -> list[dict[str, Any]]:
        items = drain(client_for(Role.integration, unit), start, resource="staff")
        return [i for i in items if i["resource_id"] == person.id]

    [left] = staff_items(t["d1"])
    assert (left["op"], left["data"]) == ("moved_out", None)
    [arrived] = staff_items(t["d2"])
    assert arrived["op"] == "update"
    assert arrived["data"]["unit_id"] == t["s1"].id
    [both] = staff_items(t["so"])
    assert both["op"] == "update"


def test_a_moved_district_carries_its_schools_along(
    client: TestClient, client_for: ClientFor, session: Session
) -> None:
    """A district moved under another unit: its schools change scope with it."""
    t = make_tree(session)
    start = poll(client)["next_cursor"]
    move(client, t["d1"].id, t["d2"].id)
    seen = drain(client_for(Role.integration, t["d2"]), start, resource="unit")
    assert {i["resource_id"] for i in seen if i["op"] == "update"} == {t["d1"].id, t["s1"].id}


def test_feed_data_is_the_rest_object(client: TestClient, session: Session) -> None:
    """No search columns, UTC with ``Z``: what GET on the resource answers."""
    t = make_tree(session)
    person = make_staff(session, t["s1"])
    start = poll(client)["next_cursor"]
    url = f"/api/v1/staff/{person.id}"
    r = client.patch(url, json={"full_name": "Nguyễn Thị Hoà"}, headers=etag(client, url))
    assert r.status_code == 200, r.text
    move(client, t["s1"].id, t["d2"].id)
    rest = client.get(url).json()
    for item in drain(client, start, resource="staff"):
        data = item["data"]
        assert "name_search" not in data
        assert {k: v for k, v in data.items() if k in rest} == {
            k: v for k, v in rest.items() if k in data
        }
        stamps = [v for k, v in data.items() if k.endswith("_at") and v]
        assert stamps
        assert all(v.endswith("Z") for v in stamps)


def test_resource_is_a_discriminator_in_the_contract(client: TestClient) -> None:
    """A generated client gets one variant per name, exactly those the feed carries."""
    schema = client.get("/openapi.json").json()["components"]["schemas"]["ChangeRead"]
    assert set(schema["discriminator"]["mapping"]) == resources()
