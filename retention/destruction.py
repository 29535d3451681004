"""How a record is destroyed for good: set-based deletes of a case and everything under it, and
of the people nothing retained still names. Called by the disposal services inside the
transaction that re-checked the holds, never on its own.

Deletes go straight to the database (``_raw_delete``): Django's cascade collector would load
every row first, and a county's batch has millions. Every table under a record is listed here
by name, and the "whole database" test proves none is missed. What refers to a person, case
or item is deleted before it: on PostgreSQL those references refuse the delete at once (ON
DELETE RESTRICT, retention migration 0010), which costs the database half the lookups of a
check deferred to the commit. Ids travel as one array parameter (``__any``), not one
placeholder each. Files are queued for deletion in the same transaction and deleted once it has
committed (``files_sweep``): a rollback leaves a record whole with its files, a crash after
the commit leaves the queue for the next sweep; never files nobody can find.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.files.storage import storages
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet

from access_requests.models import CollectedItem, Complaint, RequestSubject
from audit.models import PrivacyAlert
from audit.services import events_scrub_objects, events_scrub_personal
from records.models import (
    ITEM_MODELS,
    Address,
    Allocation,
    BreakGlassAccess,
    Case,
    CaseGroupObjectPermission,
    CaseParticipant,
    CaseUserObjectPermission,
    DisagreementStatement,
    Document,
    EmailAddress,
    Item,
    ItemPerson,
    ItemRevision,
    ItemUserObjectPermission,
    Person,
    PersonAlert,
    PersonName,
    PersonUserObjectPermission,
    PhoneNumber,
    Relationship,
)
from retention.models import DisposalItem, FileToDelete, Hold
from retention.selectors import case_people, sharings_held
from sharing.models import (
    Consent,
    PackageLink,
    SharedItem,
    SharingPackage,
    SharingRecord,
    SharingSubject,
)


@dataclass
class Destroyed:
    """What one call destroyed: counts for the register's audit event, never values."""

    cases: int = 0
    items: int = 0
    people: int = 0
    files: int = 0
    scrubbed_events: int = 0
    person_ids: set[int] = field(default_factory=set)
    # Records begun but not finished in this transaction (by key): the next one goes on.
    unfinished: set[int] = field(default_factory=set)


def raw_delete(queryset: QuerySet[Any]) -> int:
    """DELETE … WHERE, with no cascade collection: the caller names every table."""
    return int(queryset._raw_delete(queryset.db) or 0)  # noqa: SLF001


def files_queue(names: Iterable[tuple[str, str]]) -> int:
    """Queue the files for deletion once this transaction commits (``files_sweep``)."""
    rows = [FileToDelete(storage=storage, name=name) for storage, name in names if name]
    FileToDelete.objects.bulk_create(rows)
    return len(rows)


def files_sweep() -> int:
    """Delete from storage the files of records whose destruction has committed. Safe to run
    at any time and side by side: each row is claimed under lock."""
    deleted = 0
    while True:
        with transaction.atomic():
            rows = list(FileToDelete.objects.select_for_update(skip_locked=True)[:500])
            if not rows:
                return deleted
            for row in rows:
                storages[row.storage].delete(row.name)
            FileToDelete.objects.filter(pk__any=[r.pk for r in rows]).delete()
            deleted += len(rows)


def packages_drop(sharing_ids: QuerySet[Any]) -> list[tuple[str, str]]:
    """Cached outbound packages of these sharings, and their links: rendered again on demand."""
    packages = SharingPackage.objects.filter(sharing_id__in=sharing_ids)
    files = [("documents", name) for name in packages.values_list("file", flat=True)]
    raw_delete(PackageLink.objects.filter(package__in=packages.values("pk")))
    raw_delete(packages)
    return files


def _items_delete(items: QuerySet[Item]) -> tuple[int, list[tuple[str, str]]]:
    """Items, every kind's own row, their versions, statements, links and grants. Copies held
    in a retained rights request's file stay there (that file has its own rule). Each table
    is reached by a subquery on the items, not a list of ids: a chunk holds thousands."""
    ids = items.values("pk")
    files = [
        ("documents", name)
        for name in Document.objects.filter(pk__in=ids).values_list("file", flat=True)
    ]
    touched_sharings = SharedItem.objects.filter(item_id__in=ids).values("sharing_id")
    files += packages_drop(SharingRecord.objects.filter(pk__in=touched_sharings).values("pk"))
    raw_delete(SharedItem.objects.filter(item_id__in=ids))
    CollectedItem.objects.filter(item_id__in=ids).update(item=None)
    for table in (ItemUserObjectPermission, ItemPerson, ItemRevision, DisagreementStatement):
        raw_delete(table.objects.filter(**{f"{_item_fk(table)}__in": ids}))
    for model in ITEM_MODELS.values():
        raw_delete(model.objects.filter(pk__in=ids))
    return raw_delete(items), files


