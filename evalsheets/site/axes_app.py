"""django-axes under a Japanese name in the admin (its models and columns are translated in
locale/ja/LC_MESSAGES/django.po; axes ships no Japanese). See evalsheets/site/lockout.py."""

from axes.apps import AppConfig


class AxesConfig(AppConfig):
    verbose_name = "ログインの記録（失敗・ロック）"
