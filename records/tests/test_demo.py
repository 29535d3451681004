"""The demo: people loaded through the services and seen on need-to-know, a year of sharing
with partner agencies, and everything loaded only once."""

from __future__ import annotations

import random
import re
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db.models import FileField
from django.utils import timezone

from access_requests.models import CollectedItem, Source
from accounts.models import User
from audit.integrity import audit_verify
from records import selectors
from records.demo import synthetic_nhs_number, synthetic_upn, tiny_pdf
from records.identifiers import normalise_nhs_number, normalise_upn
from records.models import (
    Assessment,
    Case,
    CaseParticipant,
    DisagreementStatement,
    Document,
    HistoricRecord,
    Item,
    ItemRevision,
    Person,
    Relationship,
)
from retention import services as retention_services
from retention.models import DisposalBatch, DisposalItem
from retention.selectors import batch_list_for_user, holds_list_for_user, register_list_for_user
from sharing.models import Consent, PartnerAgency, SharingAgreement, SharingRecord
from sharing.selectors import authorisation_queue_for_user

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


def visible(username: str) -> set[int]:
    user = User.objects.get(username=username)
    return set(selectors.person_list_for_user(user=user).values_list("pk", flat=True))


def records_demo_people() -> int:
    """The people the records demo made: all but the retention demo's, who are the subjects of
    the cases in its disposal batches and the people taking part in them."""
    cases = DisposalItem.objects.filter(case__isnull=False).values("case_id")
    theirs = set(Case.objects.filter(pk__in=cases).values_list("person_id", flat=True))
    theirs.update(
        CaseParticipant.objects.filter(case_id__in=cases).values_list("person_id", flat=True)
    )
    return Person.objects.exclude(pk__in=theirs).count()


def stored_files(root: Path) -> set[str]:
    return {str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()}


def named_files() -> set[str]:
    """Every file name any row holds."""
    names: set[str] = set()
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, FileField):
                rows = model._default_manager.values_list(field.name, flat=True)
                names.update(name for name in rows if name)
    return names


def check_retention_demo(documents: Path) -> DisposalBatch:
    """Ashdown's retention round (retention.demo); returns the batch waiting for rosa."""
    fay, rosa = User.objects.get(username="fay"), User.objects.get(username="rosa")
    batches = {(b.record_class.code, b.status): b for b in batch_list_for_user(user=fay)}
    assert set(batches) == {
        ("children_in_need", "done"),
        ("children_in_need", "proposed"),
        ("child_protection", "proposed"),
    }

    # Carried out weeks ago, approved by two people: the register has its stubs, and the
    # cases are gone.
    done = batches[("children_in_need", "done")]
    assert (done.first_approver, done.second_approver) == (fay, rosa)
    assert done.proposed_on < timezone.localtime(done.finished_at).date() < timezone.localdate()
    register = list(register_list_for_user(user=rosa))
    assert len(register) == 4
    assert {entry.batch_id for entry in register} == {done.pk}
    assert {(entry.case_id, entry.person_id) for entry in register} == {(None, None)}
    references = [entry.record_reference for entry in register]
    assert not Case.objects.filter(reference__in=references).exists()

    # Last night's proposals: some due, some held, one whose trigger is not known.
    waiting = batches[("children_in_need", "proposed")]
    assert (waiting.first_approver, waiting.second_approver) == (fay, None)
    statuses = Counter(waiting.items.values_list("status", flat=True))
    assert statuses == {"included": 6, "held": 2, "unknown": 1}
    held = sorted(waiting.items.filter(status="held").values_list("reason", flat=True))
    assert "hold on the person" in held[0]
    assert "inquiry hold" in held[1]
    assert "date of birth" in waiting.items.get(status="unknown").reason
    protection = batches[("child_protection", "proposed")]
    assert Counter(protection.items.values_list("status", flat=True)) == {"included": 2, "kept": 1}
    scopes = set(holds_list_for_user(user=fay).values_list("scope", flat=True))
    assert scopes == {"person", "class_and_dates"}
    due = waiting.items.filter(status="included").values("case_id")
    assert Item.objects.filter(case_id__in=due).count() >= 6
    assert Document.objects.filter(case_id__in=due).exists()

    # Disposal left no file without its row, and the sealed trail still verifies.
    assert stored_files(documents) <= named_files()
    assert audit_verify().ok
    return waiting


