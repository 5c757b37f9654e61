"""How R-NOM-1, R-ATT-2 and R-ATT-3 meet the calendar (domain.md): district quotas, named
summons, closing only when it is over, cancelled sessions, letters decided after close,
the year's grace days, and the sign-in sheet."""

import csv
import io
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select
from sqlmodel import Session

from app.auth.models import Role
from app.bdtx.models import YearPolicy
from app.bdtx.policy import Preset, preset_rules
from app.core.model_base import utcnow
from app.events import service
from app.events.models import EventStatus
from app.events.schemas import RequirementCreate
from app.violations.models import Violation
from tests.conftest import ClientFor
from tests.events.builders import Built, build_event, nominate
from tests.factories import make_staff, make_tree

E = "/api/v1/events"
YEAR = "2024-2025"  # build_event's school year


def head_of(client_for: ClientFor, session: Session, unit: Any) -> TestClient:
    head = make_staff(session, unit, category="manager", position="Hiệu trưởng")
    unit.head_staff_id = head.id
    session.flush()
    return client_for(Role.unit_head, unit, staff=head)


def etag(client: TestClient, url: str) -> dict[str, str]:
    return {"If-Match": client.get(url).headers["etag"]}


def close(client: TestClient, built: Built) -> Any:
    url = f"{E}/{built.event.id}"
    return client.post(f"{url}/close", headers=etag(client, url))


def mark_all(client: TestClient, built: Built, status: str = "present", **special: str) -> None:
    roster = client.get(f"{E}/{built.event.id}/roster").json()
    people = roster["items"] if isinstance(roster, dict) else roster
    for row in built.sessions:
        if row.cancelled_at is not None:
            continue
        marks = [
            {"staff_id": p["staff_id"], "status": special.get(str(p["staff_id"]), status)}
            for p in people
        ]
        url = f"{E}/{built.event.id}/sessions/{row.id}/attendance"
        assert client.put(url, json={"marks": marks}).status_code == 200


def set_policy(session: Session, **changes: Any) -> None:
    rules = preset_rules(Preset.tt17_2019).model_copy(update=changes)
    session.add(YearPolicy(school_year=YEAR, revision=1, rules=rules.model_dump(mode="json")))
    session.flush()


PAST = utcnow() - timedelta(days=1)


