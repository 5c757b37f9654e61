"""api.md conventions, shared by every router: problems, If-Match, Idempotency-Key, NFC."""

import unicodedata

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlmodel import Session

from app.staff.models import Staff
from app.units.models import Unit
from tests.factories import make_staff, make_unit

PROBLEM = "application/problem+json"


def staff_body(unit: Unit, **kw: object) -> dict[str, object]:
    return {
        "external_code": "GV-0001",
        "full_name": "Trần Thị Bích",
        "unit_id": unit.id,
        "category": "teacher",
        **kw,
    }


def count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_invalid_staff_body_is_422_problem_naming_the_field_and_writes_nothing(
    client: TestClient, session: Session
) -> None:
    unit = make_unit(session)
    before = count(session, Staff)
    r = client.post("/api/v1/staff", json=staff_body(unit, category="principal", email="x"))
    assert r.status_code == 422
    assert r.headers["content-type"] == PROBLEM
    problem = r.json()
    assert problem["code"] == "validation_error"
    assert problem["status"] == 422
    assert problem["instance"] == "/api/v1/staff"
    locs = {tuple(e["loc"]) for e in problem["errors"]}
    assert ("body", "category") in locs
    assert ("body", "email") in locs
    assert "category" in problem["detail"]
    assert count(session, Staff) == before


def test_unknown_fields_are_refused(client: TestClient, session: Session) -> None:
    unit = make_unit(session)
    r = client.post("/api/v1/staff", json=staff_body(unit, is_admin=True))
    assert r.status_code == 422
    assert ["body", "is_admin"] in [e["loc"] for e in r.json()["errors"]]


