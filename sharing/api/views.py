"""The sharing API: thin views over ``sharing.selectors`` (reads) and ``sharing.services``
(writes). Ids in URLs and bodies are public UUIDs.

Status codes mean what they mean in the case-records API:

- **404** ``{"detail": "Not found."}`` for a person, consent, sharing, agency or agreement the
  caller may not see, exactly as for one that does not exist; and for the reports, to anyone
  who does not see them.
- **403** when the caller may see the thing but may not make this change: a practitioner
  adding a partner agency, a reader under break-glass recording a consent, a practitioner
  authorising a colleague's sharing.
- **400** with field errors for bad input and for every rule of DOMAIN.md §4 the services
  enforce; nothing is written. An id in a body that the caller cannot see is a field error on
  that field. Authorising a sharing you recorded yourself is one of the services' refusals
  (another manager must), so it is a 400 that says so.

Every answer that shows people's data names exactly the people shown for the read audit.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import UUID

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Organisation, User
from accounts.selectors import organisation_list_served_by_user
from audit.context import shown
from core.api.views import BAD_INPUT, NOT_FOUND, REFUSED
from core.api.views import StaffAPIView as SharingAPIView
from core.api.views import actor as _actor
from core.api.views import field_error as _field_error
from core.api.views import require as _require
from core.api.views import valid as _valid
from core.errors import ApplicationError
from records import selectors as record_selectors
from records.models import Item, Person
from records.policies import record_access
from records.views import shown_about
from sharing import policies, selectors, services
from sharing.api import serializers as s
from sharing.models import Authorisation, Consent, PartnerAgency, SharingAgreement
from sharing.selectors import SharingInView
from sharing.services import Errors, SharingDraft

# --- Shared pieces ---------------------------------------------------------------------------


class SharingPagination(PageNumberPagination):
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100


NOT_SEEN_PERSON = "One of the people chosen is not one you can see."
NOT_SEEN_ITEM = "One of the records chosen is not one you can see."
NOT_AN_AGENCY = "Choose one of this council's partner agencies."
REGISTER_ONLY = (
    "Only the records manager or system administrator of this council can change its partner "
    "agencies and agreements."
)


def _page(view: APIView, request: Request, rows: Any) -> tuple[SharingPagination, list[Any]]:
    paginator = SharingPagination()
    return paginator, list(paginator.paginate_queryset(rows, request, view=view) or [])


def _may_work_on(user: User, person: Person) -> bool:
    return selectors.may_share_about(user, person)


# --- The register: agencies and agreements ---------------------------------------------------


def _agencies_seen(user: User) -> QuerySet[PartnerAgency]:
    """The agencies of the registers the user keeps, and the active ones of every council they
    serve (the ones they may record sharings to)."""
    rows = selectors.agency_list_for_register(user=user)
    for org_id in sorted(record_access(user).served_org_ids):
        rows = rows | selectors.agency_list_for_recording(user=user, organisation_id=org_id)
    return rows.select_related("organisation").prefetch_related("agreements").order_by("name", "id")


def _agency_for_recording(user: User, agency_id: Any) -> PartnerAgency:
    """An agency of the register of a council the user serves, active or not, or 404."""
    for org_id in sorted(record_access(user).served_org_ids):
        try:
            return selectors.agency_for_recording(
                user=user, organisation_id=org_id, agency_id=agency_id
            )
        except Http404:
            continue
    raise Http404


def _agency_get(user: User, agency_id: UUID) -> tuple[PartnerAgency, bool]:
    """The agency, and whether the user keeps its register; 404 if they see neither way."""
    try:
        return selectors.agency_get_for_register(user=user, agency_id=agency_id), True
    except Http404:
        return _agency_for_recording(user, agency_id), False


def _register_agency(user: User, agency_id: UUID) -> PartnerAgency:
    try:
        return selectors.agency_get_for_register(user=user, agency_id=agency_id)
    except Http404:
        raise _field_error(
            "agency", "Choose one of the partner agencies of a register you keep."
        ) from None


def _register_organisation(user: User, public_id: UUID | None) -> Organisation:
    """The council whose register a new agency joins: the one given, or the only one kept."""
    kept = organisation_list_served_by_user(user=user).filter(
        pk__in=policies.register_org_ids(user)
    )
    if public_id is not None:
        found = kept.filter(public_id=public_id).first()
        if found is None:
            raise _field_error("organisation", "Choose a council whose register you keep.")
        return found
    councils = list(kept[:2])
    if len(councils) != 1:
        raise _field_error("organisation", "Choose the council whose register it joins.")
    return councils[0]


def _require_register(user: User) -> None:
    _require(bool(policies.register_org_ids(user)), REGISTER_ONLY)


class AgencyListView(SharingAPIView):
    pagination_class = SharingPagination

    @extend_schema(
        summary="Partner agencies",
        description=(
            "The active agencies of each council you work for (the ones a sharing may go to), "
            "with their agreements in force; and, if you keep a council's register, all of its "
            "agencies, inactive ones too. By name."
        ),
        responses={200: s.AgencySerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        paginator, page = _page(self, request, _agencies_seen(_actor(request)))
        return paginator.get_paginated_response(s.AgencySerializer(page, many=True).data)

    @extend_schema(
        summary="Add a partner agency to a council's register",
        description="For the council's records manager or system administrator.",
        request=s.AgencyCreateSerializer,
        responses={201: s.AgencySerializer, 400: BAD_INPUT, 403: REFUSED},
    )
    def post(self, request: Request) -> Response:
        actor = _actor(request)
        _require_register(actor)
        data = _valid(s.AgencyCreateSerializer, request.data)
        organisation = _register_organisation(actor, data.pop("organisation", None))
        agency = services.agency_create(actor=actor, organisation=organisation, **data)
        return Response(s.AgencySerializer(agency).data, status=status.HTTP_201_CREATED)


class AgencyDetailView(SharingAPIView):
    @extend_schema(
        summary="A partner agency",
        responses={200: s.AgencySerializer, 404: NOT_FOUND},
    )
    def get(self, request: Request, agency_id: UUID) -> Response:
        agency, _ = _agency_get(_actor(request), agency_id)
        return Response(s.AgencySerializer(agency).data)

    @extend_schema(
        summary="Change a partner agency's details, or make it inactive",
        request=s.AgencyInputSerializer,
        responses={200: s.AgencySerializer, 400: BAD_INPUT, 403: REFUSED, 404: NOT_FOUND},
    )
    def patch(self, request: Request, agency_id: UUID) -> Response:
        actor = _actor(request)
        agency, keeps_register = _agency_get(actor, agency_id)
        _require(keeps_register, REGISTER_ONLY)
        data = _valid(s.AgencyInputSerializer, request.data, partial=True)
        agency = services.agency_update(actor=actor, agency=agency, **data)
        return Response(s.AgencySerializer(agency).data)


class AgreementListView(SharingAPIView):
    pagination_class = SharingPagination

    @extend_schema(
        summary="Sharing agreements of the registers you keep",
        description="Empty for anyone who keeps no register.",
        responses={200: s.AgreementSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        rows = selectors.agreement_list_for_register(user=_actor(request)).select_related(
            "agency", "created_by"
        )
        paginator, page = _page(self, request, rows)
        return paginator.get_paginated_response(s.AgreementSerializer(page, many=True).data)

    @extend_schema(
        summary="Record an information sharing agreement with a partner agency",
        request=s.AgreementInputSerializer,
        responses={201: s.AgreementSerializer, 400: BAD_INPUT, 403: REFUSED},
    )
    def post(self, request: Request) -> Response:
        actor = _actor(request)
        _require_register(actor)
        data = _valid(s.AgreementInputSerializer, request.data)
        agency = _register_agency(actor, data.pop("agency"))
        agreement = services.agreement_create(actor=actor, agency=agency, **data)
        return Response(s.AgreementSerializer(agreement).data, status=status.HTTP_201_CREATED)


class AgreementDetailView(SharingAPIView):
    @extend_schema(
        summary="A sharing agreement",
        responses={200: s.AgreementSerializer, 404: NOT_FOUND},
    )
    def get(self, request: Request, agreement_id: UUID) -> Response:
        agreement = selectors.agreement_get_for_register(
            user=_actor(request), agreement_id=agreement_id
        )
        return Response(s.AgreementSerializer(agreement).data)

    @extend_schema(
        summary="Change a sharing agreement (its dates, what it covers)",
        request=s.AgreementInputSerializer,
        responses={200: s.AgreementSerializer, 400: BAD_INPUT, 404: NOT_FOUND},
    )
    def patch(self, request: Request, agreement_id: UUID) -> Response:
        actor = _actor(request)
        agreement: SharingAgreement = selectors.agreement_get_for_register(
            user=actor, agreement_id=agreement_id
        )
        data = _valid(s.AgreementInputSerializer, request.data, partial=True)
        if "agency" in data:
            data["agency"] = _register_agency(actor, data["agency"])
        agreement = services.agreement_update(actor=actor, agreement=agreement, **data)
        return Response(s.AgreementSerializer(agreement).data)


# --- Consents --------------------------------------------------------------------------------


class PersonConsentsView(SharingAPIView):
    pagination_class = SharingPagination

    @extend_schema(
        summary="A person's consents to share, newest first",
        responses={200: s.ConsentSerializer(many=True), 404: NOT_FOUND},
    )
    def get(self, request: Request, person_id: UUID) -> Response:
        actor = _actor(request)
        person = record_selectors.person_get_for_user(user=actor, person_id=person_id)
        paginator, page = _page(self, request, selectors.consent_list_for_person(person=person))
        shown_about(actor, person, summary="Viewed a person's consents to share", obj=person)
        return paginator.get_paginated_response(s.ConsentSerializer(page, many=True).data)

    @extend_schema(
        summary="Record a consent the person has given",
        description=(
            "To an agency of the person's council, or for a named person to see their file; with "
            "where the written consent is kept. For people on a case you work on."
        ),
        request=s.ConsentRecordSerializer,
        responses={201: s.ConsentSerializer, 400: BAD_INPUT, 403: REFUSED, 404: NOT_FOUND},
    )
    def post(self, request: Request, person_id: UUID) -> Response:
        actor = _actor(request)
        person = record_selectors.person_get_for_user(user=actor, person_id=person_id)
        _require(
            _may_work_on(actor, person),
            "You can record consent only for people on a case you work on.",
        )
        data = _valid(s.ConsentRecordSerializer, request.data)
        if data["agency"] is not None:
            try:
                data["agency"] = selectors.agency_for_recording(
                    user=actor, organisation_id=person.organisation_id, agency_id=data["agency"]
                )
            except Http404:
                raise _field_error("agency", NOT_AN_AGENCY) from None
        consent = services.consent_record(actor=actor, person=person, **data)
        return Response(s.ConsentSerializer(consent).data, status=status.HTTP_201_CREATED)


class ConsentWithdrawView(SharingAPIView):
    @extend_schema(
        summary="Record that the person withdrew a consent",
        description="No sharing on or after the day of withdrawal may rely on it.",
        request=s.ConsentWithdrawSerializer,
        responses={200: s.ConsentSerializer, 400: BAD_INPUT, 403: REFUSED, 404: NOT_FOUND},
    )
    def post(self, request: Request, consent_id: UUID) -> Response:
        actor = _actor(request)
        consent: Consent = selectors.consent_get_for_user(user=actor, consent_id=consent_id)
        _require(
            _may_work_on(actor, consent.person),
            "You can record a withdrawal of consent only for people on a case you work on.",
        )
        data = _valid(s.ConsentWithdrawSerializer, request.data)
        consent = services.consent_withdraw(actor=actor, consent=consent, **data)
        return Response(s.ConsentSerializer(consent).data)


# --- The sharing log -------------------------------------------------------------------------


def _draft(actor: User, data: dict[str, Any]) -> tuple[SharingDraft, Errors]:
    """The draft a request describes, with its ids resolved within what the caller may see,
    and the field errors for those they may not."""
    errors: Errors = {}
    data = dict(data)
    person_ids = list(dict.fromkeys(data.pop("people")))
    found = {
        p.public_id: p
        for p in record_selectors.person_list_for_user(user=actor).filter(public_id__in=person_ids)
    }
    people = [found[public_id] for public_id in person_ids if public_id in found]
    if len(people) != len(person_ids):
        errors["people"] = [NOT_SEEN_PERSON]
    items = _items(actor, people, list(dict.fromkeys(data.pop("items"))), errors)
    agency = agreement = None
    agency_id, agreement_id = data.pop("agency"), data.pop("agreement")
    if agency_id is not None:
        try:
            agency = _agency_for_recording(actor, agency_id)
        except Http404:
            errors["agency"] = [NOT_AN_AGENCY]
    if agreement_id is not None and agency is not None:
        try:
            agreement = selectors.agreement_for_recording(agency=agency, agreement_id=agreement_id)
        except Http404:
            errors["agreement"] = [f"Choose an agreement with {agency.name}."]
    elif agreement_id is not None and agency_id is None:
        errors["agreement"] = ["Choose the agency the agreement is with."]
    draft = SharingDraft(people=people, items=items, agency=agency, agreement=agreement, **data)
    return draft, errors


def _items(actor: User, people: list[Person], item_ids: list[UUID], errors: Errors) -> list[Item]:
    """The records chosen, in the order given. Those about the people come in one query; any
    other is looked up alone, so that one the caller cannot see is a field error here and one
    they see but is about someone else is the service's to refuse."""
    about = {
        i.public_id: i
        for i in selectors.shareable_items_for_user(user=actor, people=people).filter(
            public_id__in=item_ids
        )
    }
    items: list[Item] = []
    for public_id in item_ids:
        if public_id in about:
            items.append(about[public_id])
            continue
        try:
            items.append(record_selectors.item_get_for_user(user=actor, item_id=public_id))
        except Http404:
            errors["items"] = [NOT_SEEN_ITEM]
    return items