class TestRNom1DistrictQuota:
    def test_r_nom_1_a_district_quota_is_filled_from_its_schools(
        self, session: Session, client_for: ClientFor
    ) -> None:
        t = make_tree(session)
        built = build_event(session, t["so"], [t["d1"]], quota=2)
        officer = client_for(Role.department_officer, t["d1"])
        teacher = make_staff(session, t["s1"])
        r = officer.post(
            f"{E}/{built.event.id}/nominations",
            json={"staff_id": teacher.id, "requirement_id": built.requirement.id},
        )
        assert r.status_code == 201, r.text
        assert (r.json()["unit_id"], r.json()["target_unit_id"]) == (t["s1"].id, t["d1"].id)
        # the school's head fills the same district places and sees them in to-fill
        head = head_of(client_for, session, t["s1"])
        to_fill = head.get(f"{E}/{built.event.id}/to-fill").json()
        rows = to_fill["items"] if isinstance(to_fill, dict) else to_fill
        assert [(x["unit_id"], x["remaining"]) for x in rows] == [(t["d1"].id, 1)]
        second = make_staff(session, t["s1"])
        body = {"staff_id": second.id, "requirement_id": built.requirement.id}
        assert head.post(f"{E}/{built.event.id}/nominations", json=body).status_code == 201
        third = make_staff(session, t["s1"])
        body["staff_id"] = third.id
        full = head.post(f"{E}/{built.event.id}/nominations", json=body)
        assert (full.status_code, full.json()["code"]) == (409, "quota_exceeded")
        # another district's school is still outside the summoned composition
        stranger = make_staff(session, t["s2"])
        body["staff_id"] = stranger.id
        other = client_for(Role.department_officer, t["d2"])
        refused = other.post(f"{E}/{built.event.id}/nominations", json=body)
        assert refused.status_code in (404, 409)
        if refused.status_code == 409:
            assert refused.json()["rule"] == "R-NOM-1"

    def test_r_nom_1_withdrawal_frees_the_district_place(
        self, session: Session, client_for: ClientFor
    ) -> None:
        t = make_tree(session)
        built = build_event(session, t["so"], [t["d1"]], quota=1)
        teacher = make_staff(session, t["s1"])
        nomination = nominate(session, built, teacher.id or 0, accept=False)
        head = head_of(client_for, session, t["s1"])
        url = f"/api/v1/nominations/{nomination.id}"
        r = head.post(f"{url}/withdraw", json={"reason": "Bận thi"}, headers=etag(head, url))
        assert r.status_code == 200, r.text
        to_fill = head.get(f"{E}/{built.event.id}/to-fill").json()
        rows = to_fill["items"] if isinstance(to_fill, dict) else to_fill
        assert rows[0]["remaining"] == 1

    def test_r_nom_1_named_summons_is_seen_by_the_head_and_offices_above(
        self, session: Session, client_for: ClientFor
    ) -> None:
        t = make_tree(session)
        built = build_event(session, t["so"], [t["thpt"]])
        person = make_staff(session, t["s1"])
        event = built.event
        event.status = EventStatus.draft
        session.flush()
        service.add_requirement(session, _system(), event, RequirementCreate(staff_id=person.id))
        event.status = EventStatus.summoned
        session.flush()
        for viewer in (
            head_of(client_for, session, t["s1"]),
            client_for(Role.department_officer, t["d1"]),
            client_for(Role.inspector, t["d1"]),
        ):
            assert viewer.get(f"{E}/{event.id}").status_code == 200
            roster = viewer.get(f"{E}/{event.id}/roster").json()
            people = roster["items"] if isinstance(roster, dict) else roster
            assert [p["staff_id"] for p in people] == [person.id]
        # a neighbouring district sees nothing of it
        assert client_for(Role.unit_head, t["s2"]).get(f"{E}/{event.id}").status_code == 404

    def test_r_nom_1_refusals_name_criteria_in_the_request_language(
        self, session: Session, client_for: ClientFor
    ) -> None:
        t = make_tree(session)
        built = build_event(
            session, t["so"], [t["s1"]], subjects=["Toán"], education_levels=["upper_secondary"]
        )
        teacher = make_staff(
            session, t["s1"], subjects=["Ngữ văn"], education_level="lower_secondary"
        )
        head = head_of(client_for, session, t["s1"])
        body = {"staff_id": teacher.id, "requirement_id": built.requirement.id}
        vi = head.post(f"{E}/{built.event.id}/nominations", json=body).json()
        assert "môn học" in vi["detail"]
        assert "cấp học" in vi["detail"]
        assert "education_level" not in vi["detail"]
        assert all("_" not in e["msg"].split(":")[0] for e in vi["errors"])
        en = head.post(
            f"{E}/{built.event.id}/nominations", json=body, headers={"Accept-Language": "en"}
        ).json()
        assert "subject" in en["detail"]
        assert "education level" in en["detail"]
        assert {e["msg"].split(":")[0] for e in en["errors"]} == {"subject", "education level"}


def _system() -> Any:
    from app.auth.actor import system_actor

    return system_actor()


class TestRNom2Replacement:
    def test_r_nom_2_a_substituted_nomination_links_to_its_replacement(
        self, session: Session, client_for: ClientFor
    ) -> None:
        t = make_tree(session)
        built = build_event(session, t["so"], [t["s1"]])
        first, second = make_staff(session, t["s1"]), make_staff(session, t["s1"])
        nomination = nominate(session, built, first.id or 0)
        head = head_of(client_for, session, t["s1"])
        url = f"/api/v1/nominations/{nomination.id}"
        r = head.post(
            f"{url}/substitute",
            json={"staff_id": second.id, "reason": "Cô giáo nghỉ sinh"},
            headers=etag(head, url),
        )
        assert r.status_code == 201, r.text
        new = r.json()
        old = head.get(url).json()
        assert (old["status"], old["replaced_by_id"]) == ("substituted", new["id"])
        assert (new["substitutes_id"], new["replaced_by_id"]) == (nomination.id, None)


