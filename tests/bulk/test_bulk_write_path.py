"""The driver's bulk path (``app.core.driver``: COPY on PostgreSQL, one executemany on SQLite)
writes what the ordinary statements write: the rows, their ids in order, one audit row and
one feed row per created object with the same content."""

from datetime import datetime
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlmodel import Session, col

from app.audit.models import AuditLog
from app.changes.models import Change
from app.core.driver import MANY
from app.staff.models import Staff, StaffAssignment
from tests.factories import make_unit

URL = "/api/v1/staff/bulk"


def feed_view(state: dict[str, Any] | None) -> dict[str, Any] | None:
    from app.changes.service import _public

    return _public(state)


def _rows(prefix: str, unit_code: str, n: int) -> list[dict[str, Any]]:
    return [
        {
            "external_code": f"{prefix}-{i:03d}",
            "full_name": f"Nguyễn Thị Thử {i}",
            "unit_external_code": unit_code,
            "category": "teacher",
            "date_of_birth": "1985-09-02",
            "gender": "female",
            "subjects": ["Toán"],
        }
        for i in range(n)
    ]


def _import(client: TestClient, session: Session, rows: list[dict[str, Any]], rid: str) -> Any:
    r = client.post(URL, json=rows, headers={"X-Request-ID": rid})
    assert r.status_code == 200, r.text
    session.expire_all()
    return r.json()


def _audit(session: Session, rid: str, target: str) -> list[AuditLog]:
    stmt = select(AuditLog).where(
        col(AuditLog.request_id) == rid, col(AuditLog.target_type) == target
    )
    return list(session.scalars(stmt.order_by(col(AuditLog.id))))


def _shape(entry: AuditLog) -> dict[str, Any]:
    """What does not depend on the row: keys, value types, the request's fields."""
    after = entry.after or {}
    return {
        "keys": list(after),
        "types": {k: type(v).__name__ for k, v in after.items()},
        "fields": (entry.change, entry.outcome, entry.status_code, entry.action),
        "unit": (entry.target_unit_id, entry.target_unit_path),
        "actor": (entry.actor_user_id, entry.auth_method, entry.acting_role),
    }


def test_many_rows_write_what_a_few_rows_write(client: TestClient, session: Session) -> None:
    unit = make_unit(session)
    small = _import(client, session, _rows("FEW", unit.external_code, 2), "few")
    big = _import(client, session, _rows("MANY", unit.external_code, MANY + 10), "many")

    ids = [r["id"] for r in big["rows"]]
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)
    stored = {s.id: s for s in session.scalars(select(Staff).where(col(Staff.id).in_(ids)))}
    assert [stored[i].external_code for i in ids] == [r["external_code"] for r in big["rows"]]
    links = session.scalars(
        select(StaffAssignment).where(col(StaffAssignment.staff_id).in_(ids))
    ).all()
    assert sorted(a.staff_id for a in links) == ids
    assert all(a.unit_id == unit.id and a.ended_at is None for a in links)

    for target in ("staff", "staff_assignment"):
        few, many = _audit(session, "few", target), _audit(session, "many", target)
        assert len(few) == 2
        assert len(many) == len(ids)
        assert _shape(many[0]) == _shape(few[0])
        assert all(_shape(a) == _shape(many[0]) for a in many)
    audited = _audit(session, "many", "staff")
    assert [a.target_id for a in audited] == ids
    for entry in audited:
        person = stored[entry.target_id or 0]
        after = entry.after or {}
        assert after["id"] == person.id
        assert after["full_name"] == person.full_name
        assert after["subjects"] == ["Toán"]
        assert after["date_of_birth"] == "1985-09-02"
        assert datetime.fromisoformat(after["created_at"]) == person.created_at
        assert after["version"] == 1
        assert after["category"] == "teacher"
    assert {a.at for a in audited} == {audited[0].at}

    fed = list(
        session.scalars(
            select(Change)
            .where(col(Change.resource) == "staff", col(Change.resource_id).in_(ids))
            .order_by(col(Change.id))
        )
    )
    assert [c.resource_id for c in fed] == ids
    # the feed carries the REST view of the audited state: no search columns, UTC as Z
    assert [c.data for c in fed] == [feed_view(a.after) for a in audited]
    assert all(c.op == "create" and c.version == 1 and c.unit_id == unit.id for c in fed)
    assert {c.committed_at for c in fed} == {fed[0].committed_at}
    few_fed = session.scalars(
        select(Change).where(
            col(Change.resource) == "staff", col(Change.resource_id) == small["rows"][0]["id"]
        )
    ).one()
    assert list(few_fed.data or {}) == list(fed[0].data or {})
