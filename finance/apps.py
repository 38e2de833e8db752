from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceConfig(AppConfig):
    name = "finance"
    verbose_name = _("Finance")

    def ready(self):
        from finance.points import events, spot_check
        from returns.signals import request_state_changed
        from workorders.signals import leftover_declared

        request_state_changed.connect(
            events.on_request_state_changed, dispatch_uid="finance.points.events"
        )
        leftover_declared.connect(
            events.on_leftover_declared, dispatch_uid="finance.points.leftover"
        )
        spot_check.register_approvals()
