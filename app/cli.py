"""The ``bdtx`` command (Typer).

Adding a command: write a function decorated with ``@cli.command()``; give every parameter a
``help=``; import heavy modules inside the function (``bdtx --help`` stays fast); for a known
failure ``raise CliError("one line in Vietnamese", code)`` and never print a traceback. ``main``
turns the failures every command shares (Ctrl-C, an unreachable database, bad usage) into one
line on stderr and an exit code from ``ExitCode``.
"""

import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from enum import IntEnum, StrEnum
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from app.core.config import get_settings

if TYPE_CHECKING:
    from pydantic import ValidationError
    from rich.console import Console


class ExitCode(IntEnum):
    ok = 0
    failed = 1  # the command ran and refused (duplicate admin, stale openapi, non-empty database)
    usage = 2  # bad arguments (Click's own code)
    database = 3  # the database in BDTX_DATABASE_URL cannot be reached
    interrupted = 130  # Ctrl-C, as shells report SIGINT


class CliError(Exception):
    """A known failure: ``main`` prints the message alone and exits with ``code``."""

    def __init__(self, message: str, code: ExitCode = ExitCode.failed) -> None:
        super().__init__(message)
        self.code = code


class Scale(StrEnum):
    tiny = "tiny"
    province = "province"
    nation = "nation"


def _version() -> str:
    try:
        return version("bdtx-api")
    except PackageNotFoundError:  # running from a checkout that was never installed
        return "0+unknown"


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"bdtx {_version()}")
        raise typer.Exit()


class _Group(typer.core.TyperGroup):
    """Ctrl-C inside any command ends it with one line (Typer alone exits 130 silently)."""

    def invoke(self, ctx: Any) -> Any:  # Click's Context, vendored inside Typer
        try:
            return super().invoke(ctx)
        except (KeyboardInterrupt, EOFError):
            raise CliError("đã huỷ.", ExitCode.interrupted) from None


cli = typer.Typer(
    name="bdtx",
    cls=_Group,
    help="Lệnh quản trị bdtx-api: chạy dịch vụ, migration, dữ liệu mẫu, tài khoản quản trị.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@cli.callback()
def _root(
    show_version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_show_version,
            is_eager=True,
            help="In phiên bản rồi thoát.",
        ),
    ] = False,
) -> None:
    """Lệnh quản trị bdtx-api (cấu hình qua biến môi trường BDTX_*, xem README)."""


def _stderr_console() -> "Console":
    from rich.console import Console

    return Console(stderr=True)


@contextmanager
def _status(text: str) -> Iterator[None]:
    """A spinner on stderr while a slow step (migrations) runs; silent when not a terminal."""
    console = _stderr_console()
    if not console.is_terminal:
        yield
        return
    with console.status(text):
        yield


def _upgrade(url: str | None = None) -> None:
    from app.core.migrate import upgrade

    with _status("Đang áp dụng migration…"):
        upgrade(url)


@cli.command()
def serve(
    host: Annotated[
        str | None, typer.Option(help="Địa chỉ lắng nghe (mặc định BDTX_HOST).")
    ] = None,
    port: Annotated[int | None, typer.Option(help="Cổng lắng nghe (mặc định BDTX_PORT).")] = None,
) -> None:
    """Áp dụng migration rồi phục vụ HTTP."""
    import uvicorn

    settings = get_settings()
    _upgrade()
    from app.ops.logs import uvicorn_log_config

    uvicorn.run(
        "app.main:app",
        log_config=uvicorn_log_config(settings.log_format),
        access_log=settings.log_format != "json",  # app.ops.observe writes the JSON line
        host=host or settings.host,
        port=port or settings.port,
        workers=settings.workers,
        proxy_headers=True,
    )


@cli.command()
def migrate() -> None:
    """Áp dụng các migration Alembic đến bản mới nhất."""
    _upgrade()
    typer.echo("Đã áp dụng migration đến bản mới nhất.")
    _maintain_partitions(None, None)


