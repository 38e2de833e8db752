"""Login forms that say why a locked-out login is refused (org.lockout)."""

from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from org.lockout import LOCKED_OUT, client_address, is_locked_out


class LockoutMessageMixin:
    def get_invalid_login_error(self):
        username = self.cleaned_data.get("username") or ""
        if is_locked_out(username, client_address(self.request)):
            return ValidationError(
                LOCKED_OUT, code="locked_out", params={"minutes": settings.LOGIN_LOCKOUT_MINUTES}
            )
        return super().get_invalid_login_error()


class LoginForm(LockoutMessageMixin, AuthenticationForm):
    pass


class AdminLoginForm(LockoutMessageMixin, AdminAuthenticationForm):
    pass
