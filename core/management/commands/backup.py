from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.backup import BackupError, database_backup, media_archive


class Command(BaseCommand):
    help = (
        "Back up the database: pg_dump's custom format on PostgreSQL, the online backup API "
        "on SQLite (README 'Backups'); --media also archives MEDIA_ROOT."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, required=True, help="the dump file to write")
        parser.add_argument("--media", type=Path, help="also write MEDIA_ROOT to this tar.gz")
        parser.add_argument("--database", default="default", help="database alias")

    def handle(self, *args, output, media, database, **options):
        try:
            settings_dict = database_backup(output=output, alias=database)
            files = media_archive(output=media) if media else None
        except (BackupError, OSError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Database {settings_dict['NAME']} backed up to {output}.")
        if media:
            self.stdout.write(f"{files} media files archived to {media}.")