def _maintain_partitions(archive_audit_before: str | None, out: Path | None) -> None:
    from datetime import date

    from app.core.db import get_engine
    from app.core.model_base import utcnow
    from app.ops import partitions as ops

    engine = get_engine()
    settings = get_settings()
    for name in ops.maintain(engine, utcnow().date(), settings.change_retention_months):
        typer.echo(
            f"phân vùng {'đã xoá' if name.startswith('-') else 'đã tạo'}: {name.lstrip('-')}"
        )
    if archive_audit_before:
        try:
            before = date.fromisoformat(archive_audit_before + "-01")
        except ValueError:
            raise CliError(f"Tháng không hợp lệ: {archive_audit_before} (cần YYYY-MM).") from None
        ops.archive_audit(engine, before, out or Path("audit-archive"))


@cli.command()
def partitions(
    archive_audit_before: Annotated[
        str | None,
        typer.Option(
            metavar="YYYY-MM",
            help="Ghi các tháng nhật ký kiểm toán trước tháng này ra CSV rồi xoá chúng.",
        ),
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Thư mục cho các tệp lưu trữ (mặc định audit-archive).")
    ] = None,
) -> None:
    """PostgreSQL: chuẩn bị phân vùng các tháng tới, áp dụng thời hạn lưu, lưu trữ nhật ký cũ."""
    _maintain_partitions(archive_audit_before, out)


@contextmanager
def _pages(label: str) -> Iterator[Callable[[int, int], None]]:
    """A rich progress bar over the database pages a backup or restore copies."""
    from rich.progress import Progress

    with Progress(console=_stderr_console()) as progress:
        task = progress.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        yield update


@cli.command()
def backup(
    file: Annotated[Path, typer.Argument(help="Tệp sao lưu cần ghi.", show_default=False)],
) -> None:
    """Sao lưu cơ sở dữ liệu khi dịch vụ đang chạy."""
    from app.ops.backup import BackupError
    from app.ops.backup import backup as run

    try:
        with _pages("Sao lưu") as on_pages:
            path = run(get_settings().database_url, file, on_pages)
    except BackupError as exc:
        raise CliError(str(exc)) from None
    typer.echo(f"Đã sao lưu vào {path} ({path.stat().st_size:,} byte).")


@cli.command()
def restore(
    file: Annotated[Path, typer.Argument(help="Tệp do `bdtx backup` ghi.", show_default=False)],
    force: Annotated[bool, typer.Option("--force", help="Thay thế dữ liệu đang có.")] = False,
) -> None:
    """Khôi phục bản sao lưu vào cơ sở dữ liệu trống (hoặc thay thế, với --force)."""
    from app.ops.backup import BackupError
    from app.ops.backup import restore as run

    try:
        with _pages("Khôi phục") as on_pages:
            run(get_settings().database_url, file, force=force, progress=on_pages)
    except BackupError as exc:
        raise CliError(str(exc)) from None
    typer.echo(f"Đã khôi phục từ {file}.")


def _read_password() -> str:
    """From a prompt on a terminal (asked twice), else one line of stdin (scripts, tests)."""
    import getpass

    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    password = getpass.getpass("Mật khẩu: ")
    if getpass.getpass("Nhập lại mật khẩu: ") != password:
        raise CliError("Hai lần nhập mật khẩu không khớp.")
    return password


def _check(field: str, annotation: Any, value: object) -> None:
    """Validate with the API's own type, so the CLI cannot create what the API refuses."""
    from pydantic import TypeAdapter, ValidationError

    try:
        TypeAdapter(annotation).validate_python(value)
    except ValidationError as exc:
        raise CliError(f"{field} không hợp lệ: {_first_error(exc)}") from None


