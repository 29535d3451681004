"""One-time codes (TOTP) with django-otp: who needs them, enrolment and verification."""

from __future__ import annotations

import segno
from django.conf import settings
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from audit.models import Action
from audit.services import event_record

DEVICE_NAME = "Authenticator app"


def confirmed_devices(user: User) -> list[TOTPDevice]:
    return list(TOTPDevice.objects.devices_for_user(user, confirmed=True))


def is_verified(user: object) -> bool:
    """Whether this request's user gave a one-time code (django-otp's OTPMiddleware sets it)."""
    check = getattr(user, "is_verified", None)
    return bool(check()) if callable(check) else False


def mfa_needed(user: User) -> bool:
    """Everyone when MFA is required; otherwise anyone who has enrolled."""
    if settings.CAREFILE_REQUIRE_MFA:
        return True
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).exists()


def pending_device(user: User) -> TOTPDevice:
    """The unconfirmed device an enrolment is working on, created on first use."""
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def qr_svg(device: TOTPDevice) -> str:
    """An inline SVG of the provisioning URI, for the authenticator app to scan."""
    return segno.make(device.config_url, error="m").svg_inline(scale=5, title="QR code")


def base32_secret(device: TOTPDevice) -> str:
    import base64

    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def verify_code(user: User, code: str, *, confirmed: bool = True) -> TOTPDevice | None:
    """The device that accepts this code, or None. django-otp throttles repeated failures."""
    code = "".join(code.split())
    if not code.isdigit():
        return None
    for device in TOTPDevice.objects.devices_for_user(user, confirmed=confirmed):
        if device.verify_token(code):
            return device
    return None


@transaction.atomic
def enrolment_confirm(*, actor: User, code: str) -> TOTPDevice | None:
    """Confirm the pending device with a code from the app; older devices are removed."""
    device = TOTPDevice.objects.devices_for_user(actor, confirmed=False).first()
    if device is None or not device.verify_token("".join(code.split())):
        return None
    replaced, _ = TOTPDevice.objects.devices_for_user(actor, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    changes: dict[str, tuple[object, object]] = {"confirmed": (False, True)}
    if replaced:
        changes["other_devices"] = (replaced, 0)
    event_record(
        actor=actor,
        action=Action.MFA_CHANGE,
        summary="Replaced the authenticator app" if replaced else "Set up an authenticator app",
        obj=device,
        changes=changes,
    )
    return device
