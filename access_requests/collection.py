"""Finding everything held about a subject (DOMAIN.md §3, "Searching"), as plain rows for the
collect service to store, and the third parties whose details Carefile proposes to redact.

Every item is read as text once, here: the review and the bundle work on that text, so a
redaction's offsets always point into exactly what the officer saw.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from access_requests.models import Source
from access_requests.redaction import Term
from records.models import (
    ITEM_KIND_RELATED,
    Allocation,
    CaseParticipant,
    HistoricRecord,
    Item,
    ItemKind,
    ItemPerson,
    Person,
    Relationship,
)
from sharing.models import (
    Authorisation,
    Consent,
    ConsentStatus,
    SharingRecord,
    SharingStatus,
    SharingSubject,
)


@dataclass(frozen=True)
class Found:
    subject_id: int | None
    source: str
    source_key: str
    source_label: str
    title: str
    text: str
    occurred_at: datetime | None = None
    item_id: int | None = None
    is_sensitive: bool = False
    is_restricted: bool = False
    # Whose details to propose for redaction in this text (people other than the subject).
    third_party_ids: tuple[int, ...] = ()


def _kind_lines(item: Item) -> list[str]:
    """What the item's own kind adds to its text: type, place, sections, source."""
    detail: Any = item.detail()
    lines: list[str] = []
    if item.kind == ItemKind.CONTACT:
        lines.append(f"Type: {detail.get_contact_type_display()}")
        if detail.location:
            lines.append(f"Where: {detail.location}")
    elif item.kind == ItemKind.NOTE:
        lines.append(f"Type: {detail.get_note_type_display()}")
    elif item.kind == ItemKind.ASSESSMENT:
        lines.append(f"Assessment: {detail.get_assessment_type_display()}")
    elif item.kind == ItemKind.PLAN:
        lines.append(f"Plan: {detail.get_plan_type_display()}, from {detail.starts_on:%-d %B %Y}")
    elif item.kind == ItemKind.DOCUMENT:
        lines.append(f"Document: {detail.original_name} ({detail.get_document_type_display()})")
    elif item.kind == ItemKind.INFORMATION_RECEIVED:
        lines.append(f"Received from: {detail.source_organisation}")
        if detail.source_name:
            lines.append(f"Given by: {detail.source_name}")
    return lines


def item_text(item: Item) -> str:
    parts = ["\n".join(_kind_lines(item))]
    if item.body:
        parts.append(item.body)
    if item.kind == ItemKind.ASSESSMENT:
        for section in item.detail().sections or []:  # type: ignore[attr-defined]
            parts.append(f"{section.get('heading', '')}\n{section.get('text', '')}")
    if item.is_entered_in_error:
        parts.append("This entry was later marked as entered in error.")
    return "\n\n".join(part for part in parts if part.strip())


def _items(subject_ids: list[int]) -> Iterator[tuple[Item, int, bool]]:
    """Items in the subjects' own cases, then items in other files that link them."""
    related = list(ITEM_KIND_RELATED.values())
    own = (
        Item.objects.filter(case__person_id__in=subject_ids)
        .select_related("case", *related)
        .order_by("occurred_at", "pk")
    )
    seen: set[int] = set()
    for item in own.iterator(chunk_size=500):
        seen.add(item.pk)
        yield item, item.case.person_id, True
    linked = (
        ItemPerson.objects.filter(person_id__in=subject_ids)
        .exclude(item__case__person_id__in=subject_ids)
        .values_list("item_id", "person_id")
    )
    subject_of = dict(linked)
    for item in (
        Item.objects.filter(pk__in=subject_of)
        .select_related("case", *related)
        .order_by("occurred_at", "pk")
        .iterator(chunk_size=500)
    ):
        if item.pk not in seen:
            yield item, subject_of[item.pk], False


def _people_in(item_ids: list[int]) -> dict[int, set[int]]:
    """For each item, the people it links and the people taking part in its case."""
    people: dict[int, set[int]] = {}
    for item_id, person_id in ItemPerson.objects.filter(item_id__in=item_ids).values_list(
        "item_id", "person_id"
    ):
        people.setdefault(item_id, set()).add(person_id)
    case_of = dict(Item.objects.filter(pk__in=item_ids).values_list("pk", "case_id"))
    in_case: dict[int, set[int]] = {}
    for case_id, person_id in CaseParticipant.objects.filter(
        case_id__in=set(case_of.values())
    ).values_list("case_id", "person_id"):
        in_case.setdefault(case_id, set()).add(person_id)
    for item_id, case_id in case_of.items():
        people.setdefault(item_id, set()).update(in_case.get(case_id, set()))
    return people


