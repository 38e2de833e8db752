"""Production-like load test (issue #12 acceptance): gunicorn with 3 workers (DEBUG off), a
real Celery worker and beat on Redis, a slow ERP receiver, 32 handheld clients of mixed
issue/return/transfer traffic with dropped responses retried under the same
``Idempotency-Key``, and kill -9 of a web worker every few seconds. Then it waits for the
outbox to drain and judges: 5xx by route, ledger drift, negative balances, duplicate or
missing bookings, events delivered exactly once; plus a naive unlocked baseline that must
show drift. Prints a table, exits non-zero when a check fails (BENCHMARKS.md).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mr_load REDIS_URL=redis://127.0.0.1:6379/8 \\
        .venv/bin/python bench/load_test.py --seconds 300

The database named by ``--database-url`` (default: DATABASE_URL's name + ``_loadtest``) is
dropped and created afresh, and the Redis database of REDIS_URL is flushed: both must be
the load test's own. Everything listens on 127.0.0.1; every process started is stopped on
exit, Ctrl-C included.
"""

import argparse
import os
import random
import secrets
import signal
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlparse, urlunparse

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import load_checks  # noqa: E402
from bench.load_clients import Api, Client, Plan, Recorder  # noqa: E402
from bench.load_stack import Receiver, Stack, WorkerKiller, manage, stack_env  # noqa: E402

MATERIAL, LOT, LOCATIONS = "AL-TUBE-25", "LOAD-A", ("RAW-A01", "RAW-A02")
ROLES = {"clerk": "clerk", "leader": "leader", "qc": "qc", "keeper": "keeper"}
DESK_ROLES = ("leader", "qc")  # review and QC verdicts: pages/session only (token scope)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=300, help="traffic duration")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--drop-rate", type=float, default=0.10)
    parser.add_argument("--kill-every", type=float, default=3.0, help="0: no kills")
    parser.add_argument("--web-workers", type=int, default=3)
    parser.add_argument("--erp-delay", type=float, default=0.8, help="receiver answer time (s)")
    parser.add_argument("--drain-seconds", type=float, default=900, help="outbox drain limit")
    parser.add_argument("--port", type=int, default=8181, help="gunicorn's port")
    parser.add_argument("--erp-port", type=int, default=None, help="receiver; default port + 1")
    parser.add_argument("--work-orders", type=int, default=4)
    parser.add_argument("--baseline-moves", type=int, default=100, help="per client")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL", ""))
    parser.add_argument("--seed", type=int, default=12)
    return parser.parse_args(argv)


def load_database_url(given):
    """The load test's own database; refused unless local and named ``…load…`` (dropped)."""
    url = given or os.environ.get("DATABASE_URL", "")
    parsed = urlparse(url)
    if parsed.scheme not in {"postgres", "postgresql"}:
        sys.exit("The load test needs PostgreSQL: set DATABASE_URL=postgres://…")
    if not given:
        parsed = parsed._replace(path=parsed.path + "_loadtest")
    if "load" not in parsed.path or parsed.hostname not in {"127.0.0.1", "localhost"}:
        sys.exit("Use a local database of its own whose name contains 'load' (it is dropped).")
    return urlunparse(parsed)


def database_recreate(url):
    import psycopg2

    name = urlparse(url).path.lstrip("/")
    maintenance = psycopg2.connect(urlunparse(urlparse(url)._replace(path="/postgres")))
    maintenance.autocommit = True
    with maintenance.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    maintenance.close()


def redis_flush(url):
    import redis

    db = int(urlparse(url).path.lstrip("/") or 0)
    if urlparse(url).hostname not in {"127.0.0.1", "localhost"} or db in {0, 15}:
        sys.exit("Give the load test a local Redis database of its own (not 0 or 15).")
    redis.Redis.from_url(url).flushdb()  # stale Celery tasks of a past run


def django_setup(database_url, redis_url):
    """This process seeds with the stack's settings but DEBUG on; one random SECRET_KEY for
    both, so the desk sessions it creates and the audit key it signs with are the stack's."""
    os.environ.update(
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        DEBUG="1",
        SECRET_KEY=secrets.token_urlsafe(48),
    )
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def handheld_credentials(raw_key):
    return {"Authorization": f"Token {raw_key}"}


