"""Web pages of the advisory knowledge base (read for every signed-in role)."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from canhgac.advisories import selectors

PAGE_SIZE = 50


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    product = forms.CharField(label=_("Product"), required=False)
    kev = forms.BooleanField(label=_("Known exploited (KEV) only"), required=False)
    min_score = forms.FloatField(label=_("Minimum CVSS"), required=False, min_value=0, max_value=10)


@login_required
def vulnerability_list(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    found = selectors.vulnerability_search()
    if form.is_valid():
        data = form.cleaned_data
        found = selectors.vulnerability_search(
            q=data["q"],
            product=data["product"],
            kev=True if data["kev"] else None,
            min_score=data["min_score"],
        )
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "web/advisories/vulnerability_list.html", {"page": page, "form": form})


@login_required
def vulnerability_detail(request: HttpRequest, cve_id: str) -> HttpResponse:
    detail = selectors.vulnerability_detail(cve_id=cve_id)
    return render(request, "web/advisories/vulnerability_detail.html", {"v": detail})