def _item_fk(table: type) -> str:
    return "content_object_id" if table is ItemUserObjectPermission else "item_id"


def _candidates(case_ids: Collection[int]) -> set[int]:
    """People whose only place in the records may be these cases: the subjects, everyone who
    took part or is linked in an item (their relatives are added by ``people_release``)."""
    people = set(Case.objects.filter(pk__any=case_ids).values_list("person_id", flat=True))
    for named in case_people(case_ids).values():
        people |= named
    return people


def _with_relatives(people: set[int]) -> set[int]:
    """These people and their relatives recorded with them, of the same councils only: a
    shared service may relate people across councils, and another council's people are its
    own to keep or destroy."""
    related = Relationship.objects.filter(
        Q(from_person_id__any=people) | Q(to_person_id__any=people)
    ).values_list("from_person_id", "to_person_id")
    found = set(people)
    for a, b in related:
        found.update((a, b))
    councils = Person.objects.filter(pk__any=people).values("organisation_id")
    return set(
        Person.objects.filter(pk__any=found, organisation_id__in=councils).values_list(
            "pk", flat=True
        )
    )


def people_release(candidates: set[int], subjects: set[int]) -> Destroyed:
    """After a record is destroyed: destroy the people it named (``candidates``) and their
    relatives whom nothing retained names any more. ``subjects``: whose record it was."""
    candidates = _with_relatives(candidates)
    gone = candidates - _still_named(candidates)
    gone -= _relatives_kept(gone, subjects)
    return people_destroy(gone)


def _relatives_kept(gone: set[int], subjects: set[int]) -> set[int]:
    """Of the relatives about to go with these cases (not their subjects), those a
    relationship still links to someone kept: the kept person's file still needs them (the
    mother of a sibling whose case is open). The subjects of the destroyed cases go with
    their files; their relationships go with them."""
    kept: set[int] = set()
    while True:
        relatives = gone - subjects - kept
        links = Relationship.objects.filter(
            Q(from_person_id__any=relatives) | Q(to_person_id__any=relatives)
        ).values_list("from_person_id", "to_person_id")
        found = {
            mine
            for a, b in links
            for mine, other in ((a, b), (b, a))
            if mine in relatives and (other not in gone or other in kept)
        }
        if not found:
            return kept
        kept |= found


def _still_named(person_ids: Collection[int]) -> set[int]:
    """Of these people, those a retained record still names: a case (as subject or taking
    part), an item, a rights request or complaint file, a hold, or a sharing-log entry a hold
    on the sharing log stands on (the entry must stay whole, its people with it)."""
    ids = set(person_ids)
    kept = set(Case.objects.filter(person_id__any=ids).values_list("person_id", flat=True))
    for model, column in (
        (CaseParticipant, "person_id"),
        (ItemPerson, "person_id"),
        (RequestSubject, "person_id"),
        (CollectedItem, "subject_id"),
        (Complaint, "person_id"),
    ):
        kept.update(model.objects.filter(**{f"{column}__any": ids}).values_list(column, flat=True))
    kept.update(
        Hold.objects.filter(person_id__any=ids, lifted_at__isnull=True).values_list(
            "person_id", flat=True
        )
    )
    kept.update(
        SharingSubject.objects.filter(
            person_id__any=ids, sharing__in=SharingRecord.objects.filter(sharings_held())
        ).values_list("person_id", flat=True)
    )
    return kept


