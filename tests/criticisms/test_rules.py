"""R-VIO-1: the Sở's criticism letter cites the unit's violations, carries a number unique
per issuing unit and year, a date and who issued it, and never changes once issued."""

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlmodel import Session

from app.auth.models import Role
from app.core.model_base import to_local_date, utcnow
from app.criticisms.models import Criticism
from app.criticisms.service import next_number
from app.violations.models import Violation, ViolationStatus
from tests.conftest import ClientFor
from tests.factories import make_staff, make_tree
from tests.violations.factories import letter_body, make_letter, make_violation

C = "/api/v1/criticisms"
V = "/api/v1/violations"


def etag(client: TestClient, url: str) -> dict[str, str]:
    return {"If-Match": client.get(url).headers["etag"]}


def issue(client: TestClient, letter_id: int | None) -> Any:
    url = f"{C}/{letter_id}"
    return client.post(f"{url}/issue", headers=etag(client, url))


def test_r_vio_1_issued_letter_cites_violations_is_immutable_and_numbered_per_unit_and_year(
    session: Session, client_for: ClientFor
) -> None:
    t = make_tree(session)
    v1, v2 = make_violation(session, t["s1"]), make_violation(session, t["s1"])
    v3, v4 = make_violation(session, t["s2"]), make_violation(session, t["s1"])
    so = client_for(Role.department_officer, t["so"], full_name="Trần Văn Sở")
    office = client_for(Role.department_officer, t["d1"])

    a = so.post(C, json=letter_body(t["so"], t["s1"], [v1, v2]))
    assert a.status_code == 201, a.text
    assert (a.json()["status"], a.json()["document_number"]) == ("draft", None)
    b = so.post(C, json=letter_body(t["so"], t["s2"], [v3], propose_emulation=False))
    c = office.post(C, json=letter_body(t["d1"], t["s1"], [v4], document_symbol="PGDĐT-VP"))
    assert b.status_code == c.status_code == 201

    # issuing numbers, dates and signs the letter and marks what it cites
    issued = issue(so, a.json()["id"])
    assert issued.status_code == 200, issued.text
    letter = issued.json()
    today = to_local_date(utcnow())
    assert letter["status"] == "issued"
    assert (letter["number"], letter["document_number"]) == (1, "01/SGDĐT")
    assert letter["issued_on"] == today.isoformat()
    assert letter["issued_by_user_id"] is not None
    assert letter["violation_ids"] == sorted([v1.id, v2.id])
    for v in (v1, v2):
        assert so.get(f"{V}/{v.id}").json()["status"] == "cited"
    assert so.get(f"{V}/{v4.id}").json()["status"] == "open"

    # numbers run per issuing unit and calendar year
    assert issue(so, b.json()["id"]).json()["document_number"] == "02/SGDĐT"
    assert issue(office, c.json()["id"]).json()["document_number"] == "01/PGDĐT-VP"
    assert next_number(session, t["so"].id or 0, today.year + 1) == 1

    # an issued letter never changes
    url = f"{C}/{a.json()['id']}"
    for r in (
        so.patch(url, json={"body": "Sửa lại"}, headers=etag(so, url)),
        so.post(f"{url}/issue", headers=etag(so, url)),
    ):
        assert r.status_code == 409, r.text
        assert (r.json()["code"], r.json()["rule"]) == ("criticism_issued", "R-VIO-1")
    stored = session.get(Criticism, a.json()["id"])
    assert stored is not None
    session.refresh(stored)
    assert (stored.body, stored.number) == (letter["body"], 1)

    # a cited violation is not cited again
    again = so.post(C, json=letter_body(t["so"], t["s1"], [v1]))
    assert (again.status_code, again.json()["code"], again.json()["rule"]) == (
        409,
        "violation_not_open",
        "R-VIO-1",
    )


def test_r_vio_1_issue_refused_when_a_cited_violation_is_no_longer_open(
    client: TestClient, session: Session
) -> None:
    t = make_tree(session)
    v1, v2 = make_violation(session, t["s1"]), make_violation(session, t["s1"])
    draft = client.post(C, json=letter_body(t["so"], t["s1"], [v1, v2])).json()
    url = f"{V}/{v2.id}"
    dismissed = client.post(f"{url}/dismiss", json={"reason": "Nhầm"}, headers=etag(client, url))
    assert dismissed.status_code == 200
    r = issue(client, draft["id"])
    assert r.status_code == 409
    assert r.json()["code"] == "violation_not_open"
    assert str(v2.id) in r.json()["detail"]
    assert client.get(f"{C}/{draft['id']}").json()["status"] == "draft"
    session.refresh(v1)
    assert v1.status == ViolationStatus.open
    # the refused issue drew no number: the next letter is still number 1
    url = f"{C}/{draft['id']}"
    fixed = client.patch(url, json={"violation_ids": [v1.id]}, headers=etag(client, url))
    assert fixed.status_code == 200, fixed.text
    assert fixed.json()["violation_ids"] == [v1.id]
    assert fixed.json()["version"] == draft["version"] + 1
    assert issue(client, draft["id"]).json()["number"] == 1


