"""URLs of the 懇談会 reports, under /regions/ in the ``region_reports`` namespace."""

from django.urls import path

from evalsheets.regions_report import views

app_name = "region_reports"
urlpatterns = [
    path("<int:pk>/rounds/<int:round_pk>/reports/new/", views.report_new, name="new"),
    path("<int:pk>/reports/<int:job_pk>/", views.report_job, name="job"),
    path("<int:pk>/reports/<int:job_pk>/status/", views.report_job_status, name="status"),
    path("<int:pk>/reports/<int:job_pk>/download/", views.report_download, name="download"),
]