class TestRAtt3Calendar:
    def test_r_att_3_close_waits_for_the_last_session_to_end(
        self, session: Session, client_for: ClientFor
    ) -> None:
        t = make_tree(session)
        built = build_event(session, t["so"], [t["s1"]], start=utcnow() - timedelta(hours=5))
        nominate(session, built, make_staff(session, t["s1"]).id or 0)
        organiser = client_for(Role.department_officer, t["so"])
        mark_all(organiser, built)
        # session 2 runs from 1 hour ago until 2 hours from now
        r = close(organiser, built)
        assert (r.status_code, r.json()["code"], r.json()["rule"]) == (
            409,
            "event_not_over",
            "R-ATT-3",
        )
        assert "Buổi 2" in r.json()["detail"]
        assert not session.scalars(select(Violation)).all()  # nothing written
        built.sessions[1].ends_at = utcnow() - timedelta(minutes=1)
        session.flush()
        assert close(organiser, built).status_code == 200

    def test_r_att_3_a_session_nobody_marked_blocks_the_close_and_is_named(
        self, session: Session, client_for: ClientFor
    ) -> None:
        t = make_tree(session)
        built = build_event(session, t["so"], [t["s1"]], start=PAST)
        nominate(session, built, make_staff(session, t["s1"]).id or 0)
        organiser = client_for(Role.department_officer, t["so"])
        url = f"{E}/{built.event.id}/sessions/{built.sessions[0].id}/attendance"
        roster = organiser.get(f"{E}/{built.event.id}/roster").json()
        people = roster["items"] if isinstance(roster, dict) else roster
        marks = [{"staff_id": p["staff_id"], "status": "present"} for p in people]
        assert organiser.put(url, json={"marks": marks}).status_code == 200
        r = close(organiser, built)
        assert (r.status_code, r.json()["code"]) == (409, "session_unmarked")
        assert "Buổi 2" in r.json()["detail"]
        assert r.json()["errors"][0]["loc"] == ["sessions", built.sessions[1].id]
        assert not session.scalars(select(Violation)).all()

    def test_r_att_3_a_cancelled_session_creates_no_absences(
        self, session: Session, client_for: ClientFor
    ) -> None:
        t = make_tree(session)
        built = build_event(session, t["so"], [t["s1"]], start=PAST, periods=8)
        person = make_staff(session, t["s1"])
        nominate(session, built, person.id or 0)
        organiser = client_for(Role.department_officer, t["so"])
        cancel_url = f"{E}/{built.event.id}/sessions/{built.sessions[1].id}/cancel"
        assert organiser.post(cancel_url, json={}).status_code == 422  # a reason is required
        r = organiser.post(cancel_url, json={"reason": "Bão số 3, nghỉ theo chỉ đạo của UBND"})
        assert r.status_code == 200, r.text
        assert r.json()["cancelled_at"] is not None
        amendments = organiser.get(f"{E}/{built.event.id}/amendments").json()
        items = amendments["items"] if isinstance(amendments, dict) else amendments
        assert items[-1]["reason"].startswith("Bão số 3")
        session.refresh(built.sessions[1])
        mark_all(organiser, built)
        marks_url = f"{E}/{built.event.id}/sessions/{built.sessions[1].id}/attendance"
        refused = organiser.put(
            marks_url, json={"marks": [{"staff_id": person.id, "status": "present"}]}
        )
        assert (refused.status_code, refused.json()["code"]) == (409, "session_cancelled")
        done = close(organiser, built)
        assert done.status_code == 200, done.text
        # present at the one held session: completed, no absence for the cancelled one
        assert (done.json()["violations_created"], done.json()["credits_created"]) == (0, 1)
        matrix = organiser.get(f"{E}/{built.event.id}/attendance").json()
        cells = matrix["participants"][0]["marks"]
        assert cells[str(built.sessions[1].id)] == "cancelled"

    def test_r_att_3_the_report_counts_no_session_still_to_come(
        self, session: Session, client_for: ClientFor
    ) -> None:
        t = make_tree(session)
        built = build_event(session, t["so"], [t["s1"]])  # both sessions next week
        nominate(session, built, make_staff(session, t["s1"]).id or 0)
        organiser = client_for(Role.department_officer, t["so"])
        report = organiser.get(f"/api/v1/reports/events/{built.event.id}/attendance").json()
        assert report["sessions"] == 0
        assert report["totals"]["unexcused"] == 0

    def test_r_att_3_left_early_completion_is_the_years_policy(
        self, session: Session, client_for: ClientFor
    ) -> None:
        t = make_tree(session)
        set_policy(session, left_early_counts_as_attended=True)
        built = build_event(session, t["so"], [t["s1"]], start=PAST, periods=6)
        nominate(session, built, make_staff(session, t["s1"]).id or 0)
        organiser = client_for(Role.department_officer, t["so"])
        mark_all(organiser, built, "left_early")
        assert close(organiser, built).json()["credits_created"] == 1


