"""The ``bdtx`` command."""

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from app.core.config import get_settings


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from app.core.migrate import upgrade
    from app.ops.logs import uvicorn_log_config

    settings = get_settings()
    upgrade()
    uvicorn.run(
        "app.main:app",
        log_config=uvicorn_log_config(settings.log_format),
        access_log=settings.log_format != "json",  # app.ops.observe writes the JSON line
        host=args.host or settings.host,
        port=args.port or settings.port,
        workers=settings.workers,
        proxy_headers=True,
    )
    return 0


def cmd_migrate(_: argparse.Namespace) -> int:
    from app.core.migrate import upgrade

    upgrade()
    print("Đã áp dụng migration đến bản mới nhất.")
    return cmd_partitions(argparse.Namespace(archive_audit_before=None, out=None))


def cmd_partitions(args: argparse.Namespace) -> int:
    """PostgreSQL: prepare the coming months, apply feed retention, archive old audit months."""
    from datetime import date

    from app.core.db import get_engine
    from app.core.model_base import utcnow
    from app.ops import partitions

    engine = get_engine()
    settings = get_settings()
    for name in partitions.maintain(engine, utcnow().date(), settings.change_retention_months):
        print(f"phân vùng {'đã xoá' if name.startswith('-') else 'đã tạo'}: {name.lstrip('-')}")
    if args.archive_audit_before:
        before = date.fromisoformat(args.archive_audit_before + "-01")
        partitions.archive_audit(engine, before, Path(args.out or "audit-archive"))
    return 0


def cmd_create_admin(args: argparse.Namespace) -> int:
    """A system-wide admin; the password comes from stdin when piped, else a prompt."""
    import getpass

    from sqlmodel import Session

    from app.auth.service import create_admin
    from app.core.db import get_engine
    from app.core.errors import AppError
    from app.core.migrate import upgrade

    if sys.stdin.isatty():
        password = getpass.getpass("Mật khẩu: ")
        if getpass.getpass("Nhập lại mật khẩu: ") != password:
            print("Hai lần nhập không khớp.", file=sys.stderr)
            return 1
    else:
        password = sys.stdin.readline().rstrip("\n")
    if len(password) < 10:
        print("Mật khẩu cần ít nhất 10 ký tự.", file=sys.stderr)
        return 1
    upgrade()
    with Session(get_engine()) as session:
        try:
            create_admin(session, args.username, password)
        except AppError:
            print(f"Tên đăng nhập '{args.username}' đã tồn tại.", file=sys.stderr)
            return 1
        session.commit()
    print(f"Đã tạo quản trị viên {args.username}.")
    return 0


def cmd_seed_demo(_: argparse.Namespace) -> int:
    from app.core.migrate import upgrade
    from app.demo import seed_demo

    upgrade()
    summary = seed_demo()
    print(summary)
    return 0


def cmd_generate(args: argparse.Namespace) -> int:
    """Synthetic data (issue 9) into BDTX_DATABASE_URL, migrated first."""
    import time

    from app.synthetic.generate import GenerateError, generate

    started = time.perf_counter()
    try:
        counts = generate(get_settings().database_url, args.scale, seed=args.seed)
    except GenerateError as exc:
        print(exc, file=sys.stderr)
        return 1
    for table, n in sorted(counts.items()):
        print(f"{table:<24} {n:>10,}")
    print(f"Đã sinh dữ liệu quy mô {args.scale} trong {time.perf_counter() - started:.1f} s.")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    """A consistent copy of BDTX_DATABASE_URL while the service runs (app.ops.backup)."""
    from app.ops.backup import BackupError, backup

    try:
        path = backup(get_settings().database_url, Path(args.file), _pages)
    except BackupError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"Đã sao lưu vào {path} ({path.stat().st_size:,} byte).")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    """Restore a backup into BDTX_DATABASE_URL (empty, unless --force)."""
    from app.ops.backup import BackupError, restore

    try:
        restore(get_settings().database_url, Path(args.file), force=args.force, progress=_pages)
    except BackupError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"Đã khôi phục từ {args.file}.")
    return 0


def _pages(done: int, total: int) -> None:
    print(f"\r{done:,}/{total:,} trang", end="\n" if done >= total else "", file=sys.stderr)


def cmd_openapi(args: argparse.Namespace) -> int:
    from app.main import create_app

    text = json.dumps(create_app().openapi(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    out = Path(args.output)
    if args.check:
        if not out.exists() or out.read_text(encoding="utf-8") != text:
            print(f"{out} is out of date: run `bdtx openapi`", file=sys.stderr)
            return 1
        return 0
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    print(f"wrote {out}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bdtx", description="bdtx-api service commands")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="apply migrations, then serve HTTP")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    sub.add_parser("migrate", help="apply Alembic migrations up to head")
    admin = sub.add_parser("create-admin", help="create a system-wide admin")
    admin.add_argument("username")
    sub.add_parser("seed-demo", help="load a small demo province (idempotent)")
    gen = sub.add_parser("generate", help="load synthetic data (migrates first)")
    gen.add_argument("--scale", choices=["tiny", "province", "nation"], default="province")
    gen.add_argument("--seed", type=int, default=1)
    parts = sub.add_parser(
        "partitions", help="PostgreSQL: prepare monthly partitions, apply retention, archive"
    )
    parts.add_argument(
        "--archive-audit-before",
        metavar="YYYY-MM",
        help="write audit-log months before this one to CSV files, then drop them",
    )
    parts.add_argument("--out", help="folder for the archive files (default audit-archive)")
    backup = sub.add_parser("backup", help="back up the database while the service runs")
    backup.add_argument("file", help="where to write the backup")
    restore = sub.add_parser("restore", help="restore a backup into an empty database")
    restore.add_argument("file", help="a file written by `bdtx backup`")
    restore.add_argument("--force", action="store_true", help="replace existing data")
    openapi = sub.add_parser("openapi", help="write the OpenAPI document")
    openapi.add_argument("--output", default="openapi/openapi.json")
    openapi.add_argument("--check", action="store_true", help="fail if the file is stale")
    return parser


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "serve": cmd_serve,
    "migrate": cmd_migrate,
    "create-admin": cmd_create_admin,
    "seed-demo": cmd_seed_demo,
    "openapi": cmd_openapi,
    "generate": cmd_generate,
    "partitions": cmd_partitions,
    "backup": cmd_backup,
    "restore": cmd_restore,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return COMMANDS[args.command](args)


if __name__ == "__main__":
    raise SystemExit(main())