def _refusal(errors: Errors) -> ApplicationError:
    first = next(iter(errors.values()))[0]
    return ApplicationError(first, field_errors=errors)


def _sharing_body(view: SharingInView) -> Any:
    return s.SharingSerializer(view.sharing, context={"view": view}).data


def _sharing_answer(actor: User, sharing_id: UUID, code: int = status.HTTP_200_OK) -> Response:
    """A sharing as the caller sees it, read again after a service has changed it: the answer
    shows its people, so it is a read of them too."""
    view = selectors.sharing_get_for_user(user=actor, sharing_id=sharing_id)
    shown(view.people, summary="Viewed a sharing", obj=view.sharing)
    return Response(_sharing_body(view), status=code)


class SharingListView(SharingAPIView):
    @extend_schema(
        summary="Log a sharing with a partner agency",
        description=(
            "Checks every rule of the sharing log at once: the people are on a case you work "
            "on, the records are about them, the agency is active and in the UK, an agreement "
            "cited is in force and covers it, health data has an Article 9 condition, criminal "
            "offence data an Article 10 one, and consent as the basis has a valid consent "
            "covering it. With consent on file it is shared; without, it waits for a manager "
            "(`awaiting`), unless it is urgent safeguarding, shared at once and flagged until a "
            "manager authorises it."
        ),
        request=s.SharingDraftSerializer,
        responses={201: s.SharingSerializer, 400: BAD_INPUT},
    )
    def post(self, request: Request) -> Response:
        actor = _actor(request)
        draft, errors = _draft(actor, _valid(s.SharingDraftSerializer, request.data))
        if errors:
            found, _ = services.draft_errors(actor=actor, draft=draft)
            raise _refusal({**found, **errors})
        sharing = services.sharing_record(actor=actor, draft=draft)
        return _sharing_answer(actor, sharing.public_id, status.HTTP_201_CREATED)


