import os

from django.core.management.base import BaseCommand

from portal.demo import USERS, seed_demo

DEFAULT_PASSWORD = "demo-pass-2026"


class Command(BaseCommand):
    help = "Load the demo furniture factory (idempotent); password from DEMO_PASSWORD."

    def handle(self, *args, **options):
        password = os.environ.get("DEMO_PASSWORD", DEFAULT_PASSWORD)
        created = seed_demo(password=password)
        self.stdout.write("Demo data loaded." if created else "Demo data already present.")
        self.stdout.write(f"Logins ({', '.join(USERS)}), password: {password}")
