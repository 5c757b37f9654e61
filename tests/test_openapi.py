"""The published contract: openapi/openapi.json must equal what the app generates."""

import json
import re
from pathlib import Path

from app.core.routing import api_routes
from app.main import create_app


def test_committed_openapi_matches_the_app(repo_root: Path) -> None:
    committed = json.loads((repo_root / "openapi" / "openapi.json").read_text(encoding="utf-8"))
    assert committed == create_app().openapi(), "run `bdtx openapi` and commit the result"


def test_operation_ids_are_clean_and_unique() -> None:
    app = create_app()
    ids = [r.name for r in api_routes(app.routes)]
    assert len(ids) > 20
    assert len(ids) == len(set(ids))
    for op_id in ids:
        assert re.fullmatch(r"[a-z]+(-[a-z]+)+", op_id), op_id


def test_error_responses_are_documented_as_problems() -> None:
    spec = create_app().openapi()
    for path, ops in spec["paths"].items():
        if not path.startswith("/api/"):
            continue
        for method, op in ops.items():
            assert "application/problem+json" in op["responses"]["422"]["content"], (path, method)


def test_no_two_models_share_a_schema_name(repo_root: Path) -> None:
    """Two models of one name become `X-Input`/`X-Output`, and a generated client then
    loses the response model of every operation using either (found: events' and
    notifications' MarkRead)."""
    document = json.loads((repo_root / "openapi" / "openapi.json").read_text(encoding="utf-8"))
    clashes = [k for k in document["components"]["schemas"] if k.endswith(("-Input", "-Output"))]
    assert clashes == []
