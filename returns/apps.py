from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReturnsConfig(AppConfig):
    name = "returns"
    verbose_name = _("Returns and replenishments")

    def ready(self):
        from returns import handlers  # noqa: F401 - registers the approval handlers
