"""Backups and restores (issue #14 item 5): ``manage.py backup`` then ``manage.py restore``
into a fresh database, where ``check_ledger`` and ``verify_audit`` pass and the rows are
the same. PostgreSQL: pg_dump's custom format into a database created for the test;
SQLite: the online backup API into a new file."""

import os
import sqlite3
import subprocess
import sys
import uuid
from decimal import Decimal
from pathlib import Path

import psycopg2
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from audit.models import AuditEvent
from inventory.models import LedgerEntry, StockBalance
from tests.builders import batch_material, location, receive, released_work_order
from tests.factories import MaterialFactory, UserFactory
from workorders.models import WorkOrder
from workorders.services.issuing import IssueLine, work_order_issue

ROOT = Path(__file__).resolve().parents[2]
TABLES = [model._meta.db_table for model in (LedgerEntry, StockBalance, AuditEvent, WorkOrder)]


def some_history():
    """Receipts and an issue to a work order, each through its service (ledger + audit)."""
    keeper = UserFactory(username="keeper-backup")
    tube, screw = batch_material(code="TUBE"), MaterialFactory(code="SCREW")
    shelf = location("A")
    receive(tube, shelf, 300, keeper, batch_no="T1")
    receive(screw, shelf, 1000, keeper)
    work_order = released_work_order(keeper, components=[(tube, "2", 0), (screw, "4", 0)])
    work_order_issue(
        work_order=work_order,
        actor=keeper,
        lines=[
            IssueLine(tube, Decimal("150"), shelf, lot=tube.lots.get()),
            IssueLine(screw, Decimal("400"), shelf),
        ],
    )


def manage(database_url, *args):
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        "DEBUG": "1",
        "DATABASE_URL": database_url,
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def assert_intact(database_url):
    ledger = manage(database_url, "check_ledger")
    assert ledger.returncode == 0, ledger.stdout + ledger.stderr
    assert f"Ledger consistent: {StockBalance.objects.count()} balances checked." in ledger.stdout
    audit = manage(database_url, "verify_audit")
    assert audit.returncode == 0, audit.stdout + audit.stderr
    assert f"Audit trail intact: {AuditEvent.objects.count()} events" in audit.stdout


def counts(cursor):
    rows = {}
    for table in TABLES:
        cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 - our own table names
        rows[table] = cursor.fetchone()[0]
    return rows


def server_sql(server, sql):
    admin = psycopg2.connect(dbname="postgres", **server)
    admin.autocommit = True  # CREATE/DROP DATABASE cannot run in a transaction
    try:
        admin.cursor().execute(sql)
    finally:
        admin.close()


@pytest.fixture
def fresh_postgres():
    """An empty database beside the test database, dropped afterwards."""
    db = connection.settings_dict
    name = f"restore_{uuid.uuid4().hex[:10]}"
    server = {
        "host": db["HOST"] or "127.0.0.1",
        "port": db["PORT"] or 5432,
        "user": db["USER"],
        "password": db["PASSWORD"] or None,
    }
    server_sql(server, f'CREATE DATABASE "{name}"')
    yield f"postgres://{db['USER']}@{server['host']}:{server['port']}/{name}", name, server
    server_sql(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_postgres_backup_restores_into_a_fresh_database_that_passes_the_checks(
    fresh_postgres, tmp_path, settings
):
    some_history()
    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / "attachments").mkdir(parents=True)
    (settings.MEDIA_ROOT / "attachments" / "photo.jpg").write_bytes(b"\xff\xd8photo")
    dump, media = tmp_path / "matreturns.dump", tmp_path / "media.tar.gz"

    call_command("backup", output=dump, media=media)
    assert dump.read_bytes().startswith(b"PGDMP")  # pg_dump's custom format

    url, name, server = fresh_postgres
    settings.MEDIA_ROOT = tmp_path / "restored-media"
    call_command("restore", str(dump), database_url=url, media=media)

    assert (settings.MEDIA_ROOT / "attachments" / "photo.jpg").read_bytes() == b"\xff\xd8photo"
    with connection.cursor() as cursor:
        expected = counts(cursor)
    restored = psycopg2.connect(dbname=name, **server)
    try:
        assert counts(restored.cursor()) == expected
    finally:
        restored.close()
    assert expected[LedgerEntry._meta.db_table] == 4
    assert_intact(url)

    with pytest.raises(CommandError, match="is not empty"):  # never over existing data
        call_command("restore", str(dump), database_url=url)


@pytest.mark.sqlite
@pytest.mark.django_db(transaction=True)
def test_a_sqlite_backup_restores_into_a_new_file_that_passes_the_checks(tmp_path):
    some_history()
    dump, restored = tmp_path / "backup.sqlite3", tmp_path / "restored.sqlite3"

    call_command("backup", output=dump)
    call_command("restore", str(dump), database_url=f"sqlite:///{restored}")

    with connection.cursor() as cursor:
        expected = counts(cursor)
    with sqlite3.connect(restored) as copy:
        assert counts(copy.cursor()) == expected
    copy.close()
    assert expected[LedgerEntry._meta.db_table] == 4
    assert_intact(f"sqlite:///{restored}")

    with pytest.raises(CommandError, match="is not empty"):
        call_command("restore", str(dump), database_url=f"sqlite:///{restored}")
