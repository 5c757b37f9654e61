"""The HTTP side of imports: reading the upload, the query options, the contract.

One endpoint takes a JSON array, a raw ``text/csv`` or XLSX body, or ``multipart/form-data``
with a ``file`` field (what browsers and ``curl -F`` send), so FastAPI's body parsing is
bypassed and the request body is declared by hand in the OpenAPI document.
"""

import json
from typing import Annotated, Any

from fastapi import Query, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from app.bulk.columns import Layout
from app.bulk.engine import BulkRejected
from app.bulk.parse import XLSX_MEDIA_TYPE, Upload, parse_csv, parse_file, parse_json, parse_xlsx
from app.bulk.schemas import ImportMode
from app.core.config import get_settings
from app.core.errors import (
    PROBLEM_MEDIA_TYPE,
    AppError,
    BadRequest,
    InvalidInput,
    problem_response,
    problem_responses,
)
from app.core.i18n import language


class UnsupportedMediaType(AppError):
    status, code = 415, "unsupported_media_type"


class ImportTooLarge(AppError):
    status, code = 413, "body_too_large"


ModeQuery = Annotated[
    ImportMode,
    Query(
        description="`atomic` (default): any row in error and nothing is written. "
        "`partial`: the valid rows are written, the others reported."
    ),
]
DryRunQuery = Annotated[bool, Query(description="Validate and report every row; write nothing.")]


def _check_size(size: int) -> None:
    limit = get_settings().import_max_bytes
    if size > limit:
        raise ImportTooLarge(limit=limit)


async def read_upload(request: Request, layout: Layout) -> Upload:
    """The request's rows, whatever way they came."""
    max_rows = get_settings().import_max_rows
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media == "multipart/form-data":
        form = await request.form(max_files=1, max_fields=10)
        file = form.get("file")
        if not isinstance(file, UploadFile):
            raise BadRequest("bulk_missing_file")
        extra = sorted(set(form.keys()) - {"file"})
        if extra:  # as unknown JSON fields are: a form is what the contract says, no more
            raise InvalidInput("bulk_unknown_field", field=extra[0])
        content = await file.read()
        _check_size(len(content))
        return await run_in_threadpool(
            parse_file, content, file.filename or "", file.content_type or "", layout, max_rows
        )
    content = await request.body()
    _check_size(len(content))
    if media in ("application/json", ""):
        return await run_in_threadpool(parse_json, content, max_rows)
    if media in ("text/csv", "application/csv"):
        return await run_in_threadpool(parse_csv, content, layout, max_rows)
    if media == XLSX_MEDIA_TYPE:
        return await run_in_threadpool(parse_xlsx, content, layout, max_rows)
    raise UnsupportedMediaType()


def row_schema(layout: Layout) -> dict[str, Any]:
    """A JSON row as the layout's row model states it; its enums are the API's components."""
    schema = layout.model.model_json_schema(ref_template="#/components/schemas/{model}")
    schema.pop("$defs", None)
    return schema


def import_openapi(layout: Layout) -> dict[str, Any]:
    """The request body as the contract shows it, with the column mapping documented."""
    columns = "\n".join(
        f"- `{name}`: " + ", ".join(f"«{h}»" for h in headers)
        for name, headers in layout.documented()
    )
    sheet = {"type": "string", "format": "binary"}
    return {
        "requestBody": {
            "required": True,
            "description": f"Rows to upsert by `{layout.key}`: a JSON array (field names, JSON "
            "types, ISO dates), or a CSV/XLSX spreadsheet as the multipart field `file` (a raw "
            f"`text/csv` or `{XLSX_MEDIA_TYPE}` body is read too). Spreadsheet headers match "
            "ignoring case, diacritics and spaces; dates `dd/mm/yyyy`; choices also by their "
            "Vietnamese labels:\n" + columns,
            "content": {
                "application/json": {"schema": {"type": "array", "items": row_schema(layout)}},
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["file"],
                        "properties": {"file": sheet},
                        "additionalProperties": False,
                    }
                },
                "text/csv": {"schema": {"type": "string"}},
            },
        }
    }


PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
# a refused import (the problem with the report's members) or a plain problem (a bad option)
REJECTED_SCHEMA = {
    "anyOf": [{"allOf": [PROBLEM_REF, {"$ref": "#/components/schemas/BulkReport"}]}, PROBLEM_REF]
}


def import_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """Problems of an import; a refused file's problem also carries the report (`rows`)."""
    return problem_responses(403, 413, 415, *statuses) | {
        409: {
            "description": "Nothing written: rows refused by the stored data (a unit that "
            "does not exist, a code taken, a rule) in atomic mode; see `rows`.",
            "content": {PROBLEM_MEDIA_TYPE: {"schema": REJECTED_SCHEMA}},
        },
        422: {
            "description": "Nothing written: rows with invalid values (in atomic mode, or in "
            "a JSON body in any mode), or invalid options; see `rows`.",
            "content": {PROBLEM_MEDIA_TYPE: {"schema": REJECTED_SCHEMA}},
        },
    }


async def bulk_rejected_handler(request: Request, exc: Exception) -> JSONResponse:
    """A refused import: the problem, plus the report as extension members (RFC 9457 §3.2)."""
    assert isinstance(exc, BulkRejected)
    base = problem_response(request, exc.status, exc.code, exc.params, errors=exc.errors)
    body = {**json.loads(bytes(base.body)), **exc.report.model_dump(mode="json")}
    headers = {k: v for k, v in base.headers.items() if k.lower() != "content-length"}
    return JSONResponse(
        body, status_code=exc.status, media_type=PROBLEM_MEDIA_TYPE, headers=headers
    )


def request_language(request: Request) -> str:
    return language(request)
