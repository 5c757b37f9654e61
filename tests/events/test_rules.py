"""Rules of the Bình Phước dispatch for Sở events: R-NOM-1, R-NOM-2, R-ATT-1..3."""

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlmodel import Session

from app.auth.models import Role
from app.core.model_base import utcnow
from app.events.models import TrainingCredit
from app.violations.models import Violation
from tests.conftest import ClientFor
from tests.events.builders import Built, build_event, nominate
from tests.factories import make_staff, make_tree

E = "/api/v1/events"


def head_of(client_for: ClientFor, session: Session, unit: Any) -> TestClient:
    head = make_staff(session, unit, category="manager", position="Hiệu trưởng")
    return client_for(Role.unit_head, unit, staff=head)


def nominate_http(client: TestClient, built: Built, staff_id: int) -> Any:
    body = {"staff_id": staff_id, "requirement_id": built.requirement.id}
    return client.post(f"{E}/{built.event.id}/nominations", json=body)


class TestRNom1:
    def test_r_nom_1_nominee_must_match_the_summoned_composition(
        self, session: Session, client_for: ClientFor
    ) -> None:
        t = make_tree(session)
        built = build_event(
            session,
            t["so"],
            [t["s1"]],
            categories=["manager"],
            subjects=["Toán"],
            education_levels=["lower_secondary"],
        )
        teacher = make_staff(
            session, t["s1"], subjects=["Ngữ văn"], education_level="lower_secondary"
        )
        r = nominate_http(head_of(client_for, session, t["s1"]), built, teacher.id or 0)
        assert r.status_code == 409
        problem = r.json()
        assert (problem["code"], problem["rule"]) == ("nomination_criteria_mismatch", "R-NOM-1")
        assert {tuple(e["loc"]) for e in problem["errors"]} == {
            ("criteria", "category"),
            ("criteria", "subjects"),
        }
        fit = make_staff(
            session,
            t["s1"],
            category="manager",
            subjects=["toán"],
            education_level="lower_secondary",
        )
        assert (
            nominate_http(head_of(client_for, session, t["s1"]), built, fit.id or 0).status_code
            == 201
        )

    def test_r_nom_1_unit_outside_the_summons_is_a_mismatch(
        self, session: Session, client_for: ClientFor
    ) -> None:
        t = make_tree(session)
        built = build_event(session, t["so"], [t["s1"]])
        other = make_staff(session, t["s2"])
        r = nominate_http(client_for(Role.department_officer, t["so"]), built, other.id or 0)
        assert r.status_code == 409
        assert r.json()["errors"][0]["loc"] == ["criteria", "unit"]

    def test_r_nom_1_only_the_head_of_the_nominees_own_unit_or_the_so(
        self, session: Session, client_for: ClientFor
    ) -> None:
        t = make_tree(session)
        built = build_event(session, t["so"], [t["s1"], t["thpt"]])
        teacher = make_staff(session, t["s1"])
        # the head of another school sees nothing of s1
        assert (
            nominate_http(
                head_of(client_for, session, t["thpt"]), built, teacher.id or 0
            ).status_code
            == 404
        )
        # the head of the district office is not the head of the teacher's school
        office_head = client_for(Role.unit_head, t["d1"])
        r = nominate_http(office_head, built, teacher.id or 0)
        assert r.status_code == 403
        assert r.json()["rule"] == "R-NOM-1"
        so_officer = client_for(Role.department_officer, t["so"])
        assert nominate_http(so_officer, built, teacher.id or 0).status_code == 201

    def test_r_nom_1_quota_duplicates_and_inactive_staff(
        self, session: Session, client_for: ClientFor
    ) -> None:
        t = make_tree(session)
        built = build_event(session, t["so"], [t["s1"]], quota=2)
        head = head_of(client_for, session, t["s1"])
        a, b, c = (make_staff(session, t["s1"]) for _ in range(3))
        assert nominate_http(head, built, a.id or 0).status_code == 201
        dup = nominate_http(head, built, a.id or 0)
        assert (dup.status_code, dup.json()["code"]) == (409, "nomination_duplicate")
        assert nominate_http(head, built, b.id or 0).status_code == 201
        over = nominate_http(head, built, c.id or 0)
        assert (over.status_code, over.json()["code"], over.json()["rule"]) == (
            409,
            "quota_exceeded",
            "R-NOM-1",
        )
        retired = make_staff(session, t["s1"], status="retired")
        r = nominate_http(client_for(Role.department_officer, t["so"]), built, retired.id or 0)
        assert r.json()["code"] == "staff_inactive"
        to_fill = head.get(f"{E}/{built.event.id}/to-fill").json()["items"]
        assert to_fill == [
            {
                "requirement_id": built.requirement.id,
                "unit_id": t["s1"].id,
                "quota": 2,
                "quota_mode": "up_to",
                "nominated": 2,
                "remaining": 0,
            }
        ]


