"""URL map: web UI at /, API at /api/v1/, language switch at /i18n/."""

from __future__ import annotations

from django.urls import include, path

from canhgac.api.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("canhgac.web.urls")),
]
