"""Every write to the sharing register, consents and the sharing log. Each service takes
``actor=``, checks the policy, validates, writes, and records its audit event in one
transaction.

The rules of DOMAIN.md §4 are enforced here, not in a form: whatever the route (page, API,
import), a sharing that breaks one is refused with a message naming the field, and nothing is
logged. The checks are grouped by the step of the page that asks for each input, so the page
can stop someone at the step where the problem is; ``sharing_record`` runs them all again.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import Membership, Organisation
from accounts.roles import Role
from audit.models import Action
from audit.services import changes_between, created_changes, event_record, snapshot
from core.errors import ApplicationError, refuse_if
from records import policies as record_policies
from records.models import Item, ItemRevision, Person
from records.policies import record_access
from records.uploads import check_upload
from sharing import policies
from sharing.models import (
    PART_2_CONDITIONS,
    SPECIAL_CATEGORIES,
    AgreementReminder,
    Article9Condition,
    Authorisation,
    Consent,
    ConsentStatus,
    DataCategory,
    LawfulBasis,
    Method,
    NoConsentReason,
    PackageLink,
    PartnerAgency,
    Purpose,
    Schedule1Condition,
    SharedItem,
    SharingAgreement,
    SharingRecord,
    SharingStatus,
    SharingSubject,
    Statute,
)
from sharing.selectors import (
    covering_consents,
    holding_team_ids,
    may_share_about,
    sees_everyone,
    sharing_people_ids,
    workable_person_ids,
)

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)
Errors = dict[str, list[str]]


def _refuse(message: str, field_name: str | None = None) -> ApplicationError:
    return ApplicationError(message, field_errors={field_name: [message]} if field_name else None)


def _add(errors: Errors, field_name: str, message: str) -> None:
    errors.setdefault(field_name, []).append(message)


def _values(values: Iterable[str], choices: Any) -> list[str]:
    return [v for v in dict.fromkeys(values or []) if v in choices.values]


# --- The register: agencies and agreements ---------------------------------------------------

AGENCY_FIELDS = (
    "name",
    "kind",
    "contact_name",
    "contact_email",
    "contact_phone",
    "address",
    "secure_email_domain",
    "country",
    "is_active",
)
AGREEMENT_FIELDS = (
    "agency",
    "title",
    "reference",
    "purposes",
    "lawful_bases",
    "data_categories",
    "starts_on",
    "ends_on",
    "review_on",
    "notes",
)


def _require_register(actor: User, organisation_id: int) -> None:
    if not policies.can_keep_register(actor, organisation_id):
        raise ApplicationError(
            "Only the records manager or system administrator of this council can change its "
            "partner agencies and agreements."
        )


def _clean_domain(value: str) -> str:
    domain = (value or "").strip().lower().lstrip("@")
    if domain and ("." not in domain or any(c.isspace() for c in domain) or "@" in domain):
        raise ValidationError(
            {"secure_email_domain": ["Enter a domain such as pnn.police.uk, without the @."]}
        )
    return domain


@transaction.atomic
def agency_create(*, actor: User, organisation: Organisation, **values: Any) -> PartnerAgency:
    _require_register(actor, organisation.pk)
    unknown = set(values) - set(AGENCY_FIELDS)
    if unknown:
        raise TypeError(f"Unknown agency fields: {sorted(unknown)}")
    agency = PartnerAgency(organisation=organisation, **values)
    agency.name = (agency.name or "").strip()
    agency.secure_email_domain = _clean_domain(agency.secure_email_domain)
    agency.full_clean()
    agency.save()
    event_record(
        actor=actor,
        action=Action.CREATE,
        summary=f"Added partner agency {agency.name}",
        obj=agency,
        changes=created_changes(agency, AGENCY_FIELDS),
    )
    return agency


@transaction.atomic
def agency_update(*, actor: User, agency: PartnerAgency, **values: Any) -> PartnerAgency:
    agency = PartnerAgency.objects.select_for_update().get(pk=agency.pk)
    _require_register(actor, agency.organisation_id)
    unknown = set(values) - set(AGENCY_FIELDS)
    if unknown:
        raise TypeError(f"Unknown agency fields: {sorted(unknown)}")
    before = snapshot(agency, AGENCY_FIELDS)
    for name, value in values.items():
        setattr(agency, name, value)
    agency.name = (agency.name or "").strip()
    agency.secure_email_domain = _clean_domain(agency.secure_email_domain)
    agency.updated_at = timezone.now()
    agency.full_clean()
    agency.save()
    changes = changes_between(before, snapshot(agency, AGENCY_FIELDS))
    if changes:
        event_record(
            actor=actor,
            action=Action.UPDATE,
            summary=f"Changed partner agency {agency.name}",
            obj=agency,
            changes=changes,
        )
    return agency


def _agreement_errors(agreement: SharingAgreement) -> Errors:
    errors: Errors = {}
    for name, choices in (
        ("purposes", Purpose),
        ("lawful_bases", LawfulBasis),
        ("data_categories", DataCategory),
    ):
        raw = list(getattr(agreement, name) or [])
        cleaned = _values(raw, choices)
        if len(cleaned) != len(set(raw)):
            _add(errors, name, "Choose from the list.")
        if not cleaned:
            _add(errors, name, f"Choose at least one of the {name.replace('_', ' ')} it covers.")
        setattr(agreement, name, cleaned)
    if agreement.agency_id and agreement.agency.organisation_id != agreement.organisation_id:
        _add(errors, "agency", "Choose one of this council's partner agencies.")
    if agreement.review_on and agreement.starts_on and agreement.review_on < agreement.starts_on:
        _add(errors, "review_on", "The review date must be on or after the start date.")
    if agreement.ends_on and agreement.starts_on and agreement.ends_on < agreement.starts_on:
        _add(errors, "ends_on", "The end date must be on or after the start date.")
    return errors


@transaction.atomic
def agreement_create(*, actor: User, agency: PartnerAgency, **values: Any) -> SharingAgreement:
    _require_register(actor, agency.organisation_id)
    agreement = SharingAgreement(
        organisation_id=agency.organisation_id, agency=agency, created_by=actor, **values
    )
    refuse_if(_agreement_errors(agreement))
    agreement.full_clean()
    agreement.save()
    event_record(
        actor=actor,
        action=Action.CREATE,
        summary=f"Added a sharing agreement with {agency.name}",
        obj=agreement,
        changes=created_changes(agreement, AGREEMENT_FIELDS),
    )
    return agreement


@transaction.atomic
def agreement_update(
    *, actor: User, agreement: SharingAgreement, **values: Any
) -> SharingAgreement:
    agreement = (
        SharingAgreement.objects.select_for_update().select_related("agency").get(pk=agreement.pk)
    )
    _require_register(actor, agreement.organisation_id)
    before = snapshot(agreement, AGREEMENT_FIELDS)
    for name, value in values.items():
        if name not in AGREEMENT_FIELDS:
            raise TypeError(f"Unknown agreement field: {name}")
        setattr(agreement, name, value)
    refuse_if(_agreement_errors(agreement))
    agreement.updated_at = timezone.now()
    agreement.full_clean()
    agreement.save()
    changes = changes_between(before, snapshot(agreement, AGREEMENT_FIELDS))
    if changes:
        event_record(
            actor=actor,
            action=Action.UPDATE,
            summary=f"Changed a sharing agreement with {agreement.agency.name}",
            obj=agreement,
            changes=changes,
        )
    return agreement


# --- Consents --------------------------------------------------------------------------------

CONSENT_FIELDS = (
    "agency",
    "named_person",
    "named_person_relationship",
    "given_by",
    "purposes",
    "data_categories",
    "evidence",
    "given_on",
    "expires_on",
)


def _require_workable(actor: User, person: Person, what: str) -> None:
    if not may_share_about(actor, person):
        raise ApplicationError(f"You can {what} only for people on a case you work on.")


@transaction.atomic
def consent_record(
    *,
    actor: User,
    person: Person,
    given_by: str,
    purposes: list[str],
    data_categories: list[str],
    evidence: str,
    given_on: date,
    agency: PartnerAgency | None = None,
    named_person: str = "",
    named_person_relationship: str = "",
    expires_on: date | None = None,
    evidence_file: UploadedFile | None = None,
) -> Consent:
    """A consent the person has given, with where its written evidence is."""
    _require_workable(actor, person, "record consent")
    errors: Errors = {}
    named_person = (named_person or "").strip()
    if agency is None and not named_person:
        _add(errors, "agency", "Choose the agency, or name the person they consent to.")
    if agency is not None and named_person:
        _add(errors, "named_person", "Choose an agency or name a person, not both.")
    if agency is not None:
        if agency.organisation_id != person.organisation_id:
            _add(errors, "agency", "Choose one of this council's partner agencies.")
        elif not agency.is_active:
            _add(errors, "agency", f"{agency.name} is no longer an active partner agency.")
    clean_purposes = _values(purposes, Purpose)
    if not clean_purposes or len(clean_purposes) != len(set(purposes or [])):
        _add(errors, "purposes", "Choose the purposes the consent covers.")
    clean_categories = _values(data_categories, DataCategory)
    if not clean_categories or len(clean_categories) != len(set(data_categories or [])):
        _add(errors, "data_categories", "Choose the kinds of information the consent covers.")
    if not (given_by or "").strip():
        _add(errors, "given_by", "Say who gave the consent.")
    if not (evidence or "").strip():
        _add(errors, "evidence", "Say where the written consent is kept.")
    today = timezone.localdate()
    if given_on is None:
        _add(errors, "given_on", "Enter the date the consent was given.")
    elif given_on > today:
        _add(errors, "given_on", "The date consent was given must be today or in the past.")
    if expires_on and given_on and expires_on < given_on:
        _add(errors, "expires_on", "The expiry date must be on or after the date it was given.")
    refuse_if(errors)
    consent = Consent(
        person=person,
        organisation_id=person.organisation_id,
        agency=agency,
        named_person=named_person,
        named_person_relationship=(named_person_relationship or "").strip(),
        given_by=given_by.strip(),
        purposes=clean_purposes,
        data_categories=clean_categories,
        evidence=evidence.strip(),
        given_on=given_on,
        expires_on=expires_on,
        recorded_by=actor,
    )
    if evidence_file is not None:
        try:
            checked = check_upload(evidence_file)
        except ValidationError as exc:
            raise ValidationError(
                {"evidence_file": exc.message_dict.get("file", exc.messages)}
            ) from exc
        consent.evidence_name = checked.original_name
        consent.evidence_content_type = checked.content_type
        consent.evidence_file = evidence_file
    consent.full_clean(exclude=["evidence_file"])
    consent.save()
    event_record(
        actor=actor,
        action=Action.CREATE,
        summary="Recorded a consent to share",
        obj=consent,
        subjects=[person],
        changes=created_changes(consent, CONSENT_FIELDS),
    )
    return consent


@transaction.atomic
def consent_withdraw(
    *, actor: User, consent: Consent, note: str, withdrawn_on: date | None = None
) -> Consent:
    """Withdrawal takes effect from the day it is recorded (or the earlier day the person
    withdrew): no sharing on or after that day may rely on it."""
    consent = Consent.objects.select_for_update().select_related("person").get(pk=consent.pk)
    _require_workable(actor, consent.person, "record a withdrawal of consent")
    today = timezone.localdate()
    withdrawn_on = withdrawn_on or today
    errors: Errors = {}
    if consent.withdrawn_on is not None:
        raise ApplicationError("This consent has already been withdrawn.")
    if not (note or "").strip():
        _add(errors, "note", "Say how the person withdrew their consent.")
    if withdrawn_on > today:
        _add(errors, "withdrawn_on", "The date of withdrawal must be today or in the past.")
    elif withdrawn_on < consent.given_on:
        _add(errors, "withdrawn_on", "The date of withdrawal cannot be before consent was given.")
    refuse_if(errors)
    consent.withdrawn_on = withdrawn_on
    consent.withdrawal_note = note.strip()
    consent.withdrawn_by = actor
    consent.save(update_fields=["withdrawn_on", "withdrawal_note", "withdrawn_by"])
    event_record(
        actor=actor,
        action=Action.UPDATE,
        summary="Recorded the withdrawal of a consent to share",
        obj=consent,
        subjects=[consent.person_id],
        changes={"withdrawn_on": (None, withdrawn_on.isoformat())},
        personal={"note": consent.withdrawal_note},
    )
    return consent


# --- Recording a sharing ---------------------------------------------------------------------


@dataclass
class SharingDraft:
    """Everything a sharing says, as gathered by the page's steps or sent to the API."""

    people: list[Person] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    data_categories: list[str] = field(default_factory=list)
    agency: PartnerAgency | None = None
    agreement: SharingAgreement | None = None
    recipient_name: str = ""
    recipient_role: str = ""
    recipient_email: str = ""
    method: str = ""
    shared_on: date | None = None
    purpose: str = ""
    purpose_detail: str = ""
    lawful_basis: str = ""
    article9_condition: str = ""
    schedule1_condition: str = ""
    criminal_condition: str = ""
    statute: str = ""
    statute_detail: str = ""
    consent_status: str = ""
    no_consent_reason: str = ""
    no_consent_detail: str = ""
    is_urgent: bool = False

    @property
    def includes_special_category(self) -> bool:
        return any(c in SPECIAL_CATEGORIES for c in self.data_categories)

    @property
    def includes_criminal(self) -> bool:
        return DataCategory.CRIMINAL in self.data_categories


