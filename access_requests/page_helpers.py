"""Small reads the records-access pages need that the selectors do not offer: whom a request
can be assigned to, the councils a form may choose from, a bundle's links, and the review
text cut into highlighted pieces. Each takes what the view has already fetched through a
selector (and so authorised), or checks the policy itself."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from access_requests import policies
from access_requests.models import (
    AccessRequest,
    AdditionalBankHoliday,
    CollectedItem,
    Complaint,
    DisclosureBundle,
    DownloadLink,
    Redaction,
    RequestDocument,
    RequestSubject,
)
from access_requests.selectors import NOT_FOUND, _uuid
from accounts.models import Membership, Organisation, User
from accounts.roles import Role
from records.models import Person

if TYPE_CHECKING:
    from datetime import date


def officers_for(organisation_ids: Iterable[int]) -> QuerySet[User]:
    """Records-access officers working for any of these councils today: members of a council's
    own team, or of a team that acts for it (the rule ``policies.officer_org_ids`` applies)."""
    ids = list(organisation_ids)
    memberships = (
        Membership.objects.current()
        .filter(role=Role.RECORDS_ACCESS_OFFICER)
        .filter(
            Q(team__organisation_id__in=ids, team__organisation__kind=Organisation.Kind.COUNCIL)
            | Q(team__acts_for__in=ids)
        )
    )
    return (
        User.objects.filter(is_active=True, pk__in=memberships.values("user_id"))
        .exclude(left_on__lt=_today())
        .order_by("first_name", "last_name", "username")
    )


def _today() -> date:
    from django.utils import timezone

    return timezone.localdate()


def officer_organisations(user: User) -> QuerySet[Organisation]:
    """The councils whose rights requests the user works, by name."""
    return Organisation.objects.filter(pk__in=policies.officer_org_ids(user)).order_by("name")


def council_choices() -> QuerySet[Organisation]:
    """Councils a member of the public may send a request or complaint to."""
    return Organisation.objects.filter(kind=Organisation.Kind.COUNCIL, is_active=True).order_by(
        "name"
    )


def bank_holiday_list() -> QuerySet[AdditionalBankHoliday]:
    return AdditionalBankHoliday.objects.select_related("added_by").order_by("-day")


def bundles_for(request: AccessRequest) -> QuerySet[DisclosureBundle]:
    return request.bundles.select_related("requested_by").order_by("-requested_at")


def links_for(bundle: DisclosureBundle) -> QuerySet[DownloadLink]:
    return bundle.links.select_related("created_by").order_by("-created_at")


def link_get(bundle: DisclosureBundle, link_id: Any) -> DownloadLink:
    link = bundle.links.filter(public_id=_uuid(link_id)).select_related("bundle").first()
    if link is None:
        raise Http404(NOT_FOUND)
    link.bundle = bundle
    return link


def document_get(request: AccessRequest, document_id: Any) -> RequestDocument:
    document = request.documents.filter(public_id=_uuid(document_id)).first()
    if document is None:
        raise Http404(NOT_FOUND)
    return document


def linked_people_of(requests: Iterable[AccessRequest]) -> set[int]:
    """The people in Carefile linked to these requests (for naming them in the read audit)."""
    ids = [r.pk for r in requests]
    if not ids:
        return set()
    return set(
        RequestSubject.objects.filter(request_id__in=ids, person__isnull=False).values_list(
            "person_id", flat=True
        )
    )


def person_for_complaint(*, user: User, complaint: Complaint, person_id: Any) -> Person:
    """A person held by the complaint's council, for saying whose records it concerns."""
    person = Person.objects.filter(
        public_id=_uuid(person_id), organisation_id=complaint.organisation_id
    ).first()
    if person is None or not policies.can_work_complaint(user, complaint):
        raise Http404(NOT_FOUND)
    return person


# --- The review text -------------------------------------------------------------------------


@dataclass
class Piece:
    """A run of the item's text covered by the same redactions."""

    text: str
    start: int
    status: str = ""  # "", "accepted", "proposed", "rejected"
    codes: list[str] = field(default_factory=list)
    anchors: list[str] = field(default_factory=list)  # ids of redactions starting here

    @property
    def html(self) -> SafeString:
        """The text escaped, with carriage returns as character references: the HTML parser
        would turn a CRLF into LF and the browser's offsets would drift from the server's."""
        return mark_safe(escape(self.text).replace("\r", "&#13;"))  # noqa: S308 - escaped above


_RANK: dict[str, int] = {
    Redaction.Status.ACCEPTED: 3,
    Redaction.Status.PROPOSED: 2,
    Redaction.Status.REJECTED: 1,
}


def text_pieces(item: CollectedItem, redactions: list[Redaction]) -> list[Piece]:
    """The item's text cut at every redaction boundary. Each piece shows the strongest status
    covering it (redacted over proposed over kept); the pieces join back into the text, so
    offsets the reviewer's browser counts match the server's."""
    text = item.text
    valid = [r for r in redactions if 0 <= r.start < r.end <= len(text)]
    cuts = sorted({0, len(text), *(r.start for r in valid), *(r.end for r in valid)})
    pieces = []
    for start, end in zip(cuts, cuts[1:], strict=False):
        covering = [r for r in valid if r.start <= start and r.end >= end]
        piece = Piece(text=text[start:end], start=start)
        if covering:
            strongest = max(covering, key=lambda r: _RANK.get(r.status, 0))
            piece.status = str(strongest.status)
            piece.codes = sorted({r.exemption for r in covering if r.status == strongest.status})
        piece.anchors = [f"redaction-{r.public_id}" for r in valid if r.start == start]
        pieces.append(piece)
    return pieces


def find_span(text: str, wanted: str, offset: int | None) -> tuple[int, int] | None:
    """The first occurrence of ``wanted`` at or after ``offset`` (character positions)."""
    if not wanted:
        return None
    position = text.find(wanted, max(offset or 0, 0))
    if position < 0:
        return None
    return position, position + len(wanted)