def desk_credentials(user):
    """A logged-in session as the login page leaves it, with its CSRF pair (the API takes a
    session's POST only with the CSRF header matching the cookie)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    csrf = secrets.token_hex(16)
    cookies = f"{settings.SESSION_COOKIE_NAME}={session.session_key}; "
    cookies += f"{settings.CSRF_COOKIE_NAME}={csrf}"
    return {"Cookie": cookies, "X-CSRFToken": csrf}


def seed(*, clients, work_orders):
    """The demo factory, a lot with ample stock in both locations, released work orders
    with large requirements (some already issued to, so returns can start at once) and four
    device tokens per client (the leader and QC work at a desk: a session each, since desk
    work is closed to device tokens). Returns the plan and each client's credentials."""
    from django.contrib.auth import get_user_model

    from inventory.models import InspectionStatus
    from inventory.services import stock_receive
    from materials.models import Bom, Location, Material
    from org.models import Workshop
    from org.services import api_token_issue
    from portal.demo import seed_demo
    from workorders.services.issuing import IssueLine, work_order_issue
    from workorders.services.lifecycle import work_order_create, work_order_release

    seed_demo(password=secrets.token_urlsafe(16))
    users = {role: get_user_model().objects.get(username=name) for role, name in ROLES.items()}
    material = Material.objects.get(code=MATERIAL)
    locations = [Location.objects.get(code=code) for code in LOCATIONS]
    for location in locations:
        stock_receive(
            material=material,
            location=location,
            quantity=Decimal(1_000_000),
            batch_no=LOT,
            lot_fields={"inspection_status": InspectionStatus.PASSED},
            reference="LOAD",
            actor=users["keeper"],
        )
    lot = material.lots.get(batch_no=LOT)
    product = Material.objects.get(code="FG-CHAIR-01")
    orders = []
    for n in range(work_orders):
        order = work_order_create(
            number=f"WO-LOAD-{n:02d}",
            product=product,
            planned_qty=Decimal(100_000),
            bom=Bom.objects.get(product=product, version=1),
            workshop=Workshop.objects.get(code="WS-ASM"),
            actor=users["leader"],
        )
        order = work_order_release(work_order=order, actor=users["leader"])
        work_order_issue(
            work_order=order,
            actor=users["keeper"],
            lines=[IssueLine(material, Decimal(300), locations[0], lot=lot)],
        )
        orders.append((order.pk, order.number))
    credentials = [
        {
            role: desk_credentials(user)
            if role in DESK_ROLES
            else handheld_credentials(
                api_token_issue(
                    name=f"load-{n}-{role}",
                    kind="device",
                    user=user,
                    actor=users["keeper"],
                    device_id=f"HH-{n}-{role}",
                )[1]
            )
            for role, user in users.items()
        }
        for n in range(clients)
    ]
    plan = Plan(
        material=MATERIAL,
        lot=LOT,
        locations=LOCATIONS,
        work_orders=tuple(orders),
        reason="LEFTOVER",
    )
    return plan, credentials


def traffic(*, args, plan, credentials, stack, recorder):
    """The clients and the killer until ``--seconds`` are up; returns the kill count."""
    deadline = time.monotonic() + args.seconds
    killer = WorkerKiller(stack=stack, every=args.kill_every, deadline=deadline, seed=args.seed)
    clients = []
    for n, client_credentials in enumerate(credentials):
        rng = random.Random(args.seed * 1000 + n)
        apis = {
            role: Api(
                port=args.port,
                credentials=auth,
                device=f"HH-{n}-{role}",
                recorder=recorder,
                rng=rng,
                drop_rate=args.drop_rate,
            )
            for role, auth in client_credentials.items()
        }
        clients.append(
            Client(
                number=n,
                plan=plan,
                apis=apis,
                recorder=recorder,
                deadline=deadline,
                seed=rng.random(),
            )
        )
    if args.kill_every > 0:
        killer.start()
    for client in clients:
        client.start()
    for client in clients:  # each stops by itself; a hung call ends at its socket timeout
        client.join(timeout=max(0.0, deadline - time.monotonic()) + 120)
    if killer.is_alive():
        killer.join(timeout=args.kill_every + 5)
    return killer.kills


def drain(*, receiver, seconds):
    """Nudge the delivery task until no event is pending and the receiver has been quiet
    for a few seconds, or ``seconds`` pass; returns the seconds it took."""
    from core.tasks import outbox_deliver_task

    started = time.monotonic()
    nudged = 0.0
    while time.monotonic() - started < seconds:
        if load_checks.undelivered_count() == 0 and time.monotonic() - receiver.last_seen > 5:
            break
        if time.monotonic() - nudged > 15:  # the beat sends it every minute anyway
            outbox_deliver_task.delay()
            nudged = time.monotonic()
        time.sleep(1)
    return time.monotonic() - started


