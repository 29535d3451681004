"""The demo gives dan and ria requests in every state, a year of closed ones and a complaint."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from access_requests.demo import load_demo_requests
from access_requests.models import AccessRequest, Complaint, DisclosureBundle, State
from access_requests.selectors import performance_for_user
from accounts.models import User
from audit.integrity import audit_verify

pytestmark = pytest.mark.django_db


def test_demo_requests_cover_the_workflow_and_load_once() -> None:
    from records.demo import load_demo_people

    # Staff, then people and requests; the guardian's month of activity is not needed here.
    call_command("load_demo", people=0, verbosity=0)
    load_demo_people(people=16)
    assert load_demo_requests() > 20
    states = set(AccessRequest.objects.values_list("state", flat=True))
    assert {
        State.RECEIVED,
        State.AWAITING_VERIFICATION,
        State.REVIEW,
        State.PAUSED,
        State.APPROVAL,
        State.READY,
        State.IN_PROGRESS,
        State.CLOSED,
    } <= states
    assert DisclosureBundle.objects.filter(status="ready").count() == 1
    assert Complaint.objects.filter(state="received").exists()
    months = performance_for_user(user=User.objects.get(username="dan"))
    assert sum(m.closed for m in months) >= 20
    assert any(m.late for m in months)
    assert audit_verify().ok
    count = AccessRequest.objects.count()
    assert load_demo_requests() == 0
    assert AccessRequest.objects.count() == count
