"""``manage.py import_master FILE.xlsx [--user USERNAME]``: the material master and BOMs."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from materials.importing.master import master_import
from materials.importing.messages import MasterImportError, import_summary


class Command(BaseCommand):
    help = (
        "Import materials (upsert by code) and BOM versions from an .xlsx with the sheets "
        "'Materials' and/or 'BOM'. All or nothing: any bad cell aborts the whole import."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the .xlsx workbook")
        parser.add_argument("--user", help="who the audit trail names (default: a superuser)")

    def handle(self, *args, file, user, **options):
        actor = self.actor(user)
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        try:
            counts = master_import(file=path, actor=actor)
        except MasterImportError as exc:
            for line in exc.messages:
                self.stderr.write(line)
            raise CommandError(f"{len(exc.messages)} errors; nothing was imported.") from exc
        self.stdout.write(self.style.SUCCESS(str(import_summary(counts))))

    def actor(self, username):
        users = get_user_model().objects.filter(is_active=True)
        if username:
            try:
                return users.get(username=username)
            except users.model.DoesNotExist as exc:
                raise CommandError(f"No active user {username!r}.") from exc
        actor = users.filter(is_superuser=True).order_by("pk").first()
        if actor is None:
            raise CommandError("No superuser exists; name the importing user with --user.")
        return actor
