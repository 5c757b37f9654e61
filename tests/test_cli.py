"""`bdtx`: every known failure is one line on stderr and an exit code, never a traceback."""

import io
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from app.cli import ExitCode, main
from app.core import config, db


@pytest.fixture
def use_database(
    monkeypatch: pytest.MonkeyPatch, fresh_database_url: Callable[[], str]
) -> Iterator[Callable[[str | None], str]]:
    """Point BDTX_DATABASE_URL at a fresh database (or the given URL) for one test."""

    def use(url: str | None = None) -> str:
        url = url or fresh_database_url()
        monkeypatch.setenv("BDTX_DATABASE_URL", url)
        config.get_settings.cache_clear()
        db.get_engine.cache_clear()
        db.get_write_engine.cache_clear()
        return url

    yield use
    db.get_engine().dispose()
    monkeypatch.undo()
    config.get_settings.cache_clear()
    db.get_engine.cache_clear()
    db.get_write_engine.cache_clear()


def _one_line_error(capsys: pytest.CaptureFixture[str], *words: str) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    for word in words:
        assert word in lines[0]
    return lines[0]


def test_version_and_help_on_every_option(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("bdtx ")
    import typer

    from app.cli import cli

    command = typer.main.get_command(cli)
    assert isinstance(command, typer.core.TyperGroup)
    for name, sub in command.commands.items():
        assert sub.help, name
        for param in sub.params:
            assert getattr(param, "help", None), f"{name} {param.name}"


@pytest.mark.parametrize("username", ["", "a b", "Quan Tri", "ab"])
def test_create_admin_refuses_usernames_the_api_refuses(
    username: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    use_database: Callable[[str | None], str],
) -> None:
    use_database(None)
    monkeypatch.setattr("sys.stdin", io.StringIO("mat-khau-dong-lenh\n"))
    assert main(["create-admin", username]) == ExitCode.failed
    _one_line_error(capsys, "Tên đăng nhập không hợp lệ")


def test_create_admin_refuses_a_short_password(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    use_database: Callable[[str | None], str],
) -> None:
    use_database(None)
    monkeypatch.setattr("sys.stdin", io.StringIO("ngan\n"))
    assert main(["create-admin", "quantri3"]) == ExitCode.failed
    _one_line_error(capsys, "Mật khẩu không hợp lệ", "10")


def test_ctrl_c_at_the_password_prompt(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def interrupted(prompt: str = "") -> str:
        raise KeyboardInterrupt

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr("sys.stdin", Terminal())
    monkeypatch.setattr("getpass.getpass", interrupted)
    assert main(["create-admin", "quantri4"]) == ExitCode.interrupted
    _one_line_error(capsys, "đã huỷ")


def test_unreachable_database_is_one_line_and_exit_3() -> None:
    """The installed entry point itself, so nothing of the test harness hides a traceback."""
    env = {"BDTX_DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/bdtx", "PATH": ""}
    run = subprocess.run(
        [sys.executable, "-m", "app.cli", "migrate"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert run.returncode == ExitCode.database
    assert "Traceback" not in run.stderr
    assert run.stderr.strip().startswith("bdtx: không kết nối được cơ sở dữ liệu")
    assert len(run.stderr.strip().splitlines()) == 1


def test_usage_errors_exit_2_without_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["generate", "--scale", "huge"]) == ExitCode.usage
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "--scale" in err
    assert main(["no-such-command"]) == ExitCode.usage


def test_generate_defaults_to_tiny_and_refuses_a_non_empty_database(
    capsys: pytest.CaptureFixture[str], use_database: Callable[[str | None], str]
) -> None:
    use_database(None)
    assert main(["generate", "--seed", "4"]) == 0
    assert "Đã sinh dữ liệu quy mô tiny" in capsys.readouterr().out
    assert main(["generate", "--seed", "4"]) == ExitCode.failed
    _one_line_error(capsys, "đã có đơn vị", "--force")


def test_generate_refuses_the_demo_database_without_force(
    capsys: pytest.CaptureFixture[str], use_database: Callable[[str | None], str]
) -> None:
    use_database(None)
    assert main(["seed-demo"]) == 0
    capsys.readouterr()
    assert main(["generate"]) == ExitCode.failed
    _one_line_error(capsys, "--force")


# --- bdtx import ----------------------------------------------------------------------------

STAFF_HEADER = "Mã định danh,Họ và tên,Mã đơn vị,Vị trí việc làm,Cấp học\n"


def _staff_codes(url: str) -> set[str]:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        codes = set(conn.scalars(text("SELECT external_code FROM staff")))
    engine.dispose()
    return codes


def _unit_file(tmp_path: Path, rows: str) -> str:
    path = tmp_path / "can_bo.csv"
    path.write_text(STAFF_HEADER + rows, encoding="utf-8")
    return str(path)


def _seeded(use_database: Callable[[str | None], str]) -> str:
    url = use_database(None)
    assert main(["seed-demo"]) == 0
    return url


def test_import_writes_valid_rows_and_reports_each(
    use_database: Callable[[str | None], str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = _seeded(use_database)
    capsys.readouterr()
    rows = "THCS-TP-101,Đinh Thị Hoài Thu,THCS-TP,Giáo viên,THCS\n"
    report = tmp_path / "ket_qua.csv"
    assert main(["import", "staff", _unit_file(tmp_path, rows), "--report", str(report)]) == 0
    assert "1 tạo mới" in capsys.readouterr().out
    assert "THCS-TP-101" in _staff_codes(url)
    text = report.read_bytes()
    assert text.startswith(b"\xef\xbb\xbf")  # Excel reads the BOM as UTF-8
    assert "Dòng,Mã,Kết quả" in text.decode("utf-8-sig")


def test_import_atomic_with_a_bad_row_writes_nothing_and_names_row_and_column(
    use_database: Callable[[str | None], str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = _seeded(use_database)
    capsys.readouterr()
    rows = (
        "THCS-TP-102,Lý Văn Sơn,THCS-TP,Giáo viên,THCS\n"
        "THCS-TP-103,Mai Thị Hạnh,KHONG-CO,Giáo viên,THCS\n"
    )
    assert main(["import", "staff", _unit_file(tmp_path, rows)]) == ExitCode.failed
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    assert "dòng 3, cột «Mã đơn vị»" in captured.err
    assert "không ghi gì" in captured.out
    assert not {"THCS-TP-102", "THCS-TP-103"} & _staff_codes(url)
    # partial: the valid row is written, the run still says a row was refused
    assert main(["import", "staff", _unit_file(tmp_path, rows), "--partial"]) == 0
    assert "THCS-TP-102" in _staff_codes(url)


def test_import_dry_run_writes_nothing(
    use_database: Callable[[str | None], str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = _seeded(use_database)
    rows = "THCS-TP-104,Tô Minh Quân,THCS-TP,Giáo viên,THCS\n"
    assert main(["import", "staff", _unit_file(tmp_path, rows), "--dry-run"]) == 0
    assert "THCS-TP-104" not in _staff_codes(url)


def test_import_usage_errors_are_one_line_and_exit_2(
    use_database: Callable[[str | None], str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    use_database(None)
    assert main(["import", "staff", str(tmp_path / "khong_co.csv")]) == ExitCode.usage
    _one_line_error(capsys, "khong_co.csv")
    other = tmp_path / "ds.txt"
    other.write_text("x", encoding="utf-8")
    assert main(["import", "staff", str(other)]) == ExitCode.usage
    _one_line_error(capsys, ".csv")
    assert main(["import", "teachers", str(other)]) == ExitCode.usage
    assert "Traceback" not in capsys.readouterr().err