# The steps of the page, in order, each with the checks on its own inputs.
STEPS = ("items", "recipient", "basis", "consent")


def _check_items(actor: User, draft: SharingDraft, errors: Errors) -> None:
    if not draft.people:
        _add(errors, "people", "Choose whose information is shared.")
        return
    ids = {p.pk for p in draft.people}
    if len({p.organisation_id for p in draft.people}) > 1:
        _add(errors, "people", "Record a sharing for one council's records at a time.")
    if workable_person_ids(actor, ids) != ids:
        _add(errors, "people", "You can record a sharing only for people on a case you work on.")
        return
    item_ids = {i.pk for i in draft.items}
    if item_ids:
        access = record_access(actor)
        visible = set(
            Item.objects.filter(pk__in=item_ids, entered_in_error_at__isnull=True)
            .filter(record_policies.item_visible_q(access))
            .values_list("pk", flat=True)
        )
        if visible != item_ids:
            _add(errors, "items", "One of the records chosen is not one you can see.")
        else:
            # A record in someone's file is their information: they are in the sharing too, so
            # their consent, or a manager's authorisation, is asked for them as well.
            owners = {i.person_id for i in draft.items} - ids
            if owners:
                names = ", ".join(sorted(p.full_name for p in Person.objects.filter(pk__in=owners)))
                _add(
                    errors,
                    "people",
                    f"A record chosen is from the file of {names}: include them in the sharing, "
                    "as it is their information.",
                )
    raw = list(draft.data_categories or [])
    draft.data_categories = _values(raw, DataCategory)
    if len(draft.data_categories) != len(set(raw)):
        _add(errors, "data_categories", "Choose kinds of information from the list.")
    elif not draft.data_categories:
        _add(errors, "data_categories", "Choose the kinds of information shared.")
    elif any(i.is_sensitive for i in draft.items) and not (
        draft.includes_special_category
        or draft.includes_criminal
        or DataCategory.THIRD_PARTY in draft.data_categories
    ):
        _add(
            errors,
            "data_categories",
            "A record chosen is marked sensitive: say which sensitive information it holds "
            "(health, criminal offence, or information about other people).",
        )