def people_destroy(person_ids: Collection[int]) -> Destroyed:
    """Destroy these people and everything that is only about them: names, addresses,
    contacts, alerts, relationships, grants, break-glass, consents (and their scans), their
    places in sharings (a sharing about nobody left goes entirely, with its packages), lifted
    holds, and the personal part of every audit event about them."""
    result = Destroyed()
    ids = set(person_ids)
    if not ids:
        return result
    files = [
        ("documents", name)
        for name in Consent.objects.filter(person_id__any=ids).values_list(
            "evidence_file", flat=True
        )
    ]
    sharings = set(
        SharingSubject.objects.filter(person_id__any=ids).values_list("sharing_id", flat=True)
    )
    raw_delete(SharingSubject.objects.filter(person_id__any=ids))
    emptied = list(
        SharingRecord.objects.filter(pk__any=sharings)
        .exclude(Exists(SharingSubject.objects.filter(sharing_id=OuterRef("pk"))))
        .values_list("pk", flat=True)
    )
    files += packages_drop(SharingRecord.objects.filter(pk__any=sharings).values("pk"))
    raw_delete(SharedItem.objects.filter(sharing_id__any=emptied))
    raw_delete(SharingRecord.objects.filter(pk__any=emptied))
    raw_delete(Consent.objects.filter(person_id__any=ids))
    for model in (PersonName, Address, PhoneNumber, EmailAddress, PersonAlert, BreakGlassAccess):
        raw_delete(model.objects.filter(person_id__any=ids))
    raw_delete(Relationship.objects.filter(Q(from_person_id__any=ids) | Q(to_person_id__any=ids)))
    raw_delete(PersonUserObjectPermission.objects.filter(content_object_id__any=ids))
    raw_delete(Hold.objects.filter(person_id__any=ids))  # only lifted ones: held people are kept
    DisposalItem.objects.filter(person_id__any=ids).update(person=None)
    PrivacyAlert.objects.filter(person_id__any=ids).update(detail="")
    result.people = raw_delete(Person.objects.filter(pk__any=ids))
    result.scrubbed_events = events_scrub_personal(person_ids=ids)
    result.files = files_queue(files)
    result.person_ids = ids
    return result


def cases_destroy(case_ids: Collection[int], *, anonymise: bool = False) -> Destroyed:
    """Destroy these cases and everything under them, then every person they leave named by
    nothing retained. Anonymising keeps each case's service, category, team and dates, on a
    new person with no identifying detail, and removes everything else."""
    ids = set(case_ids)
    result = Destroyed()
    if not ids:
        return result
    candidates = _with_relatives(_candidates(ids))
    subjects = set(Case.objects.filter(pk__any=ids).values_list("person_id", flat=True))
    object_ids = [
        str(u) for u in Case.objects.filter(pk__any=ids).values_list("public_id", flat=True)
    ]
    items = Item.objects.filter(case_id__any=ids)
    object_ids += [str(u) for u in items.values_list("public_id", flat=True)]
    result.items, files = _items_delete(items)
    raw_delete(CaseParticipant.objects.filter(case_id__any=ids))
    raw_delete(Hold.objects.filter(case_id__any=ids))  # only lifted ones: held cases are kept
    if anonymise:
        cases = list(Case.objects.filter(pk__any=ids).only("pk", "organisation_id"))
        stubs = Person.objects.bulk_create(
            Person(organisation_id=c.organisation_id, first_name="Anonymised", last_name="record")
            for c in cases
        )
        for case, stub in zip(cases, stubs, strict=True):
            case.person, case.referral_reason = stub, ""
        Case.objects.bulk_update(cases, ["person", "referral_reason"])
        result.cases = len(ids)
    else:
        DisposalItem.objects.filter(case_id__any=ids).update(case=None)
        for table in (CaseUserObjectPermission, CaseGroupObjectPermission):
            raw_delete(table.objects.filter(content_object_id__any=ids))
        raw_delete(Allocation.objects.filter(case_id__any=ids))
        result.cases = raw_delete(Case.objects.filter(pk__any=ids))
    # Their events lose their personal part even when the person stays (another case of
    # theirs is kept).
    result.scrubbed_events = events_scrub_objects(object_ids=object_ids)
    result.files = files_queue(files)
    people = people_release(candidates, subjects)
    result.people = people.people
    result.person_ids = people.person_ids
    result.files += people.files
    result.scrubbed_events += people.scrubbed_events
    return result


def records_destroy(kind: str, ids: Collection[int], *, anonymise: bool = False) -> Destroyed:
    """Destroy (or anonymise) records of one class kind by their primary keys."""
    from retention.models import ClassKind

    if kind == ClassKind.CASE:
        return cases_destroy(ids, anonymise=anonymise)
    from retention import other_records

    if kind in other_records.KINDS:
        return other_records.records_destroy(kind, ids, anonymise=anonymise)
    raise ValueError(f"No disposal for {kind} records.")
