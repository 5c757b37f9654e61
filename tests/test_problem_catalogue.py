"""The problem-code catalogue (app.core.problem_catalogue): whole, consistent with the code
that raises, and served to clients."""

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.core.i18n import MESSAGES, render
from app.core.problem_catalogue import CODES

STATUS_OF = {
    "BadRequest": 400,
    "Unauthorized": 401,
    "Forbidden": 403,
    "NotAcceptable": 406,
    "Conflict": 409,
    "Gone": 410,
    "PreconditionFailed": 412,
    "InvalidInput": 422,
    "PreconditionRequired": 428,
}
RAISE = re.compile(r"\b(" + "|".join(STATUS_OF) + r')\(\s*"([a-z0-9_]+)"')
OTHER = re.compile(r'(?:Issue|CellError|CodeRefused|_unauthorized)\(\s*"([a-z0-9_]+)"')


def _sources() -> list[str]:
    root = Path(__file__).resolve().parents[1] / "app"
    return [p.read_text(encoding="utf-8") for p in root.rglob("*.py")]


def test_every_code_has_its_status_and_texts_in_both_languages() -> None:
    assert set(CODES) == set(MESSAGES), "add the code to app/core/problem_catalogue.py"
    for code, texts in MESSAGES.items():
        assert set(texts) == {"vi", "en"}, code
        assert all(title and detail for title, detail in texts.values()), code


def test_every_code_the_code_raises_is_in_the_catalogue_with_that_status() -> None:
    wrong = []
    for text in _sources():
        for kind, code in RAISE.findall(text):
            if CODES.get(code, (0,))[0] not in (STATUS_OF[kind], None):
                wrong.append(f"{kind}({code!r}): catalogue says {CODES.get(code)}")
        wrong += [f"{code!r} missing" for code in OTHER.findall(text) if code not in CODES]
    assert wrong == []


def test_a_code_without_an_entry_fails_in_tests() -> None:
    with pytest.raises(KeyError, match="not in the catalogue"):
        render("no_such_code_anywhere", "vi", {})


def test_the_catalogue_is_served_without_authentication(anon: TestClient) -> None:
    r = anon.get("/api/v1/public/problems")
    assert r.status_code == 200
    items = {i["code"]: i for i in r.json()["items"]}
    assert set(items) == set(CODES)
    own = items["own_case"]
    assert (own["status"], own["rule"]) == (403, "R-GOV-1")
    assert own["title_vi"] == "Không tự quyết định việc của mình"
    assert items["bulk_invalid_date"]["status"] is None  # a bulk row's code
    one = anon.get("/api/v1/public/problems/feed_position_expired")
    assert one.json()["status"] == 410
    missing = anon.get("/api/v1/public/problems/khong_co")
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"
    assert "mã lỗi" in missing.json()["detail"]


def test_a_problems_type_names_its_catalogue_entry(client: TestClient) -> None:
    r = client.get("/api/v1/units/987654321")
    assert r.json()["type"] == "/api/v1/public/problems/not_found"
    entry = client.get(r.json()["type"])  # resolves on this server
    assert (entry.json()["code"], entry.json()["status"]) == ("not_found", 404)