def judge(*, recorder, receiver, baseline, env):
    """The result rows (check, passed, figure) and the per-kind bookings table."""
    ledger_code, ledger_output = manage(env, "check_ledger")
    duplicates, missing, bookings = load_checks.duplicates_check(recorder.operations)
    events = load_checks.events_check(receiver.received)
    moves, balance, ledger = baseline
    server_errors = sum(recorder.server_errors.values())
    # Every operation is valid by construction (stock, quantities, roles, scope): a refusal
    # (4xx) means the traffic did not do what it claims to measure.
    refused = sum(1 for op in recorder.operations if op.status and 400 <= op.status < 500)
    rows = [
        ("5xx responses", server_errors == 0, server_errors),
        ("operations refused (4xx)", refused == 0, refused),
        ("drift (check_ledger)", ledger_code == 0, ledger_output.splitlines()[-1]),
        (
            "negative balances",
            load_checks.negative_balances() == 0,
            load_checks.negative_balances(),
        ),
        ("duplicate bookings", duplicates == 0, duplicates),
        ("acknowledged but not booked", missing == 0, missing),
        (
            "events delivered exactly once",
            events["missing"] == events["duplicated"] == events["unknown"] == 0
            and events["undelivered"] == 0
            and receiver.bad_signatures == 0,
            f"{events['events']} events, {events['missing']} missing, "
            f"{events['duplicated']} twice+, {events['unknown']} unknown, "
            f"{events['undelivered']} undelivered, {receiver.bad_signatures} bad signatures",
        ),
        (
            "naive baseline shows drift",
            ledger != balance,
            f"{moves} moves, balance {balance} != ledger {ledger}: drift {ledger - balance}",
        ),
    ]
    return rows, bookings


def report(*, args, rows, bookings, recorder, kills, drained, server_log):
    lines = [
        f"load test: {args.clients} clients x {args.seconds:g} s, drop rate {args.drop_rate:g}, "
        f"kill -9 of a web worker every {args.kill_every:g} s, ERP answers in "
        f"{args.erp_delay:g} s",
        f"requests answered: {sum(recorder.statuses.values())} "
        f"({', '.join(f'{s}: {n}' for s, n in sorted(recorder.statuses.items()))}); "
        f"dropped on purpose: {recorder.dropped}; cut by kills: {recorder.cut}; "
        f"web workers killed: {kills}; outbox drained in {drained:.0f} s; "
        f"transactions retried after a deadlock (gunicorn's log): {server_log[2]}",
        "",
        f"{'operation':<14}{'attempted':>10}{'acked':>8}{'booked':>8}",
        *(f"{kind:<14}{tried:>10}{acked:>8}{booked:>8}" for kind, tried, acked, booked in bookings),
        "",
        f"{'check':<32}{'result':<7}figure",
        *(f"{name:<32}{'PASS' if ok else 'FAIL':<7}{figure}" for name, ok, figure in rows),
    ]
    if recorder.server_errors:
        causes, logged, _retried = server_log
        lines += [
            "",
            "5xx by route:",
            *(f"  {n:>5}  {route}" for route, n in recorder.server_errors.most_common()),
            f"gunicorn's log: {logged} 'Internal Server Error', database causes: "
            + (", ".join(f"{name} {n}" for name, n in causes.most_common()) or "none"),
        ]
    return "\n".join(lines)


def run(args):
    """The whole run; returns (passed, report text). Stops everything it started."""
    database_url = load_database_url(args.database_url)
    if not args.redis_url:
        sys.exit("The load test needs Redis for Celery: set REDIS_URL=redis://127.0.0.1:6379/N")
    redis_flush(args.redis_url)
    database_recreate(database_url)
    django_setup(database_url, args.redis_url)
    plan, credentials = seed(clients=args.clients, work_orders=args.work_orders)
    baseline = load_checks.naive_baseline(
        dsn=database_url, clients=args.clients, moves=args.baseline_moves, seconds=30
    )
    secret = secrets.token_hex(32)
    receiver = Receiver(port=args.erp_port or args.port + 1, secret=secret, delay=args.erp_delay)
    env = stack_env(
        database_url=database_url, redis_url=args.redis_url, erp_url=receiver.url, erp_secret=secret
    )
    log_dir = tempfile.mkdtemp(prefix="load-test-logs-")
    stack = Stack(env=env, port=args.port, workers=args.web_workers, log_dir=log_dir)
    recorder = Recorder()
    try:
        receiver.start()
        stack.start()
        kills = traffic(
            args=args, plan=plan, credentials=credentials, stack=stack, recorder=recorder
        )
        drained = drain(receiver=receiver, seconds=args.drain_seconds)
        rows, bookings = judge(recorder=recorder, receiver=receiver, baseline=baseline, env=env)
        server_log = stack.server_errors()
    finally:
        stack.stop()
        receiver.stop()
    text = report(
        args=args,
        rows=rows,
        bookings=bookings,
        recorder=recorder,
        kills=kills,
        drained=drained,
        server_log=server_log,
    )
    return all(ok for _name, ok, _figure in rows), f"{text}\nlogs: {log_dir}"


def main(argv=None):
    # SIGTERM unwinds like Ctrl-C, so the finally clause stops the stack either way.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    passed, text = run(parse_args(argv))
    print(text)
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
