"""`make run` puts web, worker and beat on one SQLite file: two processes that read and then
write in a transaction must wait for each other, never fail with "database is locked"
(settings: IMMEDIATE transactions, WAL, a busy timeout). Found by running `make run`: the
hourly alert check sent by beat at start failed this way beside the daily one (issue #14)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

WRITER = """
import time
import django
django.setup()
from django.db import connection, transaction
with transaction.atomic():
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM tally")
        time.sleep(0.5)  # both hold the transaction open before they write
        cursor.execute("INSERT INTO tally (who) VALUES (%s)", [sys.argv[1]])
"""


def test_two_processes_reading_then_writing_one_sqlite_file_both_commit(tmp_path):
    database = tmp_path / "shared.sqlite3"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "DEBUG": "1",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    setup = "import django; django.setup(); from django.db import connection; "
    setup += "connection.cursor().execute('CREATE TABLE tally (who TEXT)')"
    subprocess.run([sys.executable, "-c", setup], cwd=ROOT, env=env, check=True, timeout=60)
    code = "import sys\n" + WRITER
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", code, name],
            cwd=ROOT,
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("web", "worker")
    ]
    errors = [writer.communicate(timeout=60)[1] for writer in writers]
    assert [writer.returncode for writer in writers] == [0, 0], errors
    count = "import django; django.setup(); from django.db import connection; "
    count += (
        "c = connection.cursor(); c.execute('SELECT count(*) FROM tally'); print(c.fetchone()[0])"
    )
    out = subprocess.run(
        [sys.executable, "-c", count], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    assert out.stdout.strip() == "2"