def _person_details(person: Person) -> str:
    lines = [f"Name: {person.full_name}"]
    if person.middle_names:
        lines.append(f"Middle names: {person.middle_names}")
    for name in person.names.exclude(kind="current"):
        lines.append(f"{name.get_kind_display()}: {name.first_name} {name.last_name}".strip())
    if person.date_of_birth:
        lines.append(f"Date of birth: {person.date_of_birth:%-d %B %Y}")
    if person.date_of_death:
        lines.append(f"Date of death: {person.date_of_death:%-d %B %Y}")
    lines.append(f"Gender: {person.get_gender_display()}")
    lines.append(f"Ethnicity: {person.get_ethnicity_display()}")
    if person.first_language:
        interpreter = ", interpreter needed" if person.interpreter_needed else ""
        lines.append(f"First language: {person.first_language}{interpreter}")
    for label, value in (
        ("NHS number", person.nhs_number_display),
        ("National Insurance number", person.ni_number_display),
        ("Unique Pupil Number", person.upn),
    ):
        if value:
            lines.append(f"{label}: {value}")
    for address in person.addresses.order_by("lived_from"):
        period = ""
        if address.lived_from:
            period = f" (from {address.lived_from:%-d %B %Y}"
            period += f" to {address.lived_to:%-d %B %Y})" if address.lived_to else ")"
        lines.append(f"Address: {address}{period}")
    for phone in person.phones.all():
        lines.append(f"Phone: {phone.number} {phone.label}".rstrip())
    for email in person.emails.all():
        lines.append(f"Email: {email.email}")
    for rel in Relationship.objects.filter(Q(from_person=person) | Q(to_person=person)):
        other = rel.other(person)
        lines.append(f"Relationship: {rel.label_for(person)} {other.full_name}")
    return "\n".join(lines)


def gather(*, subjects: list[Person], historic: list[HistoricRecord]) -> Iterator[Found]:
    """Everything held about the subjects, in no particular order (the bundle sorts by date)."""
    subject_ids = [p.pk for p in subjects]
    for person in subjects:
        relatives = {
            r.other(person).pk
            for r in Relationship.objects.filter(Q(from_person=person) | Q(to_person=person))
        }
        yield Found(
            subject_id=person.pk,
            source=Source.PERSON_DETAILS,
            source_key=f"person:{person.public_id}",
            source_label=f"Personal details held by {person.organisation.name}",
            title=f"Personal details: {person.full_name}",
            text=_person_details(person),
            third_party_ids=tuple(sorted(relatives)),
        )
    yield from _found_consents(subject_ids)
    yield from _found_sharings(subject_ids)
    batch: list[tuple[Item, int, bool]] = []
    for row in _items(subject_ids):
        batch.append(row)
        if len(batch) >= 500:
            yield from _found_items(batch)
            batch = []
    if batch:
        yield from _found_items(batch)
    for record in historic:
        period = " to ".join(
            f"{d:%B %Y}" for d in (record.involvement_from, record.involvement_to) if d
        )
        yield Found(
            subject_id=None,
            source=Source.HISTORIC,
            source_key=f"historic:{record.public_id}",
            source_label="Historic paper records index",
            title=f"Paper file: {record.get_service_display()}",
            text="\n".join(
                line
                for line in (
                    f"Name on file: {record.first_name} {record.last_name}".strip(),
                    f"Other names: {record.other_names}" if record.other_names else "",
                    f"Date of birth: {record.date_of_birth:%-d %B %Y}"
                    if record.date_of_birth
                    else "",
                    f"Involvement: {period}" if period else "",
                    f"Box: {record.box_reference}, held at {record.location}",
                    "The paper file is retrieved from the store and reviewed by hand.",
                )
                if line
            ),
        )


def _on_day(day: date, recorded_at: datetime) -> datetime:
    """When to file a consent or sharing in the bundle's date order: the moment it was
    recorded if that was on the day itself, otherwise the start of the day."""
    if timezone.localtime(recorded_at).date() == day:
        return recorded_at
    return timezone.make_aware(datetime.combine(day, time.min))