class TestRAtt2AfterClose:
    def _closed_with_absence(
        self, session: Session, client_for: ClientFor, t: dict[str, Any]
    ) -> tuple[Built, Any, TestClient, dict[str, Any]]:
        """An absence letter submitted in time, still undecided when the event closes."""
        built = build_event(session, t["so"], [t["s1"]], start=PAST, n_sessions=1)
        person = make_staff(session, t["s1"])
        nominate(session, built, person.id or 0)
        head = head_of(client_for, session, t["s1"])
        letter = head.post(
            "/api/v1/absence-excuses",
            json={"session_id": built.sessions[0].id, "staff_id": person.id, "reason": "Ốm"},
        )
        assert letter.status_code == 201
        organiser = client_for(Role.department_officer, t["so"])
        mark_all(organiser, built, "absent")
        assert close(organiser, built).json()["violations_created"] == 1
        return built, person, head, letter.json()

    def test_r_att_2_a_letter_confirmed_after_close_dismisses_the_violation(
        self, session: Session, client_for: ClientFor
    ) -> None:
        t = make_tree(session)
        built, _, head, letter = self._closed_with_absence(session, client_for, t)
        url = f"/api/v1/absence-excuses/{letter['id']}"
        r = head.post(f"{url}/confirm", json={}, headers=etag(head, url))
        assert r.status_code == 200, r.text
        violation = session.scalars(
            select(Violation).where(Violation.event_id == built.event.id)
        ).one()
        session.refresh(violation)
        assert violation.status == "dismissed"
        assert f"số {letter['id']}" in (violation.dismissed_reason or "")
        officer = client_for(Role.department_officer, t["so"])
        report = officer.get("/api/v1/reports/emulation", params={"school_year": YEAR}).json()
        assert report["totals"]["unexcused_absence"] == 0
        audit = officer.get("/api/v1/audit-log", params={"target_type": "violation"})
        if audit.status_code == 200:  # department officers may lack the audit permission
            assert any(e["after"].get("status") == "dismissed" for e in audit.json()["items"])

    def test_r_att_2_a_letter_rejected_after_close_leaves_the_violation(
        self, session: Session, client_for: ClientFor
    ) -> None:
        t = make_tree(session)
        built, _, head, letter = self._closed_with_absence(session, client_for, t)
        url = f"/api/v1/absence-excuses/{letter['id']}"
        assert head.post(f"{url}/reject", json={}, headers=etag(head, url)).status_code == 200
        violation = session.scalars(
            select(Violation).where(Violation.event_id == built.event.id)
        ).one()
        session.refresh(violation)
        assert violation.status == "open"

    def test_r_att_2_a_letter_may_follow_the_close_within_the_grace_days(
        self, session: Session, client_for: ClientFor
    ) -> None:
        t = make_tree(session)
        set_policy(session, excuse_grace_days=2)
        built = build_event(session, t["so"], [t["s1"]], start=PAST, n_sessions=1)
        person = make_staff(session, t["s1"])
        nominate(session, built, person.id or 0)
        organiser = client_for(Role.department_officer, t["so"])
        mark_all(organiser, built, "absent")
        assert close(organiser, built).status_code == 200
        head = head_of(client_for, session, t["s1"])
        body = {"session_id": built.sessions[0].id, "staff_id": person.id, "reason": "Ốm"}
        late = head.post("/api/v1/absence-excuses", json=body)
        assert late.status_code == 201, late.text
        # past the year's 2 grace days it is refused, closed or not
        built.sessions[0].starts_at = utcnow() - timedelta(days=3, hours=4)
        built.sessions[0].ends_at = utcnow() - timedelta(days=3)
        session.flush()
        too_late = head.post(
            "/api/v1/absence-excuses",
            json={**body, "reason": "Quên"},
        )
        assert too_late.status_code == 409
        assert too_late.json()["code"] in ("excuse_too_late", "excuse_duplicate")

    def test_r_att_2_grace_days_are_the_years_policy(
        self, session: Session, client_for: ClientFor
    ) -> None:
        t = make_tree(session)
        set_policy(session, excuse_grace_days=1)
        built = build_event(
            session, t["so"], [t["s1"]], start=utcnow() - timedelta(days=2), n_sessions=1
        )
        person = make_staff(session, t["s1"])
        nominate(session, built, person.id or 0)
        head = head_of(client_for, session, t["s1"])
        body = {"session_id": built.sessions[0].id, "staff_id": person.id, "reason": "Ốm"}
        r = head.post("/api/v1/absence-excuses", json=body)
        assert (r.status_code, r.json()["code"]) == (409, "excuse_too_late")


