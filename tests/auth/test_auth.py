"""Login, tokens, API keys, role grants, scope rules and bootstrap."""

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import Connection, event, func, select
from sqlmodel import Session

from app.auth.models import ApiKey, Role, User
from app.core.config import Settings
from app.core.security import create_access_token
from tests.conftest import ClientFor
from tests.factories import PASSWORD, auth_headers, make_staff, make_tree, make_unit, make_user


def login(anon: TestClient, username: str, password: str = PASSWORD) -> Any:
    return anon.post("/api/v1/auth/token", data={"username": username, "password": password})


class TestLogin:
    def test_login_then_me(self, anon: TestClient, session: Session) -> None:
        t = make_tree(session)
        person = make_staff(session, t["s1"])
        make_user(session, [(Role.unit_head, t["s1"])], staff=person, username="hieutruong.a1")
        r = login(anon, "hieutruong.a1")
        assert r.status_code == 200
        token = r.json()
        assert token["token_type"] == "bearer"
        assert token["expires_in"] == 15 * 60
        me = anon.get(
            "/api/v1/me", headers={"Authorization": f"Bearer {token['access_token']}"}
        ).json()
        assert me["auth_method"] == "password"
        assert me["user"]["username"] == "hieutruong.a1"
        assert me["staff"]["id"] == person.id
        assert me["roles"] == [{"role": "unit_head", "unit_id": t["s1"].id, "event_id": None}]
        assert "password_hash" not in str(me)

    def test_wrong_password_and_unknown_user_look_the_same(
        self, anon: TestClient, session: Session
    ) -> None:
        make_user(session, [], username="co.that")
        wrong = login(anon, "co.that", "sai-mat-khau")
        unknown = login(anon, "khong.co", "sai-mat-khau")
        assert wrong.status_code == unknown.status_code == 401
        assert wrong.json()["code"] == unknown.json()["code"] == "invalid_credentials"

    def test_repeated_failures_are_throttled_with_retry_after(
        self, anon: TestClient, session: Session
    ) -> None:
        make_user(session, [], username="bi.do")
        for _ in range(5):
            assert login(anon, "bi.do", "doan-thu").status_code == 401
        r = login(anon, "bi.do")  # even the right password waits now
        assert r.status_code == 429
        assert r.json()["code"] == "too_many_attempts"
        assert 0 < int(r.headers["retry-after"]) <= 300
        assert login(anon, "nguoi.khac", "doan-thu").status_code == 401

    def test_inactive_user_cannot_log_in_and_its_token_stops_working(
        self, anon: TestClient, session: Session
    ) -> None:
        user = make_user(session, [(Role.admin, None)], username="da.nghi")
        headers = auth_headers(user)
        assert anon.get("/api/v1/me", headers=headers).status_code == 200
        user.is_active = False
        session.flush()
        assert login(anon, "da.nghi").status_code == 401
        assert anon.get("/api/v1/me", headers=headers).status_code == 401

    def test_token_signed_with_another_key_is_refused(
        self, anon: TestClient, session: Session, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        import jwt

        user = make_user(session, [(Role.admin, None)])
        forged = jwt.encode(
            {"sub": str(user.id), "exp": 9999999999, "iat": 0, "typ": "access"},
            "not-our-secret-but-long-enough-for-hs256",
            algorithm="HS256",
        )
        r = anon.get("/api/v1/me", headers={"Authorization": f"Bearer {forged}"})
        assert r.status_code == 401
        assert r.json()["code"] == "invalid_token"
        none_alg = jwt.encode(
            {"sub": str(user.id), "exp": 9999999999, "iat": 0}, None, algorithm="none"
        )
        assert (
            anon.get("/api/v1/me", headers={"Authorization": f"Bearer {none_alg}"}).status_code
            == 401
        )


def test_settings_refuse_the_default_secret_outside_development(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("BDTX_SECRET_KEY", raising=False)
    with pytest.raises(ValidationError, match="BDTX_SECRET_KEY"):
        Settings(env="production")
    assert Settings(env="development").env == "development"


class TestApiKeys:
    def test_key_is_shown_once_stored_hashed_and_revocable(
        self, client: TestClient, anon: TestClient, session: Session
    ) -> None:
        unit = make_unit(session)
        r = client.post(
            "/api/v1/api-keys",
            json={"name": "Phần mềm quản lý trường", "role": "integration", "unit_id": unit.id},
        )
        assert r.status_code == 201
        key = r.json()["key"]
        assert key.startswith("bdtx_")
        assert "key" not in client.get(r.headers["location"]).json()
        stored = session.get(ApiKey, r.json()["id"])
        assert stored is not None
        assert key not in (stored.key_hash, stored.prefix)
        for headers in ({"X-API-Key": key}, {"Authorization": f"Bearer {key}"}):
            me = anon.get("/api/v1/me", headers=headers)
            assert me.status_code == 200
            assert me.json()["auth_method"] == "api_key"
        session.refresh(stored)
        assert stored.last_used_at is not None
        assert client.post(f"{r.headers['location']}/revoke").status_code == 200
        assert anon.get("/api/v1/me", headers={"X-API-Key": key}).status_code == 401

    def test_key_acts_only_within_its_unit(
        self, client: TestClient, anon: TestClient, session: Session
    ) -> None:
        t = make_tree(session)
        key = client.post(
            "/api/v1/api-keys",
            json={"name": "Hệ thống phòng A", "role": "integration", "unit_id": t["d1"].id},
        ).json()["key"]
        headers = {"X-API-Key": key}
        inside = make_staff(session, t["s1"])
        outside = make_staff(session, t["s2"])
        assert anon.get(f"/api/v1/staff/{inside.id}", headers=headers).status_code == 200
        assert anon.get(f"/api/v1/staff/{outside.id}", headers=headers).status_code == 404


class TestGrants:
    def test_nobody_grants_a_role_wider_than_their_own(
        self, client_for: ClientFor, session: Session
    ) -> None:
        t = make_tree(session)
        officer = client_for(Role.department_officer, t["d1"])
        target = make_user(session, [(Role.staff, t["s1"])])
        url = f"/api/v1/users/{target.id}/roles"
        too_high = officer.post(url, json={"role": "admin", "unit_id": t["d1"].id})
        assert too_high.status_code == 403
        assert too_high.json()["code"] == "role_too_wide"
        above = officer.post(url, json={"role": "unit_head", "unit_id": t["so"].id})
        assert above.status_code == 404  # the Sở is outside the officer's subtree
        system_wide = officer.post(url, json={"role": "admin", "unit_id": None})
        assert system_wide.status_code == 403
        ok = officer.post(url, json={"role": "unit_head", "unit_id": t["s1"].id})
        assert ok.status_code == 201
        again = officer.post(url, json={"role": "unit_head", "unit_id": t["s1"].id})
        assert again.status_code == 409

    def test_unit_head_manages_staff_but_not_users(
        self, client_for: ClientFor, session: Session
    ) -> None:
        t = make_tree(session)
        head = client_for(Role.unit_head, t["s1"])
        person = make_staff(session, t["s1"])
        etag = head.get(f"/api/v1/staff/{person.id}").headers["etag"]
        r = head.patch(
            f"/api/v1/staff/{person.id}", json={"position": "Tổ phó"}, headers={"If-Match": etag}
        )
        assert r.status_code == 200
        body = {
            "username": "moi.tao",
            "password": "mat-khau-dai-qua",
            "full_name": "Người mới",
            "roles": [{"role": "staff", "unit_id": t["s1"].id}],
        }
        assert head.post("/api/v1/users", json=body).status_code == 403


class TestScope:
    def test_staff_role_sees_only_own_record_and_cannot_edit_it(
        self, client_for: ClientFor, session: Session
    ) -> None:
        t = make_tree(session)
        me = make_staff(session, t["s1"])
        colleague = make_staff(session, t["s1"])
        caller = client_for(Role.staff, t["s1"], staff=me)
        own = caller.get(f"/api/v1/staff/{me.id}")
        assert own.status_code == 200
        assert caller.get(f"/api/v1/staff/{colleague.id}").status_code == 404
        listed = {s["id"] for s in caller.get("/api/v1/staff").json()["items"]}
        assert listed == {me.id}
        assert caller.get(f"/api/v1/units/{t['s1'].id}").status_code == 200
        assert caller.get(f"/api/v1/units/{t['s2'].id}").status_code == 404
        r = caller.patch(
            f"/api/v1/staff/{me.id}",
            json={"position": "Hiệu trưởng"},
            headers={"If-Match": own.headers["etag"]},
        )
        assert r.status_code == 403

    def test_stale_if_match_out_of_scope_is_404_not_412(
        self, client_for: ClientFor, session: Session
    ) -> None:
        t = make_tree(session)
        person = make_staff(session, t["s2"])
        caller = client_for(Role.department_officer, t["d1"])
        r = caller.patch(
            f"/api/v1/staff/{person.id}", json={"position": "x"}, headers={"If-Match": '"99"'}
        )
        assert r.status_code == 404

    def test_transfer_checks_source_and_destination(
        self, client_for: ClientFor, session: Session
    ) -> None:
        t = make_tree(session)
        person = make_staff(session, t["s1"])
        # sees the destination (inspector there) but may not manage it
        caller = client_for(Role.department_officer, t["d1"])
        from app.auth.models import RoleAssignment

        holder = session.scalars(select(User).order_by(User.id.desc())).first()
        assert holder is not None
        session.add(RoleAssignment(user_id=holder.id or 0, role=Role.inspector, unit_id=t["d2"].id))
        session.flush()
        url = f"/api/v1/staff/{person.id}"
        etag = {"If-Match": caller.get(url).headers["etag"]}
        r = caller.post(f"{url}/transfer", json={"unit_id": t["s2"].id}, headers=etag)
        assert r.status_code == 403
        hidden = client_for(Role.department_officer, t["d1"])
        r = hidden.post(f"{url}/transfer", json={"unit_id": t["s2"].id}, headers=etag)
        assert r.status_code == 404
        assert session.get(type(person), person.id).unit_id == t["s1"].id  # type: ignore[union-attr]

    def test_move_checks_source_and_destination(
        self, client_for: ClientFor, session: Session
    ) -> None:
        t = make_tree(session)
        caller = client_for(Role.department_officer, t["d1"])
        url = f"/api/v1/units/{t['s1'].id}"
        etag = {"If-Match": caller.get(url).headers["etag"]}
        r = caller.post(
            f"{url}/move", json={"new_parent_id": t["d2"].id, "reason": "x"}, headers=etag
        )
        assert r.status_code == 404
        r = caller.post(f"{url}/move", json={"new_parent_id": None, "reason": "x"}, headers=etag)
        assert r.status_code == 403

    def test_scope_query_does_not_grow_with_the_tree(
        self, client_for: ClientFor, session: Session, connection: Connection
    ) -> None:
        t = make_tree(session)
        for _ in range(150):
            make_staff(session, make_unit(session, t["d1"]))
        caller = client_for(Role.department_officer, t["d1"])
        params: list[int] = []

        def count_params(*args: Any) -> None:
            parameters = args[3]
            params.append(len(parameters) if hasattr(parameters, "__len__") else 0)

        event.listen(connection, "before_cursor_execute", count_params)
        try:
            r = caller.get("/api/v1/staff", params={"limit": 500})
        finally:
            event.remove(connection, "before_cursor_execute", count_params)
        assert len(r.json()["items"]) == 150
        assert max(params) <= 8, "a statement binds a parameter per unit"


class TestPatchGuards:
    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("unit_id", 1),
            ("version", 7),
            ("created_at", "2020-01-01T00:00:00Z"),
            ("id", 5),
        ],
    )
    def test_staff_patch_refuses_non_writable_fields(
        self, client: TestClient, session: Session, field: str, value: Any
    ) -> None:
        person = make_staff(session, make_unit(session))
        url = f"/api/v1/staff/{person.id}"
        before = client.get(url)
        r = client.patch(
            url,
            json={field: value, "position": "Mới"},
            headers={"If-Match": before.headers["etag"]},
        )
        assert r.status_code == 422
        assert ["body", field] in [e["loc"] for e in r.json()["errors"]]
        assert client.get(url).json() == before.json()

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("role", "admin"),
            ("username", "doi.ten"),
            ("version", 3),
            ("created_at", "2020-01-01T00:00:00Z"),
            ("unit_id", 1),
        ],
    )
    def test_user_patch_refuses_non_writable_fields(
        self, client: TestClient, session: Session, field: str, value: Any
    ) -> None:
        target = make_user(session, [])
        url = f"/api/v1/users/{target.id}"
        before = client.get(url)
        r = client.patch(url, json={field: value}, headers={"If-Match": before.headers["etag"]})
        assert r.status_code == 422
        assert client.get(url).json() == before.json()


