"""Schemathesis hooks for `.ci/schemathesis`: generators for the API's custom string formats.

Loaded through ``SCHEMATHESIS_HOOKS``. Some rules cannot be written as a JSON Schema, so the
contract names them with a custom ``format``; without a generator schemathesis would draw
arbitrary strings, which the API rightly refuses, and report them as "positive data rejected".
The strategies draw from the same code that issues and checks the values, so they stay in step.
"""

import base64
import uuid
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

import schemathesis
from hypothesis import strategies as st
from schemathesis import Case, HookContext
from schemathesis.core.parameters import ParameterLocation

from app.bdtx.service import MODULE_COLUMNS, MODULES_CSV_FORMAT
from app.changes.service import CHANGE_CURSOR_FORMAT, encode_position
from app.core.pagination import CURSOR_FORMAT, encode_cursor
from app.core.school_year import SCHOOL_YEAR_FORMAT
from app.core.types import INT32_MAX

IDEMPOTENCY_KEY = "idempotency-key"
HEADER = ParameterLocation.HEADER
BODY = ParameterLocation.BODY

# A cursor the server could have issued: the last id of a page, any id a column can hold.
schemathesis.openapi.format(
    CURSOR_FORMAT, st.integers(min_value=0, max_value=INT32_MAX).map(encode_cursor)
)

# Two consecutive years, e.g. "2024-2025": every pair the contract allows, "0000-0001" too.
schemathesis.openapi.format(
    SCHOOL_YEAR_FORMAT,
    st.integers(min_value=0, max_value=9998).map(lambda year: f"{year:04d}-{year + 1:04d}"),
)


# A module CSV the import accepts: the header, then rows whose cells hold the fields' rules
# (`ModuleCreate`), written without commas, quotes or line breaks so no quoting is needed.
_CELL = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9 ._/-]{0,30}", fullmatch=True).map(str.strip)
_MODULE_ROW = st.tuples(_CELL, _CELL, _CELL, st.integers(min_value=1, max_value=1000)).map(
    lambda cells: ",".join(map(str, cells))
)
schemathesis.openapi.format(
    MODULES_CSV_FORMAT,
    st.lists(_MODULE_ROW, max_size=3).map(
        lambda rows: "\r\n".join([",".join(MODULE_COLUMNS), *rows]) + "\r\n"
    ),
)


@schemathesis.hook
def before_call(context: HookContext, case: Case, kwargs: dict[str, Any]) -> None:
    """Well-formed requests made to follow the rules no JSON Schema can state.

    A fresh ``Idempotency-Key`` for every well-formed request that carries one:
    Generators draw the same key for many requests (the coverage phase caches its draws);
    the API rightly answers a key reused with another body 422 ``idempotency_key_reused``
    (draft-ietf-httpapi-idempotency-key-header §2.6), which is not what those cases test.
    Real clients send one key per logical request. Replays and reuse are covered by the test
    suite; keys generated as invalid (negative cases) are sent as drawn.

    Session times in order (``_session_times``), a policy's block codes unique
    (``_unique_block_codes``), a document dated no later than today (``_document_dates``).
    The suite pins their refusals.
    """
    negative = case.meta.is_negative_at if case.meta is not None else (lambda _: False)
    headers = case.headers or {}
    key = next((name for name in headers if name.lower() == IDEMPOTENCY_KEY), None)
    if key is not None and not negative(HEADER):
        headers[key] = uuid.uuid4().hex
    if isinstance(case.body, dict) and not negative(BODY):
        _session_times(case.body)
        _unique_block_codes(case.body)
        _document_dates(case.body)
    generated_negative = case.meta is not None and case.meta.generation.mode.is_negative
    if case.operation.path.endswith("/bulk") and not generated_negative:
        _spreadsheet(case)
    credential = case.operation.path.endswith("/signing-credential")
    if credential and isinstance(case.body, dict) and not generated_negative:
        case.body = _credential()


@cache
def _credential() -> dict[str, Any]:
    """A PKCS#12 file the server can open: random base64 never is one, and the server's
    PKCS#11 module list is empty, so a drawn credential is always (rightly) refused 422."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Đơn vị thử")])
    now = datetime.now().astimezone()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    p12 = pkcs12.serialize_key_and_certificates(
        b"fuzz", key, cert, None, serialization.BestAvailableEncryption(b"fuzz")
    )
    return {"kind": "pkcs12", "pkcs12_base64": base64.b64encode(p12).decode(), "passphrase": "fuzz"}


def _unique_block_codes(body: dict[str, Any]) -> None:
    """A policy's blocks have distinct codes (422 otherwise): JSON Schema's `uniqueItems`
    compares whole items, not one key of them."""
    rules = body.get("rules")
    blocks = rules.get("blocks") if isinstance(rules, dict) else None
    if not isinstance(blocks, list):
        return
    seen: set[str] = set()
    for n, block in enumerate(blocks):
        if isinstance(block, dict) and isinstance(block.get("code"), str):
            if block["code"] in seen:
                block["code"] = f"{block['code'][:58]}-{n}"
            seen.add(block["code"])


def _document_dates(body: dict[str, Any]) -> None:
    """A document cannot be dated after today (R-EXT-2, 422 otherwise): "today" moves, so no
    JSON Schema bound can say it."""
    try:
        if date.fromisoformat(body["document_on"]) <= date.today():
            return
    except (KeyError, TypeError, ValueError):
        return
    body["document_on"] = (date.today() - timedelta(days=1)).isoformat()


def _session_times(body: dict[str, Any]) -> None:
    """A session ends after it starts (422 otherwise): beyond what a JSON Schema can say."""
    try:
        starts = datetime.fromisoformat(body["starts_at"])
        ends = datetime.fromisoformat(body["ends_at"])
        if ends > starts:
            return
    except (KeyError, TypeError, ValueError):  # absent, or not date-times: not ours to fix
        return
    try:
        body["ends_at"] = (starts + timedelta(hours=1)).isoformat()
    except OverflowError:  # starts at the end of time: start earlier instead
        body["starts_at"] = (ends - timedelta(hours=1)).isoformat()


# The change feed's `after`: a position the feed could have issued.
schemathesis.openapi.format(
    CHANGE_CURSOR_FORMAT, st.integers(min_value=0, max_value=INT32_MAX).map(encode_position)
)


# Bulk imports (app/bulk) take spreadsheets as the multipart field `file` or a raw CSV body: a
# random byte string is no CSV or XLSX (400 `bulk_unreadable_file`), which says nothing about the
# import. Well-formed cases get a small sheet with the layout's key column, as offices send.
SHEETS = {  # path suffix: the header row and a data row ({code}: a fresh code)
    "/staff/bulk": ("external_code", "{code}"),
    "/units/bulk": ("external_code", "{code}"),
    "/bdtx/modules/bulk": ("code", "{code}"),
    "/attendance/bulk": ("staff_external_code", "{code}"),
    "/lms-completions/bulk": (
        "staff_external_code,school_year,module_code,periods,score",
        "{code},2024-2025,M1,5,8",
    ),
}


def _spreadsheet(case: Case) -> None:
    if case.media_type not in ("multipart/form-data", "text/csv"):
        return  # JSON rows are drawn from the row schema already
    header, row = next(v for suffix, v in SHEETS.items() if case.operation.path.endswith(suffix))
    sheet = f"{header}\r\n{row.format(code=f'FUZZ-{uuid.uuid4().hex[:8]}')}\r\n"
    case.body = {"file": sheet} if case.media_type == "multipart/form-data" else sheet