class TestSignInSheet:
    @pytest.fixture
    def marked(self, session: Session, client_for: ClientFor) -> tuple[Built, TestClient]:
        t = make_tree(session)
        built = build_event(session, t["so"], [t["s1"]], start=PAST, n_sessions=3)
        people = [
            make_staff(session, t["s1"], full_name=f"Nguyễn Thị Hoa {i}", position="Giáo viên")
            for i in range(3)
        ]
        for p in people:
            nominate(session, built, p.id or 0)
        organiser = client_for(Role.department_officer, t["so"])
        mark_all(organiser, built, "present", **{str(people[1].id): "absent"})
        return built, organiser

    def test_r_att_1_the_matrix_downloads_as_csv(self, marked: tuple[Built, TestClient]) -> None:
        built, organiser = marked
        for how in ({"params": {"format": "csv"}}, {"headers": {"Accept": "text/csv"}}):
            r = organiser.get(f"{E}/{built.event.id}/attendance", **how)  # type: ignore[arg-type]
            assert r.status_code == 200
            assert r.headers["content-type"].startswith("text/csv")
            rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
            assert rows[0][:4] == ["STT", "Họ và tên", "Đơn vị", "Chức vụ"]
            assert len(rows) == 4
            assert rows[2][4:] == ["Vắng", "Vắng", "Vắng"]
            assert rows[1][3] == "Giáo viên"

    def test_r_att_1_the_sign_in_sheet_prints_on_a4_landscape(
        self, marked: tuple[Built, TestClient]
    ) -> None:
        built, organiser = marked
        r = organiser.get(f"{E}/{built.event.id}/attendance", params={"format": "xlsx"})
        assert r.status_code == 200
        assert "diem-danh" in r.headers["content-disposition"]
        ws = load_workbook(io.BytesIO(r.content)).active
        assert ws is not None
        headers = [c.value for c in ws[4]]
        assert headers[:4] == ["STT", "Họ và tên", "Đơn vị", "Chức vụ"]
        assert headers[-1] == "Ký tên"
        assert len(headers) == 4 + 3 + 1
        assert ws.page_setup.orientation == "landscape"
        assert str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4
        assert ws.page_setup.fitToWidth == 1
        assert ws.print_title_rows.replace("$", "") == "4:4"
        assert [ws.cell(row=r, column=1).value for r in (5, 6, 7)] == [1, 2, 3]
        assert ws.cell(row=6, column=5).value == "Vắng"
        assert ws.cell(row=5, column=1).border.left.style == "thin"

    def test_the_report_total_row_carries_the_rate_in_every_format(
        self, marked: tuple[Built, TestClient]
    ) -> None:
        built, organiser = marked
        url = f"/api/v1/reports/events/{built.event.id}/attendance"
        rate = organiser.get(url).json()["totals"]["attendance_rate"]
        assert rate == pytest.approx(2 / 3, abs=1e-3)
        rows = list(
            csv.reader(
                io.StringIO(
                    organiser.get(url, params={"format": "csv"}).content.decode("utf-8-sig")
                )
            )
        )
        assert float(rows[-1][-1]) == pytest.approx(rate, abs=1e-3)
        ws = load_workbook(io.BytesIO(organiser.get(url, params={"format": "xlsx"}).content)).active
        assert ws is not None
        last = ws.max_row
        assert ws.cell(row=last, column=ws.max_column).value == pytest.approx(rate, abs=1e-3)
