"""The outbound package: a PDF of the records shared, for the named recipient.

The records are laid out by the disclosure bundle's renderer (``access_requests.bundle``), with
its promises: every piece of text is escaped, nothing is fetched, a document's own pages are
drawn from the stored file. A cover sheet names the recipient, the purpose and the legal
footing; each record is shown as it stood when it was shared (the version the sharing pins),
whatever has been amended since.

A package is produced by a worker (``package_render``, claimed once however often the task is
delivered) and reaches the recipient through a link sent to their secure email address: one
link per address, used once, expiring, revocable. Every download, by staff or by the
recipient, is recorded as an export naming the people the package is about.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.mail import send_mail
from django.db import IntegrityError, models, transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from access_requests import bundle as pdf
from access_requests.collection import item_text
from access_requests.documents import MAX_PAGES as MAX_DOCUMENT_PAGES
from access_requests.documents import page_images
from audit.models import Action, Purpose
from audit.services import event_record
from core.errors import ApplicationError
from records import policies as record_policies
from records.models import ITEM_MODELS, Document, Item, ItemKind, ItemRevision, Person
from records.policies import record_access
from records.selectors import NOT_FOUND, _uuid
from sharing.models import (
    Authorisation,
    ConsentStatus,
    PackageLink,
    SharedItem,
    SharingPackage,
    SharingRecord,
    SharingStatus,
)
from sharing.selectors import (
    sees_everyone,
    sharing_list_for_user,
    sharing_people_ids,
    workable_person_ids,
)

if TYPE_CHECKING:
    from accounts.models import User

log = logging.getLogger(__name__)

Status = SharingPackage.Status
WORKING = (Status.QUEUED, Status.RENDERING)
# A package still queued or being prepared after this long was lost (a worker stopped): it may
# be asked for again.
STALE_AFTER = timedelta(hours=1)


# --- Who may handle a sharing's package ------------------------------------------------------


def handling_refusal(user: User, sharing: SharingRecord) -> str:
    """Why the user may not ask for, download or send this sharing's package ("" if they may).

    The package holds every person and record of the sharing, so the user must see them all;
    and it is for the person who recorded the sharing, or someone working on one of its
    people's cases."""
    access = record_access(user)
    people = sharing_people_ids(sharing)
    if not sees_everyone(user, people):
        return "Only someone who can see everyone in this sharing can handle its package."
    items = list(sharing.items.values_list("item_id", flat=True))
    seen = Item.objects.filter(pk__in=items).filter(record_policies.item_visible_q(access))
    if seen.count() != len(set(items)):
        return "Only someone who can see every record in this sharing can handle its package."
    if sharing.recorded_by_id != user.pk and not workable_person_ids(user, people):
        return (
            "Only the person who recorded this sharing, or someone working on one of these "
            "people's cases, can handle its package."
        )
    return ""


def can_handle_package(user: User, sharing: SharingRecord) -> bool:
    return not handling_refusal(user, sharing)


def _require_handler(user: User, sharing: SharingRecord) -> None:
    refusal = handling_refusal(user, sharing)
    if refusal:
        raise ApplicationError(refusal)


# --- Reads -----------------------------------------------------------------------------------


def sharing_for_package(*, user: User, sharing_id: Any) -> SharingRecord:
    """A sharing the user may see, or 404."""
    sharing = (
        sharing_list_for_user(user=user)
        .select_related("organisation")
        .filter(public_id=_uuid(sharing_id))
        .first()
    )
    if sharing is None:
        raise Http404(NOT_FOUND)
    return sharing


def package_get_for_user(*, user: User, package_id: Any) -> SharingPackage:
    """A package of a sharing the user may see, or 404 (the same for one that does not
    exist)."""
    package = (
        SharingPackage.objects.filter(
            public_id=_uuid(package_id), sharing__in=sharing_list_for_user(user=user)
        )
        .select_related("sharing", "sharing__agency", "sharing__organisation", "requested_by")
        .first()
    )
    if package is None:
        raise Http404(NOT_FOUND)
    return package


def link_get_for_user(*, user: User, package: SharingPackage, link_id: Any) -> PackageLink:
    link = package.links.filter(public_id=_uuid(link_id)).first()
    if link is None:
        raise Http404(NOT_FOUND)
    return link