def test_load_demo_creates_people_seen_on_need_to_know_and_only_once(tmp_path: Path) -> None:
    call_command("load_demo", verbosity=0)

    people = Person.objects.count()
    assert 50 <= records_demo_people() <= 70
    assert Case.objects.filter(team__name="Youth Justice").exists()
    assert Case.objects.filter(
        team__name="Adult Social Care", organisation__short_name="Brambley"
    ).exists()
    assert Relationship.objects.count() >= 20
    assert Item.objects.count() >= 300
    assert set(Assessment.objects.values_list("status", flat=True)) == {
        "draft",
        "submitted",
        "authorised",
    }
    assert ItemRevision.objects.filter(number__gt=1).exclude(reason="").exists()
    assert Item.objects.filter(entered_in_error_by__username="cara").count() == 1
    assert DisagreementStatement.objects.count() == 1
    # Two letters on open cases; the retention demo's closed ones have theirs too.
    letters = Document.objects.filter(content_type="application/pdf")
    assert letters.filter(case__closed_on__isnull=True).count() == 2
    assert HistoricRecord.objects.exists()
    assert all(n.startswith("999") for n in Person.objects.values_list("nhs_number", flat=True))

    amy, ben, cara = visible("amy"), visible("ben"), visible("cara")
    assert amy
    assert ben
    assert not amy & ben

    restricted = Person.objects.get(is_restricted=True)
    assert restricted.pk not in amy  # same team as cara, but no named grant
    assert restricted.pk in cara
    # The youth justice officer sees the young person, not the family around him.
    assert visible("gus") & amy
    assert len(visible("gus")) < len(amy)

    # A year of sharing with partner agencies for each council (sharing.demo).
    today = timezone.localdate()
    for council, least in (("Ashdown", 150), ("Brambley", 20)):
        agencies = PartnerAgency.objects.filter(organisation__short_name=council)
        assert agencies.count() >= 14
        assert agencies.filter(is_active=False).exists()
        assert agencies.exclude(country="GB").exists()
        sharings = SharingRecord.objects.filter(organisation__short_name=council)
        assert least <= sharings.count() <= 250
        assert not sharings.filter(agency__in=agencies.filter(is_active=False)).exists()
        assert not sharings.exclude(agency__country="GB").exists()
        assert sharings.filter(shared_on__lt=today - timedelta(days=180)).exists()
        assert SharingAgreement.objects.filter(
            organisation__short_name=council,
            review_on__range=(today, today + timedelta(days=30)),
            ends_on__isnull=True,
        ).exists()
        consents = Consent.objects.filter(organisation__short_name=council)
        statuses = Counter(c.status_on(today) for c in consents)
        assert statuses["expired"] >= 1
        assert statuses["withdrawn"] >= 1
        assert consents.filter(agency__isnull=True).count() == 1  # a relative may see the file
    # cara's queue: the urgent sharing already made (flagged) first, then two waiting.
    queue = authorisation_queue_for_user(user=User.objects.get(username="cara"))
    assert [(s.status, s.is_urgent) for s in queue] == [
        ("shared", True),
        ("awaiting", False),
        ("awaiting", False),
    ]
    assert [s.pk for s in SharingRecord.objects.all() if s.is_flagged] == [queue[0].pk]
    assert SharingRecord.objects.filter(authorisation="authorised").count() >= 20
    assert SharingRecord.objects.filter(status="not_shared").count() == 1
    # Loaded before the rights requests, whose collections now hold consents and sharings.
    collected = set(CollectedItem.objects.values_list("source", flat=True))
    assert {Source.CONSENT, Source.SHARING} <= collected
    waiting = check_retention_demo(tmp_path / "documents")

    counts = (
        people,
        Case.objects.count(),
        Item.objects.count(),
        HistoricRecord.objects.count(),
        SharingRecord.objects.count(),
        DisposalBatch.objects.count(),
    )
    call_command("load_demo", verbosity=0)
    assert counts == (
        Person.objects.count(),
        Case.objects.count(),
        Item.objects.count(),
        HistoricRecord.objects.count(),
        SharingRecord.objects.count(),
        DisposalBatch.objects.count(),
    )

    # rosa, the second records manager, can give the waiting batch its second approval.
    rosa = User.objects.get(username="rosa")
    approved = retention_services.batch_approve(actor=rosa, batch=waiting)
    assert (approved.status, approved.second_approver) == ("approved", rosa)


def test_people_option_scales_the_demo() -> None:
    call_command("load_demo", people=0, verbosity=0)
    assert not Person.objects.exists()
    call_command("load_demo", people=12, verbosity=0)
    assert 8 <= records_demo_people() <= 16
    assert visible("amy")
    assert not visible("amy") & visible("ben")


def test_identifiers_are_valid_and_never_issued() -> None:
    rng = random.Random(1)
    for _ in range(200):
        nhs = synthetic_nhs_number(rng)
        assert normalise_nhs_number(nhs) == nhs
        assert nhs.startswith("999")
        upn = synthetic_upn(rng)
        assert normalise_upn(upn) == upn
        assert upn[1:4] == "999"


def test_tiny_pdf_has_a_correct_cross_reference_table() -> None:
    pdf = tiny_pdf(["Dear (someone),", "A line with a backslash \\ and £."])
    assert pdf.startswith(b"%PDF-1.4")
    assert pdf.rstrip().endswith(b"%%EOF")
    startxref = int(re.search(rb"startxref\n(\d+)", pdf).group(1))
    assert pdf[startxref:].startswith(b"xref\n0 6\n")
    offsets = re.findall(rb"(\d{10}) 00000 n", pdf[startxref:])
    assert len(offsets) == 5
    for number, offset in enumerate(offsets, start=1):
        assert pdf[int(offset) :].startswith(b"%d 0 obj" % number)
    length = int(re.search(rb"/Length (\d+)", pdf).group(1))
    stream = pdf.split(b"stream\n", 1)[1].split(b"\nendstream", 1)[0]
    assert len(stream) == length
