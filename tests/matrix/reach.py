"""The reach table (R-GOV-2): who may call each route on the matrix's target, and from where.

A grant sits at a level of the matrix's world (``tests.matrix.base.World``): ``global`` (a
system-wide admin), the Sở ``so``, the office ``d1`` and the school ``s1`` below it (the
target's side of the tree), or the sibling office ``d2``. A grant reaches its unit's subtree,
so ``so`` reaches everything ``d1`` does, and ``d2`` reaches nothing of the target's side.

Each route's ``Reach`` says which roles act and from how deep a grant they still do; who,
without acting, still sees the target (so is refused 403 rather than 404); what an organiser
bound to the event, the person themself and an API key get. ``expected`` turns that into the
answer for every role at every level, and ``tests/auth/test_reach_matrix.py`` sends every
route that way and compares. A route without an entry fails the suite.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

from app.auth.models import Role

A, D, H, ORG, INSP, S, K = (
    Role.admin,
    Role.department_officer,
    Role.unit_head,
    Role.organizer,
    Role.inspector,
    Role.staff,
    Role.integration,
)
# the roles that read their subtree (Permission.read); staff read only their own records
READERS = (A, D, H, ORG, INSP, K)
CHAIN = ("global", "so", "d1", "s1")  # the target's side, from the widest grant down
LEVELS = ("global", "so", "d1", "s1", "d2")
KEY_LEVELS = ("d1", "d2")  # where API keys are tried, beside users with the same role

OK = 200  # the case's own success (201, 204...); on a list: the target is in the page
GONE = 404  # on a list: the page leaves the target out


@dataclass(frozen=True)
class Reach:
    # role → the deepest grant it acts from: "s1" from s1, d1, so or a system-wide admin;
    # "=d1" only from exactly d1 (R-EXT-1's authority, R-GOV-1's own head); "global" only a
    # system-wide admin; "*" from anywhere
    acts: Mapping[Role, str]
    # the deepest grant from which a reader that does not act still sees the target, so is
    # refused 403 rather than 404; "*" from anywhere (province data, R-GOV-2); None: nobody
    seen: str | None = None
    # roles that do not act are refused 403 wherever they sit: the permission comes first
    gated: bool = False
    # an organiser bound to an event (R-GOV-2): on the case's event's routes, its answer;
    # None: a grant that reaches no unit (everything else: 404, or 403 where gated)
    event: int | None = None
    # the world's staff member, with their own account
    self: int = GONE
    # API keys: their answer where it differs from a user's of the same role and unit
    keys: int | None = None
    # "role@level" → answer, where the route's own rule departs from the above; say why
    but: Mapping[str, int] = field(default_factory=dict)


def _reaches(level: str, depth: str) -> bool:
    if depth == "*":
        return True
    if depth == "global":
        return level == "global"
    if depth.startswith("="):
        return level == depth[1:]
    return level in CHAIN and CHAIN.index(level) <= CHAIN.index(depth)


def _sees(level: str, seen: str | None) -> bool:
    if seen is None:
        return False
    return seen == "*" or (level in CHAIN and CHAIN.index(level) <= CHAIN.index(seen))


def expected(reach: Reach, role: Role, level: str) -> int:
    """The answer to ``role`` holding its grant at ``level``: OK, 403 or 404 (GONE)."""
    if level == "event" and reach.event is not None:
        return reach.event
    if level == "self":
        return reach.self
    if f"{role.value}@{level}" in reach.but:
        return reach.but[f"{role.value}@{level}"]
    depth = reach.acts.get(role)
    if depth is not None and _reaches(level, depth):
        return OK
    if reach.gated and role not in reach.acts:
        return 403
    if role in READERS and _sees(level, reach.seen):
        return 403
    return GONE


def key_expected(reach: Reach, role: Role, level: str) -> int:
    return expected(reach, role, level) if reach.keys is None else reach.keys


def everyone() -> dict[Role, str]:
    """Every role acts, from any grant: the caller's own things, province-wide reading."""
    return dict.fromkeys(Role, "*")


def readers(depth: str) -> dict[Role, str]:
    """Every role that reads, down to ``depth``."""
    return dict.fromkeys(READERS, depth)