def latest_package(sharing: SharingRecord) -> SharingPackage | None:
    return sharing.packages.select_related("requested_by").order_by("-requested_at", "-id").first()


def link_state(link: PackageLink, now: datetime | None = None) -> str:
    now = now or timezone.now()
    if link.used_at is not None:
        return "Downloaded"
    if link.revoked_at is not None:
        return "Revoked"
    if link.expires_at <= now:
        return "Expired"
    return "Waiting"


def package_links(package: SharingPackage) -> list[tuple[PackageLink, str]]:
    now = timezone.now()
    return [
        (link, link_state(link, now))
        for link in package.links.select_related("created_by").order_by("created_at", "id")
    ]


@dataclass
class PackagePanel:
    """The package panel of a sharing page (templates/sharing/_package.html)."""

    sharing: SharingRecord
    package: SharingPackage | None
    working: bool
    ready: bool
    can_handle: bool
    can_request: bool
    request_refusal: str
    # Links may be sent: the package is ready, the user may handle it, and the sharing stands.
    can_send: bool
    links: list[tuple[PackageLink, str]]
    link_form: Any
    secure_domain: str
    link_days: int
    status_url: str


def package_panel(*, user: User, sharing: SharingRecord) -> dict[str, Any]:
    """What the sharing page shows about its package, for a user who may see the sharing:
    ``{"package_panel": PackagePanel}``, to merge into the page's context for
    templates/sharing/_package.html."""
    from sharing.package_forms import PackageLinkForm

    package = latest_package(sharing)
    refusal = handling_refusal(user, sharing)
    request_refusal = refusal or _request_refusal(sharing, package)
    working = package is not None and package.status in WORKING
    ready = package is not None and package.status == Status.READY and bool(package.file)
    return {
        "package_panel": PackagePanel(
            sharing=sharing,
            package=package,
            working=working,
            ready=ready,
            can_handle=not refusal,
            can_request=not request_refusal,
            request_refusal=request_refusal,
            can_send=(ready and not refusal and sharing.authorisation != Authorisation.DECLINED),
            links=package_links(package) if package is not None else [],
            link_form=PackageLinkForm(
                initial={
                    "recipient_name": sharing.recipient_name,
                    "recipient_email": sharing.recipient_email,
                }
            ),
            secure_domain=sharing.agency.secure_email_domain,
            link_days=settings.CAREFILE_DOWNLOAD_LINK_DAYS,
            status_url=(
                reverse("sharing:package-status", args=[package.public_id])
                if package is not None and working
                else ""
            ),
        )
    }


# --- Asking for a package --------------------------------------------------------------------


def _is_stale(package: SharingPackage, now: datetime) -> bool:
    since = package.started_at or package.requested_at
    return package.status in WORKING and since < now - STALE_AFTER


_DECLINED = (
    "A manager declined to authorise this sharing: nothing more may be sent to the recipient."
)


def _request_refusal(sharing: SharingRecord, latest: SharingPackage | None) -> str:
    if sharing.status != SharingStatus.SHARED:
        if sharing.status == SharingStatus.AWAITING_AUTHORISATION:
            return "The package can be made once a manager has authorised the sharing."
        return "This sharing did not go ahead, so it has no package."
    if sharing.authorisation == Authorisation.DECLINED:
        return _DECLINED
    if latest is None or latest.status == Status.FAILED:
        return ""
    if latest.status in WORKING and not _is_stale(latest, timezone.now()):
        return "The package is already being prepared."
    if latest.status == Status.READY:
        return "This sharing already has its package."
    return ""


@transaction.atomic
def package_request(*, actor: User, sharing: SharingRecord) -> SharingPackage:
    """Queue the package of a sharing that has been done; a worker renders it
    (``package_render``). One package per sharing: another only after one failed or was
    lost."""
    sharing = (
        SharingRecord.objects.select_for_update(of=("self",))
        .select_related("agency")
        .get(pk=sharing.pk)
    )
    _require_handler(actor, sharing)
    latest = latest_package(sharing)
    refusal = _request_refusal(sharing, latest)
    if refusal:
        raise ApplicationError(refusal)
    now = timezone.now()
    if latest is not None and _is_stale(latest, now):
        SharingPackage.objects.filter(pk=latest.pk, status__in=WORKING).update(
            status=Status.FAILED,
            error="Not finished within an hour: the worker preparing it stopped.",
            finished_at=now,
        )
    package = SharingPackage.objects.create(sharing=sharing, requested_by=actor)
    event_record(
        actor=actor,
        action=Action.EXPORT,
        summary=f"Asked for the package of a sharing with {sharing.agency.name}",
        obj=package,
        subjects=sharing_people_ids(sharing),
        personal={"reference": sharing.reference},
    )

    def queue() -> None:
        from sharing.tasks import package_render_task

        package_render_task.delay(package.pk)

    transaction.on_commit(queue)
    return package


