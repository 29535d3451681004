"""The certificate of destruction: the batch's facts and every record disposed of, by reference
and dates only; everything escaped; nothing fetched; a long list laid out in parts whose pages
number on from each other."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from pypdf import PdfReader

from accounts.models import User
from accounts.roles import Role
from accounts.tests.factories import staff_member
from audit.models import AuditEvent
from records import services as record_services
from records.tests.factories import open_case
from retention import certificate, services
from retention.models import BatchStatus, DisposalBatch

pytestmark = pytest.mark.django_db


def _done_batch(team: Any, worker: User, manager: User, admin_user: User, ig_team: Any) -> Any:
    """Two children-in-need cases due, proposed, approved by two people and carried out."""
    cases = []
    for year in (1990, 1989):
        case = open_case(
            team=team,
            worker=worker,
            manager=manager,
            opened_on=date(2005, 1, 1),
            category="child_in_need",
            date_of_birth=date(year, 4, 1),
        )
        record_services.case_close(
            actor=manager, case=case, closed_on=date(2008, 1, 1), reason="needs_met"
        )
        case.refresh_from_db()
        cases.append(case)
    names = [case.person.full_name for case in cases]
    (batch,) = services.disposal_propose()
    rosa = staff_member(role=Role.RECORDS_MANAGER, team=ig_team, username="rosa")
    services.batch_approve(actor=rosa, batch=batch)
    services.batch_approve(actor=admin_user, batch=batch)
    done = services.batch_run(batch_id=batch.pk)
    assert done is not None
    assert done.status == BatchStatus.DONE
    return done, cases, names


def _pages(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


@pytest.fixture
def done(team_north: Any, practitioner: User, manager: User, admin_user: User, ig_team: Any) -> Any:
    return _done_batch(team_north, practitioner, manager, admin_user, ig_team)


def test_the_certificate_gives_the_facts_and_every_record_and_names_nobody(done: Any) -> None:
    batch, cases, names = done
    batch = DisposalBatch.objects.get(pk=batch.pk)
    text = "\n".join(_pages(certificate.certificate_pdf(batch)))
    assert "Certificate of destruction" in text
    assert batch.reference in text
    assert batch.organisation.name in text
    assert "Children in need cases" in text
    assert "Version 1" in text
    assert "Local retention schedule: to the 25th birthday" in text
    assert "Records disposed of 2" in text
    for case in cases:
        assert case.reference in text
        assert f"{case.person.date_of_birth:%-d %b %Y}" in text  # the trigger date
    for name in names:
        assert name not in text


def test_a_long_list_is_laid_out_in_parts_numbered_on(done: Any, monkeypatch: Any) -> None:
    batch, cases, _ = done
    monkeypatch.setattr(certificate, "ROWS_PER_PART", 1)
    pages = _pages(certificate.certificate_pdf(batch))
    assert len(pages) == 2
    first, second = sorted(cases, key=lambda c: c.reference)
    assert first.reference in pages[0]
    assert second.reference not in pages[0]
    assert second.reference in pages[1]
    assert "Page 1" in pages[0]
    assert "Page 2" in pages[1]
    # Every part carries the running head.
    assert all(batch.reference in page for page in pages)


def test_every_value_is_escaped_and_nothing_is_fetched(done: Any) -> None:
    batch, _, _ = done
    markup = '<img src="http://example.invalid/logo.png"> & <b>Co</b>'
    batch.organisation.name = f"Ashdown {markup}"
    batch.rule.legal_authority = '<link rel="stylesheet" href="file:///etc/passwd">'
    text = "\n".join(_pages(certificate.certificate_pdf(batch)))
    assert markup in text
    assert '<link rel="stylesheet" href="file:///etc/passwd">' in text


def test_markup_that_asks_for_a_url_fails_the_render(done: Any, monkeypatch: Any) -> None:
    from access_requests.bundle import FetchRefusedError

    batch, _, _ = done
    rendered = certificate.render_to_string

    def with_an_image(template: str, context: dict[str, Any]) -> str:
        return rendered(template, context).replace(
            "<body>", '<body><img src="file:///etc/hostname">'
        )

    monkeypatch.setattr(certificate, "render_to_string", with_an_image)
    with pytest.raises(FetchRefusedError):
        certificate.certificate_pdf(batch)


def test_the_certificate_is_made_once_when_the_batch_is_done_and_kept(
    done: Any, monkeypatch: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """Made by the task the finished run queues, kept in storage, and served from there: a
    later download lays nothing out again, and making it twice keeps the first."""
    batch, _, names = done
    assert not batch.certificate
    queued: list[int] = []
    monkeypatch.setattr(services, "_queue_certificate", queued.append)
    # A batch that finishes queues its certificate once the run's transaction commits.
    DisposalBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.RUNNING)
    with django_capture_on_commit_callbacks(execute=True):
        services._run_finish(batch)  # noqa: SLF001
    assert queued == [batch.pk]

    made = services.batch_certificate_make(batch_id=batch.pk)
    assert made is not None
    assert made.certificate.name.startswith(f"retention/certificates/{batch.public_id}/")
    with made.certificate.open("rb") as handle:
        kept = handle.read()
    text = "\n".join(_pages(kept))
    assert batch.reference in text
    assert all(name not in text for name in names)

    def refuse(*args: Any, **kwargs: Any) -> bytes:
        raise AssertionError("laid out again")

    monkeypatch.setattr(certificate, "certificate_pdf", refuse)
    again = services.batch_certificate_make(batch_id=batch.pk)
    assert again is not None
    assert again.certificate.name == made.certificate.name
    response = certificate.certificate_download(again)
    assert b"".join(response.streaming_content) == kept
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Cache-Control"] == "no-store"
    events = AuditEvent.objects.filter(
        object_id=str(batch.public_id), summary__startswith="Made the certificate"
    )
    assert events.count() == 1


def test_a_broker_away_when_the_batch_finishes_leaves_it_to_the_first_download(
    done: Any, monkeypatch: Any, caplog: Any
) -> None:
    from retention import tasks

    batch, _, _ = done

    def away(*args: Any) -> None:
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(tasks.disposal_certificate_task, "delay", away)
    services._queue_certificate(batch.pk)  # noqa: SLF001
    assert f"Could not queue the certificate of disposal batch {batch.pk}" in caplog.text
    response = certificate.certificate_download(batch)
    assert response.getvalue().startswith(b"%PDF")
    batch.refresh_from_db()
    assert batch.certificate
