"""The audit log: every write and every refused attempt; append-only down to the database."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from app.audit.models import AuditLog
from app.auth.models import Role
from tests.conftest import ClientFor
from tests.factories import make_staff, make_tree, make_user


def entries(session: Session, **where: object) -> list[AuditLog]:
    stmt = select(AuditLog).order_by(AuditLog.id)
    for column, value in where.items():
        stmt = stmt.where(getattr(AuditLog, column) == value)
    return list(session.scalars(stmt))


def test_a_write_is_logged_with_actor_role_unit_path_and_diff(
    client_for: ClientFor, session: Session
) -> None:
    t = make_tree(session)
    person = make_staff(session, t["s1"], position="Giáo viên")
    officer = client_for(Role.department_officer, t["d1"])
    url = f"/api/v1/staff/{person.id}"
    r = officer.patch(
        url,
        json={"position": "Tổ trưởng"},
        headers={"If-Match": officer.get(url).headers["etag"], "X-Request-ID": "req-audit-1"},
    )
    assert r.status_code == 200
    [row] = entries(session, request_id="req-audit-1")
    assert row.outcome == "success"
    assert row.action == "staff-update"
    assert row.change == "update"
    assert (row.target_type, row.target_id) == ("staff", person.id)
    assert row.auth_method == "password"
    assert (row.acting_role, row.acting_unit_id) == ("department_officer", t["d1"].id)
    assert row.target_unit_path == f"/{t['so'].id}/{t['d1'].id}/{t['s1'].id}/"
    assert row.before is not None
    assert row.after is not None
    assert (row.before["position"], row.after["position"]) == ("Giáo viên", "Tổ trưởng")
    assert row.client_ip
    assert row.at.tzinfo is not None


def test_secrets_are_masked(client: TestClient, session: Session) -> None:
    t = make_tree(session)
    body = {
        "username": "an.toan",
        "password": "mat-khau-bi-mat-1",
        "full_name": "An Toàn",
        "roles": [{"role": "staff", "unit_id": t["s1"].id}],
    }
    r = client.post("/api/v1/users", json=body, headers={"X-Request-ID": "req-mask"})
    assert r.status_code == 201
    rows = entries(session, request_id="req-mask")
    assert {row.target_type for row in rows} == {"app_user", "role_assignment"}
    user_row = next(row for row in rows if row.target_type == "app_user")
    assert user_row.after is not None
    assert user_row.after["password_hash"] == "***"
    assert "mat-khau-bi-mat-1" not in str([row.after for row in rows])


def test_a_refused_attempt_is_logged_and_changes_nothing(
    client_for: ClientFor, session: Session
) -> None:
    t = make_tree(session)
    person = make_staff(session, t["s1"], position="Giáo viên")
    inspector = client_for(Role.inspector, t["d1"])
    url = f"/api/v1/staff/{person.id}"
    r = inspector.patch(
        url,
        json={"position": "Hiệu trưởng"},
        headers={"If-Match": inspector.get(url).headers["etag"], "X-Request-ID": "req-no"},
    )
    assert r.status_code == 403
    [row] = entries(session, request_id="req-no")
    assert (row.outcome, row.status_code, row.error_code) == ("refused", 403, "forbidden")
    assert (row.target_type, row.target_id) == ("staff", person.id)
    assert row.actor_name is not None
    session.refresh(person)
    assert person.position == "Giáo viên"


def test_unauthenticated_write_attempt_is_logged(anon: TestClient, session: Session) -> None:
    r = anon.post("/api/v1/units", json={"name": "x"}, headers={"X-Request-ID": "req-anon"})
    assert r.status_code == 401
    [row] = entries(session, request_id="req-anon")
    assert (row.outcome, row.status_code, row.actor_user_id) == ("refused", 401, None)


def test_audit_log_readers_are_scoped(client_for: ClientFor, session: Session) -> None:
    t = make_tree(session)
    officer = client_for(Role.department_officer, t["d1"])
    url = f"/api/v1/units/{t['s1'].id}"
    officer.patch(
        url, json={"name": "Tên mới"}, headers={"If-Match": officer.get(url).headers["etag"]}
    )
    mine = client_for(Role.inspector, t["d1"]).get(
        "/api/v1/audit-log", params={"target_type": "unit", "target_id": t["s1"].id}
    )
    assert mine.status_code == 200
    assert [e["action"] for e in mine.json()["items"]] == ["units-update"]
    sibling = client_for(Role.inspector, t["d2"]).get(
        "/api/v1/audit-log", params={"target_type": "unit", "target_id": t["s1"].id}
    )
    assert sibling.json()["items"] == []
    assert client_for(Role.unit_head, t["d1"]).get("/api/v1/audit-log").status_code == 403


def test_audit_log_has_no_write_path(client: TestClient) -> None:
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        assert client.request(method, "/api/v1/audit-log").status_code == 405
        assert client.request(method, "/api/v1/audit-log/1").status_code in (404, 405)


def test_database_refuses_update_and_delete_of_audit_rows(
    client: TestClient, session: Session
) -> None:
    """On PostgreSQL (and SQLite) a direct UPDATE or DELETE of an audit row fails."""
    make_user(session, [])
    t = make_tree(session)
    url = f"/api/v1/units/{t['s1'].id}"
    client.patch(url, json={"name": "x"}, headers={"If-Match": client.get(url).headers["etag"]})
    row_id = session.scalar(select(AuditLog.id).order_by(AuditLog.id.desc()))
    for statement in (
        "UPDATE audit_log SET outcome = 'success', actor_name = 'ai đó' WHERE id = :id",
        "DELETE FROM audit_log WHERE id = :id",
    ):
        with pytest.raises(DBAPIError, match="append-only"), session.begin_nested():
            session.execute(text(statement), {"id": row_id})
    assert session.get(AuditLog, row_id) is not None
