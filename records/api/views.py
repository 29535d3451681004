"""The case-records API: thin views over ``records.selectors`` (reads) and ``records.services``
(writes). Ids in URLs and bodies are public UUIDs.

Status codes mean the same thing on every endpoint:

- **404** ``{"detail": "Not found."}`` for a person, case, item or allocation the caller may not
  see, exactly as for one that does not exist.
- **403** when the caller may see the object but ``records.policies`` says they may not make
  this change: a reader under break-glass recording a note, a practitioner authorising an
  assessment or amending a colleague's note. The policy is asked here, before the service is
  called (the service asks again), so that a refusal about *who* is a 403.
- **400** with field errors for bad input and for refusals about the object's *state* (a closed
  case, an assessment not yet submitted, an amendment that changes nothing). An id in a body
  that the caller cannot see is a field error on that field.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, ClassVar
from uuid import UUID

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import APIView

from accounts.models import User
from accounts.selectors import organisation_list_served_by_user, team_list_for_user
from audit.context import shown
from core.api.views import BAD_INPUT, NOT_FOUND, REFUSED
from core.api.views import StaffAPIView as RecordsAPIView
from core.api.views import actor as _actor
from core.api.views import field_error as _field_error
from core.api.views import require as _require
from core.api.views import valid as _valid
from core.errors import ApplicationError
from records import policies, selectors, services
from records.api import serializers as s
from records.downloads import document_response
from records.models import Assessment, Case, Item, Person, Plan
from records.policies import record_access
from records.views import shown_about

if TYPE_CHECKING:
    from accounts.models import Team


# --- Shared pieces ---------------------------------------------------------------------------


class RecordsPagination(PageNumberPagination):
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100


def _renamed(exc: ApplicationError, names: set[str], to: str) -> ApplicationError:
    fields = {
        to if name in names else name: messages for name, messages in exc.field_errors.items()
    }
    return ApplicationError(exc.message, field_errors=fields)


def _paginated(
    view: APIView,
    request: Request,
    rows: Any,
    serializer_class: type[Serializer],
    *,
    about: Person | None,
    shows: Callable[[list[Any]], Iterable[Any]],
    summary: str,
    obj: Model | None = None,
    personal: dict[str, Any] | None = None,
) -> Response:
    """One page of a list, naming for the read audit the people on that page: ``about`` (the
    person the list belongs to, if any) and ``shows(page)``."""
    paginator = RecordsPagination()
    page = list(paginator.paginate_queryset(rows, request, view=view) or [])
    people = shows(page)
    if about is None:
        shown(people, summary=summary, obj=obj, personal=personal)
    else:
        shown_about(_actor(request), about, people, summary=summary, obj=obj, personal=personal)
    return paginator.get_paginated_response(serializer_class(page, many=True).data)


# Resolving ids from request bodies: always within what the caller may see.


def _visible_person(user: User, public_id: UUID, field: str) -> Person:
    person = selectors.person_list_for_user(user=user).filter(public_id=public_id).first()
    if person is None:
        raise _field_error(field, "Choose a person whose record you can open.")
    return person


def _own_team(user: User, public_id: UUID) -> Team:
    team = team_list_for_user(user=user).filter(public_id=public_id, is_active=True).first()
    if team is None:
        raise _field_error("team", "Choose a team you work in.")
    return team


def _case_people(user: User, case: Case, ids: list[UUID], field: str) -> list[Person]:
    people = {p.public_id: p for p in selectors.case_people(case=case, user=user)}
    if any(public_id not in people for public_id in ids):
        raise _field_error(field, "Choose people who are part of this case.")
    return [people[public_id] for public_id in dict.fromkeys(ids)]


def _staff_member(public_id: UUID) -> User | None:
    # Staff, not record data: whether they may work on the case is the service's question.
    return User.objects.filter(public_id=public_id, is_active=True).first()


def _may_edit_person(user: User, person: Person) -> bool:
    cases = selectors.case_list_for_person(user=user, person=person)
    cases += [p.case for p in selectors.participations_for_person(user=user, person=person)]
    return policies.can_edit_person(record_access(user), person, cases)


def _require_casework(user: User, case: Case) -> None:
    _require(
        policies.can_work_on_case(record_access(user), case),
        "You can see this case but you do not work on it, so you cannot change it.",
    )


# --- People ----------------------------------------------------------------------------------


class PersonListView(RecordsAPIView):
    pagination_class = RecordsPagination

    @extend_schema(
        summary="Find people",
        description=(
            "Typo-tolerant name search, an NHS or NI number or UPN, or a date of birth, over the "
            "people you may see. Best matches first."
        ),
        parameters=[s.PersonSearchQuerySerializer],
        responses={200: s.SearchResultSerializer(many=True), 400: BAD_INPUT},
    )
    def get(self, request: Request) -> Response:
        query = _valid(s.PersonSearchQuerySerializer, request.query_params)
        results = selectors.person_search_for_user(
            user=_actor(request),
            query=query.get("q", ""),
            date_of_birth=query.get("date_of_birth"),
        )
        terms: dict[str, Any] = {"query": query.get("q", "")}
        if query.get("date_of_birth"):
            terms["date_of_birth"] = query["date_of_birth"]
        return _paginated(
            self,
            request,
            results,
            s.SearchResultSerializer,
            about=None,
            shows=lambda page: [result.person for result in page],
            summary="Searched for people",
            personal=terms,
        )

    @extend_schema(
        summary="Record a new person and open their first case",
        request=s.PersonCreateSerializer,
        responses={201: s.PersonCreatedSerializer, 400: BAD_INPUT},
    )
    def post(self, request: Request) -> Response:
        actor = _actor(request)
        data = _valid(s.PersonCreateSerializer, request.data)
        team = _own_team(actor, data.pop("team"))
        organisation = None
        if "organisation" in data:
            organisation = (
                organisation_list_served_by_user(user=actor)
                .filter(public_id=data.pop("organisation"))
                .first()
            )
            if organisation is None:
                raise _field_error("organisation", "Choose a council you work for.")
        person, case = services.person_create(
            actor=actor,
            team=team,
            organisation=organisation,
            category=data.pop("category"),
            opened_on=data.pop("opened_on", None),
            referral_reason=data.pop("referral_reason", ""),
            allocate=data.pop("allocate"),
            details=data,
        )
        body = s.PersonCreatedSerializer({"person": person, "case": case}).data
        return Response(body, status=status.HTTP_201_CREATED)


class PersonDetailView(RecordsAPIView):
    @extend_schema(
        summary="A person's record",
        responses={200: s.PersonDetailSerializer, 404: NOT_FOUND},
    )
    def get(self, request: Request, person_id: UUID) -> Response:
        actor = _actor(request)
        person = selectors.person_get_for_user(user=actor, person_id=person_id)
        body = s.PersonDetailSerializer(person).data
        shown_about(actor, person, summary="Viewed a person's record", obj=person)
        return Response(body)

    @extend_schema(
        summary="Correct a person's details",
        request=s.PersonDetailsSerializer,
        responses={200: s.PersonDetailSerializer, 400: BAD_INPUT, 403: REFUSED, 404: NOT_FOUND},
    )
    def patch(self, request: Request, person_id: UUID) -> Response:
        actor = _actor(request)
        person = selectors.person_get_for_user(user=actor, person_id=person_id)
        _require(
            _may_edit_person(actor, person),
            "You can change a person's details only on a case you work on.",
        )
        details = _valid(s.PersonDetailsSerializer, request.data, partial=True)
        person = services.person_update(actor=actor, person=person, details=details)
        return Response(s.PersonDetailSerializer(person).data)


class PersonRelationshipsView(RecordsAPIView):
    pagination_class = RecordsPagination

    @extend_schema(
        summary="A person's relationships, both ways",
        responses={200: s.RelatedPersonSerializer(many=True), 404: NOT_FOUND},
    )
    def get(self, request: Request, person_id: UUID) -> Response:
        actor = _actor(request)
        person = selectors.person_get_for_user(user=actor, person_id=person_id)
        related = selectors.relationships_for_person(user=actor, person=person)
        return _paginated(
            self,
            request,
            related,
            s.RelatedPersonSerializer,
            about=person,
            shows=lambda page: [row.other for row in page],
            summary="Viewed a person's relationships",
            obj=person,
        )

    @extend_schema(
        summary="Record a relationship to another person",
        request=s.RelationshipCreateSerializer,
        responses={
            201: s.RelatedPersonSerializer,
            400: BAD_INPUT,
            403: REFUSED,
            404: NOT_FOUND,
        },
    )
    def post(self, request: Request, person_id: UUID) -> Response:
        actor = _actor(request)
        person = selectors.person_get_for_user(user=actor, person_id=person_id)
        data = _valid(s.RelationshipCreateSerializer, request.data)
        other = _visible_person(actor, data.pop("other_person"), "other_person")
        _require(
            _may_edit_person(actor, person) or _may_edit_person(actor, other),
            "You can add relationships only for people on a case you work on.",
        )
        inverse = data.pop("inverse")
        try:
            relationship = services.relationship_add(
                actor=actor,
                from_person=person if inverse else other,
                to_person=other if inverse else person,
                **data,
            )
        except ApplicationError as exc:
            # The service names its own arguments; the request named the other person.
            raise _renamed(exc, {"from_person", "to_person"}, "other_person") from None
        related = selectors.RelatedPerson(
            relationship, other, relationship.label_for(person), other_visible=True
        )
        return Response(s.RelatedPersonSerializer(related).data, status=status.HTTP_201_CREATED)


class PersonCasesView(RecordsAPIView):
    pagination_class = RecordsPagination

    @extend_schema(
        summary="A person's cases that you may see",
        responses={200: s.CaseSerializer(many=True), 404: NOT_FOUND},
    )
    def get(self, request: Request, person_id: UUID) -> Response:
        actor = _actor(request)
        person = selectors.person_get_for_user(user=actor, person_id=person_id)
        cases = selectors.case_list_for_person(user=actor, person=person)
        return _paginated(
            self,
            request,
            cases,
            s.CaseSerializer,
            about=person,
            shows=lambda page: page,
            summary="Viewed a person's cases",
            obj=person,
        )


class PersonChronologyView(RecordsAPIView):
    # For the schema: the selector pages the chronology itself, in the same shape.
    pagination_class = RecordsPagination

    @extend_schema(
        summary="A person's chronology, newest first",
        description="Items from the cases you may see; filter by kind (repeatable) and case.",
        parameters=[s.ChronologyQuerySerializer],
        responses={200: s.ItemSummarySerializer(many=True), 400: BAD_INPUT, 404: NOT_FOUND},
    )
    def get(self, request: Request, person_id: UUID) -> Response:
        actor = _actor(request)
        person = selectors.person_get_for_user(user=actor, person_id=person_id)
        query = _valid(s.ChronologyQuerySerializer, request.query_params)
        if "case" in query and query["case"] not in {
            case.public_id for case in selectors.case_list_for_person(user=actor, person=person)
        }:
            raise _field_error("case", "Choose one of this person's cases that you can see.")
        page = selectors.chronology_for_user(
            user=actor,
            person=person,
            kinds=query.get("kind"),
            case_id=query.get("case"),
            page=query["page"],
            per_page=query["page_size"],
        )
        items = list(page.object_list)
        shown_about(actor, person, items, summary="Viewed a person's chronology", obj=person)
        url = request.build_absolute_uri()
        next_url = previous_url = None
        if page.has_next():
            next_url = replace_query_param(url, "page", page.next_page_number())
        if page.has_previous():
            number = page.previous_page_number()
            previous_url = (
                remove_query_param(url, "page")
                if number == 1
                else replace_query_param(url, "page", number)
            )
        return Response(
            {
                "count": page.paginator.count,
                "next": next_url,
                "previous": previous_url,
                "results": s.ItemSummarySerializer(items, many=True).data,
            }
        )


# --- Cases and allocations -------------------------------------------------------------------


class CaseListView(RecordsAPIView):
    @extend_schema(
        summary="Open a case for someone whose record you can open",
        request=s.CaseOpenSerializer,
        responses={201: s.CaseSerializer, 400: BAD_INPUT},
    )
    def post(self, request: Request) -> Response:
        actor = _actor(request)
        data = _valid(s.CaseOpenSerializer, request.data)
        case = services.case_open(
            actor=actor,
            person=_visible_person(actor, data.pop("person"), "person"),
            team=_own_team(actor, data.pop("team")),
            **data,
        )
        return Response(s.CaseSerializer(case).data, status=status.HTTP_201_CREATED)


class CaseDetailView(RecordsAPIView):
    @extend_schema(summary="A case", responses={200: s.CaseSerializer, 404: NOT_FOUND})
    def get(self, request: Request, case_id: UUID) -> Response:
        actor = _actor(request)
        case = selectors.case_get_for_user(user=actor, case_id=case_id)
        shown_about(actor, case.person, summary="Viewed a case", obj=case)
        return Response(s.CaseSerializer(case).data)


class CaseAllocationsView(RecordsAPIView):
    pagination_class = RecordsPagination

    @extend_schema(
        summary="Everyone allocated to a case, past and present",
        responses={200: s.AllocationSerializer(many=True), 404: NOT_FOUND},
    )
    def get(self, request: Request, case_id: UUID) -> Response:
        case = selectors.case_get_for_user(user=_actor(request), case_id=case_id)
        return _paginated(
            self,
            request,
            selectors.case_allocations(case=case),
            s.AllocationSerializer,
            about=case.person,
            shows=lambda page: (),
            summary="Viewed a case's allocations",
            obj=case,
        )

    @extend_schema(
        summary="Allocate a worker to a case",
        description="Managers allocate anyone eligible; a team member may take a case themself.",
        request=s.AllocationCreateSerializer,
        responses={
            201: s.AllocationSerializer,
            400: BAD_INPUT,
            403: REFUSED,
            404: NOT_FOUND,
        },
    )
    def post(self, request: Request, case_id: UUID) -> Response:
        actor = _actor(request)
        case = selectors.case_get_for_user(user=actor, case_id=case_id)
        data = _valid(s.AllocationCreateSerializer, request.data)
        worker = _staff_member(data.pop("worker"))
        if worker is None:
            raise _field_error(
                "worker", "Choose a worker in a team that provides this service for the case."
            )
        _require(
            policies.can_allocate(record_access(actor), case, worker.pk),
            "Only a manager of the team holding the case can allocate it to someone else.",
        )
        allocation = services.case_allocate(actor=actor, case=case, worker=worker, **data)
        return Response(s.AllocationSerializer(allocation).data, status=status.HTTP_201_CREATED)


class AllocationEndView(RecordsAPIView):
    @extend_schema(
        summary="End an allocation",
        request=s.AllocationEndSerializer,
        responses={200: s.AllocationSerializer, 400: BAD_INPUT, 403: REFUSED, 404: NOT_FOUND},
    )
    def post(self, request: Request, allocation_id: UUID) -> Response:
        actor = _actor(request)
        allocation = selectors.allocation_get_for_user(user=actor, allocation_id=allocation_id)
        _require(
            policies.can_manage_case(record_access(actor), allocation.case),
            "Only a manager of the team holding the case can end allocations.",
        )
        data = _valid(s.AllocationEndSerializer, request.data)
        services.allocation_end(actor=actor, allocation=allocation, ends_on=data.get("ends_on"))
        return Response(s.AllocationSerializer(allocation).data)


# --- Recording on a case ---------------------------------------------------------------------


class CaseItemCreateView(RecordsAPIView):
    """Record something on a case: who may is ``policies.can_work_on_case``."""

    input_serializer: type[Serializer]
    people_fields: tuple[str, ...] = ()
    # The service that records it: called with actor=, case= and the validated fields.
    service: ClassVar[Callable[..., Item]]

    def post(self, request: Request, case_id: UUID) -> Response:
        actor = _actor(request)
        case = selectors.case_get_for_user(user=actor, case_id=case_id)
        _require_casework(actor, case)
        data = _valid(self.input_serializer, request.data)
        for field in self.people_fields:
            data[field] = _case_people(actor, case, data.get(field, []), field)
        item = type(self).service(actor=actor, case=case, **data)
        return Response(s.item_detail(item, actor), status=status.HTTP_201_CREATED)


def _item_create_schema(summary: str, serializer: type[Serializer]) -> Any:
    return extend_schema_view(
        post=extend_schema(
            summary=summary,
            request=serializer,
            responses={
                201: s.ITEM_DETAIL_SCHEMA,
                400: BAD_INPUT,
                403: REFUSED,
                404: NOT_FOUND,
            },
        )
    )


@_item_create_schema("Record a contact", s.ContactRecordSerializer)
class CaseContactsView(CaseItemCreateView):
    input_serializer = s.ContactRecordSerializer
    people_fields = ("participants", "mentioned")
    service = staticmethod(services.contact_record)


@_item_create_schema("Record a case note", s.NoteRecordSerializer)
class CaseNotesView(CaseItemCreateView):
    input_serializer = s.NoteRecordSerializer
    people_fields = ("mentioned",)
    service = staticmethod(services.note_record)


@_item_create_schema("Start an assessment (a draft)", s.AssessmentStartSerializer)
class CaseAssessmentsView(CaseItemCreateView):
    input_serializer = s.AssessmentStartSerializer
    service = staticmethod(services.assessment_start)


@_item_create_schema("Record a plan", s.PlanRecordSerializer)
class CasePlansView(CaseItemCreateView):
    input_serializer = s.PlanRecordSerializer
    service = staticmethod(services.plan_record)


@_item_create_schema("Upload a document (multipart)", s.DocumentUploadSerializer)
class CaseDocumentsView(CaseItemCreateView):
    parser_classes = [MultiPartParser]
    input_serializer = s.DocumentUploadSerializer
    service = staticmethod(services.document_upload)


@_item_create_schema("Record information received", s.InformationReceivedRecordSerializer)
class CaseInformationReceivedView(CaseItemCreateView):
    input_serializer = s.InformationReceivedRecordSerializer
    people_fields = ("mentioned",)
    service = staticmethod(services.information_received_record)


# --- Items -----------------------------------------------------------------------------------


class ItemDetailView(RecordsAPIView):
    @extend_schema(
        summary="An item with its revisions, linked people and statements of disagreement",
        responses={200: s.ITEM_DETAIL_SCHEMA, 404: NOT_FOUND},
    )
    def get(self, request: Request, item_id: UUID) -> Response:
        actor = _actor(request)
        item = selectors.item_get_for_user(user=actor, item_id=item_id)
        links = selectors.item_linked_people(item=item, user=actor)
        shown_about(actor, item.person_id, links, summary="Viewed a record item", obj=item)
        return Response(s.item_detail(item, actor, links=links))


class ItemAmendView(RecordsAPIView):
    @extend_schema(
        summary="Amend an item, keeping the original and the reason",
        request=s.ItemAmendSerializer,
        responses={200: s.ITEM_DETAIL_SCHEMA, 400: BAD_INPUT, 403: REFUSED, 404: NOT_FOUND},
    )
    def post(self, request: Request, item_id: UUID) -> Response:
        actor = _actor(request)
        item = selectors.item_get_for_user(user=actor, item_id=item_id)
        # An item entered in error cannot be amended by anyone: the service says so (400).
        if not item.is_entered_in_error:
            _require(
                policies.can_amend_item(record_access(actor), item, item.case),
                "Only the author or a manager of the team can amend this.",
            )
        data = _valid(s.ItemAmendSerializer, request.data)
        changes = self._typed_changes(item, data["changes"])
        try:
            item = services.item_amend(
                actor=actor, item=item, changes=changes, reason=data["reason"]
            )
        except DjangoValidationError as exc:
            raise self._nested(item, exc) from None
        return Response(s.item_detail(item, actor))

    @staticmethod
    def _typed_changes(item: Item, changes: dict[str, Any]) -> dict[str, Any]:
        amendable = item.detail().amendable_fields
        unknown = sorted(set(changes) - set(amendable))
        if unknown:
            raise ValidationError(
                {"changes": {name: ["This cannot be amended."] for name in unknown}}
            )
        serializer = s.amendment_changes_serializer(item, changes)
        if not serializer.is_valid():
            raise ValidationError({"changes": serializer.errors})
        return dict(serializer.validated_data)

    @staticmethod
    def _nested(item: Item, exc: DjangoValidationError) -> ValidationError:
        """The service's field errors, under ``changes`` as the request put them."""
        if not hasattr(exc, "error_dict"):
            return ValidationError({"detail": exc.messages})
        amendable = set(item.detail().amendable_fields)
        errors: dict[str, Any] = {}
        for name, messages in exc.message_dict.items():
            if name in amendable:
                errors.setdefault("changes", {})[name] = messages
            else:
                errors[name] = messages
        return ValidationError(errors)