class TestRNom2:
    def test_r_nom_2_after_the_deadline_only_with_the_organisers_consent(
        self, session: Session, client_for: ClientFor
    ) -> None:
        t = make_tree(session)
        built = build_event(session, t["so"], [t["s1"]], deadline=utcnow() - timedelta(hours=1))
        head = head_of(client_for, session, t["s1"])
        teacher = make_staff(session, t["s1"])
        late = nominate_http(head, built, teacher.id or 0)
        assert (late.status_code, late.json()["rule"]) == (409, "R-NOM-2")
        organiser = client_for(Role.department_officer, t["so"])
        r = organiser.post(
            f"{E}/{built.event.id}/late-consents",
            json={"unit_id": t["s1"].id, "reason": "Trường xin cử bổ sung"},
        )
        assert r.status_code == 201
        ok = nominate_http(head, built, teacher.id or 0)
        assert ok.status_code == 201
        assert ok.json()["late"] is True

    def test_r_nom_2_substitution_keeps_history(
        self, session: Session, client_for: ClientFor
    ) -> None:
        t = make_tree(session)
        built = build_event(session, t["so"], [t["s1"]], quota=1)
        first, second = make_staff(session, t["s1"]), make_staff(session, t["s1"])
        n = nominate(session, built, first.id or 0)
        head = head_of(client_for, session, t["s1"])
        url = f"/api/v1/nominations/{n.id}"
        r = head.post(
            f"{url}/substitute",
            json={"staff_id": second.id, "reason": "Ốm đột xuất"},
            headers={"If-Match": head.get(url).headers["etag"]},
        )
        assert r.status_code == 201
        new = r.json()
        assert (new["staff_id"], new["substitutes_id"], new["status"]) == (
            second.id,
            n.id,
            "accepted",
        )
        assert head.get(url).json()["status"] == "substituted"
        history = head.get(f"{url}/history").json()["items"]
        assert [(h["from_status"], h["to_status"]) for h in history] == [
            (None, "proposed"),
            ("proposed", "accepted"),
            ("accepted", "substituted"),
        ]
        roster = {p["staff_id"] for p in head.get(f"{E}/{built.event.id}/roster").json()["items"]}
        assert roster == {second.id}

    def test_r_nom_2_late_substitution_needs_consent(
        self, session: Session, client_for: ClientFor
    ) -> None:
        t = make_tree(session)
        built = build_event(session, t["so"], [t["s1"]])
        n = nominate(session, built, make_staff(session, t["s1"]).id or 0)
        built.event.nomination_deadline = utcnow() - timedelta(minutes=1)
        session.flush()
        head = head_of(client_for, session, t["s1"])
        url = f"/api/v1/nominations/{n.id}"
        r = head.post(
            f"{url}/substitute",
            json={"staff_id": make_staff(session, t["s1"]).id, "reason": "Bận"},
            headers={"If-Match": head.get(url).headers["etag"]},
        )
        assert (r.status_code, r.json()["rule"]) == (409, "R-NOM-2")
        assert head.get(url).json()["status"] == "accepted"