def _found_consents(subject_ids: list[int]) -> Iterator[Found]:
    """Each consent a subject gave (or was given for them): to whom, for what, and whether it
    still stands today."""
    today = timezone.localdate()
    consents = (
        Consent.objects.filter(person_id__in=subject_ids)
        .select_related("agency", "organisation")
        .order_by("given_on", "pk")
    )
    for consent in consents:
        if consent.agency is not None:
            title = f"Consent to share with {consent.agency.name}"
            to_whom = f"Given to: {consent.agency.name}"
        else:
            title = f"Consent for {consent.recipient_label} to see the records"
            to_whom = f"Named person who may see the records: {consent.recipient_label}"
        if consent.withdrawn_on is not None:
            withdrawn = f"Withdrawn on: {consent.withdrawn_on:%-d %B %Y}"
            if consent.withdrawal_note:
                withdrawn += f" ({consent.withdrawal_note})"
        else:
            withdrawn = ""
        evidence = f"Written evidence: {consent.evidence}"
        if consent.evidence_name:
            evidence += f" (file: {consent.evidence_name})"
        lines = (
            to_whom,
            f"Given by: {consent.given_by}",
            f"Purposes: {consent.purposes_display}",
            f"Information covered: {consent.data_categories_display}",
            f"Given on: {consent.given_on:%-d %B %Y}",
            f"Expires on: {consent.expires_on:%-d %B %Y}"
            if consent.expires_on
            else "Expires on: no expiry date",
            withdrawn,
            f"Status on {today:%-d %B %Y}: {consent.status_on(today)}",
            evidence,
        )
        yield Found(
            subject_id=consent.person_id,
            source=Source.CONSENT,
            source_key=f"consent:{consent.public_id}",
            source_label=f"Consents recorded by {consent.organisation.name}",
            title=title,
            text="\n".join(line for line in lines if line),
            occurred_at=_on_day(consent.given_on, consent.recorded_at),
        )


def _sharing_title(sharing: SharingRecord) -> str:
    if sharing.status == SharingStatus.SHARED:
        return f"Shared with {sharing.agency.name}"
    if sharing.status == SharingStatus.AWAITING_AUTHORISATION:
        return f"Sharing with {sharing.agency.name}: awaiting a manager's authorisation"
    return f"Sharing with {sharing.agency.name}: not made (authorisation declined)"


def _sharing_text(sharing: SharingRecord, records: int) -> str:
    recipient = ", ".join(part for part in (sharing.recipient_name, sharing.recipient_role) if part)
    method = sharing.get_method_display()
    if sharing.recipient_email:
        method += f" to {sharing.recipient_email}"
    day = "Date shared" if sharing.status == SharingStatus.SHARED else "Date proposed"
    consent = [sharing.get_consent_status_display()]
    if sharing.consent_status != ConsentStatus.ON_FILE:
        if sharing.no_consent_reason:
            reason = sharing.get_no_consent_reason_display()
            consent.append(f"Reason for sharing without consent: {reason}")
        if sharing.no_consent_detail:
            consent.append(sharing.no_consent_detail)
    authorisation = f"Manager's authorisation: {sharing.get_authorisation_display()}"
    if sharing.authorised_at is not None:
        authorisation += f" on {timezone.localtime(sharing.authorised_at):%-d %B %Y}"
    lines = (
        f"Reference: {sharing.reference}",
        f"Status: {sharing.get_status_display()}",
        f"{day}: {sharing.shared_on:%-d %B %Y}",
        f"Shared with: {sharing.agency.name}",
        f"Recipient: {recipient}",
        f"How: {method}",
        f"Purpose: {sharing.get_purpose_display()}. {sharing.purpose_detail}",
        f"Information shared: {sharing.data_categories_display}",
        f"Records included: {records}",
        f"Lawful basis (UK GDPR Article 6): {sharing.get_lawful_basis_display()}",
        f"Article 9 condition: {sharing.get_article9_condition_display()}"
        if sharing.article9_condition
        else "",
        f"Schedule 1 condition: {sharing.get_schedule1_condition_display()}"
        if sharing.schedule1_condition
        else "",
        f"Article 10 condition (criminal offence data): {sharing.get_criminal_condition_display()}"
        if sharing.criminal_condition
        else "",
        f"Law relied on: {sharing.statute_display}" if sharing.statute else "",
        *consent,
        authorisation if sharing.authorisation != Authorisation.NOT_NEEDED else "",
        f"Recorded by: {sharing.recorded_by.get_full_name()}",
    )
    return "\n".join(line for line in lines if line)


