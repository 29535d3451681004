"""Sign-ins, sign-outs, failed sign-ins and lockouts, from Django's and django-axes' own
signals (the libraries' mechanism for telling us; everything else is recorded by services)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from audit.models import Action, Purpose
from audit.services import event_record


@receiver(user_logged_in, dispatch_uid="audit.signed_in")
def _signed_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    event_record(actor=user, action=Action.SIGN_IN, summary="Signed in", obj=user)


@receiver(user_logged_out, dispatch_uid="audit.signed_out")
def _signed_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None and user.is_authenticated:
        event_record(actor=user, action=Action.SIGN_OUT, summary="Signed out", obj=user)


@receiver(user_login_failed, dispatch_uid="audit.sign_in_failed")
def _sign_in_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kw: Any
) -> None:
    username = str(credentials.get("username", ""))[:150]
    user = get_user_model().objects.filter(username=username).first() if username else None
    event_record(
        actor=user,
        actor_username=username,
        action=Action.SIGN_IN_FAILED,
        summary="Failed sign-in",
        purpose=Purpose.SYSTEM,
    )


def _locked_out(sender: Any, request: Any = None, username: str = "", **kwargs: Any) -> None:
    user = get_user_model().objects.filter(username=username).first() if username else None
    event_record(
        actor=user,
        actor_username=str(username)[:150],
        action=Action.LOCKOUT,
        summary="Account locked after repeated failed sign-ins",
        purpose=Purpose.SYSTEM,
    )


def connect_axes() -> None:
    from axes.signals import user_locked_out

    user_locked_out.connect(_locked_out, dispatch_uid="audit.locked_out")
