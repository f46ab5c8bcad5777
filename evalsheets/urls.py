from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from evalsheets.entry import views as entry_views
from evalsheets.exports import views as export_views
from evalsheets.listing import views as home_views
from evalsheets.pdf import views as pdf_views
from evalsheets.sheets import views as diff_views
from evalsheets.site import accounts as account_views
from evalsheets.site import health as health_views
from evalsheets.site import sessions as session_views
from evalsheets.site.security import csp_report
from evalsheets.transfer import views as transfer_views
from evalsheets.workbook import views as workbook_views
from evalsheets.workflow import sheet_views
from evalsheets.workflow import views as workflow_views
from evalsheets.workflow import year_views as fiscal_year_views

# A refused request body (too large, too many fields, not UTF-8) explains itself in Japanese.
handler400 = "evalsheets.site.request_checks.bad_request"

urlpatterns = [
    path("", home_views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", account_views.LogoutView.as_view(), name="logout"),
    path("password/change/", account_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    # Session timeout (evalsheets/site/sessions.py): a passive check and a keep-alive for typing.
    path("session/status/", session_views.session_status, name="session_status"),
    path("session/keepalive/", session_views.session_keepalive, name="session_keepalive"),
    # Load balancers and monitoring (evalsheets/site/health.py): no login.
    path("health/", health_views.health, name="health"),
    path("sheets/", home_views.sheet_list, name="sheet_list"),
    path("sheets/export.xlsx", home_views.sheet_list_xlsx, name="sheet_list_xlsx"),
    path("sheets/<int:pk>/diff/", diff_views.sheet_diff, name="sheet_diff"),
    path("years/new/", fiscal_year_views.open_year, name="fiscal_year_new"),
    path("sheets/<int:pk>/", sheet_views.sheet_detail, name="sheet_detail"),
    path("public/", include("evalsheets.public.urls")),
    # Regions at work (regions/urls.py) and their 懇談会 reports (evalsheets/regions_report).
    path("regions/", include("evalsheets.regions_report.urls")),
    path("regions/", include("regions.urls")),
    path("sheets/<int:pk>/pdf/", pdf_views.sheet_pdf, name="sheet_pdf"),
    path("sheets/<int:pk>/edit/", entry_views.sheet_edit, name="sheet_edit"),
    path("sheets/<int:pk>/xlsx/", workbook_views.sheet_workbook, name="sheet_workbook"),
    path(
        "sheets/<int:pk>/xlsx/import/",
        workbook_views.sheet_workbook_import,
        name="sheet_workbook_import",
    ),
    path("admin/", admin.site.urls),
    # Content Security Policy violations reported by browsers (evalsheets/site/security.py).
    path("csp-report/", csp_report, name="csp_report"),
]
# Workflow transitions, POST only (evalsheets.workflow.transitions does the work).
_transition = workflow_views.transition
urlpatterns += [
    path("sheets/<int:pk>/submit/", _transition, {"action": "submit"}, name="sheet_submit"),
    path("sheets/<int:pk>/return/", _transition, {"action": "return"}, name="sheet_return"),
    path("sheets/<int:pk>/approve/", _transition, {"action": "approve"}, name="sheet_approve"),
    path("sheets/<int:pk>/confirm/", _transition, {"action": "confirm"}, name="sheet_confirm"),
    path("sheets/<int:pk>/publish/", _transition, {"action": "publish"}, name="sheet_publish"),
    path("sheets/<int:pk>/reopen/", _transition, {"action": "reopen"}, name="sheet_reopen"),
]
# Bulk export of PDFs for the 企画課 (evalsheets.exports.bulk in the background).
urlpatterns += [
    path("exports/", export_views.export_index, name="export_index"),
    path("exports/<int:pk>/", export_views.export_job, name="export_job"),
    path("exports/<int:pk>/status/", export_views.export_job_status, name="export_job_status"),
    path(
        "exports/<int:pk>/download/", export_views.export_job_download, name="export_job_download"
    ),
]
# The year workbook: export (企画課, 閲覧者), import with a preview (企画課; evalsheets.transfer).
urlpatterns += [
    path("transfer/", transfer_views.transfer_index, name="transfer_index"),
    path("transfer/export.xlsx", transfer_views.transfer_export, name="transfer_export"),
    path("transfer/import/", transfer_views.transfer_import, name="transfer_import"),
    path(
        "transfer/import/confirm/",
        transfer_views.transfer_import_confirm,
        name="transfer_import_confirm",
    ),
]
# Browsers ask for /favicon.ico before (or without) reading the pages' <link rel="icon">.
urlpatterns += [path("favicon.ico", home_views.favicon, name="favicon")]
