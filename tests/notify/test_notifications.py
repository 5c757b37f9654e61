"""Notifications from the change feed, e-mailed over a real SMTP server (issue 20)."""

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlmodel import Session

from app.auth.models import Role
from app.notify.models import EmailOutbox, Notification
from app.notify.service import Draft, deliver
from app.notify.worker import Worker
from tests.events.builders import build_event
from tests.factories import auth_headers, make_staff, make_tree, make_unit, make_user
from tests.notify.smtp import Inbox


def _head(session: Session, unit: Any, email: str) -> Any:
    staff = make_staff(session, unit, email=email)
    return make_user(session, [(Role.unit_head, unit)], staff=staff)


def test_summons_province_wide_one_notification_and_one_email_per_head(
    session: Session, client: TestClient, worker: Worker, smtp: tuple[Inbox, int]
) -> None:
    inbox = smtp[0]
    tree = make_tree(session)
    schools = [tree["s1"], tree["s2"], tree["thpt"]]
    schools += [make_unit(session, tree["d1"]) for _ in range(4)]
    heads = {u.id: _head(session, u, f"hieutruong{u.id}@truong.test") for u in schools}
    built = build_event(session, tree["so"], schools, summon=False)
    url = f"/api/v1/events/{built.event.id}"
    r = client.post(
        f"{url}/summon",
        json={"summons_number": "45/GTT-SGDĐT"},
        headers={"If-Match": client.get(url).headers["etag"]},
    )
    assert r.status_code == 200, r.text

    first = worker.run_once()
    assert first["notifications"] == len(schools)
    assert first["emails"] == len(schools)
    for unit_id, head in heads.items():
        mine = session.scalars(select(Notification).where(Notification.user_id == head.id)).all()
        assert [n.kind for n in mine] == ["summons"], unit_id
        assert "Tập huấn chương trình GDPT 2018" in mine[0].body
        got = inbox.to(f"hieutruong{unit_id}@truong.test")
        assert len(got) == 1
        assert got[0]["Subject"] == "[BDTX] Giấy triệu tập cho đơn vị"
        assert got[0]["From"] == "thongbao@sgddt.test"
        text = got[0].get_content()
        assert "Kính gửi" in text
        assert "được triệu tập tham dự" in text
        assert "45/GTT-SGDĐT" in text

    again = worker.run_once()  # nothing new: the feed has moved, the reminders are not due
    assert again == {"changes": 0, "notifications": 0, "emails": 0, "webhooks": 0}
    assert len(inbox.messages) == len(schools)


def test_a_change_read_twice_notifies_once(session: Session, worker: Worker) -> None:
    tree = make_tree(session)
    head = _head(session, tree["s1"], "a@truong.test")
    draft = Draft("summons", "event:1", "Giấy triệu tập", "Nội dung", {head.id or 0})
    assert deliver(session, [draft]) == 1
    assert deliver(session, [draft]) == 0  # a worker restarted mid-batch
    count = select(func.count()).select_from(Notification).where(Notification.user_id == head.id)
    assert session.scalar(count) == 1
    assert session.scalar(select(func.count()).select_from(EmailOutbox)) == 1


def test_failed_email_is_retried_with_backoff_then_dead(
    session: Session, worker: Worker, smtp: tuple[Inbox, int]
) -> None:
    inbox = smtp[0]
    inbox.fail_first = 1
    tree = make_tree(session)
    head = _head(session, tree["s1"], "b@truong.test")
    deliver(session, [Draft("summons", "event:2", "Giấy triệu tập", "Nội dung", {head.id or 0})])
    session.flush()
    assert worker.send_batch() == 0
    row = session.scalar(select(EmailOutbox))
    assert row is not None
    session.refresh(row)
    assert (row.status, row.attempts) == ("pending", 1)
    assert row.last_error
    assert "451" in row.last_error
    assert worker.send_batch() == 0  # not due yet: backoff
    row.due_at = row.created_at
    session.flush()
    assert worker.send_batch() == 1
    assert len(inbox.messages) == 1
    assert inbox.messages[0]["Message-ID"] == f"<bdtx-email-{row.id}@bdtx.invalid>"


