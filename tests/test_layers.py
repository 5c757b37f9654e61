"""Lower layers never import higher ones: `app.core` knows no domain, services know no web glue."""

import ast
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app"
DOMAINS = sorted(p.name for p in APP.iterdir() if p.is_dir() and (p / "__init__.py").exists())


def _imports(path: Path) -> set[str]:
    """Every module a file imports, at its top or inside a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def _offences(files: list[Path], forbidden: set[str]) -> list[str]:
    return [
        f"{path.relative_to(APP.parent)} imports {module}"
        for path in files
        for module in sorted(_imports(path))
        if ".".join(module.split(".")[:2]) in forbidden
    ]


def test_core_imports_no_domain() -> None:
    above = {f"app.{name}" for name in DOMAINS if name != "core"}
    assert _offences(sorted((APP / "core").rglob("*.py")), above) == []


def test_no_service_or_model_imports_the_web_glue() -> None:
    files = [
        path
        for name in ("service.py", "models.py", "schemas.py", "policies.py")
        for path in APP.glob(f"*/{name}")
    ]
    assert files, "no domain files found"
    assert _offences(files, {"app.web"}) == []
