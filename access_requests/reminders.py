"""Daily reminders (Celery beat): to the assigned officer at 10, 5 and 1 working days before
the due date and on the day; overdue requests escalate to the records team's managers.
Complaints get the same for their 30-day acknowledgement.

Each reminder is a ``ReminderSent`` row keyed by (request, kind, due date), inserted in the
same transaction as the email is handed over: re-running the task sends nothing twice, and a
due date that moves starts its reminders afresh."""

from __future__ import annotations

import logging
from datetime import date
from typing import TYPE_CHECKING

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from access_requests import clock, services
from access_requests.models import (
    AccessRequest,
    Complaint,
    ComplaintState,
    ReminderSent,
    State,
)
from accounts.models import Membership
from accounts.roles import Role
from audit.models import Action, Purpose
from audit.services import event_record

if TYPE_CHECKING:
    from accounts.models import User

log = logging.getLogger(__name__)
Kind = ReminderSent.Kind


def reminder_kind(days_left: int) -> str | None:
    """Which reminder is due with this many working days left (a missed day catches up)."""
    if days_left < 0:
        return Kind.OVERDUE
    if days_left == 0:
        return Kind.DUE_TODAY
    if days_left == 1:
        return Kind.DAYS_1
    if days_left <= 5:
        return Kind.DAYS_5
    if days_left <= 10:
        return Kind.DAYS_10
    return None


def _managers(organisation_id: int, officer: User | None) -> list[User]:
    """Managers of the records-access teams working for this council."""
    from accounts.models import User

    teams = Membership.objects.current().filter(
        Q(team__organisation_id=organisation_id) | Q(team__acts_for=organisation_id),
        role=Role.RECORDS_ACCESS_OFFICER,
    )
    if officer is not None:
        teams = teams.filter(user=officer)
    managers = Membership.objects.current().filter(
        team_id__in=teams.values("team_id"), role=Role.TEAM_MANAGER
    )
    found = list(User.objects.filter(pk__in=managers.values("user_id"), is_active=True))
    if found:
        return found
    # A team without a manager escalates to every officer of the council.
    officers = Membership.objects.current().filter(
        Q(team__organisation_id=organisation_id) | Q(team__acts_for=organisation_id),
        role=Role.RECORDS_ACCESS_OFFICER,
    )
    return list(User.objects.filter(pk__in=officers.values("user_id"), is_active=True))


def _send_once(
    *,
    kind: str,
    due_on: date,
    recipient: User,
    subject: str,
    body: str,
    request: AccessRequest | None = None,
    complaint: Complaint | None = None,
) -> bool:
    try:
        with transaction.atomic():
            ReminderSent.objects.create(
                request=request, complaint=complaint, kind=kind, due_on=due_on, recipient=recipient
            )
            if recipient.email:
                send_mail(subject, body, None, [recipient.email], fail_silently=False)
            target = request or complaint
            event_record(
                actor=None,
                action=Action.UPDATE,
                summary=f"Sent a reminder: {Kind(kind).label.lower()}",
                obj=target,
                personal={"reference": target.reference, "recipient": recipient.username}
                if target
                else None,
                purpose=Purpose.SYSTEM,
            )
    except IntegrityError:
        return False
    return True


def reminders_send(*, today: date | None = None) -> int:
    """Send every reminder due today that has not been sent; returns how many were sent."""
    today = today or timezone.localdate()
    services.requests_recompute()
    sent = 0
    requests = AccessRequest.objects.filter(
        state__in=[s for s in State if s not in (State.CLOSED, State.PAUSED)],
        due_on__isnull=False,
    ).select_related("assigned_to", "organisation")
    extra: dict[str, list[date]] = {}
    for request in requests.iterator(chunk_size=200):
        days = clock.working_days_left(
            today,
            request.due_on,  # type: ignore[arg-type]  # filtered above
            nation=request.nation,
            extra=extra.setdefault(request.nation, services.extra_holidays(request.nation)),
        )
        kind = reminder_kind(days)
        if kind is None or request.due_on is None:
            continue
        if kind == Kind.OVERDUE:
            recipients = _managers(request.organisation_id, request.assigned_to)
        elif request.assigned_to is not None:
            recipients = [request.assigned_to]
        else:
            recipients = _managers(request.organisation_id, None)
        when = (
            f"was due on {request.due_on:%A %-d %B %Y}"
            if days < 0
            else (f"is due on {request.due_on:%A %-d %B %Y}")
        )
        for recipient in recipients:
            sent += _send_once(
                kind=kind,
                due_on=request.due_on,
                recipient=recipient,
                request=request,
                subject=f"Rights request {request.reference}: {Kind(kind).label.lower()}",
                body=(
                    f"Rights request {request.reference} ({request.get_state_display()}) "
                    f"{when}.\n\nOpen it in Carefile to see what is left to do.\n"
                ),
            )
    sent += _complaint_reminders(today)
    return sent


def _complaint_reminders(today: date) -> int:
    sent = 0
    complaints = Complaint.objects.filter(state=ComplaintState.RECEIVED).select_related(
        "assigned_to"
    )
    for complaint in complaints:
        days = (complaint.acknowledge_by - today).days
        if days > 10:
            continue
        recipients = (
            [complaint.assigned_to]
            if complaint.assigned_to and days >= 0
            else _managers(complaint.organisation_id, complaint.assigned_to)
        )
        for recipient in recipients:
            sent += _send_once(
                kind=Kind.ACKNOWLEDGE,
                due_on=complaint.acknowledge_by,
                recipient=recipient,
                complaint=complaint,
                subject=f"Complaint {complaint.reference}: acknowledgement due",
                body=(
                    f"Data protection complaint {complaint.reference} must be acknowledged by "
                    f"{complaint.acknowledge_by:%A %-d %B %Y} (DPA s164A).\n"
                ),
            )
    return sent