class TestRAtt1:
    def test_r_att_1_organisers_mark_roster_members_only(
        self, session: Session, client_for: ClientFor
    ) -> None:
        t = make_tree(session)
        built = build_event(session, t["so"], [t["s1"]])
        member = make_staff(session, t["s1"])
        stranger = make_staff(session, t["s1"])
        nominate(session, built, member.id or 0)
        organiser = client_for(Role.department_officer, t["so"])
        url = f"{E}/{built.event.id}/sessions/{built.sessions[0].id}/attendance"
        body = {
            "marks": [
                {"staff_id": member.id, "status": "present"},
                {"staff_id": stranger.id, "status": "present"},
            ]
        }
        r = organiser.put(url, json=body)
        assert r.status_code == 409
        assert r.json()["rule"] == "R-ATT-1"
        assert r.json()["errors"][0]["loc"] == ["body", "marks", 1, "staff_id"]
        ok = organiser.put(url, json={"marks": [{"staff_id": member.id, "status": "late"}]})
        assert ok.status_code == 200
        again = organiser.put(url, json={"marks": [{"staff_id": member.id, "status": "present"}]})
        assert again.json()["items"][0]["status"] == "present"
        head = head_of(client_for, session, t["s1"])
        assert (
            head.put(url, json={"marks": [{"staff_id": member.id, "status": "absent"}]}).status_code
            == 403
        )
        matrix = organiser.get(f"{E}/{built.event.id}/attendance").json()
        assert matrix["participants"][0]["marks"][str(built.sessions[0].id)] == "present"


PAST = utcnow() - timedelta(days=1)  # sessions over, so the event may close (R-ATT-3)


class TestRAtt2:
    def _absent(self, session: Session, t: dict[str, Any], start: Any = None) -> tuple[Built, Any]:
        built = build_event(session, t["so"], [t["s1"]], start=start)
        teacher = make_staff(session, t["s1"])
        nominate(session, built, teacher.id or 0)
        return built, teacher

    def test_r_att_2_only_the_head_of_the_attendees_own_unit_confirms(
        self, session: Session, client_for: ClientFor
    ) -> None:
        t = make_tree(session)
        built, teacher = self._absent(session, t)
        me = client_for(Role.staff, t["s1"], staff=teacher)
        r = me.post(
            "/api/v1/absence-excuses",
            json={
                "session_id": built.sessions[0].id,
                "staff_id": teacher.id,
                "reason": "Con ốm phải nằm viện",
                "attachment_ref": "giay-ra-vien.pdf",
            },
        )
        assert r.status_code == 201
        url = r.headers["location"]

        def confirm(client: TestClient) -> Any:
            return client.post(f"{url}/confirm", json={}, headers={"If-Match": r.headers["etag"]})

        assert confirm(me).status_code == 403  # not by the attendee
        assert confirm(client_for(Role.department_officer, t["so"])).status_code == 403
        assert confirm(client_for(Role.unit_head, t["d1"])).status_code == 403
        assert confirm(head_of(client_for, session, t["s2"])).status_code == 404  # other unit
        ok = confirm(head_of(client_for, session, t["s1"]))
        assert ok.status_code == 200
        assert ok.json()["status"] == "confirmed"
        organiser = client_for(Role.department_officer, t["so"])
        cells = organiser.get(f"{E}/{built.event.id}/attendance").json()["participants"][0]["marks"]
        assert cells[str(built.sessions[0].id)] == "excused"

    def test_r_att_2_letters_come_before_the_session_or_within_the_grace(
        self, session: Session, client_for: ClientFor
    ) -> None:
        t = make_tree(session)
        # the TT 17/2019 preset gives 5 grace days (the year has no policy of its own here)
        built, teacher = self._absent(session, t, start=utcnow() - timedelta(days=6))
        head = head_of(client_for, session, t["s1"])
        body = {"session_id": built.sessions[0].id, "staff_id": teacher.id, "reason": "Quên nộp"}
        late = head.post("/api/v1/absence-excuses", json=body)
        assert (late.status_code, late.json()["code"], late.json()["rule"]) == (
            409,
            "excuse_too_late",
            "R-ATT-2",
        )
        built.sessions[0].ends_at = utcnow() - timedelta(days=2)
        built.sessions[0].starts_at = utcnow() - timedelta(days=2, hours=3)
        session.flush()
        assert head.post("/api/v1/absence-excuses", json=body).status_code == 201
        other = make_staff(session, t["s1"])
        body["staff_id"] = other.id  # not on the roster
        assert head.post("/api/v1/absence-excuses", json=body).status_code == 409