def _check_recipient(draft: SharingDraft, errors: Errors) -> None:
    agency = draft.agency
    today = timezone.localdate()
    if agency is None:
        _add(errors, "agency", "Choose the agency it is shared with.")
    else:
        org_ids = {p.organisation_id for p in draft.people}
        if org_ids and agency.organisation_id not in org_ids:
            _add(errors, "agency", "Choose one of this council's partner agencies.")
        elif not agency.is_active:
            _add(errors, "agency", f"{agency.name} is no longer an active partner agency.")
        elif not agency.in_uk:
            _add(
                errors,
                "agency",
                f"{agency.name} holds information outside the UK ({agency.get_country_display()})"
                ": identifiable information may not be shared with it.",
            )
    if not draft.recipient_name.strip():
        _add(errors, "recipient_name", "Enter the name of the person it went to.")
    if draft.method not in Method.values:
        _add(errors, "method", "Choose how it was shared.")
    email = draft.recipient_email.strip().lower()
    if draft.method == Method.SECURE_EMAIL:
        if not email:
            _add(errors, "recipient_email", "Enter the secure email address it went to.")
        elif agency is not None and agency.secure_email_domain:
            domain = email.rpartition("@")[2]
            wanted = agency.secure_email_domain
            if domain != wanted and not domain.endswith("." + wanted):
                _add(
                    errors,
                    "recipient_email",
                    f"Secure email to {agency.name} must go to an address at {wanted}.",
                )
    if draft.shared_on is None:
        _add(errors, "shared_on", "Enter the date it was shared.")
    elif draft.shared_on > today:
        _add(errors, "shared_on", "The date shared must be today or in the past.")
    if draft.shared_on is not None and draft.shared_on <= today:
        # A record of something that happened after the day shared cannot have gone that day.
        # (One typed up later about an earlier event can: the worker shared what they knew.)
        later = [
            i for i in draft.items if timezone.localtime(i.occurred_at).date() > draft.shared_on
        ]
        if later:
            _add(
                errors,
                "shared_on",
                f"“{later[0].title}” is about something after {draft.shared_on:%-d %B %Y}: it "
                "cannot have been shared that day.",
            )
    agreement = draft.agreement
    if agreement is not None and agency is not None:
        if agreement.agency_id != agency.pk:
            _add(errors, "agreement", f"That agreement is not with {agency.name}.")
        elif draft.shared_on and not agreement.in_force_on(draft.shared_on):
            _add(
                errors,
                "agreement",
                f"The agreement “{agreement.title}” was not in force on "
                f"{draft.shared_on:%-d %B %Y}.",
            )