def _first_error(exc: "ValidationError") -> str:
    error = exc.errors()[0]
    kind = error["type"]
    ctx = error.get("ctx", {})
    if kind == "string_too_short":
        return f"cần ít nhất {ctx['min_length']} ký tự."
    if kind == "string_too_long":
        return f"tối đa {ctx['max_length']} ký tự."
    if kind == "string_pattern_mismatch":
        return "chỉ gồm chữ thường không dấu, chữ số và . _ - (bắt đầu bằng chữ hoặc số)."
    return str(error["msg"])


@cli.command("create-admin")
def create_admin(
    username: Annotated[
        str,
        typer.Argument(
            help="Tên đăng nhập: 3–64 ký tự a-z 0-9 . _ - (cùng quy tắc với API).",
            show_default=False,
        ),
    ],
) -> None:
    """Tạo quản trị viên toàn hệ thống; mật khẩu nhập từ bàn phím hoặc một dòng stdin."""
    from pydantic import SecretStr
    from sqlmodel import Session

    from app.auth.schemas import Password, Username
    from app.auth.service import create_admin as create
    from app.core.db import get_engine
    from app.core.errors import AppError

    _check("Tên đăng nhập", Username, username)
    password = _read_password()
    _check("Mật khẩu", Password, SecretStr(password))
    _upgrade()
    with Session(get_engine()) as session:
        try:
            create(session, username, password)
        except AppError:
            raise CliError(f"Tên đăng nhập '{username}' đã tồn tại.") from None
        session.commit()
    typer.echo(f"Đã tạo quản trị viên {username}.")


@cli.command("seed-demo")
def seed_demo() -> None:
    """Nạp tỉnh mẫu (chạy lại không thay đổi gì)."""
    from app.demo import seed_demo as seed

    _upgrade()
    with _status("Đang nạp dữ liệu mẫu…"):
        summary = seed()
    typer.echo(summary)


def _has_units(url: str) -> bool:
    """Whether the database already holds units (demo, an earlier run, production)."""
    from sqlalchemy import inspect, select, table

    from app.core.db import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            if not inspect(conn).has_table("unit"):
                return False
            return conn.scalar(select(1).select_from(table("unit")).limit(1)) is not None
    finally:
        engine.dispose()