def test_malformed_json_is_400_problem(client: TestClient) -> None:
    r = client.post(
        "/api/v1/units", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert r.status_code == 400
    assert r.headers["content-type"] == PROBLEM
    assert r.json()["code"] == "malformed_request"


def test_missing_object_and_unknown_route_are_404_problems(client: TestClient) -> None:
    r = client.get("/api/v1/staff/999999")
    assert r.status_code == 404
    assert r.headers["content-type"] == PROBLEM
    assert r.json()["code"] == "not_found"
    r = client.get("/api/v1/nothing-here")
    assert r.status_code == 404
    assert r.json()["code"] == "route_not_found"


def test_detail_language_follows_accept_language(client: TestClient) -> None:
    vi = client.get("/api/v1/units/424242", headers={"Accept-Language": "vi"}).json()
    en = client.get("/api/v1/units/424242", headers={"Accept-Language": "en-US,vi;q=0.5"}).json()
    assert vi["detail"] == "Không tìm thấy đơn vị có mã 424242."
    assert en["detail"] == "No unit with id 424242 was found."


def test_internal_error_is_500_problem_without_internals(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.units import service

    def boom(*_: object, **__: object) -> None:
        raise RuntimeError("secret connection string postgres://x:y@z")

    monkeypatch.setattr(service, "get_unit", boom)
    r = client.get("/api/v1/units/1")
    assert r.status_code == 500
    assert r.headers["content-type"] == PROBLEM
    assert "secret" not in r.text
    assert "Traceback" not in r.text
    assert r.json()["request_id"] == r.headers["x-request-id"]


def test_text_input_is_normalised_to_nfc(client: TestClient, session: Session) -> None:
    unit = make_unit(session)
    nfd = unicodedata.normalize("NFD", "Lê Thị Hồng Nhung")
    r = client.post("/api/v1/staff", json=staff_body(unit, full_name=nfd))
    assert r.status_code == 201
    assert r.json()["full_name"] == unicodedata.normalize("NFC", nfd)
    stored = session.get(Staff, r.json()["id"])
    assert stored is not None
    assert unicodedata.is_normalized("NFC", stored.full_name)


class TestIfMatch:
    def test_missing_if_match_is_428(self, client: TestClient, session: Session) -> None:
        unit = make_unit(session)
        r = client.patch(f"/api/v1/units/{unit.id}", json={"name": "Tên mới"})
        assert r.status_code == 428
        assert r.json()["code"] == "precondition_required"

    def test_stale_if_match_is_412_and_changes_nothing(
        self, client: TestClient, session: Session
    ) -> None:
        unit = make_unit(session, name="Tên cũ")
        url = f"/api/v1/units/{unit.id}"
        etag = client.get(url).headers["etag"]
        ok = client.patch(url, json={"name": "Tên mới"}, headers={"If-Match": etag})
        assert ok.status_code == 200
        assert ok.headers["etag"] != etag
        stale = client.patch(url, json={"name": "Tên khác"}, headers={"If-Match": etag})
        assert stale.status_code == 412
        assert stale.json()["code"] == "precondition_failed"
        assert client.get(url).json()["name"] == "Tên mới"

    def test_stale_if_match_on_missing_object_is_404(self, client: TestClient) -> None:
        r = client.patch("/api/v1/units/987654", json={"name": "x"}, headers={"If-Match": '"1"'})
        assert r.status_code == 404

    def test_etag_matches_version(self, client: TestClient, session: Session) -> None:
        staff = make_staff(session, make_unit(session))
        r = client.get(f"/api/v1/staff/{staff.id}")
        assert r.headers["etag"] == f'"{r.json()["version"]}"'


class TestIdempotencyKey:
    def test_replay_returns_the_same_response_and_creates_nothing(
        self, client: TestClient, session: Session
    ) -> None:
        unit = make_unit(session)
        headers = {"Idempotency-Key": "8f6c1c1e-retry-1"}
        first = client.post("/api/v1/staff", json=staff_body(unit), headers=headers)
        again = client.post("/api/v1/staff", json=staff_body(unit), headers=headers)
        assert first.status_code == again.status_code == 201
        assert again.json()["id"] == first.json()["id"]
        assert again.headers["location"] == first.headers["location"]
        assert again.headers["idempotent-replayed"] == "true"
        n = session.scalar(select(func.count()).where(Staff.external_code == "GV-0001"))
        assert n == 1

    def test_same_key_with_another_body_is_422(self, client: TestClient, session: Session) -> None:
        unit = make_unit(session)
        headers = {"Idempotency-Key": "k-2"}
        assert client.post("/api/v1/staff", json=staff_body(unit), headers=headers).is_success
        other = staff_body(unit, external_code="GV-0002")
        r = client.post("/api/v1/staff", json=other, headers=headers)
        assert r.status_code == 422
        assert r.json()["code"] == "idempotency_key_reused"
        assert session.scalar(select(func.count()).where(Staff.external_code == "GV-0002")) == 0

    def test_refused_request_is_not_remembered(self, client: TestClient, session: Session) -> None:
        unit = make_unit(session)
        headers = {"Idempotency-Key": "k-3"}
        bad = staff_body(unit, unit_id=999999)
        assert client.post("/api/v1/staff", json=bad, headers=headers).status_code == 404
        good = staff_body(unit)
        assert client.post("/api/v1/staff", json=good, headers=headers).status_code == 201


def test_concurrent_duplicate_key_creates_one_row(committed_client: TestClient) -> None:
    from concurrent.futures import ThreadPoolExecutor

    unit = committed_client.post(
        "/api/v1/units", json={"external_code": "CC-1", "name": "Trường A", "kind": "school"}
    ).json()
    body = staff_body(Unit(id=unit["id"]), external_code="CC-S1")

    def post(_: int) -> int:
        r = committed_client.post("/api/v1/staff", json=body, headers={"Idempotency-Key": "cc"})
        return r.status_code

    with ThreadPoolExecutor(max_workers=4) as pool:
        codes = list(pool.map(post, range(8)))
    assert codes.count(201) >= 1
    assert set(codes) <= {201, 409}
    listing = committed_client.get("/api/v1/staff", params={"external_code": "CC-S1"}).json()
    assert len(listing["items"]) == 1


def test_health_and_readiness(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"status": "ok"}
    assert client.get("/healthz").headers["x-request-id"]
