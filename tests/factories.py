"""Small typed factories: build through the services, flush, return the object."""

import itertools
from functools import lru_cache
from typing import Any

from sqlmodel import Session

from app.auth.actor import system_actor
from app.auth.grant_cache import CACHE
from app.auth.models import Role, RoleAssignment, User
from app.core.security import create_access_token, hash_password
from app.staff.models import Staff, StaffCategory
from app.staff.schemas import StaffCreate
from app.staff.service import create_staff
from app.units.models import Unit, UnitKind
from app.units.schemas import UnitCreate
from app.units.service import create_unit

_seq = itertools.count(1)
SYSTEM = system_actor("tests")


def make_unit(
    session: Session, parent: Unit | None = None, kind: UnitKind = UnitKind.school, **kw: Any
) -> Unit:
    n = next(_seq)
    data = {
        "external_code": f"U{n:06d}",
        "name": f"Trường thử nghiệm số {n}",
        "kind": kind,
        "parent_id": parent.id if parent else None,
        **kw,
    }
    return create_unit(session, SYSTEM, UnitCreate(**data))


def make_staff(session: Session, unit: Unit, **kw: Any) -> Staff:
    n = next(_seq)
    data = {
        "external_code": f"S{n:06d}",
        "full_name": f"Nguyễn Văn Thử {n}",
        "unit_id": unit.id,
        "category": StaffCategory.teacher,
        **kw,
    }
    return create_staff(session, SYSTEM, StaffCreate(**data))


def make_tree(session: Session) -> dict[str, Unit]:
    """Sở → two district offices → a school each, plus a school directly under the Sở."""
    so = make_unit(session, kind=UnitKind.department, name="Sở GD&ĐT thử nghiệm")
    d1 = make_unit(session, so, UnitKind.district_office, name="Phòng GD&ĐT A")
    d2 = make_unit(session, so, UnitKind.district_office, name="Phòng GD&ĐT B")
    return {
        "so": so,
        "d1": d1,
        "d2": d2,
        "s1": make_unit(session, d1, name="Trường THCS A1"),
        "s2": make_unit(session, d2, name="Trường THCS B1"),
        "thpt": make_unit(session, so, name="Trường THPT trực thuộc Sở"),
    }


PASSWORD = "mat-khau-thu-nghiem"


@lru_cache
def _password_hash() -> str:
    return hash_password(PASSWORD)  # argon2 is slow on purpose: hash once per run


def make_user(
    session: Session,
    grants: list[tuple[Role, Unit | None]] = (),  # type: ignore[assignment]
    staff: Staff | None = None,
    **kw: Any,
) -> User:
    n = next(_seq)
    user = User(
        username=kw.pop("username", f"user{n}"),
        password_hash=_password_hash(),
        full_name=kw.pop("full_name", f"Người dùng {n}"),
        staff_id=staff.id if staff else None,
        **kw,
    )
    session.add(user)
    session.flush()
    for role, unit in grants:
        session.add(
            RoleAssignment(user_id=user.id or 0, role=role, unit_id=unit.id if unit else None)
        )
    session.flush()
    return user


def auth_headers(user: User, minutes: int | None = None) -> dict[str, str]:
    token, _ = create_access_token(user.id or 0, user.password_hash, minutes)
    return {"Authorization": f"Bearer {token}"}


def issue_api_key(client: Any, engine: Any) -> tuple[str, int]:
    """An integration key over a new committed unit, created through the API by ``client``
    (an admin on the real engine): (the key as shown once, its id)."""
    with Session(engine) as s:
        unit_id = make_unit(s).id
        s.commit()
    body = {"name": "Phần mềm quản lý trường", "role": "integration", "unit_id": unit_id}
    r = client.post("/api/v1/api-keys", json=body)
    assert r.status_code == 201, r.text
    return r.json()["key"], r.json()["id"]


def read_with_cached_grants(
    client: Any, url: str, statements: list[Any], headers: dict[str, str] | None = None
) -> Any:
    """The read, sent while the worker holds the caller's grants, with ``statements`` holding
    what it sent. On PostgreSQL the setup's commit reaches the worker's listener
    asynchronously (one notification per table it touched): one that lands between two reads
    rightly empties the cache, so read again until no change of grants came in between."""
    for _ in range(50):
        client.get(url, headers=headers)  # loads the grants if a notification dropped them
        generation = CACHE.generation
        if not CACHE.entries:  # the load was overtaken by a notification: not kept
            continue
        statements.clear()
        answer = client.get(url, headers=headers)
        if CACHE.generation == generation:
            return answer
    raise AssertionError("the grant notifications never settled")