class TestRAtt3:
    def test_r_att_3_close_turns_unexcused_absences_into_violations_once(
        self, session: Session, client_for: ClientFor
    ) -> None:
        t = make_tree(session)
        built = build_event(
            session, t["so"], [t["s1"], t["s2"]], n_sessions=2, periods=12, start=PAST
        )
        present, absent, excused = (make_staff(session, t["s1"]) for _ in range(3))
        other_unit = make_staff(session, t["s2"])
        for s in (present, absent, excused, other_unit):
            nominate(session, built, s.id or 0)
        organiser = client_for(Role.department_officer, t["so"])
        for row in built.sessions:
            marks = [
                {"staff_id": present.id, "status": "present"},
                {"staff_id": absent.id, "status": "absent"},
                {"staff_id": excused.id, "status": "absent"},
                {"staff_id": other_unit.id, "status": "left_early"},
            ]
            url = f"{E}/{built.event.id}/sessions/{row.id}/attendance"
            assert organiser.put(url, json={"marks": marks}).status_code == 200
        head = head_of(client_for, session, t["s1"])
        for row in built.sessions:
            r = head.post(
                "/api/v1/absence-excuses",
                json={
                    "session_id": row.id,
                    "staff_id": excused.id,
                    "reason": "Đi thi giáo viên giỏi",
                },
            )
            head.post(
                f"{r.headers['location']}/confirm", json={}, headers={"If-Match": r.headers["etag"]}
            )
        event_url = f"{E}/{built.event.id}"
        r = organiser.post(
            f"{event_url}/close", headers={"If-Match": organiser.get(event_url).headers["etag"]}
        )
        assert r.status_code == 200
        assert r.json()["violations_created"] == 2  # two sessions of the unexcused one
        assert r.json()["credits_created"] == 1  # left early does not complete by default
        rows = session.scalars(select(Violation).where(Violation.event_id == built.event.id)).all()
        assert {(v.staff_id, v.unit_id, v.kind, v.status, v.school_year) for v in rows} == {
            (absent.id, t["s1"].id, "unexcused_absence", "open", "2024-2025"),
        }
        again = organiser.post(f"{event_url}/close", headers={"If-Match": r.headers["etag"]})
        assert (again.status_code, again.json()["violations_created"]) == (200, 0)
        n = session.scalar(
            select(func.count()).select_from(Violation).where(Violation.event_id == built.event.id)
        )
        assert n == 2
        credit = session.scalars(
            select(TrainingCredit).where(TrainingCredit.event_id == built.event.id)
        ).one()
        assert (credit.staff_id, credit.periods, credit.module_code) == (present.id, 12, "GVPT-01")
        record = organiser.get(f"/api/v1/staff/{present.id}/training-record").json()
        assert record["credited_periods_by_year"] == {"2024-2025": 12}
        assert record["events"][0]["completed"] is True
        assert (
            organiser.put(
                f"{event_url}/sessions/{built.sessions[0].id}/attendance",
                json={"marks": [{"staff_id": present.id, "status": "absent"}]},
            ).status_code
            == 409
        )

    def test_r_att_3_a_breach_of_r_nom_1_found_later_becomes_a_violation(
        self, session: Session, client_for: ClientFor
    ) -> None:
        t = make_tree(session)
        built = build_event(
            session, t["so"], [t["s1"]], categories=["teacher"], n_sessions=1, start=PAST
        )
        person = make_staff(session, t["s1"])
        nominate(session, built, person.id or 0)
        person.category = "manager"  # the records were wrong when they nominated
        session.flush()
        organiser = client_for(Role.department_officer, t["so"])
        organiser.put(
            f"{E}/{built.event.id}/sessions/{built.sessions[0].id}/attendance",
            json={"marks": [{"staff_id": person.id, "status": "present"}]},
        )
        url = f"{E}/{built.event.id}"
        r = organiser.post(f"{url}/close", headers={"If-Match": organiser.get(url).headers["etag"]})
        assert r.json()["violations_created"] == 1
        v = session.scalars(select(Violation).where(Violation.event_id == built.event.id)).one()
        assert (v.kind, v.staff_id) == ("nomination_mismatch", person.id)