def test_user_changes_own_password_but_not_own_status(anon: TestClient, session: Session) -> None:
    me = make_user(session, [(Role.inspector, make_unit(session))], username="tu.doi")
    headers = auth_headers(me)
    url = f"/api/v1/users/{me.id}"
    etag = anon.get(url, headers=headers).headers["etag"]
    r = anon.patch(
        url, json={"password": "mat-khau-moi-dai"}, headers={**headers, "If-Match": etag}
    )
    assert r.status_code == 200
    fresh = login(anon, "tu.doi", "mat-khau-moi-dai")
    assert fresh.status_code == 200
    # the change ended the old token (README); the new one carries on
    headers = {"Authorization": f"Bearer {fresh.json()['access_token']}"}
    r = anon.patch(
        url, json={"is_active": False}, headers={**headers, "If-Match": r.headers["etag"]}
    )
    assert r.status_code == 403


def test_bootstrap_admin_is_created_once(
    monkeypatch: pytest.MonkeyPatch, fresh_database_url: Callable[[], str]
) -> None:
    from alembic import command

    from app.core import config, db
    from app.core.db import make_engine
    from app.core.migrate import alembic_config
    from app.main import bootstrap_admin

    url = fresh_database_url()
    engine = make_engine(url)
    with engine.begin() as conn:
        command.upgrade(alembic_config(connection=conn), "head")
    monkeypatch.setenv("BDTX_DATABASE_URL", url)
    monkeypatch.setenv("BDTX_ADMIN_USERNAME", "quantri")
    monkeypatch.setenv("BDTX_ADMIN_PASSWORD", "mat-khau-quan-tri")
    config.get_settings.cache_clear()
    db.get_engine.cache_clear()
    try:
        bootstrap_admin()
        bootstrap_admin()
        with Session(engine) as s:
            assert s.scalar(select(func.count()).select_from(User)) == 1
        token = create_access_token(1, "argon2-hash")[0]
        assert token
    finally:
        monkeypatch.undo()
        config.get_settings.cache_clear()
        db.get_engine().dispose()
        db.get_engine.cache_clear()
        engine.dispose()