def test_killed_worker_lease_expires_and_another_sends(
    session: Session, worker: Worker, smtp: tuple[Inbox, int]
) -> None:
    from datetime import timedelta

    from app.core.model_base import utcnow
    from app.notify.worker import claim_emails

    tree = make_tree(session)
    head = _head(session, tree["s1"], "c@truong.test")
    deliver(session, [Draft("summons", "event:3", "Giấy triệu tập", "Nội dung", {head.id or 0})])
    claimed = claim_emails(session, "dead-worker", 10, timedelta(seconds=60))
    assert len(claimed) == 1
    assert worker.send_batch() == 0  # leased by the killed worker
    claimed[0].leased_until = utcnow() - timedelta(seconds=1)
    session.flush()
    assert worker.send_batch() == 1
    assert len(smtp[0].messages) == 1


def test_own_notifications_only_list_unread_and_mark_read(
    session: Session, app: Any, client_for: Any
) -> None:
    tree = make_tree(session)
    me = make_user(session, [(Role.unit_head, tree["s1"])])
    other = make_user(session, [(Role.unit_head, tree["s1"])])
    drafts = [
        Draft("summons", f"event:{i}", "Giấy triệu tập", "Nội dung", {me.id or 0}) for i in range(3)
    ]
    deliver(session, [*drafts, Draft("summons", "event:9", "Khác", "Nội dung", {other.id or 0})])
    c = TestClient(app, headers=auth_headers(me))
    page = c.get("/api/v1/notifications", params={"limit": 2}).json()
    assert len(page["items"]) == 2
    assert page["next_cursor"]
    rest = c.get("/api/v1/notifications", params={"cursor": page["next_cursor"]}).json()
    ids = [n["id"] for n in page["items"] + rest["items"]]
    assert len(ids) == 3
    assert ids == sorted(ids, reverse=True)
    others = session.scalar(select(Notification.id).where(Notification.user_id == other.id))
    r = c.post("/api/v1/notifications/read", json={"ids": [ids[0], others]})
    assert r.status_code == 404  # another's notification is out of scope; nothing marked
    assert c.get("/api/v1/notifications/unread-count").json() == {"unread": 3}
    assert c.post("/api/v1/notifications/read", json={"ids": [ids[0]]}).json() == {"marked": 1}
    unread = c.get("/api/v1/notifications", params={"unread": "true"}).json()["items"]
    assert {n["id"] for n in unread} == set(ids[1:])
    assert c.post("/api/v1/notifications/read", json={}).json() == {"marked": 2}
    assert c.get("/api/v1/notifications/unread-count").json() == {"unread": 0}


def test_preferences_turn_email_off_per_kind(
    session: Session, app: Any, worker: Worker, smtp: tuple[Inbox, int]
) -> None:
    tree = make_tree(session)
    head = _head(session, tree["s1"], "d@truong.test")
    c = TestClient(app, headers=auth_headers(head))
    prefs = c.get("/api/v1/notifications/preferences").json()["preferences"]
    assert prefs["summons"] == {"in_app": True, "email": True}
    r = c.put(
        "/api/v1/notifications/preferences",
        json={"preferences": {"summons": {"email": False}}},
    )
    assert r.status_code == 200, r.text
    assert r.json()["preferences"]["summons"] == {"in_app": True, "email": False}
    bad = c.put("/api/v1/notifications/preferences", json={"preferences": {"nope": {}}})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["loc"] == ["body", "preferences", "nope"]
    fax = {"preferences": {"summons": {"fax": True}}}
    bad = c.put("/api/v1/notifications/preferences", json=fax)
    assert bad.json()["errors"][0]["loc"] == ["body", "preferences", "summons", "fax"]
    deliver(session, [Draft("summons", "event:4", "Giấy triệu tập", "Nội dung", {head.id or 0})])
    assert worker.send_batch() == 0
    assert smtp[0].messages == []
    assert c.get("/api/v1/notifications/unread-count").json() == {"unread": 1}


def test_api_keys_have_no_notifications(session: Session, client_for: Any) -> None:
    tree = make_tree(session)
    from app.auth.models import ApiKey
    from app.core.security import new_api_key

    key, prefix, key_hash = new_api_key()
    session.add(
        ApiKey(
            name="x",
            prefix=prefix,
            key_hash=key_hash,
            role=Role.integration,
            unit_id=tree["s1"].id or 0,
        )
    )
    session.flush()
    c = client_for(Role.admin, None)
    r = c.get("/api/v1/notifications", headers={"X-API-Key": key, "Authorization": ""})
    assert r.status_code == 403
