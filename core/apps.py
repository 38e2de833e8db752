from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self):
        # The Celery signal handlers that carry a request's id into its tasks (web and worker).
        from core import request_id  # noqa: F401
