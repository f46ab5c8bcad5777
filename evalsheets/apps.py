from django.apps import AppConfig


class EvalsheetsConfig(AppConfig):
    verbose_name = "事務事業評価"
    default_auto_field = "django.db.models.BigAutoField"
    name = "evalsheets"
