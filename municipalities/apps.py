from django.apps import AppConfig


class MunicipalitiesConfig(AppConfig):
    verbose_name = "地方公共団体・組織・総合計画"
    default_auto_field = "django.db.models.BigAutoField"
    name = "municipalities"