def _found_sharings(subject_ids: list[int]) -> Iterator[Found]:
    """Each entry of the sharing log that includes a subject, whatever became of it (shared,
    waiting for a manager, or not made), once: under the first of the subjects it names."""
    order = {pk: n for n, pk in enumerate(subject_ids)}
    named: dict[int, list[int]] = {}
    others: dict[int, set[int]] = {}
    for sharing_id, person_id in SharingSubject.objects.filter(
        sharing__subjects__person_id__in=subject_ids
    ).values_list("sharing_id", "person_id"):
        if person_id in order:
            named.setdefault(sharing_id, []).append(person_id)
        else:
            others.setdefault(sharing_id, set()).add(person_id)
    sharings = (
        SharingRecord.objects.filter(pk__in=list(named))
        .select_related("agency", "organisation", "recorded_by")
        .annotate(records=Count("items"))
        .order_by("shared_on", "pk")
    )
    for sharing in sharings:
        yield Found(
            subject_id=min(named[sharing.pk], key=order.__getitem__),
            source=Source.SHARING,
            source_key=f"sharing:{sharing.public_id}",
            source_label=f"Sharing log of {sharing.organisation.name} · {sharing.reference}",
            title=_sharing_title(sharing),
            text=_sharing_text(sharing, sharing.records),
            occurred_at=_on_day(sharing.shared_on, sharing.recorded_at),
            # Others whose information went with it (a parent, a sibling) are third parties.
            third_party_ids=tuple(sorted(others.get(sharing.pk, set()))),
        )


def _found_items(batch: list[tuple[Item, int, bool]]) -> Iterator[Found]:
    people = _people_in([item.pk for item, _, _ in batch])
    for item, subject_id, own in batch:
        case = item.case
        service = case.get_service_display()
        label = f"{service} case {case.reference}"
        if not own:
            label = f"{label} (another person's record)"
        yield Found(
            subject_id=subject_id,
            source=Source.CASE_ITEM if own else Source.LINKED_ITEM,
            source_key=f"item:{item.public_id}",
            source_label=f"{label} · {item.get_kind_display()}",
            title=item.title,
            text=item_text(item),
            occurred_at=item.occurred_at,
            item_id=item.pk,
            is_sensitive=item.is_sensitive,
            is_restricted=item.is_restricted,
            third_party_ids=tuple(sorted(people.get(item.pk, set()) - {subject_id})),
        )


def third_party_terms(person_ids: Iterable[int]) -> dict[int, list[Term]]:
    """Each person's names, aliases, addresses, phones, emails and identifiers as search
    terms, labelled with who they are (never with the subject's own details)."""
    ids = set(person_ids)
    terms: dict[int, list[Term]] = {pk: [] for pk in ids}
    people = Person.objects.filter(pk__in=ids).prefetch_related(
        "names", "addresses", "phones", "emails"
    )
    for person in people:
        label = "another person"
        found = terms[person.pk]
        found.append(Term(person.full_name, "name", label))
        if person.preferred_name:
            found.append(Term(person.preferred_name, "name", label))
        for name in person.names.all():
            found.append(Term(f"{name.first_name} {name.last_name}".strip(), "alias", label))
        for address in person.addresses.all():
            found.append(Term(address.line_1, "address", label))
            found.append(Term(address.postcode, "postcode", label))
        for phone in person.phones.all():
            found.append(Term(phone.number, "phone", label))
        for email in person.emails.all():
            found.append(Term(email.email, "email", label))
        for value in (person.nhs_number, person.ni_number, person.upn):
            if value:
                found.append(Term(value, "identifier", label))
    return terms


def keep_words(*, subjects: list[Person], item_ids: list[int]) -> set[str]:
    """Names never proposed for redaction: the subject's own, and the practitioners who wrote
    or were allocated to the items' cases (S2P3-17: disclosure presumed reasonable)."""
    keep: set[str] = set()
    for person in subjects:
        keep.update({person.first_name, person.last_name, person.full_name})
        if person.preferred_name:
            keep.add(person.preferred_name)
        for name in person.names.all():
            keep.update({name.first_name, name.last_name})
    staff = Item.objects.filter(pk__in=item_ids).values_list(
        "author__first_name", "author__last_name"
    )
    workers = Allocation.objects.filter(case__items__pk__in=item_ids).values_list(
        "worker__first_name", "worker__last_name"
    )
    for first, last in {*staff, *workers}:
        keep.update({first, last, f"{first} {last}"})
    return {word for word in keep if word and word.strip()}