class ItemEnteredInErrorView(RecordsAPIView):
    @extend_schema(
        summary="Mark an item entered in error (hidden from the chronology, kept on record)",
        request=s.EnteredInErrorSerializer,
        responses={200: s.ITEM_DETAIL_SCHEMA, 400: BAD_INPUT, 403: REFUSED, 404: NOT_FOUND},
    )
    def post(self, request: Request, item_id: UUID) -> Response:
        actor = _actor(request)
        item = selectors.item_get_for_user(user=actor, item_id=item_id)
        if not item.is_entered_in_error:
            _require(
                policies.can_mark_entered_in_error(record_access(actor), item, item.case),
                "Only a manager of the team holding the case can do this.",
            )
        data = _valid(s.EnteredInErrorSerializer, request.data)
        item = services.item_mark_entered_in_error(actor=actor, item=item, reason=data["reason"])
        return Response(s.item_detail(item, actor))


class ItemDisagreementsView(RecordsAPIView):
    @extend_schema(
        summary="Attach the subject's statement that a record is wrong",
        request=s.DisagreementAttachSerializer,
        responses={
            201: s.DisagreementSerializer,
            400: BAD_INPUT,
            403: REFUSED,
            404: NOT_FOUND,
        },
    )
    def post(self, request: Request, item_id: UUID) -> Response:
        actor = _actor(request)
        item = selectors.item_get_for_user(user=actor, item_id=item_id)
        _require(
            policies.can_record_disagreement(record_access(actor), item, item.case),
            "You can see this record but you do not work on its case.",
        )
        data = _valid(s.DisagreementAttachSerializer, request.data)
        statement = services.disagreement_attach(actor=actor, item=item, **data)
        return Response(s.DisagreementSerializer(statement).data, status=status.HTTP_201_CREATED)


