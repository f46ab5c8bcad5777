"""URLs of the public pages (no login), under /public/ in the ``public`` namespace."""

from django.urls import path, register_converter

from evalsheets.public import regions as region_views
from evalsheets.public import views


class MunicipalityCodeConverter:
    """全国地方公共団体コード: six digits (kept apart from /public/regions/)."""

    regex = "[0-9]{6}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(MunicipalityCodeConverter, "lgcode")

app_name = "public"
urlpatterns = [
    path("", views.index, name="index"),
    path("regions/", region_views.region_list, name="region_list"),
    path("regions/<int:pk>/", region_views.region_detail, name="region_detail"),
    path("<lgcode:code>/", views.municipality, name="municipality"),
    path("<lgcode:code>/<int:year>/", views.year_list, name="year"),
    path("<lgcode:code>/<int:year>/sheets.csv", views.year_csv, name="year_csv"),
    path("<lgcode:code>/<int:year>/<str:project_code>/", views.sheet_detail, name="sheet"),
    path("<lgcode:code>/<int:year>/<str:project_code>/pdf/", views.sheet_pdf, name="sheet_pdf"),
]
