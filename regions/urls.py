"""URLs of the logged-in region pages, under /regions/ in the ``regions`` namespace."""

from django.urls import path

from regions import views

app_name = "regions"
urlpatterns = [
    path("", views.region_index, name="index"),
    path("<int:pk>/", views.region_detail, name="detail"),
    path("<int:pk>/rounds/new/", views.round_open, name="round_open"),
    path("<int:pk>/rounds/<int:round_pk>/", views.round_detail, name="round"),
    path("<int:pk>/rounds/<int:round_pk>/report/", views.round_report, name="round_report"),
    path("<int:pk>/rounds/<int:round_pk>/kpis/", views.round_kpis, name="round_kpis"),
    path("<int:pk>/rounds/<int:round_pk>/meeting/", views.round_meeting, name="round_meeting"),
    path("<int:pk>/rounds/<int:round_pk>/remind/", views.round_remind, name="round_remind"),
    path("<int:pk>/rounds/<int:round_pk>/<str:action>/", views.round_step, name="round_step"),
    # After the rounds: "rounds" is no kind of thing to edit.
    path("<int:pk>/<str:kind>/new/", views.region_edit, name="add"),
    path("<int:pk>/<str:kind>/<int:obj>/", views.region_edit, name="edit"),
]
