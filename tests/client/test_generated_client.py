"""A client generated from the published contract drives the real service over HTTP.

``openapi-python-client`` turns ``openapi/openapi.json`` into a typed package (in a temporary
directory); the service runs as its own process on a free port and on a fresh database of the
backend under test (it commits for real, so the per-test rolled-back transaction cannot hold
it). The flow is the one integrators write: log in, create the units and the staff, run a Sở
training from draft to closed, and read refusals as typed ``Problem`` models.
"""

import importlib
import os
import secrets
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

PACKAGE = "bdtx_generated_client"
ADMIN, PASSWORD = "admin.client", "client-test-" + secrets.token_hex(8)
BIN = Path(sys.executable).parent
CONTRACT = Path(__file__).resolve().parents[2] / "openapi" / "openapi.json"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def client_package(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The generated package, importable under ``PACKAGE``."""
    out = tmp_path_factory.mktemp("client")
    config = out / "config.yml"
    config.write_text("post_hooks: []\n")  # no formatter run: faster, and nothing to install
    subprocess.run(
        [
            str(BIN / "openapi-python-client"),
            "generate",
            "--path",
            str(CONTRACT),
            "--meta",
            "none",
            "--config",
            str(config),
            "--output-path",
            str(out / PACKAGE),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    sys.path.insert(0, str(out))
    yield PACKAGE
    sys.path.remove(str(out))
    for name in [m for m in sys.modules if m.split(".")[0] == PACKAGE]:
        del sys.modules[name]


@pytest.fixture(scope="module")
def base_url(fresh_database_url: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The service in its own process, on a fresh database, with a first admin."""
    port = _free_port()
    env = {
        **os.environ,
        "BDTX_DATABASE_URL": fresh_database_url(),
        "BDTX_ENV": "test",
        "BDTX_SECRET_KEY": secrets.token_hex(32),
        "BDTX_ADMIN_USERNAME": ADMIN,
        "BDTX_ADMIN_PASSWORD": PASSWORD,
    }
    log = (tmp_path_factory.mktemp("server") / "server.log").open("w")
    server = subprocess.Popen(
        [str(BIN / "bdtx"), "serve", "--port", str(port)], env=env, stdout=log, stderr=log
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(url, server)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


def _wait_ready(url: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert server.poll() is None, "the service exited while starting"
        try:
            if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError("the service did not become ready in 30 s")


class Api:
    """``api.units.units_create`` for ``<package>.api.units.units_create``."""

    def __init__(self, package: str, path: str = "api") -> None:
        self._package, self._path = package, path

    def __getattr__(self, name: str) -> Any:
        module = f"{self._package}.{self._path}.{name}"
        if self._path.count(".") == 1:
            return importlib.import_module(module)
        return Api(self._package, f"{self._path}.{name}")


def test_generated_client_runs_a_training_from_login_to_close(
    client_package: str, base_url: str
) -> None:
    pkg: ModuleType = importlib.import_module(client_package)
    models = importlib.import_module(f"{client_package}.models")
    api = Api(client_package)
    anonymous = pkg.Client(base_url=base_url, raise_on_unexpected_status=True)

    # login: OAuth2 password form → bearer token
    token = api.auth.auth_token.sync(
        client=anonymous, body=models.BodyAuthToken(username=ADMIN, password=PASSWORD)
    )
    assert isinstance(token, models.TokenRead), token
    client = pkg.AuthenticatedClient(
        base_url=base_url, token=token.access_token, raise_on_unexpected_status=True
    )
    me = api.auth.me_get.sync(client=client)
    assert me.user.username == ADMIN

    # units and staff
    tag = uuid.uuid4().hex[:6]
    so = _ok(
        api.units.units_create.sync(
            client=client,
            body=models.UnitCreate(
                external_code=f"SO-{tag}", kind=models.UnitKind.DEPARTMENT, name="Sở GD&ĐT"
            ),
        ),
        models.UnitRead,
    )
    school = _ok(
        api.units.units_create.sync(
            client=client,
            body=models.UnitCreate(
                external_code=f"THCS-{tag}",
                kind=models.UnitKind.SCHOOL,
                name="Trường THCS Tân Phú",
                parent_id=so.id,
            ),
            idempotency_key=uuid.uuid4().hex,
        ),
        models.UnitRead,
    )
    teachers = [
        _ok(
            api.staff.staff_create.sync(
                client=client,
                body=models.StaffCreate(
                    external_code=f"GV-{tag}-{i}",
                    full_name=f"Nguyễn Văn {name}",
                    unit_id=school.id,
                    category=models.StaffCategory.TEACHER,
                    subjects=["Toán"],
                ),
            ),
            models.StaffRead,
        )
        for i, name in enumerate(["An", "Bình"])
    ]

    # a refusal is a typed Problem, not a dict: the same external code again is 409
    taken = api.units.units_create.sync_detailed(
        client=client,
        body=models.UnitCreate(external_code=f"SO-{tag}", kind=models.UnitKind.OTHER, name="x"),
    )
    assert taken.status_code == 409
    assert isinstance(taken.parsed, models.Problem)
    assert taken.parsed.status == 409
    assert taken.parsed.code
    # ... and a value only the server can judge is 422 with typed error items
    bad_year = api.events.events_create.sync_detailed(
        client=client,
        body=models.EventCreate(
            kind=models.EventKind.TRAINING,
            organizer_unit_id=so.id,
            school_year="2024-2026",
            title="Năm học sai",
        ),
    )
    assert bad_year.status_code == 422
    assert isinstance(bad_year.parsed, models.Problem)
    assert isinstance(bad_year.parsed.errors[0], models.ErrorItem)
    assert bad_year.parsed.errors[0].loc == ["body", "school_year"]

    # a Sở training: draft, one session, one requirement for the school, summon
    event = _ok(
        api.events.events_create.sync(
            client=client,
            body=models.EventCreate(
                kind=models.EventKind.TRAINING,
                organizer_unit_id=so.id,
                school_year="2024-2025",
                title="Bồi dưỡng giáo viên Toán theo chương trình GDPT 2018",
                nomination_deadline=datetime.now(UTC) + timedelta(days=3),
                bdtx_module_code="GVPT-TOAN-01",
                bdtx_periods=8,
            ),
        ),
        models.EventRead,
    )
    start = datetime.now(UTC) - timedelta(days=1)  # over, so the event may close
    buoi = _ok(
        api.events.events_sessions_create.sync(
            event.id,
            client=client,
            body=models.SessionCreate(
                title="Buổi 1", starts_at=start, ends_at=start + timedelta(hours=3)
            ),
        ),
        models.SessionRead,
    )
    requirement = _ok(
        api.events.events_requirements_create.sync(
            event.id,
            client=client,
            body=models.RequirementCreate(
                unit_ids=[school.id],
                categories=[models.StaffCategory.TEACHER],
                subjects=["Toán"],
                quota=1,
                quota_mode=models.QuotaMode.UP_TO,
            ),
        ),
        models.RequirementRead,
    )
    event = _ok(
        api.events.events_summon.sync(
            event.id,
            client=client,
            body=models.SummonRequest(summons_number=f"45/GTT-{tag}"),
            if_match=_etag(api.events.events_get.sync_detailed(event.id, client=client)),
        ),
        models.EventRead,
    )
    assert event.status == models.EventStatus.SUMMONED

    # nominate one teacher; the quota of one refuses the second with a typed 409
    nominated = api.events.nominations_create.sync_detailed(
        event.id,
        client=client,
        body=models.NominationCreate(staff_id=teachers[0].id, requirement_id=requirement.id),
    )
    nomination = _ok(nominated.parsed, models.NominationRead)
    over = api.events.nominations_create.sync_detailed(
        event.id,
        client=client,
        body=models.NominationCreate(staff_id=teachers[1].id, requirement_id=requirement.id),
    )
    assert over.status_code == 409
    assert isinstance(over.parsed, models.Problem)
    assert over.parsed.code == "quota_exceeded"
    _ok(
        api.nominations.nominations_accept.sync(
            nomination.id, client=client, body=models.ReasonRequest(), if_match=_etag(nominated)
        ),
        models.NominationRead,
    )

    # mark the session, close the event: the attendee completes it
    marks = _ok(
        api.events.attendance_mark.sync(
            event.id,
            buoi.id,
            client=client,
            body=models.MarksInput(
                marks=[models.MarkInput(staff_id=teachers[0].id, status=models.MarkStatus.PRESENT)]
            ),
        ),
        models.PageMarkRead,
    )
    assert [m.staff_id for m in marks.items] == [teachers[0].id]
    closed = _ok(
        api.events.events_close.sync(
            event.id,
            client=client,
            if_match=_etag(api.events.events_get.sync_detailed(event.id, client=client)),
        ),
        models.CloseResult,
    )
    assert closed.event.status == models.EventStatus.CLOSED
    assert closed.credits_created == 1
    assert closed.violations_created == 0

    # a stale ETag is a typed 412
    stale = api.events.events_cancel.sync_detailed(
        event.id, client=client, body=models.CancelRequest(reason="Hủy"), if_match='"1"'
    )
    assert stale.status_code in (409, 412)
    assert isinstance(stale.parsed, models.Problem)


def _ok(parsed: Any, kind: type) -> Any:
    assert isinstance(parsed, kind), parsed
    return parsed


def _etag(response: Any) -> str:
    return str(response.headers["etag"])