def _check_basis(draft: SharingDraft, errors: Errors) -> None:
    if draft.purpose not in Purpose.values:
        _add(errors, "purpose", "Choose why it was shared.")
    if not draft.purpose_detail.strip():
        _add(errors, "purpose_detail", "Say what the recipient needs it for.")
    if draft.lawful_basis not in LawfulBasis.values:
        _add(errors, "lawful_basis", "Choose the Article 6 lawful basis.")
    elif draft.lawful_basis == LawfulBasis.LEGITIMATE_INTERESTS:
        _add(
            errors,
            "lawful_basis",
            "A council cannot rely on legitimate interests for its public tasks: choose public "
            "task, legal obligation, vital interests or consent.",
        )
    if draft.includes_special_category:
        if draft.article9_condition not in Article9Condition.values:
            _add(
                errors,
                "article9_condition",
                "Health and other special-category information needs an Article 9 condition.",
            )
        elif (
            draft.article9_condition == Article9Condition.SUBSTANTIAL_PUBLIC_INTEREST
            and draft.schedule1_condition not in PART_2_CONDITIONS
        ):
            _add(
                errors,
                "schedule1_condition",
                "Substantial public interest (9(2)(g)) needs a condition from Part 2 of "
                "Schedule 1 to the DPA 2018, such as safeguarding.",
            )
    else:
        draft.article9_condition = ""
    if draft.article9_condition != Article9Condition.SUBSTANTIAL_PUBLIC_INTEREST:
        draft.schedule1_condition = ""
    if draft.includes_criminal:
        if draft.criminal_condition not in Schedule1Condition.values:
            _add(
                errors,
                "criminal_condition",
                "Criminal offence information needs an Article 10 condition from Schedule 1 to "
                "the DPA 2018.",
            )
    else:
        draft.criminal_condition = ""
    if draft.lawful_basis != LawfulBasis.CONSENT:
        if draft.statute not in Statute.values:
            _add(errors, "statute", "Choose the law the sharing relies on.")
        elif draft.statute == Statute.OTHER and not draft.statute_detail.strip():
            _add(errors, "statute_detail", "Name the law the sharing relies on.")
    elif draft.statute and draft.statute not in Statute.values:
        _add(errors, "statute", "Choose the law from the list.")
    agreement = draft.agreement
    if agreement is not None:
        if draft.purpose and draft.purpose not in agreement.purposes:
            _add(
                errors,
                "agreement",
                f"The agreement “{agreement.title}” does not cover this purpose.",
            )
        elif draft.lawful_basis and draft.lawful_basis not in agreement.lawful_bases:
            _add(
                errors,
                "agreement",
                f"The agreement “{agreement.title}” does not cover this lawful basis.",
            )
        elif not set(draft.data_categories) <= set(agreement.data_categories):
            _add(
                errors,
                "agreement",
                f"The agreement “{agreement.title}” does not cover every kind of information "
                "chosen.",
            )


