"""The measurements. Each returns a dict with the figure, its baseline from the same run,
the ratio, the issue's target and, where the run checks correctness, ``checks``."""

import argparse
import functools
import random
import statistics
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, event, func, select
from sqlmodel import Session

from app.auth.actor import Actor, _actor_for_user
from app.auth.models import Role, RoleAssignment, User
from app.core.db import make_engine
from app.core.security import create_access_token, hash_password, password_stamp
from app.events.models import AttendanceMark, Event, EventSession, Nomination, RequirementTarget
from app.staff.models import Staff, StaffAssignment, StaffCategory, StaffStatus
from app.synthetic import names
from app.units.models import Unit, UnitKind
from bench.load import Client, Reply, Stats, hammer

PASSWORD = "bench-" + "x" * 12


@dataclass
class World:
    """What the measurements need from the generated province."""

    url: str
    engine: Engine
    department_id: int
    ministry_id: int
    office_ids: list[int]
    staff_ids: list[int]
    done_year: str
    current_year: str
    big_event_id: int
    big_session_id: int
    big_roster: list[int]
    admin_id: int
    officer_id: int

    @property
    def pg(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    def _password_hash(self, user_id: int) -> str:
        with Session(self.engine) as s:
            user = s.get(User, user_id)
            assert user is not None
            return user.password_hash

    def headers(self, user_id: int) -> dict[str, str]:
        token, _ = create_access_token(user_id, self._password_hash(user_id), 600)
        return {"Authorization": f"Bearer {token}", "Accept-Language": "vi"}

    def actor(self, session: Session, user_id: int) -> Actor:
        return _actor_for_user(session, user_id, password_stamp(self._password_hash(user_id)))

    def dispose(self) -> None:
        self.engine.dispose()

    @classmethod
    def load(cls, url: str) -> "World":
        engine = make_engine(url)
        rng = random.Random(5)
        with Session(engine) as s:
            department = s.scalars(select(Unit).where(Unit.kind == UnitKind.department)).first()
            assert department is not None
            assert department.id is not None
            offices = list(
                s.scalars(select(Unit.id).where(Unit.kind == UnitKind.district_office).limit(50))
            )
            staff = list(s.scalars(select(Staff.id)))
            done = s.scalar(select(func.min(Event.school_year))) or ""
            current = s.scalar(select(func.max(Event.school_year))) or ""
            big = s.execute(
                select(Nomination.event_id, func.count())
                .join(Event, Event.id == Nomination.event_id)
                .where(Event.status == "summoned", Nomination.status == "accepted")
                .group_by(Nomination.event_id)
                .order_by(func.count().desc())
                .limit(1)
            ).one()
            session_id = s.scalar(
                select(EventSession.id)
                .where(EventSession.event_id == big[0])
                .order_by(EventSession.starts_at)
            )
            roster = list(
                s.scalars(
                    select(Nomination.staff_id).where(
                        Nomination.event_id == big[0], Nomination.status == "accepted"
                    )
                )
            )
            admin, officer = (
                _user(s, "bench.admin", Role.admin, None),
                _user(s, "bench.so", Role.department_officer, department.id),
            )
            s.commit()
            return cls(
                url=url,
                engine=engine,
                department_id=department.id,
                ministry_id=department.parent_id or department.id,
                office_ids=offices,
                staff_ids=rng.sample(staff, min(5000, len(staff))),
                done_year=done,
                current_year=current,
                big_event_id=big[0],
                big_session_id=session_id or 0,
                big_roster=roster,
                admin_id=admin.id or 0,
                officer_id=officer.id or 0,
            )


def _user(s: Session, username: str, role: Role, unit_id: int | None) -> User:
    """The bench's users, created on first use (a second load of the same data reuses them)."""
    user = s.scalars(select(User).where(User.username == username)).first()
    if user is None:
        user = User(username=username, password_hash=hash_password(PASSWORD), full_name=username)
        s.add(user)
        s.flush()
        s.add(RoleAssignment(user_id=user.id or 0, role=role, unit_id=unit_id))
        s.flush()
    return user


def _ratio(a: float, b: float) -> float:
    return round(a / b, 3) if b else 0.0


def _merge(parts: list[Stats]) -> Stats:
    return Stats(
        sum(p.requests for p in parts),
        sum(p.seconds for p in parts),
        [x for p in parts for x in p.latencies],
        sum(p.errors for p in parts),
    )


# Each server is measured in this many slices, in turn: the load the machine's other tenants
# put on the cores drifts within seconds, and slices in turn spread it over all servers.
ROUNDS = 4


def _in_turn(runs: list[Callable[[float], Stats]], seconds: float) -> list[Stats]:
    """``seconds`` of load on each of ``runs``, in ``ROUNDS`` slices taken in turn, the order
    reversed every round (a, b, c, c, b, a, ...): all see the same drift in the machine's
    load. Their stats, merged per run, in the order given."""
    slices: list[list[Stats]] = [[] for _ in runs]
    order = list(range(len(runs)))
    for _ in range(ROUNDS):
        for i in order:
            slices[i].append(runs[i](seconds / ROUNDS))
        order.reverse()
    return [_merge(parts) for parts in slices]


# --- reads vs the raw driver ----------------------------------------------------------------


def _hammer_for(
    port: int,
    paths: Callable[[int], str],
    concurrency: int,
    headers: dict[str, str] | None,
    seconds: float,
) -> Stats:
    return hammer(port, paths, concurrency=concurrency, seconds=seconds, headers=headers)


# issue 21's targets: (ratio to the peer, ratio to the raw driver) a read must reach
READ_TARGETS = {"staff_by_id": (1.5, 0.35), "staff_list_50_subtree": (1.3, 0.0)}


def reads(world: World, ports: tuple[int, int, int], args: argparse.Namespace) -> dict[str, Any]:
    """This project's reads (auth, scope in SQL, ETag) beside the template-style peer (no
    auth) and the raw driver, on the same rows."""
    app_port, peer_port, raw_port = ports
    ids, offices = world.staff_ids, world.office_ids
    headers = world.headers(world.officer_id)
    c = args.concurrency
    out: dict[str, Any] = {}
    cases = {
        "staff_by_id": (
            lambda i: f"/api/v1/staff/{ids[i % len(ids)]}",
            lambda i: f"/staff/{ids[i % len(ids)]}",
            lambda i: f"/staff/{ids[i % len(ids)]}",
        ),
        "staff_list_50_subtree": (
            lambda i: (
                f"/api/v1/staff?unit_id={offices[i % len(offices)]}"
                "&include_descendants=true&limit=50"
            ),
            lambda i: f"/staff?unit_id={offices[i % len(offices)]}&limit=50",
            # the app fetches limit + 1 rows to know whether there is a next page
            lambda i: f"/staff?unit_id={offices[i % len(offices)]}&limit=51",
        ),
    }
    for name, (app_path, peer_path, raw_path) in cases.items():
        print(f"   đo {name} ...", flush=True)
        app_stats, peer_stats, raw_stats = _in_turn(
            [
                functools.partial(_hammer_for, app_port, app_path, c, headers),
                functools.partial(_hammer_for, peer_port, peer_path, c, None),
                functools.partial(_hammer_for, raw_port, raw_path, c, None),
            ],
            args.seconds,
        )
        to_peer, to_raw = READ_TARGETS[name]
        out[name] = {
            "app": app_stats.as_dict(),
            "peer": peer_stats.as_dict(),
            "raw_driver": raw_stats.as_dict(),
            "ratio_to_peer": _ratio(app_stats.rps, peer_stats.rps),
            "ratio": _ratio(app_stats.rps, raw_stats.rps),
            "target": f">= {to_peer}x peer, >= {to_raw}x raw driver",
            "met": app_stats.rps >= to_peer * peer_stats.rps
            and app_stats.rps >= to_raw * raw_stats.rps,
            "checks": {
                "no_errors": app_stats.errors == 0
                and peer_stats.errors == 0
                and raw_stats.errors == 0
            },
        }
    out["floor_healthz"] = _floor(world, app_port, raw_port, args)
    return out


def _floor(world: World, app_port: int, raw_port: int, args: argparse.Namespace) -> dict[str, Any]:
    """Not a target: the app's ``/healthz`` (no database, no authentication, the same
    middlewares, on the event loop like every read) beside the raw driver's primary-key read.
    What FastAPI costs before any SQL is sent bounds the ratio a read can reach."""
    print("   đo floor_healthz ...", flush=True)
    ids, c = world.staff_ids, args.concurrency
    app_stats, raw_stats = _in_turn(
        [
            lambda s: hammer(app_port, lambda i: "/healthz", concurrency=c, seconds=s),
            lambda s: hammer(
                raw_port, lambda i: f"/staff/{ids[i % len(ids)]}", concurrency=c, seconds=s
            ),
        ],
        args.seconds,
    )
    return {
        "app": app_stats.as_dict(),
        "raw_driver": raw_stats.as_dict(),
        "ratio": _ratio(app_stats.rps, raw_stats.rps),
        "target": "none (bound)",
        "met": True,
        "checks": {"no_errors": app_stats.errors == 0 and raw_stats.errors == 0},
    }


# --- attendance -----------------------------------------------------------------------------


def attendance(world: World, app_port: int) -> dict[str, Any]:
    print("   đo điểm danh 2.000 người ...", flush=True)
    rng = random.Random(9)
    client = Client(app_port, world.headers(world.admin_id))
    path = f"/api/v1/events/{world.big_event_id}/sessions/{world.big_session_id}/attendance"
    timings, statuses = [], []
    for _ in range(3):  # the first inserts every mark, the next two update them
        marks = [
            {"staff_id": sid, "status": rng.choices(["present", "late", "absent"], [90, 6, 4])[0]}
            for sid in world.big_roster
        ]
        reply = client.request("PUT", path, {"marks": marks})
        timings.append(reply.seconds)
        statuses.append(reply.status)
    client.close()
    with Session(world.engine) as s:
        stored = s.scalar(
            select(func.count())
            .select_from(AttendanceMark)
            .where(AttendanceMark.session_id == world.big_session_id)
        )
    return {
        "participants": len(world.big_roster),
        "first_ms": round(timings[0] * 1000, 1),
        "remark_ms": round(statistics.fmean(timings[1:]) * 1000, 1),
        "statuses": statuses,
        "checks": {
            "all_200": all(st == 200 for st in statuses),
            "one_mark_each": stored == len(world.big_roster),
        },
    }


# --- reports vs their SQL run directly ------------------------------------------------------


def _record(world: World, call: Callable[[Session, Actor], Any], user_id: int) -> list[Any]:
    """The statements (with parameters) a service call sends."""
    recorded: list[tuple[str, Any]] = []

    def listener(_c: Any, _cur: Any, statement: str, parameters: Any, *_: Any) -> None:
        recorded.append((statement, parameters))

    with Session(world.engine) as s:
        actor = world.actor(s, user_id)
        event.listen(world.engine, "before_cursor_execute", listener)
        try:
            call(s, actor)
        finally:
            event.remove(world.engine, "before_cursor_execute", listener)
    return recorded


def _run_raw(cur: Any, statements: list[Any]) -> float:
    """Seconds to run ``statements`` through the raw driver and fetch every row."""
    started = time.perf_counter()
    for sql, params in statements:
        cur.execute(sql, params)
        cur.fetchall()
    return time.perf_counter() - started


@contextmanager
def _raw_cursor(world: World) -> Iterator[Any]:
    """A cursor of the raw driver, its transaction rolled back and connection closed after."""
    raw = world.engine.raw_connection()
    try:
        yield raw.cursor()
        raw.rollback()
    finally:
        raw.close()


def _replay(world: World, statements: list[Any], runs: int) -> float:
    """Median seconds of ``statements`` through the raw driver (after one warm-up run)."""
    with _raw_cursor(world) as cur:
        times = [_run_raw(cur, statements) for _ in range(runs + 1)][1:]
    return statistics.median(times)


def _paired_medians(
    world: World, client: Client, path: str, statements: list[Any], runs: int
) -> tuple[float, float, int]:
    """Median seconds of the request and of its statements through the raw driver, timed
    in turn (one request, one replay): what else the machine does (autovacuum after the
    generation, other agents) weighs on both alike instead of on one block of runs."""
    http, sql = [], []
    with _raw_cursor(world) as cur:
        for i in range(runs + 1):  # the first pair warms up
            reply = client.get(path)
            took = _run_raw(cur, statements)
            if i:
                http.append(reply.seconds)
                sql.append(took)
    return statistics.median(http), statistics.median(sql), reply.status


# Medians of this many runs: a 6 ms report moved by a third between runs of seven.
RUNS = 21


def reports(world: World, app_port: int, args: argparse.Namespace) -> dict[str, Any]:
    from app.bdtx import results
    from app.reports import service

    print("   đo báo cáo ...", flush=True)
    year, unit = world.done_year, world.department_id
    calls: dict[str, tuple[str, Callable[[Session, Actor], Any]]] = {
        "bdtx_province": (
            f"/api/v1/reports/bdtx?school_year={year}&unit_id={unit}",
            lambda s, a: results.province_report(s, a, unit, year),
        ),
        "emulation_province": (
            f"/api/v1/reports/emulation?school_year={year}&unit_id={unit}",
            lambda s, a: service.emulation(s, service.report_scope(a, year, unit)),
        ),
    }
    client = Client(app_port, world.headers(world.officer_id))
    out = {}
    for name, (path, call) in calls.items():
        statements = _record(world, call, world.officer_id)
        http_s, sql_s, status = _paired_medians(world, client, path, statements, RUNS)
        ratio = _ratio(http_s, sql_s)
        out[name] = {
            "http_ms": round(http_s * 1000, 1),
            "raw_sql_ms": round(sql_s * 1000, 1),
            "ratio": ratio,
            "target": "<= 2x raw SQL" + (", < 300 ms (PG)" if name == "bdtx_province" else ""),
            "met": ratio <= 2 and (name != "bdtx_province" or not world.pg or http_s < 0.3),
            "checks": {"status_200": status == 200},
        }
    client.close()
    return out


def nation_report(world: World, args: argparse.Namespace) -> dict[str, Any]:
    """The national BDTX report (rows: the 34 Sở), in-process and as raw SQL."""
    from app.bdtx import results

    year, unit = world.done_year, world.ministry_id
    with Session(world.engine) as s:
        actor = world.actor(s, world.admin_id)
        times = []
        for _ in range(3):
            started = time.perf_counter()
            rows, _, _ = results.province_report(s, actor, unit, year)
            times.append(time.perf_counter() - started)
    call = lambda s, a: results.province_report(s, a, unit, year)  # noqa: E731
    sql_s = _replay(world, _record(world, call, world.admin_id), 3)
    service_s = statistics.median(times)
    return {
        "service_ms": round(service_s * 1000, 1),
        "raw_sql_ms": round(sql_s * 1000, 1),
        "rows": len(rows),
        "target": "< 5 s on PostgreSQL",
        "met": service_s < 5,
    }


# --- 100 concurrent nominators against a quota, with repeated Idempotency-Keys --------------


def _setup_event(world: World, client: Client, schools: list[int]) -> tuple[int, int]:
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=30)
    reply = client.request(
        "POST",
        "/api/v1/events",
        {
            "kind": "training",
            "organizer_unit_id": world.department_id,
            "title": "Tập huấn đo tải: cử người đồng thời",
            "school_year": world.current_year,
            "nomination_deadline": (start - timedelta(days=5)).isoformat(),
        },
    )
    assert reply.status == 201, reply.body
    event_id = reply.json()["id"]
    base = f"/api/v1/events/{event_id}"
    session = {"starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=4)).isoformat()}
    assert client.request("POST", f"{base}/sessions", session).status == 201
    reply = client.request(
        "POST",
        f"{base}/requirements",
        {
            "unit_ids": schools,
            "categories": ["teacher"],
            "education_levels": ["lower_secondary"],
            "quota": 3,
        },
    )
    assert reply.status == 201, reply.body
    requirement_id = reply.json()["id"]
    version = client.get(base).json()["version"]
    reply = client.request(
        "POST",
        f"{base}/summon",
        {"summons_number": "999/GTT-SGDĐT"},
        headers={"If-Match": f'"{version}"'},
    )
    assert reply.status == 200, reply.body
    return event_id, requirement_id


def _candidates(world: World, per_school: int, schools: int) -> dict[int, list[int]]:
    with Session(world.engine) as s:
        rows = s.execute(
            select(Staff.unit_id, Staff.id)
            .join(Unit, Unit.id == Staff.unit_id)
            .where(
                Unit.kind == UnitKind.school,
                Staff.status == StaffStatus.active,
                Staff.category == StaffCategory.teacher,
                Staff.education_level == "lower_secondary",
            )
            .order_by(Staff.unit_id, Staff.id)
        ).all()
    by_unit: dict[int, list[int]] = {}
    for unit_id, staff_id in rows:
        by_unit.setdefault(unit_id, []).append(staff_id)
    full = {u: ids[:per_school] for u, ids in by_unit.items() if len(ids) >= per_school}
    return dict(list(full.items())[:schools])


def concurrency(world: World, app_port: int, args: argparse.Namespace) -> dict[str, Any]:
    clients = args.clients if world.pg else args.sqlite_clients
    print(f"   đo {clients} người dùng cử người đồng thời ...", flush=True)
    per_school = 5
    candidates = _candidates(world, per_school, max(1, clients // per_school))
    admin = Client(app_port, world.headers(world.admin_id))
    event_id, requirement_id = _setup_event(world, admin, sorted(candidates))
    admin.close()
    attempts = [(u, sid) for u, ids in candidates.items() for sid in ids][:clients]
    keys = [f"bench-{uuid.uuid4()}" for _ in attempts]
    headers = world.headers(world.admin_id)
    path = f"/api/v1/events/{event_id}/nominations"
    replies: dict[int, list[Reply]] = {i: [] for i in range(len(attempts))}
    lock = threading.Lock()
    barrier = threading.Barrier(len(attempts) + len(attempts) // 4)

    def send(i: int, twin: bool) -> None:
        client = Client(app_port, headers)
        body = {"staff_id": attempts[i][1], "requirement_id": requirement_id}
        key = {"Idempotency-Key": keys[i]}
        barrier.wait()
        got: list[Reply] = []
        try:
            got.append(client.request("POST", path, body, key))
            if not twin:  # the client retries once more, as after a lost answer
                got.append(client.request("POST", path, body, key))
        except OSError:  # counted as a failed request (status 599)
            got.append(Reply(599, b"{}", 0.0))
        client.close()
        with lock:
            replies[i].extend(got)

    threads = [threading.Thread(target=send, args=(i, False)) for i in range(len(attempts))]
    # a quarter of the keys are sent twice at the same moment (a concurrent duplicate)
    threads += [threading.Thread(target=send, args=(i, True)) for i in range(len(attempts) // 4)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    return _concurrency_result(world, event_id, attempts, replies, elapsed, per_school)


def _concurrency_result(
    world: World,
    event_id: int,
    attempts: list[tuple[int, int]],
    replies: dict[int, list[Reply]],
    elapsed: float,
    per_school: int,
) -> dict[str, Any]:
    everything = [r for rs in replies.values() for r in rs]
    statuses = Counter(r.status for r in everything)
    created_ids: set[int] = set()
    consistent = True
    for rs in replies.values():
        ids = {r.json()["id"] for r in rs if r.status == 201}
        consistent &= len(ids) <= 1  # a key never yields two different nominations
        created_ids |= ids
        consistent &= bool(rs) and rs[-1].status in (201, 409)
    with Session(world.engine) as s:
        live = s.execute(
            select(Nomination.id, Nomination.staff_id, Nomination.unit_id).where(
                Nomination.event_id == event_id, Nomination.status.in_(["proposed", "accepted"])
            )
        ).all()
        targets = _targets(s, event_id)
    by_unit = Counter(u for _, _, u in live)
    expected = sum(min(3, per_school) for _ in {u for u, _ in attempts})
    latencies = Stats(len(everything), elapsed, [r.seconds for r in everything], 0)
    return {
        "clients": len(attempts),
        "requests": len(everything),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "created": len(live),
        "expected_created": expected,
        "p50_ms": round(latencies.pct(0.5), 1),
        "p99_ms": round(latencies.pct(0.99), 1),
        "wall_s": round(elapsed, 2),
        "checks": {
            "quota_kept": all(used == by_unit[u] <= quota for u, used, quota in targets),
            "no_lost_rows": created_ids == {i for i, _, _ in live},
            "no_duplicates": len({sid for _, sid, _ in live}) == len(live),
            "filled_exactly": len(live) == expected,
            "keys_consistent": consistent,
            "only_201_409": set(statuses) <= {201, 409},
        },
    }


def _targets(s: Session, event_id: int) -> list[Any]:
    from app.events.models import Requirement

    return list(
        s.execute(
            select(RequirementTarget.unit_id, RequirementTarget.used, RequirementTarget.quota)
            .join(Requirement, Requirement.id == RequirementTarget.requirement_id)
            .where(Requirement.event_id == event_id)
        ).all()
    )


# --- imports --------------------------------------------------------------------------------


def _import_rows(world: World, n: int, tag: str) -> list[dict[str, Any]]:
    rng = random.Random(tag)
    with Session(world.engine) as s:
        schools = s.execute(
            select(Unit.external_code, Unit.education_levels).where(Unit.kind == UnitKind.school)
        ).all()
    rows = []
    for i in range(n):
        code, levels = schools[i % len(schools)]
        female = rng.random() < 0.7
        rows.append(
            {
                "external_code": f"{tag}-{i:06d}",
                "full_name": names.person_name(rng, female),
                "unit_external_code": code,
                "category": "teacher",
                "position": "Giáo viên",
                "education_level": levels[0] if levels else None,
                "gender": "female" if female else "male",
                "date_of_birth": f"{rng.randint(1970, 2000)}-0{rng.randint(1, 9)}-15",
            }
        )
    return rows


def _bulk(world: World, rows: list[dict[str, Any]]) -> tuple[float, str, int]:
    try:
        from app.bulk.staff import import_staff
    except ImportError:  # the bulk service is another change; fall back to the create path
        return (
            _create_path(world, rows),
            "app.staff.service.create_staff (no bulk service)",
            len(rows),
        )
    with Session(world.engine) as s:
        actor = world.actor(s, world.officer_id)
        started = time.perf_counter()
        report = import_staff(s, actor, rows)
        s.commit()
        return time.perf_counter() - started, "app.bulk.staff.import_staff", report.summary.created


def _create_path(world: World, rows: list[dict[str, Any]]) -> float:
    from app.staff.schemas import StaffCreate
    from app.staff.service import create_staff

    with Session(world.engine) as s:
        actor = world.actor(s, world.officer_id)
        units: dict[str, int] = dict(s.execute(select(Unit.external_code, Unit.id)).all())
        started = time.perf_counter()
        for row in rows:
            data = {k: v for k, v in row.items() if k != "unit_external_code"}
            create_staff(s, actor, StaffCreate(**data, unit_id=units[row["unit_external_code"]]))
        s.commit()
        return time.perf_counter() - started


def _naive(world: World, rows: list[dict[str, Any]]) -> float:
    """One ORM object per row, flushed one at a time (its id is needed for the assignment)."""
    from app.core.text import fold

    with Session(world.engine) as s:
        units: dict[str, int] = dict(s.execute(select(Unit.external_code, Unit.id)).all())
        started = time.perf_counter()
        for row in rows:
            fields = {
                k: v for k, v in row.items() if k not in ("unit_external_code", "date_of_birth")
            }
            unit_id = units[row["unit_external_code"]]
            staff = Staff(
                **fields,
                unit_id=unit_id,
                name_search=fold(row["full_name"]),
                date_of_birth=datetime.fromisoformat(row["date_of_birth"]).date(),
            )
            s.add(staff)
            s.flush()
            s.add(StaffAssignment(staff_id=staff.id or 0, unit_id=unit_id))
            s.flush()
        s.commit()
        return time.perf_counter() - started


def imports(world: World, args: argparse.Namespace) -> dict[str, Any]:
    print(f"   đo nhập {args.import_rows:,} nhân sự ...", flush=True)
    bulk_s, path, created = _bulk(world, _import_rows(world, args.import_rows, "BENCH-B"))
    naive_s = _naive(world, _import_rows(world, args.naive_rows, "BENCH-N"))
    bulk_rate = args.import_rows / bulk_s
    naive_rate = args.naive_rows / naive_s
    return {
        "path": path,
        "rows": args.import_rows,
        "seconds": round(bulk_s, 2),
        "rows_per_s": round(bulk_rate),
        "naive_rows": args.naive_rows,
        "naive_seconds": round(naive_s, 2),
        "naive_rows_per_s": round(naive_rate),
        "ratio": _ratio(bulk_rate, naive_rate),
        "target": ">= 10x the naive loop",
        "met": bulk_rate >= 10 * naive_rate,
        "checks": {"all_created": created == args.import_rows},
    }


# --- output ---------------------------------------------------------------------------------


Line = tuple[str, str, str, str, str, str]


def _yes(flag: bool) -> str:
    return "yes" if flag else "NO"


def _rows(b: dict[str, Any]) -> list[Line]:
    gen = b["generate_province_s"]
    out: list[Line] = [("generate province", f"{gen} s", "", "", "< 60 s", _yes(gen < 60))]
    for name, d in b.get("reads", {}).items():
        app, raw = d["app"], d["raw_driver"]
        peer = d.get("peer")
        versus = f"peer {peer['rps']:.0f} req/s, " if peer else ""
        to_peer = f"{d['ratio_to_peer']:.2f}x peer, " if peer else ""
        out.append(
            (
                name,
                f"{app['rps']:.0f} req/s (p50 {app['p50_ms']:.0f}, p99 {app['p99_ms']:.0f} ms)",
                f"{versus}raw {raw['rps']:.0f} req/s",
                f"{to_peer}{d['ratio']:.2f}x raw",
                d["target"],
                _yes(d["met"]),
            )
        )
    if "attendance" in b:
        a = b["attendance"]
        out.append(
            (
                f"attendance {a['participants']} marks",
                f"{a['first_ms']:.0f} ms (re-mark {a['remark_ms']:.0f} ms)",
                "",
                "",
                "one request",
                _yes(all(a["checks"].values())),
            )
        )
    for name, d in b.get("reports", {}).items():
        out.append(
            (
                name,
                f"{d['http_ms']:.0f} ms",
                f"{d['raw_sql_ms']:.0f} ms (same SQL)",
                f"{d['ratio']:.2f}x",
                d["target"],
                _yes(d["met"]),
            )
        )
    if "import" in b:
        i = b["import"]
        out.append(
            (
                f"import {i['rows']:,} staff",
                f"{i['rows_per_s']:,} rows/s",
                f"{i['naive_rows_per_s']:,} rows/s (naive)",
                f"{i['ratio']:.1f}x",
                i["target"],
                _yes(i["met"]),
            )
        )
    if "concurrency" in b:
        c = b["concurrency"]
        out.append(
            (
                f"{c['clients']} nominators (quota, idem.)",
                f"p50 {c['p50_ms']:.0f} ms, p99 {c['p99_ms']:.0f} ms",
                f"{c['created']}/{c['expected_created']} rows",
                "",
                "no lost/dup rows",
                _yes(all(c["checks"].values())),
            )
        )
    return out


def table(report: dict[str, Any]) -> str:
    header = ("figure", "app", "baseline", "ratio", "target", "met")
    lines = []
    for b in report["backends"]:
        rows = [header, *_rows(b)]
        widths = [max(len(r[k]) for r in rows) for k in range(len(header))]
        lines.append(
            f"[{b['backend']}, {report['machine']['cores']} cores shared with other agents]"
        )
        for r in rows:
            lines.append("  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)))
        lines.append("")
    if "nation" in report:
        n = report["nation"]
        lines.append(
            f"[nation, postgresql] generate {n['generate_nation_s']} s; BDTX report "
            f"{n['report']['service_ms']:.0f} ms (raw SQL {n['report']['raw_sql_ms']:.0f} ms; "
            f"target < 5 s: {'yes' if n['report']['met'] else 'NO'})"
        )
    return "\n".join(lines)


def all_checks_pass(report: dict[str, Any]) -> bool:
    """Correctness (not speed) decides the exit status."""
    ok = True
    for b in report["backends"]:
        for section in ("reads", "reports"):
            for d in b.get(section, {}).values():
                ok &= all(d["checks"].values())
        for section in ("attendance", "import", "concurrency"):
            if section in b:
                ok &= all(b[section]["checks"].values())
    return ok
