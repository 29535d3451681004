"""The demo: people loaded through the services and seen on need-to-know, a year of sharing
with partner agencies, and everything loaded only once."""

from __future__ import annotations

import random
import re
from collections import Counter
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from access_requests.models import CollectedItem, Source
from accounts.models import User
from records import selectors
from records.demo import synthetic_nhs_number, synthetic_upn, tiny_pdf
from records.identifiers import normalise_nhs_number, normalise_upn
from records.models import (
    Assessment,
    Case,
    DisagreementStatement,
    Document,
    HistoricRecord,
    Item,
    ItemRevision,
    Person,
    Relationship,
)
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


def test_load_demo_creates_people_seen_on_need_to_know_and_only_once() -> None:
    call_command("load_demo", verbosity=0)

    people = Person.objects.count()
    assert 50 <= people <= 70
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
    assert Document.objects.filter(content_type="application/pdf").count() == 2
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

    counts = (
        people,
        Case.objects.count(),
        Item.objects.count(),
        HistoricRecord.objects.count(),
        SharingRecord.objects.count(),
    )
    call_command("load_demo", verbosity=0)
    assert counts == (
        Person.objects.count(),
        Case.objects.count(),
        Item.objects.count(),
        HistoricRecord.objects.count(),
        SharingRecord.objects.count(),
    )


def test_people_option_scales_the_demo() -> None:
    call_command("load_demo", people=0, verbosity=0)
    assert not Person.objects.exists()
    call_command("load_demo", people=12, verbosity=0)
    assert 8 <= Person.objects.count() <= 16
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