# --- Rendering -------------------------------------------------------------------------------


def _long_date(moment: Any) -> str:
    return f"{moment.day} {pdf.MONTH_NAMES[moment.month - 1]} {moment.year}"


def _user_name(user: Any) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def _legal_facts(sharing: SharingRecord) -> list[tuple[str, str]]:
    facts = [("Article 6 basis (UK GDPR)", sharing.get_lawful_basis_display())]
    if sharing.article9_condition:
        condition = sharing.get_article9_condition_display()
        if sharing.schedule1_condition:
            condition = f"{condition}; {sharing.get_schedule1_condition_display()}"
        facts.append(("Article 9 condition (special category)", condition))
    if sharing.criminal_condition:
        facts.append(
            (
                "Article 10 condition (criminal offence data)",
                sharing.get_criminal_condition_display(),
            )
        )
    if sharing.statute:
        facts.append(("Statute relied on", sharing.statute_display))
    if sharing.agreement is not None:
        agreement = sharing.agreement.title
        if sharing.agreement.reference:
            agreement = f"{agreement} ({sharing.agreement.reference})"
        facts.append(("Information sharing agreement", agreement))
    if sharing.consent_status == ConsentStatus.ON_FILE:
        facts.append(("Consent", "Given: a valid consent covers this sharing"))
    else:
        facts.append(("Consent", sharing.get_consent_status_display()))
        if sharing.no_consent_reason:
            reason = sharing.get_no_consent_reason_display()
            facts.append(("Shared without consent because", reason))
        if sharing.authorisation == Authorisation.AUTHORISED and sharing.authorised_at:
            facts.append(
                (
                    "Authorised by",
                    f"{_user_name(sharing.authorised_by)}, "
                    f"{_long_date(timezone.localtime(sharing.authorised_at))}",
                )
            )
        elif sharing.authorisation == Authorisation.PENDING:
            facts.append(
                ("Authorisation", "Urgent safeguarding sharing: a manager's review is pending")
            )
    return facts


def cover_sheet(sharing: SharingRecord, people: Iterable[Person], records: int) -> pdf.CoverSheet:
    recipient = sharing.recipient_name
    if sharing.recipient_role:
        recipient = f"{recipient}, {sharing.recipient_role}"
    facts = [
        ("Sharing reference", sharing.reference),
        ("From", sharing.organisation.name),
        ("Shared with", sharing.agency.name),
        ("Recipient", recipient),
    ]
    if sharing.recipient_email:
        facts.append(("Recipient's email", sharing.recipient_email))
    facts += [
        ("Date shared", _long_date(sharing.shared_on)),
        ("Shared by", _user_name(sharing.recorded_by)),
        ("About", ", ".join(p.full_name for p in people)),
        ("Purpose", sharing.get_purpose_display()),
        ("What it is needed for", sharing.purpose_detail),
        ("Information included", sharing.data_categories_display),
        *_legal_facts(sharing),
        ("Records enclosed", f"{records} record{'' if records == 1 else 's'}"),
    ]
    return pdf.CoverSheet(
        heading=f"Information shared with {sharing.agency.name}",
        facts=facts,
        paragraphs=[
            "Official – sensitive. This package holds personal information shared for the "
            "purpose and on the legal basis above. Use it only for that purpose, keep it "
            "securely, do not pass it on without the agreement of "
            f"{sharing.organisation.name}, and destroy it when it is no longer needed.",
            "Each record is shown as it stood when it was shared.",
        ],
    )


def _as_shared(item: Item, revision: ItemRevision) -> Item:
    """The item's own row with the amendable fields as they stood in that version."""
    detail = ITEM_MODELS[item.kind].objects.select_related("case").get(pk=item.pk)
    for name, value in (revision.data or {}).items():
        if name in detail.amendable_fields:
            field = cast("models.Field[Any, Any]", detail._meta.get_field(name))
            setattr(detail, name, field.to_python(value))
    return detail


