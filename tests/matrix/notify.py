"""Route matrix cases for notifications: a caller's own, so no sibling can reach them and
an API key (a system, not a person) is refused."""

from app.auth.models import Role
from tests.matrix.base import Case

CASES = [
    Case(
        "GET",
        "/api/v1/notifications",
        Role.staff,
        lambda w: ("/api/v1/notifications", None, {}),
        siblings=False,
    ),
    Case(
        "GET",
        "/api/v1/notifications/unread-count",
        Role.staff,
        lambda w: ("/api/v1/notifications/unread-count", None, {}),
        siblings=False,
    ),
    Case(
        "POST",
        "/api/v1/notifications/read",
        Role.staff,
        lambda w: ("/api/v1/notifications/read", {}, {}),
        siblings=False,
    ),
    Case(
        "GET",
        "/api/v1/notifications/preferences",
        Role.staff,
        lambda w: ("/api/v1/notifications/preferences", None, {}),
        siblings=False,
    ),
    Case(
        "PUT",
        "/api/v1/notifications/preferences",
        Role.staff,
        lambda w: (
            "/api/v1/notifications/preferences",
            {"preferences": {"summons": {"email": False}}},
            {},
        ),
        siblings=False,
    ),
]
