from django.apps import AppConfig


class RegionsConfig(AppConfig):
    verbose_name = "広域連携（定住自立圏・連携中枢都市圏）"
    default_auto_field = "django.db.models.BigAutoField"
    name = "regions"