def _document_note(some_pages: bool, organisation: str) -> str:
    if some_pages:
        return (
            f"Only the first {MAX_DOCUMENT_PAGES} pages of the document are shown here: ask "
            f"{organisation} for the whole document."
        )
    return f"The document itself cannot be shown here: ask {organisation} for a copy."


def _package_items(shared: list[SharedItem], organisation: str) -> list[pdf.BundleItem]:
    revisions = {
        (r.item_id, r.number): r
        for r in ItemRevision.objects.filter(item_id__in=[s.item_id for s in shared])
    }
    versions = []
    for row in shared:
        revision = revisions.get((row.item_id, row.revision_number))
        if revision is None:
            raise ApplicationError(
                f"Version {row.revision_number} of a shared record is no longer held."
            )
        versions.append((_as_shared(row.item, revision), row.revision_number))
    versions.sort(key=lambda pair: (pair[0].occurred_at, pair[0].pk))
    items = []
    for number, (detail, version) in enumerate(versions, start=1):
        text = item_text(detail)
        images: list[tuple[str, bytes]] = []
        if detail.kind == ItemKind.DOCUMENT and isinstance(detail, Document) and detail.file:
            images, note = page_images(detail)
            if note:
                text = f"{text}\n\n{_document_note(bool(images), organisation)}"
        case = detail.case
        items.append(
            pdf.BundleItem(
                number=number,
                occurred_at=detail.occurred_at,
                title=detail.title,
                source=(
                    f"{case.get_service_display()} case {case.reference} · "
                    f"{detail.get_kind_display()} · version {version}"
                ),
                segments=[pdf.Segment(text)],
                images=images,
            )
        )
    return items


def package_spec(sharing: SharingRecord) -> pdf.BundleSpec:
    people = [
        s.person for s in sharing.subjects.select_related("person").order_by("person__last_name")
    ]
    shared = list(sharing.items.select_related("item"))
    items = _package_items(shared, sharing.organisation.name)
    count = len(items)
    return pdf.BundleSpec(
        reference=sharing.reference,
        organisation=sharing.organisation.name,
        cover_letter=[],
        items=items,
        withheld=[],
        exemptions=[],
        generated_on=timezone.localdate(),
        cover_sheet=cover_sheet(sharing, people, count),
        title=f"Sharing package {sharing.reference}",
        running_head=f"Shared with {sharing.agency.name} · {sharing.reference}",
        index_note=(
            f"This package holds {count} record{'' if count == 1 else 's'}, in date order, "
            "each as it stood when it was shared. Each is listed with its number, date, title "
            "and the page it starts on, and below that where it comes from."
        ),
        back_matter=False,
    )


def package_render(*, package_id: int) -> SharingPackage | None:
    """Render a queued package. Claims it with a conditional update, so a task delivered twice
    renders once; a failure is recorded on the package for the page to show."""
    claimed = SharingPackage.objects.filter(pk=package_id, status=Status.QUEUED).update(
        status=Status.RENDERING, started_at=timezone.now()
    )
    if not claimed:
        return None
    package = SharingPackage.objects.select_related(
        "sharing",
        "sharing__agency",
        "sharing__agreement",
        "sharing__organisation",
        "sharing__recorded_by",
        "sharing__authorised_by",
    ).get(pk=package_id)
    sharing = package.sharing
    try:
        with tempfile.TemporaryFile() as out:
            pages = pdf.bundle_render(
                package_spec(sharing), out, section_items=settings.CAREFILE_BUNDLE_SECTION_ITEMS
            )
            out.seek(0)
            digest = hashlib.sha256()
            for chunk in iter(lambda: out.read(1 << 20), b""):
                digest.update(chunk)
            size = out.tell()
            out.seek(0)
            with transaction.atomic():
                package = SharingPackage.objects.select_for_update().get(pk=package_id)
                if package.status != Status.RENDERING:
                    # Given up on as lost while it rendered: a newer package stands instead.
                    return None
                package.file.save(f"{package.public_id}.pdf", File(out), save=False)
                package.status = Status.READY
                package.pages = pages
                package.size = size
                package.sha256 = digest.hexdigest()
                package.error = ""
                package.finished_at = timezone.now()
                package.save()
                event_record(
                    actor=None,
                    action=Action.EXPORT,
                    summary=f"Produced the package of a sharing with {sharing.agency.name}",
                    obj=package,
                    subjects=sharing_people_ids(sharing),
                    personal={"reference": sharing.reference, "pages": pages},
                    purpose=Purpose.SYSTEM,
                )
    except Exception as error:
        log.exception("Sharing package %s failed", package_id)
        SharingPackage.objects.filter(pk=package_id).update(
            status=Status.FAILED,
            error=f"{type(error).__name__}: {error}"[:500],
            finished_at=timezone.now(),
        )
        return None
    return package


