from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path
from django.views.generic import RedirectView

from canhgac.web import (
    advisory_views,
    campaign_views,
    exposure_views,
    inventory_views,
    notification_views,
    remediation_views,
    report_views,
    views,
)

app_name = "web"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="web:dashboard", permanent=False)),
    path("healthz", views.healthz, name="healthz"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="web/password_change_done.html"),
        name="password_change_done",
    ),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("units/", views.unit_list, name="unit_list"),
    path("units/<slug:code>/", views.unit_detail, name="unit_detail"),
    path("units/<slug:code>/edit/", views.unit_edit, name="unit_edit"),
    path("inventory/systems/", inventory_views.system_list, name="system_list"),
    path("inventory/systems/<slug:code>/", inventory_views.system_detail, name="system_detail"),
    path("inventory/assets/", inventory_views.asset_list, name="asset_list"),
    path("inventory/assets/<int:asset_id>/", inventory_views.asset_detail, name="asset_detail"),
    path("inventory/import/", inventory_views.inventory_import, name="inventory_import"),
    path("inventory/quality/", inventory_views.quality, name="inventory_quality"),
    path("advisories/", advisory_views.vulnerability_list, name="vulnerability_list"),
    path("advisories/feeds/", advisory_views.feed_status, name="feed_status"),
    path("advisories/warnings/", advisory_views.warning_list, name="warning_list"),
    path("advisories/warnings/new/", advisory_views.warning_create, name="warning_create"),
    path("advisories/warnings/<int:pk>/", advisory_views.warning_detail, name="warning_detail"),
    path(
        "advisories/warnings/<int:pk>/recipients/",
        advisory_views.warning_recipients,
        name="warning_recipients",
    ),
    path(
        "advisories/warnings/<int:pk>/attach/", advisory_views.warning_attach, name="warning_attach"
    ),
    path(
        "advisories/warnings/<int:pk>/attachments/<int:attachment_id>/",
        advisory_views.warning_attachment,
        name="warning_attachment",
    ),
    path(
        "advisories/<str:cve_id>/", advisory_views.vulnerability_detail, name="vulnerability_detail"
    ),
    path("exposure/", exposure_views.exposure_dashboard, name="exposure_dashboard"),
    path("exposure/match/", exposure_views.exposure_match, name="exposure_match"),
    path("exposure/findings/", exposure_views.finding_list, name="finding_list"),
    path(
        "exposure/findings/triage/",
        exposure_views.finding_bulk_triage,
        name="finding_bulk_triage",
    ),
    path(
        "exposure/findings/<int:finding_id>/",
        exposure_views.finding_detail,
        name="finding_detail",
    ),
    path(
        "exposure/findings/<int:finding_id>/triage/",
        exposure_views.finding_triage,
        name="finding_triage",
    ),
    path("remediation/campaigns/", campaign_views.campaign_list, name="campaign_list"),
    path("remediation/campaigns/new/", campaign_views.campaign_new, name="campaign_new"),
    path(
        "remediation/campaigns/<slug:code>/",
        campaign_views.campaign_board,
        name="campaign_board",
    ),
    path(
        "remediation/campaigns/<slug:code>/report/",
        report_views.campaign_report,
        name="campaign_report",
    ),
    path(
        "remediation/campaigns/<slug:code>/units/<slug:unit_code>/",
        campaign_views.campaign_unit,
        name="campaign_unit",
    ),
    path("remediation/tasks/", remediation_views.task_list, name="task_list"),
    path("remediation/tasks/<int:task_id>/", remediation_views.task_detail, name="task_detail"),
    path(
        "remediation/tasks/<int:task_id>/acknowledge/",
        remediation_views.task_acknowledge_view,
        name="task_acknowledge",
    ),
    path(
        "remediation/tasks/<int:task_id>/declare/",
        remediation_views.task_declare,
        name="task_declare",
    ),
    path(
        "remediation/tasks/<int:task_id>/review/",
        remediation_views.task_review,
        name="task_review",
    ),
    path(
        "remediation/tasks/<int:task_id>/evidence/",
        remediation_views.evidence_upload,
        name="evidence_upload",
    ),
    path(
        "remediation/tasks/<int:task_id>/evidence/<int:evidence_id>/",
        remediation_views.evidence_download,
        name="evidence_download",
    ),
    path(
        "advisories/warnings/<int:pk>/report/",
        report_views.letter_report,
        name="letter_report",
    ),
    path(
        "remediation/tasks/<int:task_id>/report/",
        report_views.task_report,
        name="task_report",
    ),
    path("reports/", report_views.register, name="report_register"),
    path("reports/<int:entry_id>/file/", report_views.report_file, name="report_file"),
    path("notifications/", notification_views.notification_inbox, name="notification_inbox"),
    path(
        "notifications/<int:entry_id>/read/",
        notification_views.notification_read,
        name="notification_read",
    ),
    path(
        "notifications/read-all/",
        notification_views.notification_read_all,
        name="notification_read_all",
    ),
    path("notifications/deliveries/", notification_views.delivery_list, name="delivery_list"),
    path(
        "notifications/deliveries/<int:delivery_id>/retry/",
        notification_views.delivery_retry_now,
        name="delivery_retry",
    ),
    path("audit/", views.audit_list, name="audit_list"),
    path("users/", views.user_list, name="user_list"),
    path("profile/", views.profile, name="profile"),
    path("profile/tokens/", views.token_create, name="token_create"),
    path("profile/tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
]
