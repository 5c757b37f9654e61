"""What the contract says about each operation and tag where the code says nothing itself.

Most routes document themselves in their docstring; the plain reads and writes below did
not, and FastAPI then summarised them as their operation id re-spelled ("Users-List").
``document`` gives every operation a description (its docstring, else this table) and a
summary (the description's first sentence), and every tag a description.
"""

import re

from fastapi import FastAPI

from app.core.routing import api_routes

DESCRIPTIONS = {
    "users-list": "Accounts in the caller's scope, with their role assignments, paged.",
    "users-create": "Create an account, optionally linked to a staff record, with its first "
    "role assignment; roles no wider than the caller's own.",
    "users-get": "One account with its role assignments.",
    "users-update": "Change an account's full name, link or active flag; deactivating ends "
    "its tokens and the API keys it issued at once.",
    "users-roles-list": "The account's role assignments: role, unit (its subtree) or event.",
    "users-roles-revoke": "Remove one role assignment; it stops working on the next request.",
    "api-keys-list": "Integration keys in the caller's scope (never the key itself), paged.",
    "api-keys-get": "One integration key: its role, unit, issuer and last use.",
    "api-keys-revoke": "Revoke a key: refused from the next request on; its webhooks stop.",
    "units-list": "Units in the caller's scope (or under `unit_id`), paged, searchable.",
    "units-create": "Create a unit under a parent in the caller's scope.",
    "units-get": "One unit.",
    "units-update": "Change a unit's name, code or kind (If-Match); moving it is `POST …/move`.",
    "units-delete": "Delete a unit that has no units, staff or history below it.",
    "units-moves": "The unit's moves between parents, oldest first (reorganisations).",
    "staff-list": "Staff in the caller's scope (or under `unit_id`), paged; `q` searches "
    "names without diacritics.",
    "staff-create": "Create a staff record in a unit of the caller's scope.",
    "staff-get": "One staff record.",
    "staff-update": "Change a staff record (If-Match); a change of unit is a transfer.",
    "staff-unit-history": "The units the person belonged to, with dates, oldest first.",
    "events-list": "Trainings and conferences the caller organises, is summoned to or "
    "oversees, paged, with filters.",
    "events-create": "Create a draft event organised by a unit of the caller's scope.",
    "events-get": "One event with its status and organiser.",
    "events-update": "Change a draft or summoned event (If-Match); after the summons, dates "
    "change only by amendment.",
    "events-cancel": "Cancel an event with a reason; the summoned units are told.",
    "events-sessions-list": "The event's sessions in order.",
    "events-sessions-create": "Add a session to a draft event (after the summons: amendment).",
    "events-sessions-delete": "Remove a session from a draft event.",
    "events-amendments-list": "Changes made to the event after its summons, with reasons.",
    "events-requirements-list": "Who the event summons: units with quotas and criteria, or "
    "named people.",
    "events-requirements-delete": "Remove a requirement from a draft event.",
    "nominations-list": "Nominations to the event the caller may see, with their status.",
    "nominations-get": "One nomination.",
    "nominations-history": "Every status change of a nomination, who made it and why.",
    "absence-excuses-list": "Absence letters the caller submitted or decides, paged.",
    "absence-excuses-get": "One absence letter with its decision.",
    "check-in-close": "Close a session's check-in before its window ends.",
    "notifications-unread-count": "How many of the caller's notifications are unread.",
    "webhooks-get": "One webhook subscription of the key (never its secret).",
    "external-events-list": "Externally organised events the caller submitted or decides.",
    "external-events-get": "One external event with its approval.",
    "participation-requests-list": "Requests to attend external events, paged.",
    "participation-requests-get": "One participation request with its consent.",
    "violations-list": "Violations in the caller's scope, paged, by unit, kind, status, year.",
    "violations-get": "One violation with its evidence.",
    "criticisms-get": "One criticism letter with its cited violations.",
    "bdtx-modules-list": "The BDTX module catalogue: ministry, Sở and local modules.",
    "bdtx-modules-create": "Add a module to the catalogue (ministry and Sở modules from the "
    "Sở up, R-GOV-2).",
    "bdtx-modules-get": "One module.",
    "bdtx-plans-list": "Personal BDTX plans in the caller's scope, paged.",
    "bdtx-plans-get": "One personal plan with its modules and self-evaluation.",
    "bdtx-self-study-list": "Self-study records in the caller's scope, paged.",
    "bdtx-self-study-get": "One self-study record with its inspection.",
    "bdtx-results-list": "Yearly BDTX results in the caller's scope, paged.",
    "bdtx-results-get": "One result: periods per block, scores, class, status.",
    "bdtx-certificates-list": "BDTX certificates in the caller's scope, paged.",
    "bdtx-certificates-get": "One certificate with its serial and status.",
    "bdtx-certificates-revoke": "Revoke a certificate with a reason; the public check says so.",
    "bdtx-unit-plans-list": "Units' BDTX plans in the caller's scope, paged.",
    "bdtx-unit-plans-get": "One unit plan with its schedule.",
    "bdtx-unit-reports-list": "Units' yearly BDTX reports in the caller's scope, paged.",
    "bdtx-unit-reports-get": "One unit report with its counts.",
    "bdtx-certificates-document": "The certificate as a PDF (signed when its unit has a "
    "credential), with a QR code to the public check.",
    "bdtx-unit-certificates-document": "One PDF of all the unit's certificates for printing.",
}