# --- Staff download --------------------------------------------------------------------------


def _require_ready(package: SharingPackage) -> None:
    if package.status != Status.READY or not package.file:
        raise ApplicationError("The package is not ready yet.")


@transaction.atomic
def package_download_record(*, actor: User, package: SharingPackage) -> SharingPackage:
    """Record a member of staff downloading the package: an export naming its people."""
    sharing = package.sharing
    _require_handler(actor, sharing)
    _require_ready(package)
    event_record(
        actor=actor,
        action=Action.EXPORT,
        summary=f"Downloaded the package of a sharing with {sharing.agency.name}",
        obj=package,
        subjects=sharing_people_ids(sharing),
        personal={"reference": sharing.reference, "sha256": package.sha256},
    )
    return package


# --- Links for the recipient -----------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _at_domain(email: str, domain: str) -> bool:
    at = email.rpartition("@")[2]
    return at == domain or at.endswith("." + domain)


@dataclass(frozen=True)
class _Mail:
    subject: str
    body: str
    to: str


def _link_mail(link: PackageLink, sharing: SharingRecord, url: str) -> _Mail:
    expires = timezone.localtime(link.expires_at)
    return _Mail(
        subject=f"Information shared with you by {sharing.organisation.name} ({sharing.reference})",
        body=(
            f"Dear {link.recipient_name},\n\n"
            f"{sharing.organisation.name} has shared information with {sharing.agency.name} "
            f"for {sharing.get_purpose_display().lower()} (reference {sharing.reference}). "
            "You can download it, once, from this secure link:\n\n"
            f"{url}\n\n"
            f"The link works until {_long_date(expires)}, {expires:%H:%M}. Opening it shows a "
            "page with a Download button; the file downloads only when you press it, and the "
            "link then stops working. If it has expired or does not work, contact "
            f"{_user_name(link.created_by)} at {sharing.organisation.name}.\n\n"
            "The file holds confidential personal information: keep it securely and use it "
            "only for the purpose it was shared for.\n"
        ),
        to=link.recipient_email,
    )


def _earlier_link_refusal(package: SharingPackage, email: str) -> str:
    """Why this address may not have another link: it downloaded the package already, or its
    link is still live. A link revoked, or expired unused, is replaced (marked revoked now)."""
    now = timezone.now()
    for earlier in package.links.select_for_update().filter(
        recipient_email=email, revoked_at__isnull=True
    ):
        if earlier.used_at is not None:
            return "That recipient has downloaded the package already: each downloads it once."
        if earlier.expires_at > now:
            return "That address already has a live link: revoke it first to send a new one."
        earlier.revoked_at = now
        earlier.save(update_fields=["revoked_at"])
    return ""


