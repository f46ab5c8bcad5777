from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path

from .views import entry as entry_views
from .views import sheets as sheet_views

urlpatterns = [
    path("", sheet_views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("sheets/", sheet_views.sheet_list, name="sheet_list"),
    path("sheets/<int:pk>/", sheet_views.sheet_detail, name="sheet_detail"),
    path("sheets/<int:pk>/edit/", entry_views.sheet_edit, name="sheet_edit"),
    path("admin/", admin.site.urls),
]