TAGS = {
    "auth": "Log in (OAuth2 password form), who am I.",
    "users": "Accounts and their role assignments.",
    "api-keys": "Integration keys bound to a unit and a role.",
    "webhooks": "Changes pushed to an integration key's URL, signed (Standard Webhooks).",
    "units": "The unit tree: Sở, offices, schools; moves and letterheads.",
    "staff": "Staff records, transfers and unit history.",
    "events": "Sở trainings and conferences: sessions, summons, attendance, close.",
    "nominations": "Who each unit sends to an event (R-NOM-1, R-NOM-2).",
    "absence-excuses": "Absence letters and their decision by the unit head (R-ATT-2).",
    "external-events": "Externally organised events and their approval (R-EXT-1, R-EXT-2).",
    "participation-requests": "Requests to attend external events and consent (R-EXT-3).",
    "violations": "Violations recorded with evidence, reviewed by the offices (R-VIO-1).",
    "criticisms": "Criticism letters citing violations, as official documents.",
    "bdtx": "Continuous professional development: modules, plans, results, certificates.",
    "bdtx-policy": "Each school year's BDTX policy (presets TT 17/2019, TT 26/2012).",
    "reports": "Reports rolled up the unit tree, as JSON, CSV or XLSX.",
    "bulk": "Imports from spreadsheets or JSON, atomic or partial, with dry run; the "
    "spreadsheet template of each import.",
    "changes": "The change feed for systems that keep a copy.",
    "audit": "Who did what, acting for which unit, before and after.",
    "notifications": "The caller's notifications and preferences.",
    "public": "No authentication: certificate checks and the problem-code catalogue.",
    "health": "Liveness and readiness for load balancers and orchestrators.",
}
SUMMARY_MAX = 80


def summary_of(description: str) -> str:
    """The description's first sentence, short enough for a list of operations."""
    first = re.split(r"(?<=[.;:])\s|\n\n", description.strip(), maxsplit=1)[0].strip()
    first = " ".join(first.split()).rstrip(".;:")
    if len(first) <= SUMMARY_MAX:
        return first
    return first[: SUMMARY_MAX - 1].rsplit(" ", 1)[0] + "…"


def document(app: FastAPI) -> None:
    """Set every operation's description and summary, and the tags' descriptions."""
    for route in api_routes(app.routes):
        description = route.description or DESCRIPTIONS.get(route.name or "", "")
        route.description = description
        if route.summary is None and description:
            route.summary = summary_of(description)
    app.openapi_tags = [{"name": name, "description": text} for name, text in TAGS.items()]
