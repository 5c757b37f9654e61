"""What schemathesis (`.ci/schemathesis`) found, pinned as plain tests.

Each test is one finding: a request the contract calls invalid that was accepted, one it calls
valid that was refused, or an answer the contract does not describe.
"""

import base64
import json
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.core.schemas import VISIBLE_TEXT
from app.core.school_year import SCHOOL_YEAR_FORMAT


def _schema(client: TestClient, name: str) -> dict[str, Any]:
    return client.get("/openapi.json").json()["components"]["schemas"][name]  # type: ignore[no-any-return]


def _unit(client: TestClient, **kw: Any) -> dict[str, Any]:
    body = {"external_code": "FZ-1", "kind": "school", "name": "Trường thử", **kw}
    r = client.post("/api/v1/units", json=body)
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("bdtx_periods", False),  # lax mode read false as 0
        ("bdtx_periods", "8"),  # ... and a numeric string as a number
        ("nomination_deadline", 0),  # ... and a number as a Unix timestamp
    ],
)
def test_body_values_of_another_json_type_are_refused(
    client: TestClient, field: str, value: object
) -> None:
    unit = _unit(client)
    body = {
        "kind": "training",
        "organizer_unit_id": unit["id"],
        "school_year": "2024-2025",
        "title": "Tập huấn",
        field: value,
    }
    r = client.post("/api/v1/events", json=body)
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["loc"] == ["body", field]
    assert client.get("/api/v1/events").json()["items"] == []