def _assessment(item: Item) -> Assessment:
    if not isinstance(item, Assessment):
        raise ApplicationError("Only an assessment can be submitted or authorised.")
    return item


class AssessmentSubmitView(RecordsAPIView):
    @extend_schema(
        summary="Submit a draft assessment for authorisation",
        request=None,
        responses={200: s.ITEM_DETAIL_SCHEMA, 400: BAD_INPUT, 403: REFUSED, 404: NOT_FOUND},
    )
    def post(self, request: Request, item_id: UUID) -> Response:
        actor = _actor(request)
        assessment = _assessment(selectors.item_get_for_user(user=actor, item_id=item_id))
        _require(
            assessment.author_id == actor.pk
            or policies.can_manage_case(record_access(actor), assessment.case),
            "Only the author or a manager can submit this assessment.",
        )
        assessment = services.assessment_submit(actor=actor, assessment=assessment)
        return Response(s.item_detail(assessment, actor))


class AssessmentAuthoriseView(RecordsAPIView):
    @extend_schema(
        summary="Authorise a submitted assessment (a manager, not its author)",
        request=None,
        responses={200: s.ITEM_DETAIL_SCHEMA, 400: BAD_INPUT, 403: REFUSED, 404: NOT_FOUND},
    )
    def post(self, request: Request, item_id: UUID) -> Response:
        actor = _actor(request)
        assessment = _assessment(selectors.item_get_for_user(user=actor, item_id=item_id))
        # Who may authorise is a 403; whether it is ready (submitted) is the service's 400.
        _require(
            policies.can_manage_case(record_access(actor), assessment.case),
            "Only a manager of the team holding the case can authorise it.",
        )
        _require(assessment.author_id != actor.pk, "You cannot authorise an assessment you wrote.")
        assessment = services.assessment_authorise(actor=actor, assessment=assessment)
        return Response(s.item_detail(assessment, actor))