# Readers of the target's subtree; the person reads their own.
READ = Reach(acts=readers("s1"), self=OK)
# An event's pages: its readers, its own organiser, the person on it.
EVENT_READ = Reach(acts=readers("s1"), event=OK, self=OK)
# Running an event: the organising office and above, or the event's own organiser;
# a summoned school sees it.
EVENT_RUN = Reach(acts={A: "d1", D: "d1", ORG: "d1"}, seen="s1", event=OK, self=403)
# Planning an event: as running it, but a draft is not yet seen by the schools.
EVENT_PLAN = Reach(acts={A: "d1", D: "d1", ORG: "d1"}, seen="d1", event=OK)
# Admins and officers over the target.
OFFICERS = Reach(acts={A: "s1", D: "s1"}, seen="s1", self=403)
# Province-wide data and the caller's own account: every grant reads it (R-GOV-2).
ANYONE = Reach(acts=everyone(), self=OK)
# A user's own notifications: people, not API keys.
OWN_INBOX = Reach(acts=everyone(), self=OK, keys=403)
# Writes a unit's head and its integration key make too.
STAFF_WRITE = Reach(acts={A: "s1", D: "s1", H: "s1", K: "s1"}, seen="s1", self=403)
# Unit records: officers and integration keys, not heads.
UNIT_WRITE = Reach(acts={A: "s1", D: "s1", K: "s1"}, seen="s1", self=403)
# A unit's own BDTX and violation records: officers and heads.
HEAD_WRITE = Reach(acts={A: "s1", D: "s1", H: "s1"}, seen="s1", self=403)
# Accounts and keys (manage_users): refused 403 to other roles before any lookup.
ACCOUNTS = Reach(acts={A: "s1", D: "s1"}, seen="s1", gated=True, self=403)
# A unit's plans and reports: its readers, not its staff.
UNIT_READ = Reach(acts=readers("s1"))
# Letters and requests filed at the office: readers of the office, not the school.
OFFICE_READ = Reach(acts=readers("d1"))
# Province-wide data changes only from the Sở up; every other grant reads it (R-GOV-2).
PROVINCE_WRITE = Reach(acts={A: "so", D: "so"}, seen="*", gated=True, self=403)
# A person's own BDTX records: the person, their head and the offices above.
PERSONAL = Reach(acts={A: "s1", D: "s1", H: "s1"}, seen="s1", self=OK)
# Deciding a unit's plan or report: the managing unit above (R-BDTX-5).
REVIEW = Reach(acts={A: "d1", D: "d1", H: "d1"}, seen="s1")
# Criticism letters: the issuing office and above.
CRITICISM = Reach(acts={A: "d1", D: "d1"}, seen="d1")
# Results and certificates: the managing unit above the person's school.
CERTIFY = Reach(acts={A: "d1", D: "d1", H: "d1"}, seen="s1", self=403)
# R-EXT-1: only exactly the competent authority (or a system-wide admin) decides.
AUTHORITY = Reach(acts={A: "global", D: "=d1", H: "=d1"}, seen="s1", self=403)