def _check_consent(draft: SharingDraft, errors: Errors) -> dict[int, Consent]:
    consents: dict[int, Consent] = {}
    if draft.consent_status not in ConsentStatus.values:
        _add(errors, "consent_status", "Say whether consent is on file, refused or not sought.")
        return consents
    on_file = draft.consent_status == ConsentStatus.ON_FILE
    if draft.lawful_basis == LawfulBasis.CONSENT and not on_file:
        _add(
            errors,
            "consent_status",
            "Consent can be the lawful basis only with a consent on file.",
        )
    if draft.article9_condition == Article9Condition.EXPLICIT_CONSENT and not on_file:
        _add(
            errors,
            "consent_status",
            "Explicit consent can be the Article 9 condition only with a consent on file.",
        )
    if draft.criminal_condition == Schedule1Condition.CONSENT and not on_file:
        _add(
            errors,
            "consent_status",
            "Consent can be the Article 10 condition only with a consent on file.",
        )
    if on_file:
        draft.no_consent_reason = draft.no_consent_detail = ""
        draft.is_urgent = False
        if draft.agency is not None and draft.shared_on is not None and draft.purpose:
            consents = covering_consents(
                people=draft.people,
                agency=draft.agency,
                purpose=draft.purpose,
                data_categories=draft.data_categories,
                on=draft.shared_on,
            )
            missing = [p for p in draft.people if p.pk not in consents]
            if missing:
                names = ", ".join(p.full_name for p in missing)
                _add(
                    errors,
                    "consent_status",
                    f"No consent valid on {draft.shared_on:%-d %B %Y} covers sharing this with "
                    f"{draft.agency.name} for {Purpose(draft.purpose).label.lower()}: {names}. "
                    "A consent must be in force (not expired or withdrawn) and cover the purpose "
                    "and every kind of information shared.",
                )
        return consents
    if draft.no_consent_reason not in NoConsentReason.values:
        _add(errors, "no_consent_reason", "Choose why it is shared without consent.")
    if not draft.no_consent_detail.strip():
        _add(errors, "no_consent_detail", "Explain why it is shared without consent.")
    if draft.is_urgent and draft.purpose != Purpose.SAFEGUARDING:
        _add(
            errors,
            "is_urgent",
            "Only a safeguarding sharing can be recorded as urgent and authorised afterwards.",
        )
    return consents