class PlanReviewsView(RecordsAPIView):
    @extend_schema(
        summary="Record a review of a plan",
        request=s.ReviewRecordSerializer,
        responses={201: s.ITEM_DETAIL_SCHEMA, 400: BAD_INPUT, 403: REFUSED, 404: NOT_FOUND},
    )
    def post(self, request: Request, item_id: UUID) -> Response:
        actor = _actor(request)
        plan = selectors.item_get_for_user(user=actor, item_id=item_id)
        if not isinstance(plan, Plan):
            raise ApplicationError("Only a plan can be reviewed.")
        _require_casework(actor, plan.case)
        data = _valid(s.ReviewRecordSerializer, request.data)
        review = services.review_record(actor=actor, plan=plan, **data)
        return Response(s.item_detail(review, actor), status=status.HTTP_201_CREATED)


# --- Documents -------------------------------------------------------------------------------


class DocumentDownloadView(RecordsAPIView):
    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        # The file is sent as stored whatever the client accepts; errors are JSON.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        summary="Download a document, as an attachment",
        responses={
            (200, "application/octet-stream"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The file, with its stored content type"
            ),
            404: NOT_FOUND,
        },
    )
    def get(self, request: Request, item_id: UUID) -> FileResponse:
        actor = _actor(request)
        document = selectors.document_get_for_user(user=actor, item_id=item_id)
        response = document_response(document)
        shown_about(actor, document.person_id, summary="Downloaded a document", obj=document)
        return response
