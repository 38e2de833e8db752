"""Database backups and restores (issue #14 item 5): ``manage.py backup`` and ``restore``.

PostgreSQL: ``pg_dump --format=custom`` (compressed; one snapshot, so consistent while the
app keeps writing; ``pg_restore`` can pick tables or run in parallel), restored with
``pg_restore`` into an **empty** database: the schema, the rows, then the indexes,
constraints and the ledger's append-only trigger. The connection comes from ``DATABASES``
and goes to the tools in libpq's environment variables, so no password is on a command line.
SQLite (the zero-setup default): the online backup API (``sqlite3.Connection.backup``)
copies a consistent snapshot while the web and worker keep writing; a restore copies it back
the same way. Attachments and export files live under ``MEDIA_ROOT``, outside the database:
``--media`` archives them beside the dump (tar.gz) and extracts them on restore.

A restore never overwrites: a target that already holds tables is refused.
"""

import os
import shutil
import sqlite3
import subprocess
import tarfile
from pathlib import Path

import environ
from django.conf import settings
from django.db import connections

POSTGRES = "django.db.backends.postgresql"
SQLITE = "django.db.backends.sqlite3"


class BackupError(Exception):
    """A dump or restore that could not be done; the message says why."""


def libpq_env(database: dict) -> dict[str, str]:
    """The environment pg_dump/pg_restore/psql read their connection from."""
    values = {
        "PGHOST": database.get("HOST") or "",
        "PGPORT": str(database.get("PORT") or ""),
        "PGUSER": database.get("USER") or "",
        "PGPASSWORD": database.get("PASSWORD") or "",
        "PGDATABASE": database.get("NAME") or "",
        "PGCONNECT_TIMEOUT": str(database.get("OPTIONS", {}).get("connect_timeout", 10)),
    }
    return {**os.environ, **{key: value for key, value in values.items() if value}}


def run_tool(command: list[str], database: dict) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} is not installed (PostgreSQL client tools).")
    result = subprocess.run(command, env=libpq_env(database), capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()}")


def database_from_url(url: str) -> dict:
    return environ.Env.db_url_config(url)


def database_backup(*, output: Path, alias: str = "default") -> dict:
    """Write the database ``alias`` to ``output``; returns the database's settings."""
    database = connections[alias].settings_dict
    output.parent.mkdir(parents=True, exist_ok=True)
    if database["ENGINE"] == POSTGRES:
        run_tool(["pg_dump", "--format=custom", "--no-owner", f"--file={output}"], database)
    elif database["ENGINE"] == SQLITE:
        connection = connections[alias]
        connection.ensure_connection()
        with sqlite3.connect(output) as target:
            connection.connection.backup(target)
        target.close()
    else:
        raise BackupError(f"No backup for {database['ENGINE']}.")
    return database


def postgres_has_tables(database: dict) -> bool:
    result = subprocess.run(
        [
            "psql",
            "--no-psqlrc",
            "--tuples-only",
            "--no-align",
            "--command",
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'",
        ],
        env=libpq_env(database),
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise BackupError(f"psql failed: {result.stderr.strip()}")
    return int(result.stdout.strip() or 0) > 0


def sqlite_has_tables(path: Path) -> bool:
    if not path.exists():
        return False
    with sqlite3.connect(path) as db:
        count = db.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()
    db.close()
    return count[0] > 0


def database_restore(*, dump: Path, database: dict) -> None:
    """Load ``dump`` (from ``database_backup``) into the empty database ``database``."""
    if not dump.is_file():
        raise BackupError(f"{dump}: no such file.")
    if database["ENGINE"] == POSTGRES:
        if postgres_has_tables(database):
            raise BackupError(f"Database {database['NAME']} is not empty; restore into a new one.")
        run_tool(
            [
                "pg_restore",
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                f"--dbname={database['NAME']}",
                str(dump),
            ],
            database,
        )
    elif database["ENGINE"] == SQLITE:
        target = Path(database["NAME"])
        if sqlite_has_tables(target):
            raise BackupError(f"Database {target} is not empty; restore into a new file.")
        with sqlite3.connect(dump) as source, sqlite3.connect(target) as copy:
            source.backup(copy)
        source.close()
        copy.close()
    else:
        raise BackupError(f"No restore for {database['ENGINE']}.")


def media_archive(*, output: Path) -> int:
    """``MEDIA_ROOT`` as a tar.gz (paths relative to it); returns the number of files."""
    root = Path(settings.MEDIA_ROOT)
    files = sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []
    with tarfile.open(output, "w:gz") as archive:
        for path in files:
            archive.add(path, arcname=str(path.relative_to(root)))
    return len(files)


def media_extract(*, archive: Path) -> int:
    """Unpack a ``media_archive`` into ``MEDIA_ROOT``; returns the number of files."""
    root = Path(settings.MEDIA_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive, "r:gz") as tar:
        members = [member for member in tar.getmembers() if member.isfile()]
        tar.extractall(root, members=members, filter="data")  # no paths outside MEDIA_ROOT
    return len(members)
