"""`bdtx seed-demo`: the province as it is (2024-2025 closed before the 2025 reorganisation,
the current year in progress), each account's first action works, a second run changes
nothing."""

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlmodel import Session

from app.auth.models import User
from app.core import config, db
from app.core.school_year import school_year_of
from app.demo import FIRST_ACTIONS
from app.events.models import Event

YEAR = school_year_of(datetime.now(UTC))


@pytest.fixture(scope="module")
def demo(fresh_database_url: Callable[[], str]) -> Iterator[TestClient]:
    from app.cli import main
    from app.main import create_app

    patch = pytest.MonkeyPatch()
    patch.setenv("BDTX_DATABASE_URL", fresh_database_url())
    config.get_settings.cache_clear()
    db.get_engine.cache_clear()
    db.get_write_engine.cache_clear()
    try:
        assert main(["seed-demo"]) == 0
        assert main(["seed-demo"]) == 0  # the second run changes nothing
        with TestClient(create_app()) as client:
            yield client
    finally:
        db.get_engine().dispose()
        patch.undo()
        config.get_settings.cache_clear()
        db.get_engine.cache_clear()
        db.get_write_engine.cache_clear()


def login(client: TestClient, username: str) -> dict[str, str]:
    from app.demo import DEMO_PASSWORD

    r = client.post("/api/v1/auth/token", data={"username": username, "password": DEMO_PASSWORD})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def get(client: TestClient, who: dict[str, str], url: str, **params: Any) -> Any:
    r = client.get(url, headers=who, params=params)
    assert r.status_code == 200, r.text
    return r.json()


def if_match(client: TestClient, who: dict[str, str], url: str) -> dict[str, str]:
    return {**who, "If-Match": client.get(url, headers=who).headers["ETag"]}


def test_demo_tells_the_story(demo: TestClient) -> None:
    with Session(db.get_engine()) as s:
        demo_users = s.scalars(select(User).where(User.username.in_(FIRST_ACTIONS))).all()
        assert len(demo_users) == len(FIRST_ACTIONS) == 8
        assert all(" " in u.full_name and u.full_name != u.username for u in demo_users)
        years = dict(s.execute(select(Event.school_year, Event.status)).all())
    assert years["2024-2025"] == "closed"
    admin = login(demo, "admin")
    moves = get(demo, admin, "/api/v1/units", external_code="THCS-TP")["items"][0]
    assert moves["name"] == "Trường THCS Tân Phú"
    history = get(demo, admin, f"/api/v1/units/{moves['id']}/moves")["items"]
    assert history[0]["reason"].startswith("Sắp xếp đơn vị hành chính từ 01/07/2025")
    results = get(demo, admin, "/api/v1/bdtx/results", school_year="2024-2025")["items"]
    assert results
    assert all(r["status"] == "finalised" for r in results)
    assert get(demo, admin, "/api/v1/bdtx/certificates")["items"]


def test_admin_first_action_creates_an_account(demo: TestClient) -> None:
    who = login(demo, "admin")
    staff = get(demo, who, "/api/v1/staff", q="hoang duc thang")["items"][0]
    body = {
        "username": "hoangducthang.thcstp",
        "password": "Mật-khẩu-mới-2026",
        "full_name": staff["full_name"],
        "staff_id": staff["id"],
        "roles": [{"role": "staff", "unit_id": staff["unit_id"]}],
    }
    r = demo.post("/api/v1/users", json=body, headers=who)
    assert r.status_code == 201, r.text


def test_department_officer_first_action_approves_the_waiting_event(demo: TestClient) -> None:
    who = login(demo, "so.canbo")
    waiting = get(demo, who, "/api/v1/external-events", status="submitted")["items"]
    assert len(waiting) == 1
    url = f"/api/v1/external-events/{waiting[0]['id']}"
    body = {
        "document_number": "2451/SGDĐT-GDTrH",
        "document_on": (datetime.now(UTC) + timedelta(hours=7)).date().isoformat(),
        "signer_name": "Phạm Thị Ngọc Diệp",
    }
    r = demo.post(f"{url}/approve", json=body, headers=if_match(demo, who, url))
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "approved"


def test_ward_officer_first_action_reads_the_reorganisation(demo: TestClient) -> None:
    who = login(demo, "phuong.dongxoai")
    school = get(demo, who, "/api/v1/units", external_code="THCS-TP")["items"][0]
    moves = get(demo, who, f"/api/v1/units/{school['id']}/moves")["items"]
    assert len(moves) == 1
    assert moves[0]["moved_at"].startswith("2025-06-30T17:00:00")
    staff = get(demo, who, "/api/v1/staff", unit_id=school["id"])["items"]
    assert {"Lê Thị Hồng Vân", "Nguyễn Thị Thu Hà"} <= {s["full_name"] for s in staff}


def test_unit_head_first_action_fills_the_open_quota(demo: TestClient) -> None:
    who = login(demo, "hieutruong.thcstp")
    event = get(demo, who, "/api/v1/events", status="summoned")["items"][0]
    to_fill = get(demo, who, f"/api/v1/events/{event['id']}/to-fill")["items"]
    assert to_fill[0]["remaining"] == 1
    khoa = get(demo, who, "/api/v1/staff", q="tran minh khoa")["items"][0]
    body = {"staff_id": khoa["id"], "requirement_id": to_fill[0]["requirement_id"]}
    r = demo.post(f"/api/v1/events/{event['id']}/nominations", json=body, headers=who)
    assert r.status_code == 201, r.text
    # the letter and the plan waiting for the head are there too
    assert get(demo, who, "/api/v1/absence-excuses", status="submitted")["items"]
    assert get(demo, who, "/api/v1/bdtx/personal-plans", status="submitted")["items"]


def test_teacher_first_action_starts_the_bdtx_cycle(demo: TestClient) -> None:
    who = login(demo, "giaovien.thcstp")
    me = get(demo, who, "/api/v1/me")
    modules = get(demo, who, "/api/v1/bdtx/modules", limit=500)["items"]
    codes = [m["code"] for m in modules if m["code"].endswith(YEAR[:4])]
    assert len(codes) == 3
    body = {"staff_id": me["staff"]["id"], "school_year": YEAR, "module_codes": codes}
    r = demo.post("/api/v1/bdtx/personal-plans", json=body, headers=who)
    assert r.status_code == 201, r.text


def test_organiser_first_action_summons_the_draft(demo: TestClient) -> None:
    who = login(demo, "tochuc.so")
    draft = get(demo, who, "/api/v1/events", status="draft")["items"][0]
    url = f"/api/v1/events/{draft['id']}"
    r = demo.post(
        f"{url}/summon", json={"summons_number": "230/GTT-SGDĐT"}, headers=if_match(demo, who, url)
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "summoned"


def test_inspector_first_action_reads_last_years_report(demo: TestClient) -> None:
    who = login(demo, "thanhtra.so")
    report = get(demo, who, "/api/v1/reports/bdtx", school_year="2024-2025")
    assert sum(u["finalised"] for u in report["units"]) == 14  # Tân Phú and An Lộc


def test_integration_first_action_reads_the_feed(demo: TestClient) -> None:
    who = login(demo, "tichhop.dongxoai")
    assert "next_cursor" in get(demo, who, "/api/v1/changes")
