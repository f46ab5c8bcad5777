from django.apps import AppConfig


class EvalsheetsConfig(AppConfig):
    verbose_name = "事務事業評価"
    default_auto_field = "django.db.models.BigAutoField"
    name = "evalsheets"

    def ready(self):
        # The 様式 registry reads installed definitions from the database, and the
        # municipality's choice of 様式 lists every layout (core cannot import this app).
        from core import layout_keys
        from evalsheets.layouts import all_layouts, set_installed_source
        from evalsheets.models.definitions import installed_versions

        set_installed_source(installed_versions)
        layout_keys.set_provider(
            lambda: sorted((key, layout.name or key) for key, layout in all_layouts().items())
        )