def test_sessions_are_fixed_after_summons_except_by_amendment(
    session: Session, client_for: ClientFor
) -> None:
    t = make_tree(session)
    built = build_event(session, t["so"], [t["s1"]])
    nominee = make_staff(session, t["s1"])
    nominate(session, built, nominee.id or 0)
    organiser = client_for(Role.department_officer, t["so"])
    start = utcnow() + timedelta(days=20)
    body = {"starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=2)).isoformat()}
    r = organiser.post(f"{E}/{built.event.id}/sessions", json=body)
    assert (r.status_code, r.json()["code"]) == (409, "sessions_fixed")
    url = f"{E}/{built.event.id}/sessions/{built.sessions[0].id}/amend"
    r = organiser.post(url, json={**body, "reason": "Trùng lịch thi học kỳ"})
    assert r.status_code == 200
    me = client_for(Role.staff, t["s1"], staff=nominee)
    amendments = me.get(f"{E}/{built.event.id}/amendments").json()["items"]
    assert amendments[0]["reason"] == "Trùng lịch thi học kỳ"
    assert amendments[0]["after"]["starts_at"].startswith(start.date().isoformat())


def test_summon_needs_sessions_and_a_requirement(session: Session, client: TestClient) -> None:
    t = make_tree(session)
    r = client.post(
        E,
        json={
            "kind": "training",
            "organizer_unit_id": t["so"].id,
            "title": "Tập huấn",
            "school_year": "2024-2025",
        },
    )
    url = r.headers["location"]
    summon = client.post(f"{url}/summon", json={}, headers={"If-Match": r.headers["etag"]})
    assert summon.json()["code"] == "event_has_no_sessions"


def test_an_organizer_bound_to_one_event_organises_only_that_event(
    session: Session, client: TestClient, client_for: ClientFor
) -> None:
    t = make_tree(session)
    mine = build_event(session, t["so"], [t["s1"]])
    other = build_event(session, t["so"], [t["s1"]])
    member = make_staff(session, t["s1"])
    nominate(session, mine, member.id or 0)
    nominate(session, other, member.id or 0)
    from tests.factories import auth_headers, make_user

    user = make_user(session, [])
    r = client.post(
        f"/api/v1/users/{user.id}/roles", json={"role": "organizer", "event_id": mine.event.id}
    )
    assert r.status_code == 201
    assert (r.json()["unit_id"], r.json()["event_id"]) == (t["so"].id, mine.event.id)
    bound = TestClient(client.app, headers=auth_headers(user), raise_server_exceptions=False)
    marks = {"marks": [{"staff_id": member.id, "status": "present"}]}
    ok = bound.put(f"{E}/{mine.event.id}/sessions/{mine.sessions[0].id}/attendance", json=marks)
    assert ok.status_code == 200
    no = bound.put(f"{E}/{other.event.id}/sessions/{other.sessions[0].id}/attendance", json=marks)
    assert no.status_code == 404  # R-GOV-2: another event is out of this grant's reach
    bad = client.post(
        f"/api/v1/users/{user.id}/roles", json={"role": "inspector", "event_id": mine.event.id}
    )
    assert bad.status_code == 422
