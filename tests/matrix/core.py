"""Route matrix cases for units, staff, users, API keys, audit log."""

import base64
from functools import cache
from typing import Any

from app.auth.models import Role
from tests.documents import make_pki
from tests.matrix.base import Case, World, ids_in, u


@cache
def credential() -> dict[str, Any]:
    pki = make_pki("Trường THCS A1")
    return {
        "kind": "pkcs12",
        "pkcs12_base64": base64.b64encode(pki.pkcs12).decode(),
        "passphrase": pki.passphrase,
    }


def with_credential(w: World) -> str:
    url = f"/api/v1/units/{u(w)}/signing-credential"
    assert w.admin.put(url, json=credential()).status_code == 200
    return url


LETTERHEAD = {
    "managing_body": "UBND huyện A",
    "abbreviation": "PGDĐT",
    "drafting_unit": "VP",
    "place": "Đồng Xoài",
    "signer_title": "TRƯỞNG PHÒNG",
}

CASES = [
    Case("GET", "/api/v1/me", Role.staff, lambda w: ("/api/v1/me", None, {}), siblings=False),
    Case(
        "GET",
        "/api/v1/units",
        Role.inspector,
        lambda w: ("/api/v1/units", None, {}),
        sees_target=lambda w, b: u(w) in ids_in(b),
    ),
    Case(
        "POST",
        "/api/v1/units",
        Role.department_officer,
        lambda w: (
            "/api/v1/units",
            {"external_code": "NEW-1", "name": "Trường mới", "kind": "school", "parent_id": u(w)},
            {},
        ),
        expect=201,
        wrong=Role.inspector,
    ),
    Case(
        "GET",
        "/api/v1/units/{unit_id}",
        Role.inspector,
        lambda w: (f"/api/v1/units/{u(w)}", None, {}),
    ),
    Case(
        "PATCH",
        "/api/v1/units/{unit_id}",
        Role.department_officer,
        lambda w: (f"/api/v1/units/{u(w)}", {"name": "Tên mới"}, w.etag(f"/api/v1/units/{u(w)}")),
        wrong=Role.inspector,
    ),
    Case(
        "DELETE",
        "/api/v1/units/{unit_id}",
        Role.department_officer,
        lambda w: (
            lambda leaf: (f"/api/v1/units/{leaf.id}", None, w.etag(f"/api/v1/units/{leaf.id}"))
        )(w.leaf()),
        expect=204,
        wrong=Role.unit_head,
    ),
    Case(
        "POST",
        "/api/v1/units/{unit_id}/move",
        Role.department_officer,
        lambda w: (
            lambda leaf: (
                f"/api/v1/units/{leaf.id}/move",
                {"new_parent_id": u(w, "d1"), "reason": "Sắp xếp"},
                w.etag(f"/api/v1/units/{leaf.id}"),
            )
        )(w.leaf()),
        wrong=Role.inspector,
    ),
    Case(
        "GET",
        "/api/v1/units/{unit_id}/moves",
        Role.inspector,
        lambda w: (f"/api/v1/units/{u(w)}/moves", None, {}),
    ),
    Case(
        "PUT",
        "/api/v1/units/{unit_id}/letterhead",
        Role.department_officer,
        lambda w: (f"/api/v1/units/{u(w)}/letterhead", LETTERHEAD, {}),
        wrong=Role.inspector,
    ),
    Case(
        "GET",
        "/api/v1/units/{unit_id}/letterhead",
        Role.inspector,
        lambda w: (
            w.admin.put(f"/api/v1/units/{u(w)}/letterhead", json=LETTERHEAD)
            and f"/api/v1/units/{u(w)}/letterhead",
            None,
            {},
        ),
    ),
    Case(
        "PUT",
        "/api/v1/units/{unit_id}/signing-credential",
        Role.admin,
        lambda w: (f"/api/v1/units/{u(w)}/signing-credential", credential(), {}),
        wrong=Role.department_officer,
    ),
    Case(
        "GET",
        "/api/v1/units/{unit_id}/signing-credential",
        Role.inspector,
        lambda w: (with_credential(w), None, {}),
    ),
    Case(
        "DELETE",
        "/api/v1/units/{unit_id}/signing-credential",
        Role.admin,
        lambda w: (with_credential(w), None, {}),
        expect=204,
        wrong=Role.department_officer,
    ),
    Case(
        "GET",
        "/api/v1/staff",
        Role.inspector,
        lambda w: ("/api/v1/staff", None, {}),
        sees_target=lambda w, b: w.staff.id in ids_in(b),
    ),
    Case(
        "POST",
        "/api/v1/staff",
        Role.unit_head,
        lambda w: (
            "/api/v1/staff",
            {
                "external_code": "GV-NEW",
                "full_name": "Lý Thị Mới",
                "unit_id": u(w),
                "category": "teacher",
            },
            {},
        ),
        expect=201,
        wrong=Role.inspector,
    ),
    Case(
        "GET",
        "/api/v1/staff/{staff_id}",
        Role.inspector,
        lambda w: (f"/api/v1/staff/{w.staff.id}", None, {}),
    ),
    Case(
        "PATCH",
        "/api/v1/staff/{staff_id}",
        Role.unit_head,
        lambda w: (
            f"/api/v1/staff/{w.staff.id}",
            {"position": "Tổ trưởng"},
            w.etag(f"/api/v1/staff/{w.staff.id}"),
        ),
        wrong=Role.organizer,
    ),
    Case(
        "POST",
        "/api/v1/staff/{staff_id}/transfer",
        Role.department_officer,
        lambda w: (
            f"/api/v1/staff/{w.staff.id}/transfer",
            {"unit_id": u(w, "s1b")},
            w.etag(f"/api/v1/staff/{w.staff.id}"),
        ),
        wrong=Role.inspector,
    ),
    Case(
        "GET",
        "/api/v1/staff/{staff_id}/unit-history",
        Role.inspector,
        lambda w: (f"/api/v1/staff/{w.staff.id}/unit-history", None, {}),
    ),
    Case(
        "GET",
        "/api/v1/users",
        Role.inspector,
        lambda w: ("/api/v1/users", None, {}),
        sees_target=lambda w, b: w.user.id in ids_in(b),
    ),
    Case(
        "POST",
        "/api/v1/users",
        Role.department_officer,
        lambda w: (
            "/api/v1/users",
            {
                "username": "gv.moi",
                "password": "mat-khau-rat-dai",
                "full_name": "Giáo viên mới",
                "roles": [{"role": "staff", "unit_id": u(w)}],
            },
            {},
        ),
        expect=201,
        wrong=Role.unit_head,
    ),
    Case(
        "GET",
        "/api/v1/users/{user_id}",
        Role.inspector,
        lambda w: (f"/api/v1/users/{w.user.id}", None, {}),
    ),
    Case(
        "PATCH",
        "/api/v1/users/{user_id}",
        Role.department_officer,
        lambda w: (
            f"/api/v1/users/{w.user.id}",
            {"is_active": False},
            w.etag(f"/api/v1/users/{w.user.id}"),
        ),
        wrong=Role.unit_head,
    ),
    Case(
        "GET",
        "/api/v1/users/{user_id}/roles",
        Role.inspector,
        lambda w: (f"/api/v1/users/{w.user.id}/roles", None, {}),
    ),
    Case(
        "POST",
        "/api/v1/users/{user_id}/roles",
        Role.department_officer,
        lambda w: (f"/api/v1/users/{w.user.id}/roles", {"role": "inspector", "unit_id": u(w)}, {}),
        expect=201,
        wrong=Role.unit_head,
    ),
    Case(
        "DELETE",
        "/api/v1/users/{user_id}/roles/{assignment_id}",
        Role.department_officer,
        lambda w: (f"/api/v1/users/{w.user.id}/roles/{w.assignment.id}", None, {}),
        expect=204,
        wrong=Role.unit_head,
    ),
    Case(
        "GET",
        "/api/v1/api-keys",
        Role.department_officer,
        lambda w: ("/api/v1/api-keys", None, {}),
        sees_target=lambda w, b: w.key.id in ids_in(b),
        wrong=Role.inspector,
    ),
    Case(
        "POST",
        "/api/v1/api-keys",
        Role.department_officer,
        lambda w: (
            "/api/v1/api-keys",
            {"name": "SMAS", "role": "integration", "unit_id": u(w)},
            {},
        ),
        expect=201,
        wrong=Role.inspector,
    ),
    Case(
        "GET",
        "/api/v1/api-keys/{key_id}",
        Role.department_officer,
        lambda w: (f"/api/v1/api-keys/{w.key.id}", None, {}),
        wrong=Role.inspector,
    ),
    Case(
        "POST",
        "/api/v1/api-keys/{key_id}/revoke",
        Role.department_officer,
        lambda w: (f"/api/v1/api-keys/{w.key.id}/revoke", None, {}),
        wrong=Role.inspector,
    ),
    Case(
        "GET",
        "/api/v1/audit-log",
        Role.inspector,
        lambda w: ("/api/v1/audit-log", None, {}),
        sees_target=lambda w, b: any(e["target_id"] == u(w) for e in b["items"]),
        wrong=Role.department_officer,
    ),
]
