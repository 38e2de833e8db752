"""Database-level guards added by migrations (PostgreSQL only; SQLite relies on the ORM)."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connections, migrations, transaction

APPEND_ONLY_FUNCTION = """
CREATE OR REPLACE FUNCTION refuse_append_only_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'table % is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def append_only_trigger(table):
    """A migration operation that makes ``table`` refuse UPDATE and DELETE on PostgreSQL."""

    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute(APPEND_ONLY_FUNCTION, params=None)
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION refuse_append_only_change();"
        )

    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};")

    return migrations.RunPython(forwards, backwards)


# Reads that can leave the primary (issue #14 item 4) ------------------------------------
# With DATABASE_REPLICA_URL set, settings add a ``replica`` alias (a PostgreSQL streaming
# replica). Reports, exports, the month-end workbook and the ERP's ledger pulls read through
# ``reader()``; everything else, every write and anything inside a transaction stays on the
# primary: ``PrimaryReplicaRouter`` sends every write to ``default`` even for a row that was
# read from the replica, and never migrates the replica (it follows the primary).

PRIMARY = "default"
REPLICA = "replica"


def reader() -> str:
    """The alias a report-style read should use: the replica when one is configured and
    enabled (``DATABASE_REPLICA_READS``), unless a transaction is open on the primary, whose
    service must see its own writes and lock what it reads."""
    from django.conf import settings
    from django.db import connections

    if (
        REPLICA in settings.DATABASES
        and getattr(settings, "DATABASE_REPLICA_READS", False)
        and not connections[PRIMARY].in_atomic_block
    ):
        return REPLICA
    return PRIMARY


class PrimaryReplicaRouter:
    """Reads go where the caller says (``.using(reader())``), else the primary; writes
    always go to the primary; the replica is never migrated."""

    def db_for_read(self, model, **hints):
        return None  # the default: the instance's own database, else ``default``

    def db_for_write(self, model, **hints):
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        return {obj1._state.db, obj2._state.db} <= {PRIMARY, REPLICA, None}

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db != REPLICA


@contextmanager
def snapshot_read(using: str = PRIMARY) -> Iterator[None]:
    """One consistent moment for a long read made of several queries (a verification that
    reads heads, then walks rows): on PostgreSQL a read-only REPEATABLE READ transaction; a
    SQLite transaction already reads one snapshot. Inside an open transaction the caller's
    own isolation stands (the level can only be set before a transaction's first query)."""
    connection = connections[using]
    opening = not connection.in_atomic_block
    with transaction.atomic(using=using):
        if opening and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield
