from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login

from accounts import mfa
from accounts.forms import OneTimeCodeForm, SignInForm
from accounts.mfa import is_verified
from accounts.middleware import mfa_not_required, timed_out_message
from accounts.selectors import membership_list_for_user


def _with_next(url: str, next_url: str) -> str:
    return f"{url}?{urlencode({'next': next_url})}"


def _safe_next(request: HttpRequest, default: str) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


class SignInView(auth_views.LoginView):
    template_name = "accounts/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        timed_out_message(request)
        return super().get(request, *args, **kwargs)

    def get_success_url(self) -> str:
        target = super().get_success_url()
        # A fresh sign-in has not given a one-time code yet.
        if mfa.mfa_needed(self.request.user):  # type: ignore[arg-type]
            return _with_next(reverse("accounts:mfa-verify"), target)
        return target


class SignOutView(auth_views.LogoutView):
    template_name = "accounts/signed_out.html"


sign_out = mfa_not_required(SignOutView.as_view())


@mfa_not_required
@never_cache
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def mfa_verify(request: HttpRequest) -> HttpResponse:
    user = request.user
    next_url = _safe_next(request, reverse("core:start"))
    if not mfa.confirmed_devices(user):  # type: ignore[arg-type]
        return redirect(_with_next(reverse("accounts:mfa-enrol"), next_url))
    if is_verified(user):
        return HttpResponseRedirect(next_url)
    form = OneTimeCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = mfa.verify_code(user, form.cleaned_data["code"])  # type: ignore[arg-type]
        if device is not None:
            otp_login(request, device)
            return HttpResponseRedirect(next_url)
        form.add_error("code", "The code is wrong or has expired. Enter the code shown now.")
    return render(request, "accounts/mfa_verify.html", {"form": form, "next": next_url})


@mfa_not_required
@never_cache
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def mfa_enrol(request: HttpRequest) -> HttpResponse:
    """Set up (or replace) an authenticator app. Replacing needs a verified session."""
    user = request.user
    next_url = _safe_next(request, reverse("accounts:account"))
    if mfa.confirmed_devices(user) and not is_verified(user):  # type: ignore[arg-type]
        # Someone holding only the password must not swap the second factor.
        return redirect(_with_next(reverse("accounts:mfa-verify"), request.get_full_path()))
    device = mfa.pending_device(user)  # type: ignore[arg-type]
    form = OneTimeCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        confirmed = mfa.enrolment_confirm(actor=user, code=form.cleaned_data["code"])  # type: ignore[arg-type]
        if confirmed is not None:
            otp_login(request, confirmed)
            messages.success(request, "Your authenticator app is set up.")
            return HttpResponseRedirect(next_url)
        form.add_error("code", "The code is wrong or has expired. Enter the code shown now.")
    context = {
        "form": form,
        "next": next_url,
        "qr_svg": mfa.qr_svg(device),
        "secret": mfa.base32_secret(device),
    }
    return render(request, "accounts/mfa_enrol.html", context)


@never_cache
def account(request: HttpRequest) -> HttpResponse:
    user = request.user
    context = {
        "memberships": membership_list_for_user(user=user),  # type: ignore[arg-type]
        "mfa_enrolled": bool(mfa.confirmed_devices(user)),  # type: ignore[arg-type]
    }
    return render(request, "accounts/account.html", context)
