"""Route matrix cases for the change feed."""

from typing import Any

from app.auth.models import Role
from tests.matrix.base import Case, World, u


def _sees_s1(w: World, body: Any) -> bool:
    """The world's one API write renamed school s1: its readers see it, siblings do not."""
    return any(i["resource"] == "unit" and i["resource_id"] == u(w) for i in body["items"])


CASES = [
    Case(
        "GET",
        "/api/v1/changes",
        Role.integration,
        lambda w: ("/api/v1/changes", None, {}),
        wrong=Role.staff,
        sees_target=_sees_s1,
    ),
]