def test_create_admin_command(
    monkeypatch: pytest.MonkeyPatch,
    fresh_database_url: Callable[[], str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    import io

    from app.cli import main
    from app.core import config, db

    url = fresh_database_url()
    monkeypatch.setenv("BDTX_DATABASE_URL", url)
    monkeypatch.setattr("sys.stdin", io.StringIO("mat-khau-dong-lenh\n"))
    config.get_settings.cache_clear()
    db.get_engine.cache_clear()
    try:
        assert main(["create-admin", "quantri2"]) == 0
        monkeypatch.setattr("sys.stdin", io.StringIO("mat-khau-dong-lenh\n"))
        assert main(["create-admin", "quantri2"]) == 1
        with Session(db.get_engine()) as s:
            user = s.scalar(select(User).where(User.username == "quantri2"))
            assert user is not None
            assert user.password_hash.startswith("$argon2")
    finally:
        db.get_engine().dispose()
        monkeypatch.undo()
        config.get_settings.cache_clear()
        db.get_engine.cache_clear()
    assert "quantri2" in capsys.readouterr().out


def test_a_remembered_token_still_expires(monkeypatch: pytest.MonkeyPatch) -> None:
    """Verified tokens are remembered (app.core.security); their expiry is not."""
    import time

    from app.core import security

    token, ttl = security.create_access_token(7, "argon2-hash", minutes=1)
    assert security.decode_access_token(token) is not None  # now remembered
    later = time.time() + ttl + 1
    monkeypatch.setattr(security.time, "time", lambda: later)
    assert security.decode_access_token(token) is None
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert security.decode_access_token(tampered) is None
