"""The pages a member of the public reaches without signing in: the rights-request form, the
data protection complaint form, and the secure download of a disclosure bundle.

They are on the reviewed list of open routes (tests/test_url_security.py). They show nobody's
records: a form's thank-you page shows the reference of what was just sent, carried in the
visitor's own session, and the download page names only the request's reference.

Spam protection without a CAPTCHA: a field hidden from people (a bot that fills it is thanked
and ignored) and a fixed one-hour limit of submissions per client address.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from access_requests import forms, page_helpers, services
from audit.middleware import client_address
from core.downloads import link_download, link_not_valid
from core.errors import ApplicationError
from core.forms import add_service_errors

REQUEST_REFERENCE = "carefile_public_request_reference"
COMPLAINT_REFERENCE = "carefile_public_complaint_reference"


# --- Rate limit ------------------------------------------------------------------------------


def _limit_key(request: HttpRequest) -> str:
    window = int(time.time() // 3600)
    return f"public-forms:{client_address(request) or 'unknown'}:{window}"


def _over_limit(request: HttpRequest) -> bool:
    return int(cache.get(_limit_key(request), 0)) >= settings.CAREFILE_PUBLIC_FORM_PER_HOUR


def _count_submission(request: HttpRequest) -> None:
    key = _limit_key(request)
    cache.add(key, 0, timeout=3600)
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=3600)


def _too_many(request: HttpRequest) -> HttpResponse:
    return render(request, "access_requests/public/too_many.html", status=429)


# --- The forms -------------------------------------------------------------------------------


def _public_form(
    request: HttpRequest,
    *,
    form_class: type[forms.PublicRequestForm] | type[forms.PublicComplaintForm],
    submit: Callable[[Any, Any], Any],
    session_key: str,
    done_url: str,
    template: str,
) -> HttpResponse:
    organisation = services.public_form_organisation()
    councils = None if organisation is not None else page_helpers.council_choices()
    if request.method != "POST":
        return render(request, template, {"form": form_class(councils=councils)})
    if _over_limit(request):
        return _too_many(request)
    form = form_class(request.POST, councils=councils)
    if form.is_spam():
        # The same thank-you page, and nothing kept.
        _count_submission(request)
        request.session.pop(session_key, None)
        return redirect(done_url)
    if form.is_valid():
        chosen = organisation or form.cleaned_data["organisation"]
        try:
            created = submit(chosen, form)
        except (ValidationError, ApplicationError) as exc:
            add_service_errors(form, exc)
        else:
            _count_submission(request)
            request.session[session_key] = created.reference
            return redirect(done_url)
    return render(request, template, {"form": form})


@login_not_required
@require_http_methods(["GET", "POST"])
@never_cache
def ask(request: HttpRequest) -> HttpResponse:
    def submit(organisation: Any, form: Any) -> Any:
        return services.access_request_submit_public(
            organisation=organisation,
            request_type=form.cleaned_data["request_type"],
            **form.details(),
        )

    return _public_form(
        request,
        form_class=forms.PublicRequestForm,
        submit=submit,
        session_key=REQUEST_REFERENCE,
        done_url=reverse("access_requests:public-ask-done"),
        template="access_requests/public/ask.html",
    )


@login_not_required
@require_GET
@never_cache
def ask_done(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "access_requests/public/thanks.html",
        {
            "reference": request.session.pop(REQUEST_REFERENCE, None),
            "title": "Your request has been sent",
            "what": "request",
        },
    )


@login_not_required
@require_http_methods(["GET", "POST"])
@never_cache
def complaint(request: HttpRequest) -> HttpResponse:
    def submit(organisation: Any, form: Any) -> Any:
        data = form.cleaned_data
        return services.complaint_submit_public(
            organisation=organisation,
            complainant_name=data["complainant_name"],
            complainant_email=data["complainant_email"],
            complainant_address=data["complainant_address"],
            description=data["description"],
        )

    return _public_form(
        request,
        form_class=forms.PublicComplaintForm,
        submit=submit,
        session_key=COMPLAINT_REFERENCE,
        done_url=reverse("access_requests:public-complaint-done"),
        template="access_requests/public/complaint.html",
    )


@login_not_required
@require_GET
@never_cache
def complaint_done(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "access_requests/public/thanks.html",
        {
            "reference": request.session.pop(COMPLAINT_REFERENCE, None),
            "title": "Your complaint has been sent",
            "what": "complaint",
        },
    )


# --- The secure download ---------------------------------------------------------------------


def _link_not_valid(request: HttpRequest) -> HttpResponse:
    return link_not_valid(request, "access_requests/public/link_not_valid.html")


@login_not_required
@require_http_methods(["GET", "POST"])
@never_cache
def download(request: HttpRequest, token: str) -> HttpResponseBase:
    """A page naming the request with a Download button: fetching the link (a mail client's
    preview, a scanner) downloads nothing; only the button's POST does, and is counted."""
    link = services.download_link_find(token)
    if link is None:
        return _link_not_valid(request)
    bundle = link.bundle
    if request.method != "POST":
        response = render(
            request,
            "access_requests/public/download.html",
            {"link": link, "reference": bundle.request.reference, "bundle": bundle},
        )
        response["Referrer-Policy"] = "no-referrer"
        return response
    return link_download(
        file=bundle.file,
        use=lambda: services.download_link_use(link=link, ip_address=client_address(request)),
        filename=f"{bundle.request.reference}.pdf",
        not_valid=lambda: _link_not_valid(request),
    )
