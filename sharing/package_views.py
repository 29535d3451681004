"""The outbound package pages: staff ask for a sharing's package, follow its progress,
download it and send each recipient a link; the recipient downloads it, once, from a public
page.

Staff pages first fetch what they are about for the user, whatever the method, so a stranger
gets the same missing page for a GET or a POST. The public page names only the sharing's
reference, the council and the agency, never whose information it holds.
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseNotAllowed,
    JsonResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts.models import User
from audit.middleware import client_address
from core.downloads import link_download, link_not_valid
from core.errors import ApplicationError
from core.forms import add_service_errors
from records.selectors import NOT_FOUND
from sharing import packages
from sharing.models import SharingPackage, SharingRecord
from sharing.package_forms import PackageLinkForm


def _user(request: HttpRequest) -> User:
    return cast("User", request.user)


def _refusal(exc: ValidationError | ApplicationError) -> str:
    if isinstance(exc, ApplicationError):
        return exc.message
    return " ".join(exc.messages)


def _page_url(sharing: SharingRecord) -> str:
    return reverse("sharing:package", args=[sharing.public_id])


def _back(request: HttpRequest, sharing: SharingRecord) -> HttpResponse:
    """Back to the page the button was on (the sharing page, or the package page)."""
    target = request.POST.get("next", "")
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(_page_url(sharing))


def _only(request: HttpRequest, *methods: str) -> HttpResponseNotAllowed | None:
    return None if request.method in methods else HttpResponseNotAllowed(list(methods))


def _package_page(
    request: HttpRequest,
    sharing: SharingRecord,
    *,
    link_form: PackageLinkForm | None = None,
    status: int = 200,
) -> HttpResponse:
    panel = packages.package_panel(user=_user(request), sharing=sharing)
    if link_form is not None:
        panel["package_panel"].link_form = link_form
    return render(
        request,
        "sharing/package_page.html",
        {**panel, "sharing": sharing, "link_form": link_form},
        status=status,
    )


@never_cache
def package(request: HttpRequest, sharing_id: str) -> HttpResponseBase:
    """GET: the package of a sharing. POST: ask for it to be prepared."""
    sharing = packages.sharing_for_package(user=_user(request), sharing_id=sharing_id)
    refused = _only(request, "GET", "POST")
    if refused is not None:
        return refused
    if request.method == "GET":
        return _package_page(request, sharing)
    try:
        packages.package_request(actor=_user(request), sharing=sharing)
    except (ValidationError, ApplicationError) as exc:
        messages.error(request, _refusal(exc))
    else:
        messages.success(request, "The package is being prepared. This takes a minute or two.")
    return _back(request, sharing)


def _package_for(request: HttpRequest, package_id: str) -> SharingPackage:
    return packages.package_get_for_user(user=_user(request), package_id=package_id)


@never_cache
def package_status(request: HttpRequest, package_id: str) -> HttpResponseBase:
    """The package's progress for the page's refresh script: no personal data."""
    row = _package_for(request, package_id)
    refused = _only(request, "GET")
    if refused is not None:
        return refused
    finished = row.status in (SharingPackage.Status.READY, SharingPackage.Status.FAILED)
    return JsonResponse(
        {
            "status": row.status,
            "label": row.get_status_display(),
            "finished": finished,
            "percent": 100 if finished else 0,
            "items_done": 0,
            "items_total": 0,
            "pages": row.pages,
        }
    )


@never_cache
def package_download(request: HttpRequest, package_id: str) -> HttpResponseBase:
    """A member of staff downloads the package (recorded as an export naming its people)."""
    row = _package_for(request, package_id)
    refused = _only(request, "GET")
    if refused is not None:
        return refused
    if not packages.can_handle_package(_user(request), row.sharing):
        raise PermissionDenied(packages.handling_refusal(_user(request), row.sharing))
    if row.status != SharingPackage.Status.READY or not row.file:
        raise Http404(NOT_FOUND)
    try:
        handle = row.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404(NOT_FOUND) from None
    try:
        packages.package_download_record(actor=_user(request), package=row)
    except ApplicationError as exc:
        handle.close()
        raise PermissionDenied(exc.message) from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"{row.sharing.reference}-package.pdf",
        content_type="application/pdf",
    )
    response["Cache-Control"] = "no-store"
    return response


@never_cache
def package_link_create(request: HttpRequest, package_id: str) -> HttpResponseBase:
    row = _package_for(request, package_id)
    refused = _only(request, "POST")
    if refused is not None:
        return refused
    form = PackageLinkForm(request.POST)
    if form.is_valid():
        try:
            link, _token = packages.package_link_create(
                actor=_user(request),
                package=row,
                recipient_name=form.cleaned_data["recipient_name"],
                recipient_email=form.cleaned_data["recipient_email"],
                base_url=request.build_absolute_uri("/"),
            )
        except (ValidationError, ApplicationError) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                f"A secure link was emailed to {link.recipient_name} at {link.recipient_email}.",
            )
            return _back(request, row.sharing)
    return _package_page(request, row.sharing, link_form=form, status=400)


@never_cache
def package_link_revoke(request: HttpRequest, package_id: str, link_id: str) -> HttpResponseBase:
    row = _package_for(request, package_id)
    link = packages.link_get_for_user(user=_user(request), package=row, link_id=link_id)
    refused = _only(request, "POST")
    if refused is not None:
        return refused
    try:
        packages.package_link_revoke(actor=_user(request), link=link)
    except (ValidationError, ApplicationError) as exc:
        messages.error(request, _refusal(exc))
    else:
        messages.success(request, f"The link for {link.recipient_name} no longer works.")
    return _back(request, row.sharing)


# --- The recipient's page --------------------------------------------------------------------


def _link_not_valid(request: HttpRequest) -> HttpResponse:
    return link_not_valid(request, "sharing/package_link_not_valid.html")


@login_not_required
@require_http_methods(["GET", "POST"])
@never_cache
def package_public(request: HttpRequest, token: str) -> HttpResponseBase:
    """A page naming the sharing with a Download button: opening the link (a mail client's
    preview, a scanner) spends nothing; only the button's POST downloads, once."""
    link = packages.package_link_find(token)
    if link is None:
        return _link_not_valid(request)
    row = link.package
    if request.method != "POST":
        context: dict[str, Any] = {"link": link, "package": row, "sharing": row.sharing}
        page = render(request, "sharing/package_public.html", context)
        page["Referrer-Policy"] = "no-referrer"
        return page
    return link_download(
        file=row.file,
        use=lambda: packages.package_link_use(link=link, ip_address=client_address(request)),
        filename=f"{row.sharing.reference}.pdf",
        not_valid=lambda: _link_not_valid(request),
    )