def test_letters_go_down_the_tree_and_cite_the_recipients_violations_of_the_year(
    client: TestClient, session: Session
) -> None:
    t = make_tree(session)
    mine, other = make_violation(session, t["s1"]), make_violation(session, t["s2"])
    old = make_violation(session, t["s1"], school_year="2023-2024")
    upward = client.post(C, json=letter_body(t["s1"], t["d1"], [mine]))
    assert (upward.status_code, upward.json()["code"]) == (409, "criticism_recipient_not_below")
    foreign = client.post(C, json=letter_body(t["so"], t["s1"], [mine, other]))
    assert (foreign.status_code, foreign.json()["code"]) == (409, "violation_not_of_recipient")
    stale = client.post(C, json=letter_body(t["so"], t["s1"], [old]))
    assert (stale.status_code, stale.json()["code"]) == (409, "violation_other_school_year")
    missing = client.post(C, json=letter_body(t["so"], t["s1"], [mine], violation_ids=[999999]))
    assert (missing.status_code, missing.json()["code"]) == (404, "unknown_reference")
    empty = client.post(C, json=letter_body(t["so"], t["s1"], [], violation_ids=[]))
    assert empty.status_code == 422
    # an office's violations roll up: a letter to the office may cite its schools' ones
    up = client.post(C, json=letter_body(t["so"], t["d1"], [mine]))
    assert up.status_code == 201, up.text


def test_the_recipient_sees_a_letter_only_once_issued(
    session: Session, client_for: ClientFor
) -> None:
    t = make_tree(session)
    letter = make_letter(session, t["so"], t["s1"], [make_violation(session, t["s1"])])
    head = client_for(Role.unit_head, t["s1"], staff=make_staff(session, t["s1"]))
    assert head.get(f"{C}/{letter.id}").status_code == 404
    assert letter.id not in {i["id"] for i in head.get(C).json()["items"]}
    so = client_for(Role.department_officer, t["so"])
    assert issue(so, letter.id).status_code == 200
    assert head.get(f"{C}/{letter.id}").status_code == 200
    listed = head.get(C, params={"recipient_unit_id": t["s1"].id, "status": "issued"}).json()
    assert [i["id"] for i in listed["items"]] == [letter.id]
    # the recipient reads it but never issues or edits letters
    url = f"{C}/{letter.id}"
    assert head.patch(url, json={"body": "x"}, headers=etag(head, url)).status_code == 403


def test_r_vio_1_concurrent_issues_draw_distinct_numbers(
    committed_client: TestClient, engine: Engine
) -> None:
    n = 6
    with Session(engine, expire_on_commit=False) as s:
        t = make_tree(s)
        letters = [
            make_letter(s, t["so"], t["s1"], [make_violation(s, t["s1"])]).id for _ in range(n)
        ]
        s.commit()

    def issue_one(letter_id: int | None) -> int:
        url = f"{C}/{letter_id}"
        r = committed_client.post(f"{url}/issue", headers={"If-Match": '"1"'})
        assert r.status_code == 200, r.text
        return int(r.json()["number"])

    with ThreadPoolExecutor(max_workers=n) as pool:
        numbers = sorted(pool.map(issue_one, letters))
    assert numbers == list(range(1, n + 1))
    with Session(engine) as s:
        cited = s.scalars(select(Violation.status).where(Violation.unit_id == t["s1"].id)).all()
    assert set(cited) == {ViolationStatus.cited}


def test_r_vio_1_a_letter_is_signed_with_the_issuers_full_name(
    session: Session, client_for: ClientFor
) -> None:
    t = make_tree(session)
    v = make_violation(session, t["s1"])
    signer = make_staff(session, t["so"], full_name="Trần Thị Thu Hà")
    so = client_for(Role.department_officer, t["so"], staff=signer)
    a = so.post(C, json=letter_body(t["so"], t["s1"], [v]))
    assert a.status_code == 201, a.text
    issued = issue(so, a.json()["id"])
    assert issued.status_code == 200, issued.text
    assert issued.json()["issued_by_name"] == "Trần Thị Thu Hà"
