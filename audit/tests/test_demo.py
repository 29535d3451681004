"""The demo gives the guardian a month of activity to review, sealed and already scanned."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from audit.demo import load_demo_activity
from audit.integrity import audit_verify
from audit.models import Action, AlertRuleCode, AuditEvent, AuditSeal, PrivacyAlert, Purpose

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _documents_in_tmp(settings, tmp_path) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "documents")},
        },
    }


def test_demo_activity_is_sealed_scanned_and_loaded_once() -> None:
    call_command("load_demo", people=20, verbosity=0)
    reads = AuditEvent.objects.filter(action=Action.READ, request_id__startswith="demo-history")
    assert reads.count() > 200
    assert reads.filter(purpose=Purpose.BREAK_GLASS).count() == 1
    # Every demo service wrote its event too.
    assert AuditEvent.objects.filter(action=Action.CREATE, summary="Recorded a new person").exists()
    assert AuditSeal.objects.exists()
    rules = set(PrivacyAlert.objects.values_list("rule", flat=True))
    assert {AlertRuleCode.BREAK_GLASS, AlertRuleCode.OUT_OF_HOURS, AlertRuleCode.VOLUME} <= rules
    assert audit_verify().ok
    count = AuditEvent.objects.count()
    assert load_demo_activity() == 0
    assert AuditEvent.objects.count() == count
