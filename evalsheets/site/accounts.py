"""Login, logout and password change pages (templates/registration/).

Django's own views with what the site adds: the logout says 「ログアウトしました」 on the
login page it leads to; the password change shows the validators' messages under the new
password, and a wrong current password counts as a failed login of that user name, so
that a terminal left logged in cannot be used to guess its user's password without end.
The lockout itself is django-axes' (evalsheets/site/lockout.py), the session timeout
evalsheets/site/sessions.py's.
"""

from axes.handlers.proxy import AxesProxyHandler
from django.contrib import messages
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError

from evalsheets.site.lockout import lockout_response

LOGGED_OUT_MESSAGE = "ログアウトしました。"


class LogoutView(auth_views.LogoutView):
    def post(self, request, *args, **kwargs):
        was_logged_in = request.user.is_authenticated
        response = super().post(request, *args, **kwargs)
        if was_logged_in:
            messages.success(request, LOGGED_OUT_MESSAGE)
        return response


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    """Django's, with the validators' messages (too short, too common...) next to the new
    password, whose rules they are and whose help lists them, rather than under its
    confirmation; a wrong current password is reported to django-axes as a failed login."""

    def __init__(self, user, *args, request=None, **kwargs):
        self.request = request
        super().__init__(user, *args, **kwargs)

    def clean_old_password(self):
        try:
            return super().clean_old_password()
        except ValidationError:
            if self.request is not None:
                user_login_failed.send(
                    sender=type(self),
                    credentials={"username": self.user.get_username()},
                    request=self.request,
                )
            raise

    def clean(self):
        self.validate_passwords("new_password1", "new_password2")
        self.validate_password_for_user(self.user, "new_password1")
        return self.cleaned_data


class PasswordChangeView(auth_views.PasswordChangeView):
    """A locked user name (or address) changes nothing: the session is logged out and the
    lockout page says until when, as at the login."""

    form_class = PasswordChangeForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}

    def post(self, request, *args, **kwargs):
        credentials = {"username": request.user.get_username()}
        if not AxesProxyHandler.is_allowed(request, credentials):
            return self.locked_out(request, credentials)
        response = super().post(request, *args, **kwargs)
        if getattr(request, "axes_locked_out", False):  # this wrong password locked it
            return self.locked_out(request, credentials)
        return response

    def locked_out(self, request, credentials):
        logout(request)
        return lockout_response(request, None, credentials)
