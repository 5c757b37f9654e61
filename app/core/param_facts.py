"""What FastAPI works out about a request parameter, worked out once per parameter.

FastAPI (0.16x) reads every query and path parameter of a route through three helpers
that look at the parameter's declaration again on every request: whether its annotation is
a sequence (walking ``Optional[Annotated[...]]``, twice per parameter), whether it is a
Pydantic model, and which names it may arrive under. The answers depend on the declaration
alone, which does not change after start-up: for the staff list's nine parameters they were
a seventeenth of the request's instructions, and a fiftieth of a read by id (issue 21).
Each helper now keeps its answer per declaration object; a FastAPI without these helpers
is left as it is.
"""

import functools
from collections.abc import Callable
from typing import Any

from fastapi.dependencies import utils

_HELPERS = ("field_annotation_is_sequence", "_get_param_model", "_get_param_aliases")
# declarations are made at start-up, a few hundred in all; the bound only guards against a
# FastAPI that would make them per request
_KEPT = 4096


def _kept(helper: Callable[..., Any]) -> Callable[..., Any]:
    answers: dict[tuple[Any, ...], tuple[Any, Any]] = {}

    @functools.wraps(helper)
    def by_declaration(declared: Any, **options: Any) -> Any:
        key = (id(declared), *options.items())
        kept = answers.get(key)
        if kept is None:
            if len(answers) >= _KEPT:
                answers.clear()
            # the declaration is held with its answer, so its id is not reused meanwhile
            kept = answers[key] = (declared, helper(declared, **options))
        return kept[1]

    by_declaration.kept = True  # type: ignore[attr-defined]
    return by_declaration


def install() -> None:
    """Wrap FastAPI's helpers (once, however many apps are made)."""
    for name in _HELPERS:
        helper = getattr(utils, name, None)
        if helper is not None and not getattr(helper, "kept", False):
            setattr(utils, name, _kept(helper))