class SharingCheckView(SharingAPIView):
    @extend_schema(
        summary="Check a draft sharing, step by step, without logging it",
        description=(
            "The same checks as logging it, for the steps given (`items`: people, records and "
            "kinds of information; `recipient`: agency, person, method, date, agreement; "
            "`basis`: purpose and legal footing; `consent`). Nothing is written."
        ),
        request=s.SharingCheckSerializer,
        responses={200: s.SharingCheckResultSerializer, 400: BAD_INPUT},
    )
    def post(self, request: Request) -> Response:
        actor = _actor(request)
        data = _valid(s.SharingCheckSerializer, request.data)
        steps = data.pop("steps")
        draft, errors = _draft(actor, data)
        found, _ = services.draft_errors(actor=actor, draft=draft, steps=steps)
        return Response({"errors": {**found, **errors}})


class PersonSharingsView(SharingAPIView):
    pagination_class = SharingPagination

    @extend_schema(
        summary="Who a person's information was shared with, newest first",
        responses={200: s.SharingSummarySerializer(many=True), 404: NOT_FOUND},
    )
    def get(self, request: Request, person_id: UUID) -> Response:
        actor = _actor(request)
        person = record_selectors.person_get_for_user(user=actor, person_id=person_id)
        paginator, page = _page(self, request, selectors.sharing_list_for_person(person=person))
        shown_about(actor, person, summary="Viewed who a person's information went to", obj=person)
        return paginator.get_paginated_response(s.SharingSummarySerializer(page, many=True).data)


