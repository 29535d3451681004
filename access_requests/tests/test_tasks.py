"""The Celery tasks: a real worker renders a bundle from the database; re-running the daily
reminders sends nothing twice; a bundle task delivered twice renders once."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.utils import timezone

from access_requests import reminders, services
from access_requests.disclosure import bundle_build
from access_requests.models import (
    CollectedItem,
    Decision,
    DisclosureBundle,
    Redaction,
    ReminderSent,
)
from access_requests.tasks import bundle_build_task
from access_requests.tests.conftest import log_request
from accounts.roles import Role
from accounts.tests.factories import staff_member


def _ready(officer, second_officer, council, child_file):
    request = log_request(officer, council)
    services.access_request_assign(actor=officer, request=request, officer=officer)
    services.access_request_subject_link(actor=officer, request=request, person=child_file.child)
    services.access_request_collect(actor=officer, request=request)
    for item in CollectedItem.objects.filter(request=request):
        proposals = list(item.redactions.filter(status=Redaction.Status.PROPOSED))
        for row in proposals:
            services.redaction_decide(actor=officer, redaction_row=row, accept=True)
        services.collected_item_review(
            actor=officer, item=item, decision=Decision.REDACT if proposals else Decision.DISCLOSE
        )
    services.access_request_submit_for_approval(actor=officer, request=request)
    services.access_request_approve(actor=second_officer, request=request)
    return request


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_renders_the_bundle(
    records_officer, second_officer, council, child_file, tmp_path: Path, settings
):
    from tests.test_celery_worker import wait_for, worker_on_queue

    settings.CELERY_TASK_ALWAYS_EAGER = False
    request = _ready(records_officer, second_officer, council, child_file)
    bundle = DisclosureBundle.objects.create(
        request=request, requested_by=records_officer, items_total=3
    )
    media = tmp_path / "media"
    with worker_on_queue({"CAREFILE_MEDIA_ROOT": str(media)}) as (queue, worker):
        bundle_build_task.apply_async(args=[bundle.pk], queue=queue)
        done = wait_for(
            lambda: DisclosureBundle.objects.filter(pk=bundle.pk, status="ready").first(), worker
        )
    assert isinstance(done, DisclosureBundle)
    assert done.pages >= 3
    stored = media / "documents" / done.file.name
    assert stored.read_bytes().startswith(b"%PDF-")


@pytest.mark.django_db
def test_a_bundle_delivered_twice_renders_once(
    records_officer, second_officer, council, child_file, django_capture_on_commit_callbacks
):
    request = _ready(records_officer, second_officer, council, child_file)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        bundle = services.bundle_request(actor=records_officer, request=request)
    assert len(queued) == 1
    assert bundle_build(bundle_id=bundle.pk) is not None
    first = DisclosureBundle.objects.get(pk=bundle.pk)
    assert bundle_build(bundle_id=bundle.pk) is None
    again = DisclosureBundle.objects.get(pk=bundle.pk)
    assert (again.sha256, again.finished_at) == (first.sha256, first.finished_at)
    assert again.status == DisclosureBundle.Status.READY


@pytest.mark.django_db
def test_a_failed_render_is_shown_on_the_bundle(
    records_officer, second_officer, council, child_file, monkeypatch
):
    request = _ready(records_officer, second_officer, council, child_file)
    bundle = DisclosureBundle.objects.create(request=request, requested_by=records_officer)

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("access_requests.bundle.bundle_render", broken)
    assert bundle_build(bundle_id=bundle.pk) is None
    bundle.refresh_from_db()
    assert bundle.status == DisclosureBundle.Status.FAILED
    assert "disk full" in bundle.error


@pytest.mark.django_db
def test_reminders_go_once_and_overdue_escalates(records_officer, council, records_team):
    manager = staff_member(role=Role.TEAM_MANAGER, team=records_team, username="mo")
    today = timezone.localdate()
    soon = log_request(records_officer, council, received_on=today - timedelta(days=27))
    services.access_request_assign(actor=records_officer, request=soon, officer=records_officer)
    late = log_request(records_officer, council, received_on=today - timedelta(days=45))
    services.access_request_assign(actor=records_officer, request=late, officer=records_officer)
    mail.outbox.clear()
    sent = reminders.reminders_send(today=today)
    assert sent == 2
    assert {m.to[0] for m in mail.outbox} == {records_officer.email, manager.email}
    overdue = ReminderSent.objects.get(request=late)
    assert overdue.kind == ReminderSent.Kind.OVERDUE
    assert overdue.recipient == manager
    assert ReminderSent.objects.get(request=soon).recipient == records_officer
    assert reminders.reminders_send(today=today) == 0
    assert len(mail.outbox) == 2


@pytest.mark.parametrize(
    ("days_left", "kind"),
    [
        (15, None),
        (11, None),
        (10, "days_10"),
        (6, "days_10"),
        (5, "days_5"),
        (2, "days_5"),
        (1, "days_1"),
        (0, "due_today"),
        (-1, "overdue"),
    ],
)
def test_reminder_thresholds(days_left, kind):
    assert reminders.reminder_kind(days_left) == kind


@pytest.mark.django_db
def test_paused_requests_are_not_reminded(records_officer, council):
    today = timezone.localdate()
    request = log_request(records_officer, council, received_on=today - timedelta(days=29))
    services.access_request_assign(actor=records_officer, request=request, officer=records_officer)
    services.access_request_pause(
        actor=records_officer, request=request, asked_on=today, question="Which years?"
    )
    assert reminders.reminders_send(today=today) == 0


@pytest.mark.django_db
def test_a_link_revoked_after_it_was_found_does_not_download(
    records_officer, second_officer, council, child_file, django_capture_on_commit_callbacks
):
    from core.errors import ApplicationError

    request = _ready(records_officer, second_officer, council, child_file)
    with django_capture_on_commit_callbacks(execute=False):
        bundle = services.bundle_request(actor=records_officer, request=request)
    bundle = bundle_build(bundle_id=bundle.pk)
    link, token = services.download_link_create(
        actor=records_officer,
        bundle=bundle,
        recipient_name="Ellie",
        recipient_email="e@example.com",
    )
    found = services.download_link_find(token)
    assert found is not None
    services.download_link_revoke(actor=records_officer, link=link)
    with pytest.raises(ApplicationError):
        services.download_link_use(link=found)
    link.refresh_from_db()
    assert link.downloads == 0
    assert services.download_link_find(token) is None


@pytest.mark.django_db
def test_a_document_disclosed_in_full_shows_its_own_pages(
    records_officer, second_officer, council, child_file, practitioner
):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from weasyprint import HTML

    from records import services as record_services

    letter = HTML(
        string="<p>Letter from the school.</p><p style='page-break-before: always'>Page two.</p>"
    ).write_pdf()
    record_services.document_upload(
        actor=practitioner,
        case=child_file.case,
        file=SimpleUploadedFile("school-letter.pdf", letter),
        document_type="letter",
        title="Letter from the school",
    )
    request = _ready(records_officer, second_officer, council, child_file)
    bundle = services.bundle_request(actor=records_officer, request=request)
    bundle = bundle_build(bundle_id=bundle.pk)
    assert bundle is not None
    from pypdf import PdfReader

    with bundle.file.open("rb") as handle:
        reader = PdfReader(handle)
        # Pages of one section share their resources: count the distinct images drawn.
        images = {image.name for page in reader.pages for image in page.images}
        assert len(images) == 2  # the letter's two pages
        texts = [page.extract_text() for page in reader.pages]
    assert all(request.reference in text for text in texts)
