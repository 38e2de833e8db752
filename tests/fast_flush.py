"""A faster flush between transactional tests on PostgreSQL (test-only; issue #13, CI time).

After every ``transaction=True`` / ``live_server`` test Django empties the database with one
``TRUNCATE`` of every table. PostgreSQL truncates by giving each table and index new files,
which costs about a second for our ~90 tables however few rows they hold (three seconds on
a loaded machine), and the suite flushes some thirty times. ``DELETE`` of the handful of
rows a test leaves behind takes milliseconds.

The append-only tables (``core.db``: a trigger refuses ``DELETE``) and every table whose
foreign keys reach them are still truncated, first, so the trigger is not in the way; the
rest are deleted with their (deferrable) foreign-key checks deferred to the flush's commit,
when every table is empty. Sequences are left as they are, as Django's flush leaves them.
A flush asked to reset sequences or to cascade goes to Django's own ``TRUNCATE``.
"""

from django.db.backends.postgresql.operations import DatabaseOperations

TRIGGERED_TABLES = """
    SELECT DISTINCT tgrelid::regclass::text FROM pg_trigger WHERE NOT tgisinternal
"""
REFERENCING_TABLES = """
    SELECT DISTINCT conrelid::regclass::text FROM pg_constraint
    WHERE contype = 'f' AND confrelid::regclass::text = ANY(%s)
"""

django_sql_flush = DatabaseOperations.sql_flush


def tables_to_truncate(connection, tables) -> list[str]:
    """The flushed tables with a trigger of ours, and every table referencing one of them
    (``TRUNCATE`` refuses to empty a referenced table alone)."""
    with connection.cursor() as cursor:
        cursor.execute(TRIGGERED_TABLES)
        found = {name.strip('"') for (name,) in cursor.fetchall()}
        frontier = set(found)
        while frontier:
            cursor.execute(REFERENCING_TABLES, [sorted(frontier)])
            frontier = {name.strip('"') for (name,) in cursor.fetchall()} - found
            found |= frontier
    return [table for table in tables if table in found]


def sql_flush_deleting(self, style, tables, *, reset_sequences=False, allow_cascade=False):
    if not tables or reset_sequences or allow_cascade:
        return django_sql_flush(
            self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
        )
    truncated = tables_to_truncate(self.connection, tables)
    return [
        *(django_sql_flush(self, style, truncated) if truncated else []),
        "SET CONSTRAINTS ALL DEFERRED;",
        *(f"DELETE FROM {self.quote_name(table)};" for table in tables if table not in truncated),
    ]


def install() -> None:
    DatabaseOperations.sql_flush = sql_flush_deleting