class SharingDetailView(SharingAPIView):
    @extend_schema(
        summary="A sharing",
        description="Only the people and records you may see, with how many others it includes.",
        responses={200: s.SharingSerializer, 404: NOT_FOUND},
    )
    def get(self, request: Request, sharing_id: UUID) -> Response:
        return _sharing_answer(_actor(request), sharing_id)


def _require_decider(actor: User, view: SharingInView) -> None:
    """Who may decide is a 403. Whether it is waiting, and that its recorder may not decide it,
    are the service's refusals (400)."""
    sharing = view.sharing
    if sharing.authorisation == Authorisation.PENDING and sharing.recorded_by_id != actor.pk:
        _require(
            view.can_authorise,
            "Only a manager of a team holding one of these people's cases can decide this.",
        )


class SharingAuthoriseView(SharingAPIView):
    @extend_schema(
        summary="Authorise a sharing without consent",
        description=(
            "By a manager of a team holding a case of one of its people, not its recorder. One "
            "waiting is shared (today, if planned for earlier); an urgent one stops being flagged."
        ),
        request=s.DecisionSerializer,
        responses={200: s.SharingSerializer, 400: BAD_INPUT, 403: REFUSED, 404: NOT_FOUND},
    )
    def post(self, request: Request, sharing_id: UUID) -> Response:
        actor = _actor(request)
        view = selectors.sharing_get_for_user(user=actor, sharing_id=sharing_id)
        _require_decider(actor, view)
        data = _valid(s.DecisionSerializer, request.data)
        services.sharing_authorise(actor=actor, sharing=view.sharing, note=data["note"])
        return _sharing_answer(actor, sharing_id)


