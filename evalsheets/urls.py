from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path

from .views import diff as diff_views
from .views import fiscal_year as fiscal_year_views
from .views import home as home_views
from .views import sheets as sheet_views

urlpatterns = [
    path("", home_views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("sheets/", home_views.sheet_list, name="sheet_list"),
    path("sheets/<int:pk>/diff/", diff_views.sheet_diff, name="sheet_diff"),
    path("years/new/", fiscal_year_views.open_year, name="fiscal_year_new"),
    path("sheets/<int:pk>/", sheet_views.sheet_detail, name="sheet_detail"),
    path("admin/", admin.site.urls),
]
