"""The rights-request API: thin views over ``access_requests.selectors`` and ``services``.

- **404** ``{"detail": "Not found."}`` for anyone outside the records-access team of the
  request's council, exactly as for a request that does not exist.
- **400** with field errors for input that does not parse and for anything the services
  refuse; nothing is changed.

Every response that shows a person's data names them for the read audit with the purpose
"access request".
"""

from __future__ import annotations

from typing import Any, cast

from django.http import FileResponse, Http404, HttpResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer
from rest_framework.views import APIView

from access_requests import disclosure, policies, selectors, services
from access_requests.api import serializers as s
from access_requests.models import AccessRequest, Complaint
from accounts.models import Organisation, User
from accounts.policies import can_administer
from audit.context import shown
from audit.models import Purpose
from core.api.permissions import IsSignedInStaff

NOT_FOUND = OpenApiResponse(description="Not found, or not yours to see (the same answer)")
BAD_INPUT = OpenApiResponse(description="Field errors; nothing was changed")
PURPOSE = Purpose.ACCESS_REQUEST


class IsRecordsAccessOfficer(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        if not policies.is_officer(request.user):  # type: ignore[arg-type]
            raise NotFound()
        return True


class IsSystemAdmin(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        if not can_administer(request.user):  # type: ignore[arg-type]
            raise NotFound()
        return True


class Pages(PageNumberPagination):
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 200


class RequestsAPIView(APIView):
    permission_classes = [IsSignedInStaff, IsRecordsAccessOfficer]

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, Http404):
            exc = NotFound()
        return super().handle_exception(exc)


def _actor(request: Request) -> User:
    return cast("User", request.user)


def _valid(serializer_class: type[Serializer], data: Any) -> dict[str, Any]:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _organisation(user: User, public_id: Any) -> Organisation:
    """The council to log against: the one given, or the only one the officer serves."""
    found = selectors.organisation_for_officer(user=user, organisation_id=public_id)
    if found is None:
        raise ValidationError({"organisation": ["Choose a council you work for."]})
    return found


def _officer(request_row: AccessRequest, public_id: Any, field: str = "officer") -> User:
    officer = selectors.officer_for_request(request=request_row, officer_id=public_id)
    if officer is None:
        raise ValidationError({field: ["Choose an officer in this council's records team."]})
    return officer


def _request(request: Request, request_id: Any) -> AccessRequest:
    return selectors.request_get_for_user(user=_actor(request), request_id=request_id)


def _detail(user: User, request_row: AccessRequest, summary: str) -> Response:
    # Read again: the service may have changed it, and the selector prefetches what is shown.
    request_row = selectors.request_get_for_user(user=user, request_id=request_row.public_id)
    shown(
        selectors.subject_people(request_row),
        summary=summary,
        obj=request_row,
        purpose=PURPOSE,
    )
    return Response(s.AccessRequestSerializer(request_row).data)


class RequestListView(RequestsAPIView):
    @extend_schema(
        summary="Rights requests",
        description="Open requests of your councils, soonest due first.",
        parameters=[s.RequestQuerySerializer],
        responses={200: s.AccessRequestSummarySerializer(many=True), 404: NOT_FOUND},
    )
    def get(self, request: Request) -> Response:
        query = _valid(s.RequestQuerySerializer, request.query_params)
        rows = selectors.request_list_for_user(
            user=_actor(request),
            state=query.get("state", ""),
            assigned=query.get("assigned", ""),
            query=query.get("q", ""),
            include_closed=query["include_closed"],
        )
        paginator = Pages()
        page = paginator.paginate_queryset(rows, request, view=self) or []
        # The list shows requesters and subjects as described, not records: nobody's file.
        return paginator.get_paginated_response(
            s.AccessRequestSummarySerializer(page, many=True).data
        )

    @extend_schema(
        summary="Log a request received by letter, email, phone or in person",
        request=s.RequestLogSerializer,
        responses={201: s.AccessRequestSerializer, 400: BAD_INPUT, 404: NOT_FOUND},
    )
    def post(self, request: Request) -> Response:
        user = _actor(request)
        data = _valid(s.RequestLogSerializer, request.data)
        organisation = _organisation(user, data.pop("organisation", None))
        assigned = data.pop("assigned_to", None)
        officer = None
        if assigned is not None:
            officer = next(
                (
                    o
                    for o in selectors.officer_list(organisation_id=organisation.pk)
                    if o.public_id == assigned
                ),
                None,
            )
            if officer is None:
                raise ValidationError({"assigned_to": ["Choose an officer of this council."]})
        row = services.access_request_log(
            actor=user, organisation=organisation, assigned_to=officer, **data
        )
        response = _detail(user, row, "Logged a rights request")
        response.status_code = status.HTTP_201_CREATED
        return response


class RequestDetailView(RequestsAPIView):
    @extend_schema(
        summary="A rights request, with its clock",
        responses={200: s.AccessRequestSerializer, 404: NOT_FOUND},
    )
    def get(self, request: Request, request_id: Any) -> Response:
        return _detail(_actor(request), _request(request, request_id), "Viewed a rights request")


def _action(
    *,
    summary: str,
    description: str = "",
    input_serializer: type[Serializer] | None = None,
    call: Any,
) -> type[RequestsAPIView]:
    """An endpoint that runs one service on a request and answers with the request."""

    class ActionView(RequestsAPIView):
        @extend_schema(
            summary=summary,
            description=description,
            request=input_serializer,
            responses={200: s.AccessRequestSerializer, 400: BAD_INPUT, 404: NOT_FOUND},
        )
        def post(self, request: Request, request_id: Any) -> Response:
            row = _request(request, request_id)
            data = _valid(input_serializer, request.data) if input_serializer else {}
            call(_actor(request), row, data)
            return _detail(_actor(request), row, summary)

    ActionView.__name__ = ActionView.__qualname__ = (
        "".join(word.title() for word in summary.split()[:4] if word.isalpha()) + "View"
    )
    return ActionView


AssignView = _action(
    summary="Assign the request to an officer",
    input_serializer=s.AssignSerializer,
    call=lambda user, row, data: services.access_request_assign(
        actor=user, request=row, officer=_officer(row, data["officer"])
    ),
)
RequirementsView = _action(
    summary="Set what is needed before the clock starts",
    description="Proof of identity, proof of authority, a fee; the clock waits for them.",
    input_serializer=s.RequirementsSerializer,
    call=lambda user, row, data: services.access_request_requirements_set(
        actor=user, request=row, **data
    ),
)
IdentityView = _action(
    summary="Record the requester's identity as verified",
    input_serializer=s.VerifySerializer,
    call=lambda user, row, data: services.access_request_identity_verify(
        actor=user, request=row, **data
    ),
)
AuthorityView = _action(
    summary="Record the requester's authority as verified",
    input_serializer=s.VerifySerializer,
    call=lambda user, row, data: services.access_request_authority_verify(
        actor=user, request=row, **data
    ),
)
FeeView = _action(
    summary="Record the fee as received",
    input_serializer=s.DateReceivedSerializer,
    call=lambda user, row, data: services.access_request_fee_receive(
        actor=user, request=row, **data
    ),
)
NoteView = _action(
    summary="Add a note",
    input_serializer=s.NoteInputSerializer,
    call=lambda user, row, data: services.access_request_note_add(
        actor=user, request=row, text=data["text"]
    ),
)
PauseView = _action(
    summary="Pause for clarification",
    description="The days from asking to receiving the answer do not count (Art 12A).",
    input_serializer=s.PauseInputSerializer,
    call=lambda user, row, data: services.access_request_pause(actor=user, request=row, **data),
)
ResumeView = _action(
    summary="Record the clarification received",
    input_serializer=s.DateReceivedSerializer,
    call=lambda user, row, data: services.access_request_resume(actor=user, request=row, **data),
)
ExtendView = _action(
    summary="Extend by two months",
    description="Needs a reason; the requester must have been told within the first month.",
    input_serializer=s.ExtendSerializer,
    call=lambda user, row, data: services.access_request_extend(actor=user, request=row, **data),
)
CollectView = _action(
    summary="Collect the records",
    description=(
        "Gathers everything held about the linked people into the review, with proposed "
        "third-party redactions; collecting again adds only what is new."
    ),
    call=lambda user, row, data: services.access_request_collect(actor=user, request=row),
)
SubmitView = _action(
    summary="Send for approval",
    description="Every collected item must be reviewed.",
    call=lambda user, row, data: services.access_request_submit_for_approval(
        actor=user, request=row
    ),
)
ApproveView = _action(
    summary="Approve the disclosure",
    description="By a second officer: not the assignee, nor the officer who sent it.",
    call=lambda user, row, data: services.access_request_approve(actor=user, request=row),
)
ReturnView = _action(
    summary="Return for more review",
    input_serializer=s.ReasonSerializer,
    call=lambda user, row, data: services.access_request_return(
        actor=user, request=row, reason=data["reason"]
    ),
)
CloseView = _action(
    summary="Close with an outcome",
    description=(
        "Disclosed or partly disclosed needs the approved bundle, the date sent and how; "
        "refused needs reasons; withdrawn can close any open request."
    ),
    input_serializer=s.CloseSerializer,
    call=lambda user, row, data: services.access_request_close(actor=user, request=row, **data),
)


def _correct(user: User, row: AccessRequest, data: dict[str, Any]) -> None:
    person = next(
        (
            link.person
            for link in row.subjects.all()
            if link.person is not None and link.person.public_id == data["person"]
        ),
        None,
    )
    if person is None:
        raise ValidationError({"person": ["Link the request to this person first."]})
    services.access_request_correction_apply(
        actor=user, request=row, person=person, details=data["details"]
    )


def _disagree(user: User, row: AccessRequest, data: dict[str, Any]) -> None:
    try:
        item = selectors.correction_item_get(user=user, request=row, item_id=data["item"])
    except Http404 as error:
        raise ValidationError({"item": ["No such item in the person's record."]}) from error
    services.access_request_disagreement_attach(
        actor=user,
        request=row,
        item=item,
        statement=data["statement"],
        made_by=data["made_by"],
        received_on=data["received_on"],
    )


CorrectionView = _action(
    summary="Correct a fact in the record",
    description=(
        "A correction request only: the change goes through the records services and the "
        "old value stays in the audit trail."
    ),
    input_serializer=s.CorrectionSerializer,
    call=_correct,
)
DisagreementView = _action(
    summary="Attach a statement of disagreement",
    description="The person's view of an opinion recorded about them; the record is unchanged.",
    input_serializer=s.DisagreementInputSerializer,
    call=_disagree,
)


class SubjectListView(RequestsAPIView):
    @extend_schema(
        summary="Link the request to a person or a historic paper file",
        request=s.SubjectLinkSerializer,
        responses={200: s.AccessRequestSerializer, 400: BAD_INPUT, 404: NOT_FOUND},
    )
    def post(self, request: Request, request_id: Any) -> Response:
        user = _actor(request)
        row = _request(request, request_id)
        data = _valid(s.SubjectLinkSerializer, request.data)
        try:
            if data["person"]:
                person = selectors.person_for_linking(
                    user=user, request=row, person_id=data["person"]
                )
                services.access_request_subject_link(actor=user, request=row, person=person)
            else:
                record = selectors.historic_for_linking(
                    user=user, request=row, record_id=data["historic_record"]
                )
                services.access_request_subject_link(
                    actor=user, request=row, historic_record=record
                )
        except Http404 as error:
            raise ValidationError({"person": ["No such record held by this council."]}) from error
        return _detail(user, row, "Linked a rights request to a record")


class SubjectDetailView(RequestsAPIView):
    @extend_schema(
        summary="Unlink a record from the request",
        responses={204: None, 400: BAD_INPUT, 404: NOT_FOUND},
    )
    def delete(self, request: Request, request_id: Any, link_id: Any) -> Response:
        user = _actor(request)
        row = _request(request, request_id)
        link = selectors.subject_link_get_for_user(user=user, request=row, link_id=link_id)
        services.access_request_subject_unlink(actor=user, link=link)
        return Response(status=status.HTTP_204_NO_CONTENT)


class IdentitySearchView(RequestsAPIView):
    @extend_schema(
        summary="Find the person a request is about",
        description=(
            "Names, other names, dates of birth and which services hold records, and matching "
            "historic paper files: never the records' content. Every search is audited."
        ),
        parameters=[s.IdentityQuerySerializer],
        responses={200: s.IdentityResultsSerializer, 400: BAD_INPUT, 404: NOT_FOUND},
    )
    def get(self, request: Request, request_id: Any) -> Response:
        user = _actor(request)
        row = _request(request, request_id)
        query = _valid(s.IdentityQuerySerializer, request.query_params)
        people, historic = selectors.identity_search_for_user(
            user=user, query=query["q"], date_of_birth=query["date_of_birth"]
        )
        shown(
            [m.person for m in people],
            summary="Searched for the person a rights request is about",
            obj=row,
            purpose=PURPOSE,
            personal={
                "query": query["q"],
                "date_of_birth": str(query["date_of_birth"] or ""),
            },
        )
        return Response(
            s.IdentityResultsSerializer({"people": people, "historic_records": historic}).data
        )


class ItemListView(RequestsAPIView):
    @extend_schema(
        summary="Collected items, in date order",
        parameters=[s.ItemQuerySerializer],
        responses={200: s.CollectedItemSummarySerializer(many=True), 404: NOT_FOUND},
    )
    def get(self, request: Request, request_id: Any) -> Response:
        user = _actor(request)
        row = _request(request, request_id)
        query = _valid(s.ItemQuerySerializer, request.query_params)
        items = selectors.collected_list_for_user(
            user=user,
            request=row,
            decision=query.get("decision", ""),
            source=query.get("source", ""),
        )
        paginator = Pages()
        page = paginator.paginate_queryset(items, request, view=self) or []
        shown(
            {item.subject_id for item in page if item.subject_id},
            summary="Listed the items collected for a rights request",
            obj=row,
            purpose=PURPOSE,
        )
        return paginator.get_paginated_response(
            s.CollectedItemSummarySerializer(page, many=True).data
        )


def _item_response(user: User, row: AccessRequest, item_id: Any, summary: str) -> Response:
    item = selectors.collected_get_for_user(user=user, request=row, item_id=item_id)
    shown(
        [item.subject_id] if item.subject_id else selectors.subject_people(row),
        summary=summary,
        obj=item,
        purpose=PURPOSE,
    )
    return Response(s.CollectedItemSerializer(item).data)


class ItemDetailView(RequestsAPIView):
    @extend_schema(
        summary="A collected item with its text and redactions",
        responses={200: s.CollectedItemSerializer, 404: NOT_FOUND},
    )
    def get(self, request: Request, request_id: Any, item_id: Any) -> Response:
        return _item_response(
            _actor(request), _request(request, request_id), item_id, "Viewed a collected item"
        )


def _item_action(
    *,
    summary: str,
    input_serializer: type[Serializer],
    call: Any,
    description: str = "",
    operation_id: str | None = None,
) -> type[RequestsAPIView]:
    class ItemActionView(RequestsAPIView):
        @extend_schema(
            operation_id=operation_id,
            summary=summary,
            description=description,
            request=input_serializer,
            responses={200: s.CollectedItemSerializer, 400: BAD_INPUT, 404: NOT_FOUND},
        )
        def post(self, request: Request, request_id: Any, item_id: Any, **kwargs: Any) -> Response:
            user = _actor(request)
            row = _request(request, request_id)
            item = selectors.collected_get_for_user(user=user, request=row, item_id=item_id)
            call(user, item, _valid(input_serializer, request.data), **kwargs)
            return _item_response(user, row, item_id, summary)

    ItemActionView.__name__ = ItemActionView.__qualname__ = (
        "".join(word.title() for word in summary.split()[:3] if word.isalpha()) + "ItemView"
    )
    return ItemActionView


ReviewView = _item_action(
    summary="Decide an item",
    description=(
        "Disclose, disclose with the accepted redactions, or withhold with an exemption. "
        "Every proposed redaction must be accepted or rejected first."
    ),
    input_serializer=s.ReviewSerializer,
    call=lambda user, item, data: services.collected_item_review(actor=user, item=item, **data),
)
RedactionAddView = _item_action(
    summary="Redact a span of the text",
    description="Offsets into the item's text; the redaction is accepted at once.",
    input_serializer=s.RedactionInputSerializer,
    call=lambda user, item, data: services.redaction_add(actor=user, item=item, **data),
)
ConsultationView = _item_action(
    summary="Record a serious-harm consultation",
    input_serializer=s.ConsultationSerializer,
    call=lambda user, item, data: services.collected_item_consultation_record(
        actor=user, item=item, **data
    ),
)


def _decide(user: User, item: Any, data: dict[str, Any], redaction_id: Any) -> None:
    row = selectors.redaction_get_for_user(user=user, item=item, redaction_id=redaction_id)
    services.redaction_decide(
        actor=user, redaction_row=row, accept=data["accept"], exemption=data["exemption"]
    )


RedactionDecideView = _item_action(
    summary="Accept or reject a redaction",
    operation_id="access_requests_items_redactions_decide",
    input_serializer=s.RedactionDecisionSerializer,
    call=_decide,
)


class BundleListView(RequestsAPIView):
    @extend_schema(
        summary="Disclosure bundles of the request",
        responses={200: s.BundleSerializer(many=True), 404: NOT_FOUND},
    )
    def get(self, request: Request, request_id: Any) -> Response:
        row = _request(request, request_id)
        return Response(s.BundleSerializer(row.bundles.all(), many=True).data)

    @extend_schema(
        summary="Produce the disclosure bundle",
        description="Queued for a worker: poll the bundle for its progress.",
        request=None,
        responses={202: s.BundleSerializer, 400: BAD_INPUT, 404: NOT_FOUND},
    )
    def post(self, request: Request, request_id: Any) -> Response:
        row = _request(request, request_id)
        bundle = services.bundle_request(actor=_actor(request), request=row)
        return Response(s.BundleSerializer(bundle).data, status=status.HTTP_202_ACCEPTED)


class BundleDetailView(RequestsAPIView):
    @extend_schema(
        summary="A bundle's progress", responses={200: s.BundleSerializer, 404: NOT_FOUND}
    )
    def get(self, request: Request, request_id: Any, bundle_id: Any) -> Response:
        row = _request(request, request_id)
        bundle = selectors.bundle_get_for_user(
            user=_actor(request), request=row, bundle_id=bundle_id
        )
        return Response(s.BundleSerializer(bundle).data)


class BundleDownloadView(RequestsAPIView):
    @extend_schema(
        summary="Download a ready bundle (PDF)",
        responses={
            (200, "application/pdf"): OpenApiResponse(description="The bundle"),
            404: NOT_FOUND,
        },
    )
    def get(self, request: Request, request_id: Any, bundle_id: Any) -> FileResponse:
        row = _request(request, request_id)
        bundle = selectors.bundle_get_for_user(
            user=_actor(request), request=row, bundle_id=bundle_id
        )
        if bundle.status != bundle.Status.READY or not bundle.file:
            raise NotFound()
        shown(
            selectors.subject_people(row),
            summary="Downloaded a disclosure bundle",
            obj=bundle,
            purpose=PURPOSE,
        )
        return FileResponse(
            bundle.file.open("rb"),
            as_attachment=True,
            filename=f"{row.reference}.pdf",
            content_type="application/pdf",
        )


class BundleLinkView(RequestsAPIView):
    @extend_schema(
        summary="Create a secure download link for one recipient",
        request=s.LinkInputSerializer,
        responses={201: s.LinkCreatedSerializer, 400: BAD_INPUT, 404: NOT_FOUND},
    )
    def post(self, request: Request, request_id: Any, bundle_id: Any) -> Response:
        from django.urls import reverse

        user = _actor(request)
        row = _request(request, request_id)
        bundle = selectors.bundle_get_for_user(user=user, request=row, bundle_id=bundle_id)
        data = _valid(s.LinkInputSerializer, request.data)
        link, token = services.download_link_create(actor=user, bundle=bundle, **data)
        url = request.build_absolute_uri(reverse("access_requests:public-download", args=[token]))
        return Response(
            {"id": link.public_id, "url": url, "expires_at": link.expires_at},
            status=status.HTTP_201_CREATED,
        )


class ExportView(RequestsAPIView):
    @extend_schema(
        summary="Machine-readable copy for portability",
        description="`as=json` (default) or `as=csv`; redacted passages marked in place.",
        responses={
            (200, "application/json"): OpenApiResponse(description="JSON export"),
            400: BAD_INPUT,
            404: NOT_FOUND,
        },
    )
    def get(self, request: Request, request_id: Any) -> HttpResponse:
        user = _actor(request)
        row = _request(request, request_id)
        kind = request.query_params.get("as", "json")
        if kind not in ("json", "csv"):
            raise ValidationError({"as": ["Choose json or csv."]})
        if kind == "csv":
            body, content_type = disclosure.export_csv(actor=user, request=row), "text/csv"
        else:
            body, content_type = disclosure.export_json(actor=user, request=row), "application/json"
        response = HttpResponse(body, content_type=f"{content_type}; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{row.reference}.{kind}"'
        return response


class DashboardView(RequestsAPIView):
    @extend_schema(
        summary="Open requests by state and urgency, and performance by month",
        responses={200: OpenApiResponse(description="Counts and monthly figures")},
    )
    def get(self, request: Request) -> Response:
        user = _actor(request)
        board = selectors.dashboard_for_user(user=user)
        months = selectors.performance_for_user(user=user)
        return Response(
            {
                "open": board["open"],
                "mine": board["mine"],
                "unassigned": board["unassigned"],
                "by_state": {value: count for _, count, value in board["by_state"]},
                "by_urgency": dict(board["by_urgency"]),
                "months": s.MonthSerializer(months, many=True).data,
            }
        )


# --- Complaints ------------------------------------------------------------------------------


def _complaint_detail(complaint: Complaint, summary: str) -> Response:
    if complaint.person_id:
        shown([complaint.person_id], summary=summary, obj=complaint, purpose=PURPOSE)
    return Response(s.ComplaintSerializer(complaint).data)


class ComplaintListView(RequestsAPIView):
    @extend_schema(
        summary="Data protection complaints",
        responses={200: s.ComplaintSerializer(many=True), 404: NOT_FOUND},
    )
    def get(self, request: Request) -> Response:
        rows = selectors.complaint_list_for_user(
            user=_actor(request),
            include_closed=request.query_params.get("include_closed") in ("1", "true"),
        )
        paginator = Pages()
        page = paginator.paginate_queryset(rows, request, view=self) or []
        shown(
            {c.person_id for c in page if c.person_id},
            summary="Listed data protection complaints",
            purpose=PURPOSE,
        )
        return paginator.get_paginated_response(s.ComplaintSerializer(page, many=True).data)

    @extend_schema(
        summary="Log a data protection complaint",
        description="Acknowledgement is due within 30 days (DPA s164A).",
        request=s.ComplaintLogSerializer,
        responses={201: s.ComplaintSerializer, 400: BAD_INPUT, 404: NOT_FOUND},
    )
    def post(self, request: Request) -> Response:
        user = _actor(request)
        data = _valid(s.ComplaintLogSerializer, request.data)
        organisation = _organisation(user, data.pop("organisation", None))
        person_id, request_id = data.pop("person"), data.pop("access_request")
        person = None
        if person_id:
            person = selectors.person_of_council(
                organisation_id=organisation.pk, person_id=person_id
            )
            if person is None:
                raise ValidationError({"person": ["No such person held by this council."]})
        related = None
        if request_id:
            try:
                related = selectors.request_get_for_user(user=user, request_id=request_id)
            except Http404 as error:
                raise ValidationError({"access_request": ["No such request."]}) from error
        complaint = services.complaint_log(
            actor=user,
            organisation=organisation,
            person=person,
            access_request=related,
            **data,
        )
        response = _complaint_detail(complaint, "Logged a data protection complaint")
        response.status_code = status.HTTP_201_CREATED
        return response


class ComplaintDetailView(RequestsAPIView):
    @extend_schema(
        summary="A data protection complaint",
        responses={200: s.ComplaintSerializer, 404: NOT_FOUND},
    )
    def get(self, request: Request, complaint_id: Any) -> Response:
        complaint = selectors.complaint_get_for_user(
            user=_actor(request), complaint_id=complaint_id
        )
        return _complaint_detail(complaint, "Viewed a data protection complaint")


def _complaint_action(
    *, summary: str, input_serializer: type[Serializer], call: Any
) -> type[RequestsAPIView]:
    class ComplaintActionView(RequestsAPIView):
        @extend_schema(
            summary=summary,
            request=input_serializer,
            responses={200: s.ComplaintSerializer, 400: BAD_INPUT, 404: NOT_FOUND},
        )
        def post(self, request: Request, complaint_id: Any) -> Response:
            user = _actor(request)
            complaint = selectors.complaint_get_for_user(user=user, complaint_id=complaint_id)
            complaint = call(user, complaint, _valid(input_serializer, request.data))
            return _complaint_detail(complaint, summary)

    ComplaintActionView.__name__ = ComplaintActionView.__qualname__ = (
        "Complaint" + "".join(word.title() for word in summary.split()[:2]) + "View"
    )
    return ComplaintActionView


def _complaint_person(user: User, complaint: Complaint, data: dict[str, Any]) -> Complaint:
    person = selectors.person_of_council(
        organisation_id=complaint.organisation_id, person_id=data["person"]
    )
    if person is None:
        raise ValidationError({"person": ["No such person held by this council."]})
    return services.complaint_person_link(actor=user, complaint=complaint, person=person)


ComplaintAcknowledgeView = _complaint_action(
    summary="Acknowledge the complaint",
    input_serializer=s.ComplaintAcknowledgeSerializer,
    call=lambda user, complaint, data: services.complaint_acknowledge(
        actor=user, complaint=complaint, **data
    ),
)
ComplaintRespondView = _complaint_action(
    summary="Record the response and outcome",
    input_serializer=s.ComplaintRespondSerializer,
    call=lambda user, complaint, data: services.complaint_respond(
        actor=user, complaint=complaint, **data
    ),
)
ComplaintWithdrawView = _complaint_action(
    summary="Record the complaint as withdrawn",
    input_serializer=s.ComplaintWithdrawSerializer,
    call=lambda user, complaint, data: services.complaint_withdraw(
        actor=user, complaint=complaint, **data
    ),
)
ComplaintPersonView = _complaint_action(
    summary="Link the person the complaint concerns",
    input_serializer=s.PersonRefSerializer,
    call=_complaint_person,
)


class BankHolidayListView(APIView):
    permission_classes = [IsSignedInStaff, IsSystemAdmin]

    @extend_schema(
        summary="Bank holidays added to the calendar",
        responses={200: s.BankHolidaySerializer(many=True), 404: NOT_FOUND},
    )
    def get(self, request: Request) -> Response:
        return Response(s.BankHolidaySerializer(selectors.bank_holiday_list(), many=True).data)

    @extend_schema(
        summary="Add a newly declared bank holiday",
        description="Every open request in that nation has its due date recomputed.",
        request=s.BankHolidaySerializer,
        responses={201: s.BankHolidaySerializer, 400: BAD_INPUT, 404: NOT_FOUND},
    )
    def post(self, request: Request) -> Response:
        data = _valid(s.BankHolidaySerializer, request.data)
        holiday, _ = services.bank_holiday_add(actor=_actor(request), **data)
        return Response(s.BankHolidaySerializer(holiday).data, status=status.HTTP_201_CREATED)