def draft_errors(
    *, actor: User, draft: SharingDraft, steps: Iterable[str] = STEPS
) -> tuple[Errors, dict[int, Consent]]:
    """The problems with a draft in the given steps (all by default), and the consent relied
    on for each person when consent is on file. Normalises the draft on the way: conditions
    that do not apply are cleared."""
    wanted = set(steps)
    errors: Errors = {}
    consents: dict[int, Consent] = {}
    if "items" in wanted:
        _check_items(actor, draft, errors)
    if "recipient" in wanted:
        _check_recipient(draft, errors)
    if "basis" in wanted:
        _check_basis(draft, errors)
    if "consent" in wanted:
        consents = _check_consent(draft, errors)
    return errors, consents


def _versions_on(items: list[Item], day: date) -> dict[int, int]:
    """Each record's version as it stood at the end of the day shared (a sharing recorded
    later than it happened pins the words that went, not a later amendment)."""
    versions = {i.pk: 1 for i in items}
    for item_id, number, created_at in ItemRevision.objects.filter(
        item_id__in=list(versions)
    ).values_list("item_id", "number", "created_at"):
        if timezone.localtime(created_at).date() <= day and number > versions[item_id]:
            versions[item_id] = number
    return versions


def _reference_assign(sharing: SharingRecord) -> None:
    sharing.reference = f"SHR-{sharing.recorded_at.year}-{sharing.pk:05d}"
    sharing.save(update_fields=["reference"])


def _sharing_personal(sharing: SharingRecord) -> dict[str, Any]:
    return {
        "reference": sharing.reference,
        "recipient": sharing.recipient_name,
        "recipient_role": sharing.recipient_role,
        "recipient_email": sharing.recipient_email,
        "purpose_detail": sharing.purpose_detail,
    }


@transaction.atomic
def sharing_record(*, actor: User, draft: SharingDraft) -> SharingRecord:
    """Log a sharing. With consent on file it is done; without consent it waits for a
    manager's authorisation, unless it is an urgent safeguarding sharing, which counts as done
    at once and is flagged until a manager authorises it."""
    errors, consents = draft_errors(actor=actor, draft=draft)
    refuse_if(errors)
    if draft.agency is None or draft.shared_on is None:  # refused above; for the type checker
        raise ApplicationError("Choose the agency and the date shared.")
    on_file = draft.consent_status == ConsentStatus.ON_FILE
    if on_file:
        status, authorisation = SharingStatus.SHARED, Authorisation.NOT_NEEDED
    elif draft.is_urgent:
        status, authorisation = SharingStatus.SHARED, Authorisation.PENDING
    else:
        status, authorisation = SharingStatus.AWAITING_AUTHORISATION, Authorisation.PENDING
    sharing = SharingRecord(
        reference=f"tmp-{uuid.uuid4().hex[:16]}",
        organisation_id=draft.people[0].organisation_id,
        agency=draft.agency,
        agreement=draft.agreement,
        recipient_name=draft.recipient_name.strip(),
        recipient_role=draft.recipient_role.strip(),
        recipient_email=draft.recipient_email.strip().lower(),
        method=draft.method,
        shared_on=draft.shared_on,
        purpose=draft.purpose,
        purpose_detail=draft.purpose_detail.strip(),
        data_categories=draft.data_categories,
        lawful_basis=draft.lawful_basis,
        article9_condition=draft.article9_condition,
        schedule1_condition=draft.schedule1_condition,
        criminal_condition=draft.criminal_condition,
        statute=draft.statute,
        statute_detail=draft.statute_detail.strip(),
        consent_status=draft.consent_status,
        no_consent_reason=draft.no_consent_reason,
        no_consent_detail=draft.no_consent_detail.strip(),
        is_urgent=draft.is_urgent,
        status=status,
        authorisation=authorisation,
        recorded_by=actor,
    )
    sharing.full_clean(exclude=["reference"])
    sharing.save()
    _reference_assign(sharing)
    SharingSubject.objects.bulk_create(
        SharingSubject(sharing=sharing, person=p, consent=consents.get(p.pk)) for p in draft.people
    )
    versions = _versions_on(draft.items, draft.shared_on)
    SharedItem.objects.bulk_create(
        SharedItem(sharing=sharing, item=i, revision_number=versions[i.pk]) for i in draft.items
    )
    if status == SharingStatus.SHARED and authorisation == Authorisation.NOT_NEEDED:
        summary = f"Recorded a sharing with {sharing.agency.name} (consent on file)"
    elif status == SharingStatus.SHARED:
        summary = (
            f"Recorded an urgent safeguarding sharing with {sharing.agency.name}, "
            "to be authorised by a manager"
        )
    else:
        summary = f"Recorded a sharing with {sharing.agency.name} for a manager to authorise"
    event_record(
        actor=actor,
        action=Action.CREATE,
        summary=summary,
        obj=sharing,
        subjects=draft.people,
        changes={
            "status": (None, status),
            "lawful_basis": (None, sharing.lawful_basis),
            "purpose": (None, sharing.purpose),
            "items": (None, [str(i.public_id) for i in draft.items]),
        },
        personal=_sharing_personal(sharing),
    )
    return sharing


