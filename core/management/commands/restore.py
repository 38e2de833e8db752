from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core.backup import BackupError, database_from_url, database_restore, media_extract


class Command(BaseCommand):
    help = (
        "Restore a 'manage.py backup' dump into an empty database (refuses one holding "
        "tables); --media also unpacks the media archive into MEDIA_ROOT."
    )

    def add_arguments(self, parser):
        parser.add_argument("dump", type=Path, help="a file written by 'manage.py backup'")
        parser.add_argument(
            "--database-url",
            help="the empty target database (default: DATABASE_URL's), created beforehand",
        )
        parser.add_argument("--media", type=Path, help="a media tar.gz from 'backup --media'")

    def handle(self, *args, dump, database_url, media, **options):
        target = database_from_url(database_url) if database_url else settings.DATABASES["default"]
        try:
            database_restore(dump=dump, database=target)
            files = media_extract(archive=media) if media else None
        except (BackupError, OSError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Restored {dump} into {target['NAME']}.")
        if media:
            self.stdout.write(f"{files} media files restored into {settings.MEDIA_ROOT}.")