REACH: dict[tuple[str, str], Reach] = {
    ("GET", "/api/v1/absence-excuses"): EVENT_READ,
    ("POST", "/api/v1/absence-excuses"): Reach(acts={H: "=s1"}, seen="s1", self=OK),
    ("GET", "/api/v1/absence-excuses/{excuse_id}"): EVENT_READ,
    ("POST", "/api/v1/absence-excuses/{excuse_id}/confirm"): Reach(
        acts={H: "=s1"}, seen="s1", event=403, self=403
    ),
    ("POST", "/api/v1/absence-excuses/{excuse_id}/reject"): Reach(
        acts={H: "=s1"}, seen="s1", event=403, self=403
    ),
    ("GET", "/api/v1/api-keys"): ACCOUNTS,
    ("POST", "/api/v1/api-keys"): Reach(acts={A: "s1", D: "s1"}, seen="s1", self=403, keys=403),
    ("GET", "/api/v1/api-keys/{key_id}/webhooks"): ACCOUNTS,
    ("POST", "/api/v1/api-keys/{key_id}/webhooks"): ACCOUNTS,
    ("GET", "/api/v1/api-keys/{key_id}/webhooks/{webhook_id}"): ACCOUNTS,
    ("PATCH", "/api/v1/api-keys/{key_id}/webhooks/{webhook_id}"): ACCOUNTS,
    ("DELETE", "/api/v1/api-keys/{key_id}/webhooks/{webhook_id}"): ACCOUNTS,
    ("GET", "/api/v1/api-keys/{key_id}/webhooks/{webhook_id}/deliveries"): ACCOUNTS,
    (
        "POST",
        "/api/v1/api-keys/{key_id}/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver",
    ): ACCOUNTS,
    ("GET", "/api/v1/api-keys/{key_id}"): ACCOUNTS,
    ("POST", "/api/v1/api-keys/{key_id}/revoke"): ACCOUNTS,
    ("GET", "/api/v1/audit-log"): Reach(
        acts={A: "s1", INSP: "s1"}, seen="s1", gated=True, self=403
    ),
    ("GET", "/api/v1/bdtx/certificates"): READ,
    ("POST", "/api/v1/bdtx/certificates"): CERTIFY,
    ("GET", "/api/v1/bdtx/certificates/{certificate_id}"): READ,
    ("GET", "/api/v1/bdtx/certificates/{certificate_id}/document"): READ,
    ("POST", "/api/v1/bdtx/certificates/{certificate_id}/revoke"): CERTIFY,
    ("POST", "/api/v1/bdtx/lms-completions"): UNIT_WRITE,
    ("POST", "/api/v1/bdtx/lms-completions/bulk"): Reach(
        acts={A: "s1", D: "s1", K: "s1"}, seen="s1", gated=True, self=403
    ),
    ("POST", "/api/v1/bdtx/module-scores"): STAFF_WRITE,
    ("GET", "/api/v1/bdtx/modules"): ANYONE,
    ("POST", "/api/v1/bdtx/modules"): PROVINCE_WRITE,
    ("POST", "/api/v1/bdtx/modules/bulk"): PROVINCE_WRITE,
    ("POST", "/api/v1/bdtx/modules/import"): PROVINCE_WRITE,
    ("GET", "/api/v1/bdtx/modules/{module_id}"): ANYONE,
    ("GET", "/api/v1/bdtx/personal-plans"): READ,
    ("POST", "/api/v1/bdtx/personal-plans"): PERSONAL,
    ("GET", "/api/v1/bdtx/personal-plans/{plan_id}"): READ,
    ("PUT", "/api/v1/bdtx/personal-plans/{plan_id}"): PERSONAL,
    ("POST", "/api/v1/bdtx/personal-plans/{plan_id}/approve"): Reach(
        acts={A: "global", H: "=s1"}, seen="s1", self=403
    ),
    ("POST", "/api/v1/bdtx/personal-plans/{plan_id}/return"): Reach(
        acts={A: "global", H: "=s1"}, seen="s1", self=403
    ),
    ("POST", "/api/v1/bdtx/personal-plans/{plan_id}/submit"): PERSONAL,
    ("GET", "/api/v1/bdtx/personal-plans/{plan_id}/suggestions"): READ,
    ("GET", "/api/v1/bdtx/results"): READ,
    ("POST", "/api/v1/bdtx/results"): HEAD_WRITE,
    ("GET", "/api/v1/bdtx/results/{result_id}"): READ,
    ("POST", "/api/v1/bdtx/results/{result_id}/finalise"): CERTIFY,
    ("GET", "/api/v1/bdtx/self-study"): READ,
    ("POST", "/api/v1/bdtx/self-study"): PERSONAL,
    ("GET", "/api/v1/bdtx/self-study/{record_id}"): READ,
    ("POST", "/api/v1/bdtx/self-study/{record_id}/inspect"): Reach(
        acts={A: "s1", D: "s1", H: "s1", INSP: "s1"}, seen="s1", self=403
    ),
    ("GET", "/api/v1/bdtx/unit-plans"): UNIT_READ,
    ("POST", "/api/v1/bdtx/unit-plans"): HEAD_WRITE,
    ("GET", "/api/v1/bdtx/unit-plans/{plan_id}"): UNIT_READ,
    ("PATCH", "/api/v1/bdtx/unit-plans/{plan_id}"): Reach(
        acts={A: "s1", D: "s1", H: "s1"}, seen="s1"
    ),
    ("POST", "/api/v1/bdtx/unit-plans/{plan_id}/approve"): REVIEW,
    ("POST", "/api/v1/bdtx/unit-plans/{plan_id}/return"): REVIEW,
    ("POST", "/api/v1/bdtx/unit-plans/{plan_id}/submit"): Reach(
        acts={A: "s1", D: "s1", H: "s1"}, seen="s1"
    ),
    ("GET", "/api/v1/bdtx/unit-reports"): UNIT_READ,
    ("POST", "/api/v1/bdtx/unit-reports"): HEAD_WRITE,
    ("GET", "/api/v1/bdtx/unit-reports/{report_id}"): UNIT_READ,
    ("PATCH", "/api/v1/bdtx/unit-reports/{report_id}"): Reach(
        acts={A: "s1", D: "s1", H: "s1"}, seen="s1"
    ),
    ("POST", "/api/v1/bdtx/unit-reports/{report_id}/accept"): REVIEW,
    ("POST", "/api/v1/bdtx/unit-reports/{report_id}/return"): REVIEW,
    ("POST", "/api/v1/bdtx/unit-reports/{report_id}/submit"): Reach(
        acts={A: "s1", D: "s1", H: "s1"}, seen="s1"
    ),
    ("GET", "/api/v1/bdtx/units/{unit_id}/certificates/document"): READ,
    # templates hold no data: any signed-in caller (app.bulk.router)
    ("GET", "/api/v1/bulk/templates"): ANYONE,
    ("GET", "/api/v1/bulk/templates/{resource}"): ANYONE,
    ("GET", "/api/v1/changes"): Reach(
        acts={A: "s1", D: "s1", H: "s1", INSP: "s1", K: "s1"}, seen="s1", gated=True, self=403
    ),
    ("GET", "/api/v1/criticisms"): OFFICE_READ,
    ("POST", "/api/v1/criticisms"): CRITICISM,
    ("GET", "/api/v1/criticisms/{criticism_id}"): OFFICE_READ,
    ("PATCH", "/api/v1/criticisms/{criticism_id}"): CRITICISM,
    ("GET", "/api/v1/criticisms/{criticism_id}/document"): OFFICE_READ,
    ("POST", "/api/v1/criticisms/{criticism_id}/issue"): CRITICISM,
    ("GET", "/api/v1/events"): EVENT_READ,
    ("POST", "/api/v1/events"): Reach(acts={A: "d1", D: "d1", ORG: "d1"}, seen="d1"),
    ("GET", "/api/v1/events/{event_id}"): EVENT_READ,
    ("PATCH", "/api/v1/events/{event_id}"): EVENT_PLAN,
    ("GET", "/api/v1/events/{event_id}/amendments"): EVENT_READ,
    ("GET", "/api/v1/events/{event_id}/attendance"): EVENT_READ,
    ("POST", "/api/v1/events/{event_id}/cancel"): EVENT_RUN,
    ("POST", "/api/v1/events/{event_id}/close"): EVENT_RUN,
    ("POST", "/api/v1/events/{event_id}/late-consents"): Reach(
        acts={A: "d1", D: "d1", ORG: "d1"}, seen="s1", self=403
    ),
    ("GET", "/api/v1/events/{event_id}/nominations"): EVENT_READ,
    ("POST", "/api/v1/events/{event_id}/nominations"): Reach(
        acts={A: "s1", D: "s1", H: "=s1"}, seen="s1"
    ),
    ("GET", "/api/v1/events/{event_id}/requirements"): EVENT_READ,
    ("POST", "/api/v1/events/{event_id}/requirements"): Reach(
        acts={A: "d1", D: "d1", ORG: "d1"}, seen="d1"
    ),
    ("DELETE", "/api/v1/events/{event_id}/requirements/{requirement_id}"): EVENT_PLAN,
    ("GET", "/api/v1/events/{event_id}/roster"): EVENT_READ,
    ("GET", "/api/v1/events/{event_id}/sessions"): EVENT_READ,
    ("POST", "/api/v1/events/{event_id}/sessions"): EVENT_PLAN,
    ("DELETE", "/api/v1/events/{event_id}/sessions/{session_id}"): EVENT_PLAN,
    ("POST", "/api/v1/events/{event_id}/sessions/{session_id}/amend"): EVENT_RUN,
    ("PUT", "/api/v1/events/{event_id}/sessions/{session_id}/attendance"): EVENT_RUN,
    ("POST", "/api/v1/events/{event_id}/sessions/{session_id}/attendance/bulk"): EVENT_RUN,
    ("POST", "/api/v1/events/{event_id}/sessions/{session_id}/cancel"): EVENT_RUN,
    ("GET", "/api/v1/events/{event_id}/sessions/{session_id}/check-in"): EVENT_RUN,
    ("POST", "/api/v1/events/{event_id}/sessions/{session_id}/check-in"): Reach(
        acts={}, seen="s1", event=403, self=OK
    ),
    ("POST", "/api/v1/events/{event_id}/sessions/{session_id}/check-in/close"): EVENT_RUN,
    ("GET", "/api/v1/events/{event_id}/sessions/{session_id}/check-in/code"): EVENT_RUN,
    ("POST", "/api/v1/events/{event_id}/sessions/{session_id}/check-in/open"): EVENT_RUN,
    ("POST", "/api/v1/events/{event_id}/summon"): EVENT_PLAN,
    ("GET", "/api/v1/events/{event_id}/to-fill"): EVENT_READ,
    ("GET", "/api/v1/external-events"): READ,
    ("POST", "/api/v1/external-events"): STAFF_WRITE,
    ("GET", "/api/v1/external-events/queue"): Reach(acts={A: "global", D: "=d1", H: "=d1"}),
    ("GET", "/api/v1/external-events/{external_event_id}"): READ,
    ("PATCH", "/api/v1/external-events/{external_event_id}"): STAFF_WRITE,
    ("POST", "/api/v1/external-events/{external_event_id}/approve"): AUTHORITY,
    ("POST", "/api/v1/external-events/{external_event_id}/attendance-imports"): UNIT_WRITE,
    ("POST", "/api/v1/external-events/{external_event_id}/reject"): AUTHORITY,
    ("POST", "/api/v1/external-events/{external_event_id}/revoke"): AUTHORITY,
    ("GET", "/api/v1/me"): ANYONE,
    ("GET", "/api/v1/nominations/{nomination_id}"): EVENT_READ,
    ("POST", "/api/v1/nominations/{nomination_id}/accept"): Reach(
        acts={A: "d1", D: "d1", ORG: "d1"}, seen="s1", event=OK
    ),
    ("GET", "/api/v1/nominations/{nomination_id}/history"): EVENT_READ,
    ("POST", "/api/v1/nominations/{nomination_id}/refuse"): Reach(
        acts={A: "d1", D: "d1", ORG: "d1"}, seen="s1", event=OK
    ),
    ("POST", "/api/v1/nominations/{nomination_id}/substitute"): Reach(
        acts={A: "s1", D: "s1", H: "=s1"}, seen="s1", self=403
    ),
    ("POST", "/api/v1/nominations/{nomination_id}/withdraw"): Reach(
        acts={A: "s1", D: "s1", H: "=s1"}, seen="s1", self=403
    ),
    ("GET", "/api/v1/notifications"): OWN_INBOX,
    ("GET", "/api/v1/notifications/preferences"): OWN_INBOX,
    ("PUT", "/api/v1/notifications/preferences"): OWN_INBOX,
    ("POST", "/api/v1/notifications/read"): OWN_INBOX,
    ("GET", "/api/v1/notifications/unread-count"): OWN_INBOX,
    ("GET", "/api/v1/participation-requests"): READ,
    ("POST", "/api/v1/participation-requests"): Reach(acts={A: "global", H: "=d1"}, seen="d1"),
    ("GET", "/api/v1/participation-requests/counts"): READ,
    ("GET", "/api/v1/participation-requests/{participation_request_id}"): OFFICE_READ,
    ("POST", "/api/v1/participation-requests/{participation_request_id}/consent"): Reach(
        acts={H: "=d1"}, seen="d1"
    ),
    ("POST", "/api/v1/participation-requests/{participation_request_id}/refuse"): Reach(
        acts={H: "=d1"}, seen="d1"
    ),
    ("POST", "/api/v1/participation-requests/{participation_request_id}/withdraw"): Reach(
        acts={A: "global", H: "=d1"}, seen="d1"
    ),
    ("GET", "/api/v1/reports/bdtx"): Reach(acts=readers("s1"), self=403),
    ("GET", "/api/v1/reports/compliance"): Reach(
        acts={A: "d1", D: "d1", H: "d1", INSP: "d1", K: "d1"}, seen="d1", gated=True, self=403
    ),
    ("GET", "/api/v1/reports/emulation"): Reach(
        acts={A: "d1", D: "d1", H: "d1", INSP: "d1", K: "d1"}, seen="d1", gated=True, self=403
    ),
    ("GET", "/api/v1/reports/events/{event_id}/attendance"): EVENT_READ,
    ("GET", "/api/v1/school-years/{school_year}/policy"): ANYONE,
    ("PUT", "/api/v1/school-years/{school_year}/policy"): PROVINCE_WRITE,
    ("GET", "/api/v1/school-years/{school_year}/policy/presets"): ANYONE,
    ("GET", "/api/v1/staff"): READ,
    ("POST", "/api/v1/staff"): STAFF_WRITE,
    ("POST", "/api/v1/staff/bulk"): Reach(
        acts={A: "s1", D: "s1", H: "s1", K: "s1"}, seen="s1", gated=True, self=403
    ),
    ("GET", "/api/v1/staff/{staff_id}"): READ,
    ("PATCH", "/api/v1/staff/{staff_id}"): STAFF_WRITE,
    ("GET", "/api/v1/staff/{staff_id}/training-record"): READ,
    ("POST", "/api/v1/staff/{staff_id}/transfer"): Reach(
        acts={A: "d1", D: "d1", H: "d1", K: "d1"},
        seen="d1",
        self=403,
        but={"organizer@s1": 403, "inspector@s1": 403},
    ),
    ("GET", "/api/v1/staff/{staff_id}/unit-history"): READ,
    ("GET", "/api/v1/units"): READ,
    ("POST", "/api/v1/units"): UNIT_WRITE,
    ("POST", "/api/v1/units/bulk"): Reach(
        acts={A: "s1", D: "s1", K: "s1"}, seen="s1", gated=True, self=403
    ),
    ("DELETE", "/api/v1/units/{unit_id}"): Reach(acts={A: "s1", D: "s1", K: "s1"}, seen="s1"),
    ("GET", "/api/v1/units/{unit_id}"): READ,
    ("PATCH", "/api/v1/units/{unit_id}"): UNIT_WRITE,
    ("GET", "/api/v1/units/{unit_id}/letterhead"): READ,
    ("PUT", "/api/v1/units/{unit_id}/letterhead"): UNIT_WRITE,
    ("POST", "/api/v1/units/{unit_id}/move"): Reach(
        acts={A: "d1", D: "d1", K: "d1"},
        seen="d1",
        but={"unit_head@s1": 403, "organizer@s1": 403, "inspector@s1": 403},
    ),
    ("GET", "/api/v1/units/{unit_id}/moves"): READ,
    ("DELETE", "/api/v1/units/{unit_id}/signing-credential"): Reach(
        acts={A: "s1"}, seen="s1", self=403
    ),
    ("GET", "/api/v1/units/{unit_id}/signing-credential"): READ,
    ("PUT", "/api/v1/units/{unit_id}/signing-credential"): Reach(
        acts={A: "s1"}, seen="s1", self=403
    ),
    ("GET", "/api/v1/users"): READ,
    ("POST", "/api/v1/users"): ACCOUNTS,
    ("GET", "/api/v1/users/{user_id}"): READ,
    ("PATCH", "/api/v1/users/{user_id}"): OFFICERS,
    ("GET", "/api/v1/users/{user_id}/roles"): READ,
    ("POST", "/api/v1/users/{user_id}/roles"): OFFICERS,
    ("DELETE", "/api/v1/users/{user_id}/roles/{assignment_id}"): OFFICERS,
    ("GET", "/api/v1/violations"): READ,
    ("POST", "/api/v1/violations"): HEAD_WRITE,
    ("POST", "/api/v1/violations/external"): HEAD_WRITE,
    ("GET", "/api/v1/violations/{violation_id}"): READ,
    ("POST", "/api/v1/violations/{violation_id}/close"): OFFICERS,
    ("POST", "/api/v1/violations/{violation_id}/dismiss"): OFFICERS,
}