def _locked_pending(actor: User, sharing: SharingRecord, verb: str) -> SharingRecord:
    sharing = (
        SharingRecord.objects.select_for_update(of=("self",))
        .select_related("agency", "agreement")
        .get(pk=sharing.pk)
    )
    if sharing.authorisation != Authorisation.PENDING:
        raise ApplicationError(
            "This sharing is not waiting for authorisation "
            f"({sharing.get_authorisation_display().lower()})."
        )
    if sharing.recorded_by_id == actor.pk:
        raise ApplicationError(
            f"You cannot {verb} a sharing you recorded yourself: another manager must."
        )
    access = record_access(actor)
    if not policies.can_authorise(access, sharing, holding_team_ids(sharing)):
        raise ApplicationError(
            f"Only a manager of a team holding one of these people's cases can {verb} it."
        )
    if not sees_everyone(actor, sharing_people_ids(sharing)):
        raise ApplicationError(
            f"To {verb} a sharing you must be able to see everyone in it: ask a manager who "
            "can see them all."
        )
    return sharing


def _decide(
    actor: User, sharing: SharingRecord, decision: str, note: str, was: str, summary: str
) -> SharingRecord:
    """Record a manager's decision on a sharing already changed to match it, with its event."""
    sharing.authorisation = decision
    sharing.authorised_by = actor
    sharing.authorised_at = timezone.now()
    sharing.authorisation_note = note.strip()
    sharing.save(
        update_fields=[
            "status",
            "shared_on",
            "authorisation",
            "authorised_by",
            "authorised_at",
            "authorisation_note",
        ]
    )
    event_record(
        actor=actor,
        action=Action.UPDATE,
        summary=summary,
        obj=sharing,
        subjects=sharing_people_ids(sharing),
        changes={
            "authorisation": (Authorisation.PENDING, decision),
            "status": (was, sharing.status),
        },
        personal={"reference": sharing.reference, "note": sharing.authorisation_note},
    )
    return sharing


@transaction.atomic
def sharing_authorise(*, actor: User, sharing: SharingRecord, note: str) -> SharingRecord:
    """A manager authorises a sharing without consent. One waiting to be done becomes done
    (today, if it was planned for earlier); an urgent one already done stops being flagged."""
    sharing = _locked_pending(actor, sharing, "authorise")
    if not (note or "").strip():
        raise _refuse("Give the reason the sharing is justified without consent.", "note")
    was = sharing.status
    if sharing.status == SharingStatus.AWAITING_AUTHORISATION:
        agency = sharing.agency
        if not agency.is_active:
            raise _refuse(f"{agency.name} is no longer an active partner agency.", "agency")
        if not agency.in_uk:
            raise _refuse(f"{agency.name} holds information outside the UK.", "agency")
        sharing.shared_on = max(sharing.shared_on, timezone.localdate())
        if sharing.agreement is not None and not sharing.agreement.in_force_on(sharing.shared_on):
            raise _refuse(
                f"The agreement “{sharing.agreement.title}” is not in force today.", "agreement"
            )
        sharing.status = SharingStatus.SHARED
    return _decide(
        actor,
        sharing,
        Authorisation.AUTHORISED,
        note,
        was,
        f"Authorised a sharing without consent with {sharing.agency.name}",
    )


