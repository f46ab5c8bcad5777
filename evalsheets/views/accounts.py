"""Login, logout and password change pages (templates/registration/).

Django's own views with what the site adds: the logout says 「ログアウトしました」 on the
login page it leads to; the password change shows the validators' messages under the new
password. The lockout after failed logins is django-axes' (evalsheets/lockout.py), the
session timeout evalsheets/sessions.py's.
"""

from django.contrib import messages
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views

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
    confirmation."""

    def clean(self):
        self.validate_passwords("new_password1", "new_password2")
        self.validate_password_for_user(self.user, "new_password1")
        return self.cleaned_data


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = PasswordChangeForm
