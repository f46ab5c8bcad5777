"""Login, logout and password change pages (templates/registration/).

Django's own views with what the site adds: the logout says 「ログアウトしました」 on the
login page it leads to. The lockout after failed logins is django-axes'
(evalsheets/lockout.py), the session timeout evalsheets/sessions.py's.
"""

from django.contrib import messages
from django.contrib.auth import views as auth_views

LOGGED_OUT_MESSAGE = "ログアウトしました。"


class LogoutView(auth_views.LogoutView):
    def post(self, request, *args, **kwargs):
        was_logged_in = request.user.is_authenticated
        response = super().post(request, *args, **kwargs)
        if was_logged_in:
            messages.success(request, LOGGED_OUT_MESSAGE)
        return response
