"""What a person reads in a problem: Vietnamese throughout (English on request), no
pydantic English inside a Vietnamese problem, no internal permission names."""

import re
from pathlib import Path

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.auth.models import Role
from app.auth.policies import Permission
from app.core.i18n import PERMISSIONS_VI
from app.core.validation_text import VI
from tests.conftest import ClientFor
from tests.factories import make_tree

UNITS = "/api/v1/units"
BAD_UNIT = {"external_code": "", "name": "x" * 300, "kind": "castle", "parent_id": "abc"}


def _msgs(r: object) -> dict[str, str]:
    body = r.json()  # type: ignore[attr-defined]
    return {".".join(map(str, e["loc"][1:])): e["msg"] for e in body["errors"]}


def test_validation_messages_are_vietnamese_by_default_and_english_on_request(
    client: TestClient,
) -> None:
    vi = client.post(UNITS, json=BAD_UNIT, headers={"Accept-Language": "vi"})
    assert vi.status_code == 422
    msgs = _msgs(vi)
    assert msgs["external_code"] == "Cần ít nhất 1 ký tự."
    assert msgs["name"] == "Tối đa 255 ký tự."
    assert msgs["kind"].startswith("Phải là một trong: ")
    assert msgs["parent_id"] == "Phải là số."
    assert not any(re.search(r"\b(should|Input|valid|Field)\b", m) for m in msgs.values())
    en = client.post(UNITS, json=BAD_UNIT, headers={"Accept-Language": "en"})
    assert _msgs(en)["parent_id"] == "Input should be a JSON number"
    missing = client.post(UNITS, json={}, headers={"Accept-Language": "vi"})
    assert set(_msgs(missing).values()) == {"Thiếu trường bắt buộc."}


def test_every_template_fills_from_pydantic_context() -> None:
    """A placeholder pydantic does not provide would print the fallback instead."""
    for kind, template in VI.items():
        for name in re.findall(r"\{(\w+)\}", template):
            assert name.isidentifier(), (kind, name)


def test_a_refusal_names_the_permission_in_words(client_for: ClientFor, session: Session) -> None:
    t = make_tree(session)
    inspector = client_for(Role.inspector, t["so"])
    body = {"kind": "unexcused_absence", "unit_id": t["s1"].id, "evidence": "Biên bản"}
    r = inspector.post("/api/v1/violations", json=body, headers={"Accept-Language": "vi"})
    assert r.status_code == 403
    assert "ghi nhận vi phạm" in r.json()["detail"]
    assert "record_violations" not in r.json()["detail"]


def _permission_names() -> set[str]:
    """Every permission name the code can put in a 403: the enum, abilities, and the names
    passed to the allow* helpers or as ``permission=``."""
    names = {p.value for p in Permission}
    patterns = [
        r'Ability\(\s*"([a-z_]+)"',
        r'allow\w*\([^)]*?"([a-z_]+)"\)',
        r'permission="([a-z_]+)"',
    ]
    root = Path(__file__).resolve().parents[1] / "app"
    for path in root.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for pattern in patterns:
            names |= set(re.findall(pattern, text, flags=re.S))
    return names


def test_every_permission_has_a_vietnamese_name() -> None:
    names = _permission_names()
    assert {"record_violations", "consent_participation", "set_bdtx_policy"} <= names
    assert names - PERMISSIONS_VI.keys() == set()