def test_list_items_of_another_json_type_are_refused(client: TestClient) -> None:
    unit = _unit(client)
    r = client.post(
        "/api/v1/events/1/requirements", json={"unit_ids": [str(unit["id"])], "quota": 1}
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["loc"][:2] == ["body", "unit_ids"]


def test_a_query_timestamp_must_be_rfc_3339(client: TestClient) -> None:
    assert client.get("/api/v1/audit-log", params={"until": "0.5"}).status_code == 422
    ok = client.get("/api/v1/audit-log", params={"until": "2024-01-01T00:00:00+07:00"})
    assert ok.status_code == 200


def test_patch_fields_that_refuse_null_do_not_offer_null(client: TestClient) -> None:
    props = _schema(client, "UnitUpdate")["properties"]
    assert "anyOf" not in props["name"]
    assert props["name"]["type"] == "string"
    assert "default" not in props["name"]
    # a field that may be cleared keeps its null
    assert {"type": "null"} in props["head_staff_id"]["anyOf"]


def test_required_text_must_have_a_visible_character(client: TestClient) -> None:
    # text is stripped before its length is checked; the contract says so with a pattern
    assert _schema(client, "UnitCreate")["properties"]["name"]["pattern"] == VISIBLE_TEXT
    r = client.post("/api/v1/units", json={"external_code": "FZ-2", "kind": "school", "name": "\t"})
    assert r.status_code == 422


def test_school_year_is_a_format_not_a_pattern_that_admits_0000_0000(client: TestClient) -> None:
    year = _schema(client, "EventCreate")["properties"]["school_year"]
    assert year["format"] == SCHOOL_YEAR_FORMAT
    assert "pattern" not in year
    assert client.get("/api/v1/events", params={"school_year": "0000-0000"}).status_code == 422
    assert client.get("/api/v1/events", params={"school_year": "0000-0001"}).status_code == 200


def test_a_literal_path_beside_an_id_answers_405_with_its_own_methods(client: TestClient) -> None:
    # `PATCH /external-events/queue` used to reach `PATCH /external-events/{id}` → 422
    r = client.patch("/api/v1/external-events/queue", json={})
    assert r.status_code == 405
    assert r.headers["allow"] == "GET"
    r = client.options("/api/v1/violations/external")
    assert r.status_code == 405
    assert r.headers["allow"] == "POST"  # not the GET of /violations/{violation_id}


def test_an_import_without_a_body_is_refused(client: TestClient) -> None:
    r = client.post("/api/v1/bdtx/modules/import")
    assert r.status_code == 422
    assert r.json()["errors"][0]["loc"] == ["body"]


def test_authenticated_routes_document_403_and_404(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    responses = spec["paths"]["/api/v1/api-keys"]["get"]["responses"]
    assert {"401", "403", "404"} <= set(responses)
    assert "application/problem+json" in responses["403"]["content"]


def test_an_if_match_naming_no_etag_of_ours_is_a_false_condition(client: TestClient) -> None:
    # RFC 9110 §13.1.1: no listed tag matches → 412, whatever the tags look like
    unit = _unit(client)
    for value in ("abc", '"a1"', 'W/"x", "y"', "", '"9999999999"'):
        r = client.patch(
            f"/api/v1/units/{unit['id']}", json={"name": "Đổi"}, headers={"If-Match": value}
        )
        assert r.status_code == 412, (value, r.text)
    assert client.get(f"/api/v1/units/{unit['id']}").json()["name"] == "Trường thử"
    ok = client.patch(
        f"/api/v1/units/{unit['id']}", json={"name": "Đổi"}, headers={"If-Match": 'W/"1"'}
    )
    assert ok.status_code == 200


def test_a_refused_write_on_an_id_beyond_the_column_is_422_not_500(client: TestClient) -> None:
    # the refusal's audit row used to store 2**31 in an integer column: 500 on PostgreSQL
    r = client.patch("/api/v1/units/2147483648", json={"name": "x"}, headers={"If-Match": "*"})
    assert r.status_code == 422
    assert client.patch("/api/v1/units/²", json={}).status_code in (404, 405)


def test_parameters_offer_no_json_null(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for path in spec["paths"].values():
        for operation in path.values():
            for parameter in operation.get("parameters", []):
                assert "anyOf" not in parameter["schema"] or all(
                    b.get("type") != "null" for b in parameter["schema"]["anyOf"]
                ), parameter


def test_self_evaluation_names_only_known_criteria(client: TestClient) -> None:
    prop = _schema(client, "PlanCreate")["properties"]["self_evaluation"]
    assert prop["additionalProperties"] is False
    assert list(prop["patternProperties"])
    r = client.post(
        "/api/v1/bdtx/personal-plans",
        json={
            "staff_id": 1,
            "school_year": "2024-2025",
            "module_codes": ["M"],
            "self_evaluation": {"tc16": "tot"},
        },
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["loc"][:3] == ["body", "self_evaluation", "tc16"]


def test_policy_needs_a_preset_or_rules_before_its_version_is_checked(client: TestClient) -> None:
    url = "/api/v1/school-years/2024-2025/policy"
    r = client.put(url, json={"rules": None}, headers={"If-Match": '"99"'})
    assert r.status_code == 422  # not the 412 a stale header would get


def test_policy_deadline_is_a_day_every_year_has(client: TestClient) -> None:
    url = "/api/v1/school-years/2024-2025/policy"
    rules = client.put(url, json={"preset": "tt17_2019"}).json()["rules"]
    for day in ("99-99", "02-30", "02-29", "04-31"):
        r = client.put(url, json={"rules": {**rules, "personal_plan_deadline": day}})
        assert r.status_code == 422, day
    assert client.put(url, json={"rules": {**rules, "excuse_grace_days": False}}).status_code == 422


def test_module_import_refuses_what_is_not_a_module_csv(client: TestClient) -> None:
    url = "/api/v1/bdtx/modules/import"
    csv = {"Content-Type": "text/csv"}
    for body in (b"{}", b"code,title\r\nA,B\r\n", "code,title,block,periods\r\n".encode("utf-16")):
        r = client.post(url, content=body, headers=csv)
        assert r.status_code == 422, (body, r.text)
        assert r.json()["errors"][0]["loc"] == ["body"]
    ok = client.post(url, content=b"code,title,block,periods\r\nFZ-1,Thu,local,4\r\n", headers=csv)
    assert ok.status_code == 200
    assert ok.json()["rows"][0]["outcome"] == "created"


def test_an_unknown_module_is_an_unknown_reference_404(client: TestClient) -> None:
    unit = _unit(client)
    staff = client.post(
        "/api/v1/staff",
        json={
            "external_code": "GV-FZ",
            "full_name": "Lê Thị Hoa",
            "unit_id": unit["id"],
            "category": "teacher",
        },
    ).json()
    client.put("/api/v1/school-years/2024-2025/policy", json={"preset": "tt17_2019"})
    r = client.post(
        "/api/v1/bdtx/self-study",
        json={
            "staff_id": staff["id"],
            "school_year": "2024-2025",
            "module_code": "KHONG-CO",
            "periods": 4,
            "description": "Tự học",
            "evidence_url": "https://lms.example.vn/1",
        },
    )
    assert (r.status_code, r.json()["code"]) == (404, "bdtx_unknown_module")


def test_rules_the_fuzz_hooks_respect_are_refused_by_the_api(client: TestClient) -> None:
    """`.ci/schemathesis_hooks.py` makes generated requests follow these; the API refuses them."""
    unit = _unit(client)
    event = client.post(
        "/api/v1/events",
        json={
            "kind": "training",
            "organizer_unit_id": unit["id"],
            "school_year": "2024-2025",
            "title": "Tập huấn",
        },
    ).json()
    at = "2030-01-01T08:00:00+07:00"
    r = client.post(f"/api/v1/events/{event['id']}/sessions", json={"starts_at": at, "ends_at": at})
    assert r.status_code == 422  # a session ends after it starts
    url = "/api/v1/school-years/2024-2025/policy"
    rules = client.put(url, json={"preset": "tt17_2019"}).json()["rules"]
    twice = [*rules["blocks"], rules["blocks"][0]]
    assert client.put(url, json={"rules": {**rules, "blocks": twice}}).status_code == 422


def test_change_feed_refuses_a_position_beyond_the_column_and_empty_names(
    client: TestClient,
) -> None:
    forged = base64.urlsafe_b64encode(json.dumps({"change": 10**30}).encode()).decode()
    r = client.get("/api/v1/changes", params={"after": forged})
    assert r.status_code == 422  # it reached SQL before: 500 on PostgreSQL
    assert client.get("/api/v1/changes", params={"resource": ""}).status_code == 422
    assert client.get("/api/v1/changes", params={"resource": "staff,unit"}).status_code == 200
    spec = client.get("/openapi.json").json()["paths"]["/api/v1/changes"]["get"]
    [resource] = [p for p in spec["parameters"] if p["name"] == "resource"]
    assert re.match(resource["schema"]["items"]["pattern"], "staff,unit")
    assert not re.match(resource["schema"]["items"]["pattern"], "staff,")


def test_patterns_mean_the_same_in_every_regex_engine(client: TestClient) -> None:
    # `\s` and `\d` differ between the server's Rust regex and ECMA (clients, validators)
    unit = _unit(client)
    body = {"external_code": "GV-RX", "full_name": "Lê Hoa", "unit_id": unit["id"]}
    body["category"] = "teacher"
    assert client.post("/api/v1/staff", json={**body, "email": "a\x85b@c.vn"}).status_code == 422
    arabic_digits = "V.\u0661\u0662.\u0661\u0662.\u0661\u0662"
    assert (
        client.post("/api/v1/staff", json={**body, "title_rank": arabic_digits}).status_code == 422
    )
    assert "\\s" not in json.dumps(client.get("/openapi.json").json())


def test_nul_characters_are_refused_not_a_database_error(client: TestClient) -> None:
    # PostgreSQL text cannot hold NUL: it was a 500 there, in a body and in a query
    r = client.post(
        "/api/v1/units", json={"external_code": "A1", "kind": "school", "name": "a\x00"}
    )
    assert r.status_code == 422
    assert client.get("/api/v1/audit-log", params={"action": "x\x00"}).status_code == 422


def test_json_lists_written_row_by_row_are_bounded(client: TestClient) -> None:
    # 5,000 rows of module scores took over 10 s on PostgreSQL; files use the bulk endpoints
    row = {"staff_id": 1, "school_year": "2024-2025", "module_code": "M", "score": 5.0}
    r = client.post("/api/v1/bdtx/module-scores", json=[row] * 1001)
    assert r.status_code == 422
    assert client.post("/api/v1/bdtx/lms-completions", json=[{}] * 1001).status_code == 422


@pytest.mark.parametrize(
    ("model", "field", "value"),
    [
        ("CriticismUpdate", "document_symbol", "\x8570-SGDĐT"),  # stripped, then it matched
        ("StaffCreate", "email", " thuha@dongnai.edu.vn"),
    ],
)
def test_white_space_a_pattern_refuses_is_refused_not_stripped(
    model: str, field: str, value: str
) -> None:
    from pydantic import ValidationError

    from app.criticisms.schemas import CriticismUpdate
    from app.staff.schemas import StaffCreate

    cls = {"CriticismUpdate": CriticismUpdate, "StaffCreate": StaffCreate}[model]
    base = {"external_code": "X-1", "full_name": "Lê Thị Hoa", "unit_id": 1, "category": "teacher"}
    with pytest.raises(ValidationError):
        cls.model_validate({**(base if model == "StaffCreate" else {}), field: value})
    assert cls.model_validate({**(base if model == "StaffCreate" else {}), field: value.strip()})


def test_a_requirement_meeting_no_unit_is_409_not_422(client: TestClient) -> None:
    unit = _unit(client)
    event = {
        "kind": "training",
        "organizer_unit_id": unit["id"],
        "title": "Tập huấn",
        "school_year": "2026-2027",
    }
    r = client.post("/api/v1/events", json=event)
    assert r.status_code == 201, r.text
    body = {"quota": 1, "under_unit_id": unit["id"], "unit_kinds": ["other"]}
    r = client.post(f"/api/v1/events/{r.json()['id']}/requirements", json=body)
    assert r.status_code == 409, r.text
    assert r.json()["code"] == "requirement_without_targets"


def test_a_participation_request_for_nobody_is_409_not_422(client: TestClient) -> None:
    """The admin has no staff record and names nobody: valid input, nobody to ask for."""
    parent = _unit(client, external_code="FZ-SO", kind="department", name="Sở thử")
    unit = _unit(client, parent_id=parent["id"])
    event = {
        "title": "Hội thảo đổi mới phương pháp dạy học",
        "kind": "workshop",
        "organiser_type": "organization",
        "organiser_name": "Viện Khoa học Giáo dục",
        "organiser_registration_number": "GP-01",
        "organiser_issuer": "Bộ Khoa học và Công nghệ",
        "organiser_address": "101 Trần Hưng Đạo, Hà Nội",
        "agenda": "Báo cáo chuyên đề và thảo luận.",
        "starts_on": "2099-05-01",
        "ends_on": "2099-05-01",
        "is_online": True,
        "host_unit_id": unit["id"],
    }
    r = client.post("/api/v1/external-events", json=event)
    assert r.status_code == 201, r.text
    body = {
        "external_event_id": r.json()["id"],
        "staff_id": None,
        "commitment_acknowledged": True,
        "commitment_text": "Cam kết tham gia đúng nội dung đã được phê duyệt.",
    }
    r = client.post("/api/v1/participation-requests", json=body)
    assert r.status_code == 409, r.text
    assert r.json()["code"] == "caller_has_no_staff_record"


def _constraints(annotation: object) -> list[object]:
    """Every metadata object in an annotation, through Optional, lists and dicts."""
    from typing import get_args

    found = list(getattr(annotation, "__metadata__", ()))
    for arg in get_args(annotation):
        found += _constraints(arg)
    return found


def test_every_pattern_in_a_request_is_checked_as_sent() -> None:
    """Input models strip white space; a pattern must see the text as sent, or " ABC"
    passes `^[A-Z]+$` (app.core.types.patterned says it once)."""
    from app.core.schemas import InputModel

    def models(cls: type) -> list[type[InputModel]]:
        return [m for sub in cls.__subclasses__() for m in (sub, *models(sub))]

    stripped = []
    for model in models(InputModel):
        for name, field in model.model_fields.items():
            meta = [*field.metadata, *_constraints(field.annotation)]
            if any(getattr(m, "pattern", None) for m in meta) and not any(
                getattr(m, "strip_whitespace", None) is False for m in meta
            ):
                stripped.append(f"{model.__name__}.{name}")
    assert stripped == []
