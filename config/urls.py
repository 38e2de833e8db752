from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from core.health import healthz, healthz_worker
from org.forms import AdminLoginForm, LoginForm

admin.site.login_form = AdminLoginForm  # says so when a login is locked out

urlpatterns = [
    # Answered by core.health.HealthzMiddleware first; named here for `manage.py health_check`.
    path("healthz", healthz, name="healthz"),
    path("healthz/worker", healthz_worker, name="healthz-worker"),
    path("", include("portal.urls")),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            authentication_form=LoginForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("config.api_router")),
    path("print/", include("inventory.urls")),
    path("stock/ledger/", include("inventory.ledger_urls")),
    path("stock/", include("inventory.stock_urls")),
    path("", include("returns.urls")),
    path("approvals/notifications/", include("alerts.urls")),
    path("approvals/", include("approvals.urls")),
    path("work-orders/", include("workorders.urls")),
    path("finance/", include("finance.urls")),
    path("", include("reports.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
]