class SharingDeclineView(SharingAPIView):
    @extend_schema(
        summary="Decline to authorise a sharing without consent",
        description=(
            "One waiting is not shared. An urgent one already shared stays flagged, and the "
            "Caldicott guardian is told."
        ),
        request=s.DecisionSerializer,
        responses={200: s.SharingSerializer, 400: BAD_INPUT, 403: REFUSED, 404: NOT_FOUND},
    )
    def post(self, request: Request, sharing_id: UUID) -> Response:
        actor = _actor(request)
        view = selectors.sharing_get_for_user(user=actor, sharing_id=sharing_id)
        _require_decider(actor, view)
        data = _valid(s.DecisionSerializer, request.data)
        services.sharing_decline(actor=actor, sharing=view.sharing, note=data["note"])
        return _sharing_answer(actor, sharing_id)


class AuthorisationQueueView(SharingAPIView):
    pagination_class = SharingPagination

    @extend_schema(
        summary="Sharings without consent waiting for you to authorise",
        description=(
            "For managers: those with a person whose case your team holds, not recorded by you. "
            "Urgent ones, already shared, first; then oldest first."
        ),
        responses={200: s.QueuedSharingSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        actor = _actor(request)
        paginator, page = _page(self, request, selectors.authorisation_queue_for_user(user=actor))
        subject_ids = {link.person_id for sharing in page for link in sharing.subjects.all()}
        visible = set(
            record_selectors.person_list_for_user(user=actor)
            .filter(pk__in=subject_ids)
            .values_list("pk", flat=True)
        )
        shown(visible, summary="Viewed the sharings waiting for authorisation")
        body = s.QueuedSharingSerializer(page, many=True, context={"visible_ids": visible}).data
        return paginator.get_paginated_response(body)


# --- Reports ---------------------------------------------------------------------------------

LONGEST_REPORT = timedelta(days=5 * 366)


def _months_before(day: date, months: int) -> date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return date(year, month + 1, 1)


def _rows(counts: dict[str, Any], months: list[date]) -> list[dict[str, Any]]:
    return [
        {
            "name": name,
            "counts": [by_month[m] for m in months],
            "total": sum(by_month.values()),
        }
        for name, by_month in counts.items()
    ]


class ReportView(SharingAPIView):
    @extend_schema(
        summary="Sharings by month, agency, purpose and basis; every one without consent",
        description=(
            "For managers, the Caldicott guardian, records managers and administrators, over "
            "their councils. Counts and references only, never names."
        ),
        parameters=[s.ReportQuerySerializer],
        responses={200: s.ReportSerializer, 400: BAD_INPUT, 404: NOT_FOUND},
    )
    def get(self, request: Request) -> Response:
        actor = _actor(request)
        if not policies.can_see_reports(actor):
            raise Http404
        query = _valid(s.ReportQuerySerializer, request.query_params)
        end = query.get("to") or timezone.localdate()
        start = query.get("from") or _months_before(end, 11)
        if start > end:
            raise _field_error("from", "The first day must be on or before the last day.")
        if end - start > LONGEST_REPORT:
            raise _field_error("from", "Choose a period of at most five years.")
        report = selectors.sharing_report_for_user(user=actor, start=start, end=end)
        body = {
            "start": report.start,
            "end": report.end,
            "months": report.months,
            "total": report.total,
            "month_totals": [report.month_totals[m] for m in report.months],
            "by_agency": _rows(report.by_agency, report.months),
            "by_purpose": _rows(report.by_purpose, report.months),
            "by_basis": _rows(report.by_basis, report.months),
            "without_consent": report.without_consent,
            "median_hours_to_decision": report.median_hours_to_decision,
            "pending": report.pending,
            "flagged": report.flagged,
        }
        return Response(s.ReportSerializer(body).data)