@transaction.atomic
def sharing_decline(*, actor: User, sharing: SharingRecord, note: str) -> SharingRecord:
    """A manager declines. A sharing not yet done is not done; an urgent one already done
    stays flagged as shared without authorisation, and the Caldicott guardian is told."""
    sharing = _locked_pending(actor, sharing, "decline")
    if not (note or "").strip():
        raise _refuse("Give the reason for declining.", "note")
    was = sharing.status
    if sharing.status == SharingStatus.AWAITING_AUTHORISATION:
        sharing.status = SharingStatus.NOT_SHARED
    _decide(
        actor,
        sharing,
        Authorisation.DECLINED,
        note,
        was,
        f"Declined to authorise a sharing with {sharing.agency.name}",
    )
    if sharing.status == SharingStatus.SHARED:
        # Nothing more goes: links already sent stop working now.
        revoked = PackageLink.objects.filter(
            package__sharing=sharing, used_at__isnull=True, revoked_at__isnull=True
        ).update(revoked_at=timezone.now())
        if revoked:
            event_record(
                actor=actor,
                action=Action.UPDATE,
                summary=f"Revoked {revoked} unused package link(s) of a declined sharing",
                obj=sharing,
                subjects=sharing_people_ids(sharing),
            )
        _tell_guardians(sharing)
    return sharing


def _role_emails(organisation_id: int, roles: Iterable[str]) -> list[str]:
    """Staff holding these roles for the council: in its own teams or in a team acting for it."""
    return sorted(
        set(
            Membership.objects.current()
            .filter(role__in=list(roles))
            .filter(
                Q(team__organisation_id=organisation_id) | Q(team__acts_for__id=organisation_id)
            )
            .filter(user__is_active=True)
            .exclude(user__email="")
            .values_list("user__email", flat=True)
        )
    )


def _tell_guardians(sharing: SharingRecord) -> None:
    emails = _role_emails(sharing.organisation_id, [Role.CALDICOTT_GUARDIAN])
    if not emails:
        return
    transaction.on_commit(
        lambda: send_mail(
            f"Urgent sharing {sharing.reference} was not authorised",
            (
                f"An urgent safeguarding sharing with {sharing.agency.name} on "
                f"{sharing.shared_on:%-d %B %Y} ({sharing.reference}) was declined by a manager "
                "after it was made. Please review it in Carefile."
            ),
            settings.DEFAULT_FROM_EMAIL,
            emails,
        )
    )


# --- Agreement review reminders --------------------------------------------------------------


def agreement_reminders_send(*, today: date | None = None) -> int:
    """Tell each council's records managers and administrators of agreements whose review is
    due in 30 days, in 7 days, today, or overdue. Each reminder is sent once."""
    today = today or timezone.localdate()
    sent = 0
    due = (
        SharingAgreement.objects.filter(review_on__lte=today + timedelta(days=30))
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .select_related("agency")
    )
    for agreement in due:
        days = (agreement.review_on - today).days
        if days < 0:
            kind = AgreementReminder.Kind.OVERDUE
        elif days == 0:
            kind = AgreementReminder.Kind.DUE
        elif days <= 7:
            kind = AgreementReminder.Kind.DAYS_7
        else:
            kind = AgreementReminder.Kind.DAYS_30
        try:
            with transaction.atomic():
                reminder, created = AgreementReminder.objects.get_or_create(
                    agreement=agreement, review_on=agreement.review_on, kind=kind
                )
                if not created:
                    continue
                emails = _role_emails(agreement.organisation_id, policies.REGISTER_ROLES)
                reminder.recipients = len(emails)
                reminder.save(update_fields=["recipients"])
                if emails:
                    send_mail(
                        f"Sharing agreement review: {agreement.title}",
                        (
                            f"The information sharing agreement “{agreement.title}” with "
                            f"{agreement.agency.name} is due for review on "
                            f"{agreement.review_on:%-d %B %Y} "
                            f"({AgreementReminder.Kind(kind).label.lower()})."
                        ),
                        settings.DEFAULT_FROM_EMAIL,
                        emails,
                    )
        except OSError:
            # The mail server refused this one: its row rolled back, so the next run retries
            # it; the other agreements' reminders still go.
            logger.exception("Could not send the review reminder for agreement %s", agreement.pk)
            continue
        sent += 1
    return sent
