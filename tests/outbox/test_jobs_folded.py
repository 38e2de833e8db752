"""Core 0010 folds the old ``jobs`` app into the outbox: tasks that waited for the broker in
``jobs_deferreddispatch`` become task rows, in order (a month-end run under the task's old
name takes the new one), and the table goes with the app's migration records."""

from importlib import import_module
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection

from tests.outbox.conftest import waiting_tasks

pytestmark = pytest.mark.django_db
folded = import_module("core.migrations.0010_jobs_folded")


def execute(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def jobs_table_with(rows):
    json_type = "jsonb" if connection.vendor == "postgresql" else "text"
    execute(
        f"CREATE TABLE jobs_deferreddispatch (id integer PRIMARY KEY, task_name varchar(200),"
        f" args {json_type}, kwargs {json_type}, attempts integer, last_error text)"
    )
    for row in rows:
        execute("INSERT INTO jobs_deferreddispatch VALUES (%s, %s, %s, %s, %s, %s)", row)
    execute(
        "INSERT INTO django_migrations (app, name, applied) VALUES ('jobs', '0001_initial', %s)",
        ["2026-11-01 00:00:00"],
    )


def test_waiting_jobs_become_task_rows_and_the_table_goes():
    jobs_table_with(
        [
            (2, "returns.tasks.month_end_task", '["2026-10"]', "{}", 3, "refused"),
            (1, "reports.tasks.export_run_task", "[7]", '{"force": true}', 1, ""),
        ]
    )
    editor = SimpleNamespace(connection=connection, execute=execute)
    folded.deferred_move(apps, editor)
    moved = [(r.topic, r.payload, r.attempts, r.last_error) for r in waiting_tasks()]
    assert moved == [
        ("reports.tasks.export_run_task", {"args": [7], "kwargs": {"force": True}}, 1, ""),
        ("finance.tasks.month_end_task", {"args": ["2026-10"], "kwargs": {}}, 3, "refused"),
    ]
    assert "jobs_deferreddispatch" not in connection.introspection.table_names()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM django_migrations WHERE app = 'jobs'")
        assert cursor.fetchone() == (0,)


def test_a_database_that_never_had_jobs_has_nothing_to_move():
    folded.deferred_move(apps, SimpleNamespace(connection=connection, execute=execute))
    assert not waiting_tasks().exists()
