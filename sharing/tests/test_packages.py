"""The outbound package of a sharing: rendered for real by WeasyPrint and read back with pypdf;
asked for, downloaded and sent through the pages and the API; downloaded once by the recipient
from the public page. All synthetic."""

from __future__ import annotations

import hashlib
import io
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfReader
from rest_framework.test import APIClient
from weasyprint import HTML

from access_requests import bundle as pdf
from audit.models import Action, AuditEvent
from core.errors import ApplicationError
from records import services as record_services
from sharing import packages, services
from sharing.models import PackageLink, SharingPackage, SharingRecord, SharingStatus
from sharing.tests.conftest import safeguarding_draft

pytestmark = pytest.mark.django_db

HOSTILE = '<img src="file:///etc/passwd"> <script>alert("x")</script> & <b>bold</b>'
AUTHORISATION_NOTE = "Strategy discussion agreed: telling the family first puts Ruby at risk."
READY = SharingPackage.Status.READY


@pytest.fixture(autouse=True)
def _quick_passwords(settings) -> None:
    """Staff here sign in with force_login: a cheap hasher keeps making the personas quick."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _flat(text: str) -> str:
    return "".join(text.split())


def _images(page) -> list[object]:
    """The images drawn on a page, however deep in its form objects."""
    found: list[object] = []
    pending = [page.get("/Resources")]
    while pending:
        resources = pending.pop()
        if not resources:
            continue
        for entry in resources.get_object().get("/XObject", {}).values():
            entry = entry.get_object()
            if entry["/Subtype"] == "/Image":
                found.append(entry)
            elif entry["/Subtype"] == "/Form":
                pending.append(entry.get("/Resources"))
    return found


def _recorded(practitioner, register, share_file, **overrides) -> SharingRecord:
    return services.sharing_record(
        actor=practitioner, draft=safeguarding_draft(register, share_file, **overrides)
    )


def _shared(practitioner, manager, register, share_file, **overrides) -> SharingRecord:
    """amy records a safeguarding sharing without consent; cara, her manager, authorises it."""
    sharing = _recorded(practitioner, register, share_file, **overrides)
    return services.sharing_authorise(actor=manager, sharing=sharing, note=AUTHORISATION_NOTE)


def _render(actor, sharing, capture) -> SharingPackage:
    with capture(execute=False) as queued:
        package = packages.package_request(actor=actor, sharing=sharing)
    assert len(queued) == 1  # the render task, queued once the request commits
    rendered = packages.package_render(package_id=package.pk)
    assert rendered is not None, SharingPackage.objects.get(pk=package.pk).error
    return rendered


def _stub_renderer(monkeypatch) -> None:
    """For tests about links and pages, not the PDF: a one-page file, written at once."""

    def render(spec, out, **options):
        out.write(b"%PDF-1.7\n% package for " + spec.reference.encode() + b"\n%%EOF\n")
        return 1

    monkeypatch.setattr(pdf, "bundle_render", render)


@pytest.fixture
def sharing(practitioner, manager, register, share_file) -> SharingRecord:
    return _shared(practitioner, manager, register, share_file)


@pytest.fixture
def ready(sharing, practitioner, monkeypatch, django_capture_on_commit_callbacks):
    _stub_renderer(monkeypatch)
    return _render(practitioner, sharing, django_capture_on_commit_callbacks)


def _link(package, actor, email="sam.okafor@northshire.pnn.police.uk", name="DC Sam Okafor"):
    return packages.package_link_create(
        actor=actor,
        package=package,
        recipient_name=name,
        recipient_email=email,
        base_url="https://carefile.example.gov.uk/",
    )


def _exports(obj) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(action=Action.EXPORT, object_id=str(obj.public_id)).order_by("id")
    )


# --- The PDF -----------------------------------------------------------------------------------


def test_the_package_shows_the_cover_and_each_record_as_it_was_shared(
    practitioner, manager, register, share_file, django_capture_on_commit_callbacks
):
    hostile = record_services.note_record(
        actor=practitioner,
        case=share_file.case,
        title=f"Message from the school {HOSTILE}",
        body=f"The school forwarded this message: {HOSTILE}",
    )
    letter = record_services.document_upload(
        actor=practitioner,
        case=share_file.case,
        file=SimpleUploadedFile(
            "referral.pdf", HTML(string="<p>Referral from the school nurse</p>").write_pdf()
        ),
        document_type="letter",
        title="Referral letter",
    )
    sharing = _shared(
        practitioner,
        manager,
        register,
        share_file,
        items=[share_file.visit, hostile, letter],
    )
    # Amended after it went: the package still holds the words that were shared.
    record_services.item_amend(
        actor=practitioner,
        item=share_file.visit,
        changes={"body": "Ruby was calm and well; no marks seen.", "title": "Amended visit"},
        reason="Wrong visit typed in.",
    )

    package = _render(practitioner, sharing, django_capture_on_commit_callbacks)

    data = package.file.open("rb").read()
    assert package.status == READY
    assert package.sha256 == hashlib.sha256(data).hexdigest()
    assert package.size == len(data)
    reader = PdfReader(io.BytesIO(data))
    assert package.pages == len(reader.pages)
    texts = [page.extract_text() for page in reader.pages]
    cover, whole = texts[0], _flat("\n".join(texts))

    for fact in (
        "Information shared with Northshire Police",
        "DC Sam Okafor",
        "Detective constable, child abuse investigation",
        "Ashdown Borough Council",
        sharing.reference,
        "Safeguarding",
        "6(1)(e) Public task",
        "Children Act 1989, section 47 (child protection)",
        "Northshire safeguarding information sharing agreement (ISA-2025-04)",
        "Ruby Fennimore",
    ):
        assert _flat(fact) in _flat(cover), fact
    assert "Article 6 basis" in cover
    assert "Statute relied on" in cover

    assert _flat("Ruby had a bruise on her arm; Carys said she fell in the park.") in whole
    assert _flat("Home visit") in whole
    assert _flat("no marks seen") not in whole
    assert "Amendedvisit" not in whole
    # The hostile text is printed as text: escaped, and nothing was fetched (a fetch fails
    # the render, so a ready package fetched nothing).
    assert _flat(f"The school forwarded this message: {HOSTILE}") in whole
    assert b"/URI" not in data
    # The letter's own page is drawn into the package as an image.
    assert "could not be opened" not in "\n".join(texts)
    assert any(_images(page) for page in reader.pages)
    assert [entry.title for entry in reader.outline if not isinstance(entry, list)] == [
        "Cover sheet",
        "Index",
        "Records",
    ]
    asked, produced = _exports(package)
    assert asked.actor_id == practitioner.pk
    assert produced.actor_id is None
    assert produced.subject_id_list == [share_file.child.pk]


def test_the_render_is_claimed_once(
    sharing, practitioner, monkeypatch, django_capture_on_commit_callbacks
):
    _stub_renderer(monkeypatch)
    package = _render(practitioner, sharing, django_capture_on_commit_callbacks)
    file_name = package.file.name
    assert packages.package_render(package_id=package.pk) is None
    again = SharingPackage.objects.get(pk=package.pk)
    assert again.file.name == file_name
    assert len(_exports(package)) == 2  # asked for, produced: once each


def test_a_failed_render_is_recorded_and_may_be_asked_for_again(
    sharing, practitioner, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(spec, out, **options):
        raise pdf.FetchRefusedError("Refused to fetch ['file:///etc/passwd'].")

    monkeypatch.setattr(pdf, "bundle_render", broken)
    with django_capture_on_commit_callbacks(execute=False):
        package = packages.package_request(actor=practitioner, sharing=sharing)
    assert packages.package_render(package_id=package.pk) is None
    failed = SharingPackage.objects.get(pk=package.pk)
    assert failed.status == SharingPackage.Status.FAILED
    assert "FetchRefusedError" in failed.error
    assert not failed.file
    with django_capture_on_commit_callbacks(execute=False):
        second = packages.package_request(actor=practitioner, sharing=sharing)
    assert second.pk != package.pk


def test_only_a_sharing_that_was_done_is_packaged_and_only_once(
    practitioner, manager, register, share_file, ready, django_capture_on_commit_callbacks
):
    waiting = _recorded(practitioner, register, share_file, recipient_name="DS Priya Lal")
    assert waiting.status == SharingStatus.AWAITING_AUTHORISATION
    with pytest.raises(ApplicationError, match="authorised"):
        packages.package_request(actor=practitioner, sharing=waiting)
    assert not SharingPackage.objects.filter(sharing=waiting).exists()
    with pytest.raises(ApplicationError, match="already has its package"):
        packages.package_request(actor=practitioner, sharing=ready.sharing)


def test_nothing_more_is_sent_once_a_manager_declines_an_urgent_sharing(
    practitioner, manager, register, share_file, monkeypatch, django_capture_on_commit_callbacks
):
    _stub_renderer(monkeypatch)
    urgent = _recorded(practitioner, register, share_file, is_urgent=True)
    assert urgent.status == SharingStatus.SHARED
    package = _render(practitioner, urgent, django_capture_on_commit_callbacks)
    services.sharing_decline(actor=manager, sharing=urgent, note="Not justified without consent.")
    with pytest.raises(ApplicationError, match="declined"):
        _link(package, practitioner)
    with pytest.raises(ApplicationError, match="declined"):
        packages.package_request(
            actor=practitioner, sharing=SharingRecord.objects.get(pk=urgent.pk)
        )
    assert not PackageLink.objects.exists()


def test_a_package_lost_by_its_worker_may_be_asked_for_again(
    sharing, practitioner, time_machine, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        lost = packages.package_request(actor=practitioner, sharing=sharing)
    with pytest.raises(ApplicationError, match="already being prepared"):
        packages.package_request(actor=practitioner, sharing=sharing)
    time_machine.move_to(lost.requested_at + timedelta(hours=2))
    with django_capture_on_commit_callbacks(execute=False):
        packages.package_request(actor=practitioner, sharing=sharing)
    assert SharingPackage.objects.get(pk=lost.pk).status == SharingPackage.Status.FAILED


# --- Links for the recipient -----------------------------------------------------------------


def test_a_link_is_emailed_and_only_its_hash_is_kept(
    ready, practitioner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        link, token = _link(ready, practitioner)
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    stored = PackageLink.objects.filter(pk=link.pk).values().get()
    assert token not in str(stored)
    (message,) = mail.outbox
    assert message.to == ["sam.okafor@northshire.pnn.police.uk"]
    assert f"https://carefile.example.gov.uk/sharing/package/{token}/" in message.body
    assert "Ruby" not in message.body
    assert "Ruby" not in message.subject
    assert packages.package_link_find(token) == link


def test_one_link_per_address_and_only_at_the_agency_domain(ready, practitioner):
    first, _ = _link(ready, practitioner)
    with pytest.raises(ValidationError) as again:
        _link(ready, practitioner, email="Sam.Okafor@northshire.pnn.police.uk")
    assert "already has a live link" in str(again.value.message_dict["recipient_email"])
    with pytest.raises(ValidationError) as outside:
        _link(ready, practitioner, email="sam.okafor@gmail.com")
    assert "pnn.police.uk" in str(outside.value.message_dict["recipient_email"])
    assert PackageLink.objects.filter(package=ready).count() == 1
    # Revoked, the address may have a new link; one that expired unused is replaced.
    packages.package_link_revoke(actor=practitioner, link=first)
    second, _ = _link(ready, practitioner)
    with time_machine.travel(second.expires_at + timedelta(minutes=1), tick=False):
        third, token = _link(ready, practitioner)
    second.refresh_from_db()
    assert second.revoked_at is not None
    # Once downloaded, never again for that address.
    packages.package_link_use(link=third)
    with pytest.raises(ValidationError) as used:
        _link(ready, practitioner)
    assert "downloaded the package already" in str(used.value.message_dict["recipient_email"])


def test_declining_an_urgent_sharing_stops_its_links(
    register, share_file, practitioner, manager, django_capture_on_commit_callbacks
):
    urgent = services.sharing_record(
        actor=practitioner, draft=safeguarding_draft(register, share_file, is_urgent=True)
    )
    with django_capture_on_commit_callbacks(execute=True):
        package = packages.package_request(actor=practitioner, sharing=urgent)
    packages.package_render(package_id=package.pk)
    package.refresh_from_db()
    link, token = _link(package, practitioner)
    services.sharing_decline(actor=manager, sharing=urgent, note="Threshold not met.")
    link.refresh_from_db()
    assert link.revoked_at is not None
    assert packages.package_link_find(token) is None
    with pytest.raises(ApplicationError):
        packages.package_link_use(link=link)


def test_the_recipient_downloads_once_and_the_download_is_audited(
    client, ready, practitioner, share_file
):
    link, token = _link(ready, practitioner)
    url = reverse("sharing:package-public", args=[token])
    for _ in range(2):  # a mail scanner opening the link spends nothing
        page = client.get(url)
        assert page.status_code == 200
        body = page.content.decode()
        assert ready.sharing.reference in body
        assert "Download</button>" in body
        assert "Ruby" not in body
        assert "%PDF" not in body
        assert page["Referrer-Policy"] == "no-referrer"
    assert PackageLink.objects.get(pk=link.pk).used_at is None

    response = client.post(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    content = b"".join(response.streaming_content)
    assert content == ready.file.open("rb").read()
    assert PackageLink.objects.get(pk=link.pk).used_at is not None
    used = AuditEvent.objects.filter(request_id=response["X-Request-ID"]).get()
    assert used.action == Action.EXPORT
    assert used.subject_id_list == [share_file.child.pk]

    for method in ("post", "get"):
        refused = getattr(client, method)(url)
        assert refused.status_code == 404
        assert refused["Content-Type"].startswith("text/html")
        assert b"%PDF" not in refused.content
        assert "This link has expired or is not valid" in refused.content.decode()


def test_revoked_and_expired_links_download_nothing(client, ready, practitioner, time_machine):
    revoked, revoked_token = _link(ready, practitioner)
    packages.package_link_revoke(actor=practitioner, link=revoked)
    assert client.post(reverse("sharing:package-public", args=[revoked_token])).status_code == 404
    expiring, token = _link(ready, practitioner, email="priya.lal@pnn.police.uk", name="DS Lal")
    time_machine.move_to(expiring.expires_at + timedelta(minutes=1))
    assert client.get(reverse("sharing:package-public", args=[token])).status_code == 404
    assert client.post(reverse("sharing:package-public", args=[token])).status_code == 404
    assert not PackageLink.objects.filter(used_at__isnull=False).exists()


# --- Staff pages -------------------------------------------------------------------------------


def test_staff_ask_for_the_package_download_it_and_send_links(
    client, sharing, practitioner, share_file, monkeypatch, django_capture_on_commit_callbacks
):
    _stub_renderer(monkeypatch)
    client.force_login(practitioner)
    page_url = reverse("sharing:package", args=[sharing.public_id])
    page = client.get(page_url)
    assert page.status_code == 200
    assert 'data-testid="package-request"' in page.content.decode()

    with django_capture_on_commit_callbacks(execute=False):
        asked = client.post(page_url, {"next": "/sharing/elsewhere/?x=1"})
    assert asked.status_code == 302
    assert asked["Location"] == "/sharing/elsewhere/?x=1"
    package = SharingPackage.objects.get(sharing=sharing)
    status = client.get(reverse("sharing:package-status", args=[package.public_id])).json()
    assert status["status"] == "queued"
    assert status["finished"] is False
    working = client.get(page_url).content.decode()
    assert "bundle-status.mjs" in working

    packages.package_render(package_id=package.pk)
    detail = client.get(reverse("sharing:sharing-detail", args=[sharing.public_id]))
    assert 'data-testid="package-download"' in detail.content.decode()
    ready_page = client.get(page_url).content.decode()
    assert 'data-testid="package-download"' in ready_page
    assert 'value="sam.okafor@northshire.pnn.police.uk"' in ready_page

    download = client.get(reverse("sharing:package-download", args=[package.public_id]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    event = AuditEvent.objects.filter(request_id=download["X-Request-ID"]).get()
    assert event.action == Action.EXPORT
    assert event.subject_id_list == [share_file.child.pk]

    links_url = reverse("sharing:package-link-create", args=[package.public_id])
    outside = client.post(links_url, {"recipient_name": "Sam", "recipient_email": "s@gmail.com"})
    assert outside.status_code == 400
    assert "go only to addresses at pnn.police.uk" in outside.content.decode()
    sent = client.post(
        links_url,
        {"recipient_name": "DC Sam Okafor", "recipient_email": "sam.okafor@pnn.police.uk"},
    )
    assert sent.status_code == 302
    again = client.post(
        links_url,
        {"recipient_name": "DC Sam Okafor", "recipient_email": "sam.okafor@pnn.police.uk"},
    )
    assert again.status_code == 400
    assert "already has a live link" in again.content.decode()
    listed = client.get(page_url).content.decode()
    assert "sam.okafor@pnn.police.uk" in listed
    assert "Waiting" in listed

    link = PackageLink.objects.get(package=package)
    revoke = reverse("sharing:package-link-revoke", args=[package.public_id, link.public_id])
    assert client.post(revoke).status_code == 302
    assert "Revoked" in client.get(page_url).content.decode()


def test_a_sharing_awaiting_authorisation_offers_no_package(
    client, practitioner, register, share_file
):
    waiting = _recorded(practitioner, register, share_file)
    client.force_login(practitioner)
    url = reverse("sharing:package", args=[waiting.public_id])
    body = client.get(url).content.decode()
    assert "once a manager has authorised" in body
    assert 'data-testid="package-request"' not in body
    client.post(url)
    assert not SharingPackage.objects.filter(sharing=waiting).exists()


def test_another_team_gets_not_found_on_every_package_page_and_endpoint(
    client, ready, practitioner, other_practitioner
):
    link, _token = _link(ready, practitioner)
    package_id, sharing_id = ready.public_id, ready.sharing.public_id
    pages = [
        ("get", reverse("sharing:package", args=[sharing_id])),
        ("post", reverse("sharing:package", args=[sharing_id])),
        ("get", reverse("sharing:package-status", args=[package_id])),
        ("get", reverse("sharing:package-download", args=[package_id])),
        ("post", reverse("sharing:package-link-create", args=[package_id])),
        ("get", reverse("sharing:package-link-create", args=[package_id])),
        ("post", reverse("sharing:package-link-revoke", args=[package_id, link.public_id])),
    ]
    client.force_login(other_practitioner)
    for method, url in pages:
        assert getattr(client, method)(url).status_code == 404, (method, url)
    api = APIClient()
    api.force_authenticate(other_practitioner)
    endpoints = [
        ("post", reverse("sharing-api:package-request", args=[sharing_id])),
        ("get", reverse("sharing-api:package-detail", args=[package_id])),
        ("get", reverse("sharing-api:package-download", args=[package_id])),
        ("post", reverse("sharing-api:package-link-create", args=[package_id])),
        ("post", reverse("sharing-api:package-link-revoke", args=[package_id, link.public_id])),
    ]
    for method, url in endpoints:
        response = getattr(api, method)(url, {}, format="json")
        assert response.status_code == 404, (method, url)
        assert response.json() == {"detail": "Not found."}
    assert PackageLink.objects.get(pk=link.pk).revoked_at is None
    assert SharingPackage.objects.filter(sharing=ready.sharing).count() == 1


# --- The API ---------------------------------------------------------------------------------


def test_the_api_asks_for_reports_downloads_and_sends(
    sharing, practitioner, share_file, monkeypatch, django_capture_on_commit_callbacks
):
    _stub_renderer(monkeypatch)
    api = APIClient()
    api.force_authenticate(practitioner)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        asked = api.post(reverse("sharing-api:package-request", args=[sharing.public_id]))
    assert asked.status_code == 202, asked.json()
    assert asked.json()["status"] == "queued"
    assert len(queued) == 1
    assert api.post(reverse("sharing-api:package-request", args=[sharing.public_id])).json() == {
        "detail": "The package is already being prepared."
    }
    package = SharingPackage.objects.get(sharing=sharing)
    packages.package_render(package_id=package.pk)
    detail = api.get(reverse("sharing-api:package-detail", args=[package.public_id])).json()
    assert detail["status"] == "ready"
    assert detail["pages"] == 1
    assert detail["links"] == []

    download = api.get(reverse("sharing-api:package-download", args=[package.public_id]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    event = AuditEvent.objects.filter(request_id=download["X-Request-ID"]).get()
    assert event.action == Action.EXPORT
    assert event.subject_id_list == [share_file.child.pk]

    links = reverse("sharing-api:package-link-create", args=[package.public_id])
    bad = api.post(links, {"recipient_name": "", "recipient_email": "nope"}, format="json")
    assert bad.status_code == 400
    assert set(bad.json()) == {"recipient_name", "recipient_email"}
    outside = api.post(
        links, {"recipient_name": "Sam", "recipient_email": "sam@example.org"}, format="json"
    )
    assert outside.status_code == 400
    assert "recipient_email" in outside.json()
    created = api.post(
        links,
        {"recipient_name": "DC Sam Okafor", "recipient_email": "sam.okafor@pnn.police.uk"},
        format="json",
    )
    assert created.status_code == 201
    assert created.json()["state"] == "waiting"
    assert "url" not in created.json()
    assert "token" not in created.json()
    duplicate = api.post(
        links,
        {"recipient_name": "DC Okafor", "recipient_email": "sam.okafor@pnn.police.uk"},
        format="json",
    )
    assert duplicate.status_code == 400
    revoke = reverse(
        "sharing-api:package-link-revoke", args=[package.public_id, created.json()["id"]]
    )
    assert api.post(revoke).json()["state"] == "revoked"


def test_someone_who_only_reads_the_file_may_not_handle_the_package(
    ready, other_practitioner, share_file
):
    """ben opens the child's record by break-glass: he sees the sharing, but neither recorded
    it nor works on the case."""
    record_services.break_glass_open(
        actor=other_practitioner,
        person=share_file.child,
        reason="Police called out of hours about Ruby's safety.",
    )
    api = APIClient()
    api.force_authenticate(other_practitioner)
    detail = api.get(reverse("sharing-api:package-detail", args=[ready.public_id]))
    assert detail.status_code == 200
    for method, url in (
        ("get", reverse("sharing-api:package-download", args=[ready.public_id])),
        ("post", reverse("sharing-api:package-link-create", args=[ready.public_id])),
    ):
        assert getattr(api, method)(url, {}, format="json").status_code == 403
    assert not PackageLink.objects.exists()