@contextmanager
def _phases(label: str) -> Iterator[Callable[[str], None]]:
    """A rich progress line on stderr whose text follows the generator's phases."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=_stderr_console(),
        transient=False,
    ) as progress:
        task = progress.add_task(label, total=None)

        def update(phase: str) -> None:
            progress.update(task, description=phase)

        yield update
        progress.update(task, description=f"{label}: xong")


class ImportResource(StrEnum):
    staff = "staff"
    units = "units"
    bdtx_modules = "bdtx-modules"
    bdtx_lms = "bdtx-lms"


@cli.command("import")
def import_file(
    resource: Annotated[
        ImportResource,
        typer.Argument(
            help="Loại dữ liệu, như các API /bulk: staff, units, bdtx-modules, bdtx-lms "
            "(điểm danh cần sự kiện và buổi: dùng API).",
            show_default=False,
        ),
    ],
    file: Annotated[
        Path,
        typer.Argument(help="Tệp CSV, XLSX hoặc JSON; mẫu: GET /api/v1/bulk/templates/{loại}."),
    ],
    dry_run: Annotated[bool, typer.Option(help="Chỉ kiểm tra, không ghi gì.")] = False,
    partial: Annotated[
        bool, typer.Option(help="Ghi các dòng hợp lệ (mặc định: tất cả hoặc không dòng nào).")
    ] = False,
    report: Annotated[
        Path | None, typer.Option(help="Ghi kết quả từng dòng ra tệp CSV (mở được bằng Excel).")
    ] = None,
) -> None:
    """Nhập dữ liệu từ bảng tính như các API /bulk (cùng kiểm tra, cùng thông báo lỗi)."""
    from app.bulk.schemas import ImportMode

    if not file.is_file():
        raise CliError(f"Không tìm thấy tệp {file}.", ExitCode.usage)
    if file.suffix.lower() not in (".csv", ".xlsx", ".json"):
        raise CliError("Chỉ nhận tệp .csv, .xlsx hoặc .json.", ExitCode.usage)
    _upgrade()
    mode = ImportMode.partial if partial else ImportMode.atomic
    with _phases(f"Nhập {resource.value} từ {file.name}") as phase:
        result, headers = _run_import(resource, file, mode, dry_run, phase)
    _say_import(result, headers, report)
    if result.summary.error and not (partial and result.committed):
        raise typer.Exit(ExitCode.failed)


def _run_import(
    resource: "ImportResource", file: Path, mode: Any, dry_run: bool, phase: Callable[[str], None]
) -> tuple[Any, dict[str, str]]:
    """The HTTP route's service in one transaction, acting as the system (full rights); with
    each field's column header as the file's template spells it."""
    from sqlmodel import Session

    from app.auth.actor import system_actor
    from app.bulk.engine import BulkRejected
    from app.bulk.lms import LMS_LAYOUT, import_lms
    from app.bulk.modules import MODULE_LAYOUT, import_modules
    from app.bulk.parse import parse_file
    from app.bulk.staff import STAFF, import_staff
    from app.bulk.units import UNIT_LAYOUT, import_units
    from app.core.db import get_engine
    from app.core.errors import AppError
    from app.core.i18n import render

    layout, service = {
        "staff": (STAFF, import_staff),
        "units": (UNIT_LAYOUT, import_units),
        "bdtx-modules": (MODULE_LAYOUT, import_modules),
        "bdtx-lms": (LMS_LAYOUT, import_lms),
    }[resource.value]
    headers = {c.field: c.headers[0] for c in layout.columns if c.headers}
    phase("Đọc tệp")
    try:
        upload = parse_file(
            file.read_bytes(), file.name, "", layout, get_settings().import_max_rows
        )
        phase("Kiểm tra và ghi")
        with Session(get_engine()) as session:
            result = service(
                session, system_actor("bdtx import"), upload, mode=mode, dry_run=dry_run
            )
            if result.committed:
                session.commit()
    except BulkRejected as exc:  # atomic: nothing written, every row's result in the report
        return exc.report, headers
    except AppError as exc:  # the file as a whole refused: unreadable, too many rows
        raise CliError(render(exc.code, "vi", exc.params)[1]) from None
    return result, headers


def _say_import(result: Any, headers: dict[str, str], report: Path | None) -> None:
    s = result.summary
    typer.echo(
        f"{s.total} dòng: {s.created} tạo mới, {s.updated} cập nhật, {s.unchanged} không đổi, "
        f"{s.error} lỗi; " + ("đã ghi." if result.committed else "không ghi gì.")
    )
    for row in [r for r in result.rows if r.problem][:10]:
        column = headers.get(row.problem.field or "")
        where = f"dòng {row.row}, cột «{column}»" if column else f"dòng {row.row}"
        typer.echo(f"  {where}: {row.problem.detail}", err=True)
    if report is not None:
        _write_report(result, report)
        typer.echo(f"Kết quả từng dòng: {report}")


def _write_report(result: Any, path: Path) -> None:
    import csv

    with path.open("w", encoding="utf-8-sig", newline="") as out:  # BOM: Excel reads UTF-8
        writer = csv.writer(out)
        writer.writerow(["Dòng", "Mã", "Kết quả", "Mã lỗi", "Chi tiết"])
        for r in result.rows:
            problem = r.problem
            writer.writerow(
                [
                    r.row,
                    r.external_code or "",
                    r.status.value,
                    problem.code if problem else "",
                    problem.detail if problem else "",
                ]
            )


@cli.command()
def generate(
    scale: Annotated[
        Scale, typer.Option(help="Quy mô: tiny (vài giây), province (một tỉnh), nation.")
    ] = Scale.tiny,
    seed: Annotated[
        int, typer.Option(help="Hạt giống ngẫu nhiên; cùng hạt giống, cùng dữ liệu.")
    ] = 1,
    force: Annotated[
        bool, typer.Option("--force", help="Ghi cả vào cơ sở dữ liệu đã có đơn vị.")
    ] = False,
) -> None:
    """Sinh dữ liệu tổng hợp vào BDTX_DATABASE_URL (migration trước)."""
    import time

    from app.synthetic.generate import GenerateError
    from app.synthetic.generate import generate as run

    url = get_settings().database_url
    if not force and _has_units(url):
        raise CliError(
            "Cơ sở dữ liệu đã có đơn vị (dữ liệu mẫu hoặc lần sinh trước); "
            "chọn BDTX_DATABASE_URL khác hoặc thêm --force."
        )
    started = time.perf_counter()
    try:
        with _phases(f"Sinh dữ liệu quy mô {scale.value}") as on_phase:
            counts = run(url, scale.value, seed=seed, progress=on_phase)
    except GenerateError as exc:
        raise CliError(str(exc)) from None
    for name, n in sorted(counts.items()):
        typer.echo(f"{name:<24} {n:>10,}")
    typer.echo(f"Đã sinh dữ liệu quy mô {scale.value} trong {time.perf_counter() - started:.1f} s.")


@cli.command()
def worker(
    once: Annotated[bool, typer.Option("--once", help="Làm đến khi hết việc rồi thoát.")] = False,
) -> None:
    """Gửi thông báo, email và nhắc hạn (app.notify.worker) đến khi nhận SIGTERM/Ctrl-C."""
    import signal

    from app.core.db import get_engine
    from app.notify.worker import Worker, wait_until_idle

    _upgrade()
    runner = Worker(get_engine())
    if once:
        wait_until_idle(runner)
        return
    for sig in (signal.SIGTERM, signal.SIGINT):  # finish the message in hand, then stop
        signal.signal(sig, lambda *_: runner.stop())
    runner.run()


@cli.command()
def openapi(
    output: Annotated[Path, typer.Option(help="Tệp cần ghi hoặc kiểm tra.")] = Path(
        "openapi/openapi.json"
    ),
    check: Annotated[
        bool, typer.Option("--check", help="Không ghi; thoát mã 1 nếu tệp đã cũ.")
    ] = False,
) -> None:
    """Ghi tài liệu OpenAPI (hợp đồng đã công bố) ra tệp."""
    from app.main import create_app

    text = json.dumps(create_app().openapi(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    if check:
        if not output.exists() or output.read_text(encoding="utf-8") != text:
            raise CliError(f"{output} is out of date: run `bdtx openapi`")
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    typer.echo(f"wrote {output}")


def _fail(message: str, code: ExitCode) -> int:
    typer.echo(f"bdtx: {message}", err=True)
    return int(code)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; known failures become one stderr line and an ``ExitCode``."""
    from sqlalchemy.exc import OperationalError

    command = typer.main.get_command(cli)
    try:
        result = command.main(
            args=list(argv) if argv is not None else sys.argv[1:],
            prog_name="bdtx",
            standalone_mode=False,
        )
    except CliError as exc:
        return _fail(str(exc), exc.code)
    except (typer.Abort, KeyboardInterrupt, EOFError):
        return _fail("đã huỷ.", ExitCode.interrupted)
    except typer.TyperException as exc:  # Click's usage errors: message and usage, no traceback
        exc.show()  # type: ignore[attr-defined]
        return int(getattr(exc, "exit_code", ExitCode.usage))
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
        return _fail(
            f"không kết nối được cơ sở dữ liệu (BDTX_DATABASE_URL): {reason}", ExitCode.database
        )
    return result if isinstance(result, int) else int(ExitCode.ok)


if __name__ == "__main__":
    raise SystemExit(main())