@transaction.atomic
def package_link_create(
    *,
    actor: User,
    package: SharingPackage,
    recipient_name: str,
    recipient_email: str,
    base_url: str = "",
) -> tuple[PackageLink, str]:
    """A link for one named recipient at the agency's secure email domain, emailed to them.
    Returns the link and its token (only its hash is kept). One live link per address, and
    one download: an address whose link was revoked, or expired unused, may have a new one.
    ``base_url`` (scheme and host) makes the emailed link absolute."""
    package = (
        SharingPackage.objects.select_for_update()
        .select_related("sharing", "sharing__agency", "sharing__organisation")
        .get(pk=package.pk)
    )
    sharing = package.sharing
    _require_handler(actor, sharing)
    _require_ready(package)
    if sharing.authorisation == Authorisation.DECLINED:
        raise ApplicationError(_DECLINED)
    errors: dict[str, list[str]] = {}
    name = (recipient_name or "").strip()
    email = (recipient_email or "").strip().lower()
    if not name:
        errors["recipient_name"] = ["Enter the name of the person the link is for."]
    if not email:
        errors["recipient_email"] = ["Enter the email address the link goes to."]
    else:
        domain = sharing.agency.secure_email_domain
        if domain and not _at_domain(email, domain):
            errors["recipient_email"] = [
                f"Links to {sharing.agency.name} go only to addresses at {domain}."
            ]
        else:
            refusal = _earlier_link_refusal(package, email)
            if refusal:
                errors["recipient_email"] = [refusal]
    if errors:
        raise ValidationError(errors)
    token = secrets.token_urlsafe(32)
    link = PackageLink(
        package=package,
        token_hash=_token_hash(token),
        recipient_name=name,
        recipient_email=email,
        expires_at=timezone.now() + timedelta(days=settings.CAREFILE_DOWNLOAD_LINK_DAYS),
        created_by=actor,
    )
    link.full_clean(exclude=["package", "created_by"], validate_unique=False)
    try:
        with transaction.atomic():
            link.save()
    except IntegrityError:
        raise ValidationError(
            {"recipient_email": ["This package already has a link for that address."]}
        ) from None
    event_record(
        actor=actor,
        action=Action.CREATE,
        summary=f"Sent a secure link to the package of a sharing with {sharing.agency.name}",
        obj=link,
        subjects=sharing_people_ids(sharing),
        personal={"reference": sharing.reference, "recipient": name, "email": email},
    )
    url = base_url.rstrip("/") + reverse("sharing:package-public", args=[token])
    mail = _link_mail(link, sharing, url)
    transaction.on_commit(
        lambda: send_mail(mail.subject, mail.body, settings.DEFAULT_FROM_EMAIL, [mail.to])
    )
    return link, token


def package_link_find(token: str) -> PackageLink | None:
    """The live link for a token, or None: unknown, used, expired and revoked look the same."""
    if not token or len(token) > 100:
        return None
    return (
        PackageLink.objects.select_related(
            "package",
            "package__sharing",
            "package__sharing__organisation",
            "package__sharing__agency",
        )
        .filter(
            token_hash=_token_hash(token),
            used_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
            package__status=Status.READY,
        )
        .exclude(package__sharing__authorisation=Authorisation.DECLINED)
        .first()
    )


@transaction.atomic
def package_link_use(*, link: PackageLink, ip_address: str = "") -> PackageLink:
    """Spend the link's single use. Looked at again under the lock: of two presses at once,
    one downloads and the other is refused."""
    link = (
        PackageLink.objects.select_for_update(of=("self",))
        .select_related("package", "package__sharing", "package__sharing__agency")
        .get(pk=link.pk)
    )
    if (
        link.used_at is not None
        or link.revoked_at is not None
        or link.expires_at <= timezone.now()
        or link.package.status != Status.READY
        or link.package.sharing.authorisation == Authorisation.DECLINED
    ):
        raise ApplicationError("This link has expired or is not valid.")
    link.used_at = timezone.now()
    link.save(update_fields=["used_at"])
    sharing = link.package.sharing
    event_record(
        actor=None,
        action=Action.EXPORT,
        summary=f"The package of a sharing with {sharing.agency.name} was downloaded "
        "through its secure link",
        obj=link,
        subjects=sharing_people_ids(sharing),
        personal={
            "reference": sharing.reference,
            "recipient": link.recipient_name,
            "email": link.recipient_email,
            "ip_address": ip_address,
        },
    )
    return link


@transaction.atomic
def package_link_revoke(*, actor: User, link: PackageLink) -> PackageLink:
    link = (
        PackageLink.objects.select_for_update(of=("self",))
        .select_related("package", "package__sharing", "package__sharing__agency")
        .get(pk=link.pk)
    )
    sharing = link.package.sharing
    _require_handler(actor, sharing)
    if link.used_at is not None:
        raise ApplicationError("That link has already been used.")
    if link.revoked_at is not None:
        raise ApplicationError("That link is already revoked.")
    link.revoked_at = timezone.now()
    link.save(update_fields=["revoked_at"])
    event_record(
        actor=actor,
        action=Action.UPDATE,
        summary="Revoked a secure link to a sharing package",
        obj=link,
        subjects=sharing_people_ids(sharing),
        personal={"reference": sharing.reference, "recipient": link.recipient_name},
    )
    return link
