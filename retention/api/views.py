"""The retention API: thin views over ``retention.selectors`` (reads) and
``retention.services`` (writes). Record classes are named by their code; holds, batches and
their records by public UUIDs.

Status codes mean what they mean in the case-records API:

- **404** ``{"detail": "Not found."}`` for anything the caller may not see, exactly as for
  something that does not exist: the schedule to anyone but the records manager, the system
  administrator and the Caldicott guardian; holds, batches, the register, the forecast and the
  dry run to anyone but the records managers and system administrators of the council.
- **403** when the caller may see but not change: the Caldicott guardian changing a rule, a
  system administrator placing or lifting a hold (the records manager's).
- **400** with field errors for bad input and for the services' refusals (a rule with no
  period, a second approval by the first approver, a batch no longer under review); nothing is
  written.

A batch's records to be disposed of or kept longer name their person; that answer is a read
of those people for the audit trail. Nothing else here names anyone but staff and, for a hold
on a person's records, that person.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.http import Http404
from django.http.response import HttpResponseBase
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Organisation, User
from audit.context import shown
from core.api.views import BAD_INPUT, NOT_FOUND, REFUSED
from core.api.views import StaffAPIView as RetentionAPIView
from core.api.views import actor as _actor
from core.api.views import field_error as _field_error
from core.api.views import require as _require
from core.api.views import valid as _valid
from core.errors import ApplicationError
from retention import policies, selectors, services
from retention.api import serializers as s
from retention.certificate import certificate_download
from retention.models import (
    BatchStatus,
    DisposalBatch,
    DisposalItem,
    Hold,
    HoldScope,
)

# --- Shared pieces ---------------------------------------------------------------------------


class RetentionPagination(PageNumberPagination):
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100


def _page(view: APIView, request: Request, rows: Any) -> tuple[RetentionPagination, list[Any]]:
    paginator = RetentionPagination()
    return paginator, list(paginator.paginate_queryset(rows, request, view=view) or [])


SCHEDULE_ONLY = "Only a records manager can change the retention schedule."
HOLDS_ONLY = "Only a records manager of the council can place or lift its holds."


def _require_schedule_reader(user: User) -> None:
    if not policies.can_view_schedule(user):
        raise Http404


def _councils(user: User) -> frozenset[int]:
    """The councils whose holds, batches and register the user sees; 404 if none."""
    councils = policies.approver_org_ids(user)
    if not councils:
        raise Http404
    return councils


# --- The schedule ----------------------------------------------------------------------------


def _class_answer(code: str, *, code_status: int = status.HTTP_200_OK) -> Response:
    record_class = selectors.record_class_get(code=code)
    body = s.RecordClassDetailSerializer(
        record_class,
        context={
            "rule": selectors.rule_in_force(record_class),
            "history": list(selectors.rule_history(record_class)),
        },
    ).data
    return Response(body, status=code_status)


class RecordClassListView(RetentionAPIView):
    @extend_schema(
        summary="The retention schedule: every record class with its rule in force",
        description="For records managers, system administrators and the Caldicott guardian.",
        responses={200: s.RecordClassSerializer(many=True), 404: NOT_FOUND},
    )
    def get(self, request: Request) -> Response:
        _require_schedule_reader(_actor(request))
        rows = selectors.record_class_list()
        return Response(s.RecordClassSerializer(rows, many=True).data)


class RecordClassDetailView(RetentionAPIView):
    @extend_schema(
        summary="A record class, its rule in force and every earlier version",
        responses={200: s.RecordClassDetailSerializer, 404: NOT_FOUND},
    )
    def get(self, request: Request, code: str) -> Response:
        _require_schedule_reader(_actor(request))
        return _class_answer(code)


class RuleChangeView(RetentionAPIView):
    @extend_schema(
        summary="Put a new version of a class's rule in force",
        description=(
            "The version in force is closed and kept; disposal from now on follows the new one. "
            "For records managers."
        ),
        request=s.RuleChangeSerializer,
        responses={
            201: s.RecordClassDetailSerializer,
            400: BAD_INPUT,
            403: REFUSED,
            404: NOT_FOUND,
        },
    )
    def post(self, request: Request, code: str) -> Response:
        actor = _actor(request)
        _require_schedule_reader(actor)
        record_class = selectors.record_class_get(code=code)
        _require(policies.can_change_schedule(actor), SCHEDULE_ONLY)
        data = _valid(s.RuleChangeSerializer, request.data)
        services.rule_change(actor=actor, record_class=record_class, **data)
        return _class_answer(code, code_status=status.HTTP_201_CREATED)


# --- Holds -----------------------------------------------------------------------------------


def _hold_answer(hold: Hold, code: int = status.HTTP_200_OK) -> Response:
    """A hold on a person's records names them: the answer is a read of them."""
    if hold.person_id is not None:
        shown([hold.person_id], summary="Viewed a retention hold", obj=hold)
    return Response(s.HoldSerializer(hold).data, status=code)


def _hold_council(actor: User, public_id: UUID | None) -> Organisation:
    """The council a hold on a record class holds: the one given, or the only one kept."""
    kept = selectors.hold_councils_for_user(user=actor)
    if public_id is not None:
        found = kept.filter(public_id=public_id).first()
        if found is None:
            raise _field_error("organisation", "Choose a council whose holds you keep.")
        return found
    councils = list(kept[:2])
    if len(councils) != 1:
        raise _field_error("organisation", "Choose the council whose records are held.")
    return councils[0]


def _hold_target(actor: User, data: dict[str, Any]) -> dict[str, Any]:
    """What the hold names, resolved within the councils whose holds the caller keeps."""
    scope = data["scope"]
    if scope in (HoldScope.PERSON, HoldScope.CASE):
        reference = data["case_reference"].strip()
        if not reference:
            raise _field_error("case_reference", "Enter the reference of the case held.")
        case = selectors.hold_case_for_user(user=actor, reference=reference)
        if case is None:
            raise _field_error(
                "case_reference", "Enter the reference of a case of a council whose holds you keep."
            )
        if scope == HoldScope.PERSON:
            return {"organisation": case.organisation, "person": case.person}
        return {"organisation": case.organisation, "case": case}
    code = data["record_class"]
    if not code:
        raise _field_error("record_class", "Choose the record class that is held.")
    try:
        record_class = selectors.record_class_get(code=code)
    except Http404:
        raise _field_error("record_class", "Choose one of the schedule's record classes.") from None
    return {
        "organisation": _hold_council(actor, data["organisation"]),
        "record_class": record_class,
        "from_date": data["from_date"],
        "to_date": data["to_date"],
    }


class HoldListView(RetentionAPIView):
    pagination_class = RetentionPagination

    @extend_schema(
        summary="Holds on disposal, newest first",
        description="Those in force; with `lifted=true`, those lifted too.",
        parameters=[s.HoldQuerySerializer],
        responses={200: s.HoldSerializer(many=True), 400: BAD_INPUT, 404: NOT_FOUND},
    )
    def get(self, request: Request) -> Response:
        actor = _actor(request)
        _councils(actor)
        query = _valid(s.HoldQuerySerializer, request.query_params)
        rows = selectors.holds_list_for_user(user=actor, active=not query["lifted"]).order_by(
            "-placed_at", "-pk"
        )
        paginator, page = _page(self, request, rows)
        people = [hold.person_id for hold in page if hold.person_id is not None]
        if people:
            shown(people, summary="Viewed the retention holds")
        return paginator.get_paginated_response(s.HoldSerializer(page, many=True).data)

    @extend_schema(
        summary="Place a hold: stop disposal of what it names until it is lifted",
        description=(
            "On one case (`case`, by its reference), on every record of a case's person "
            "(`person`), on a whole record class (`record_class`) or on a class's records from a "
            "date range (`class_and_dates`, an inquiry's moratorium). For records managers."
        ),
        request=s.HoldPlaceSerializer,
        responses={201: s.HoldSerializer, 400: BAD_INPUT, 403: REFUSED, 404: NOT_FOUND},
    )
    def post(self, request: Request) -> Response:
        actor = _actor(request)
        _councils(actor)
        _require(bool(policies.hold_org_ids(actor)), HOLDS_ONLY)
        data = _valid(s.HoldPlaceSerializer, request.data)
        target = _hold_target(actor, data)
        try:
            hold = services.hold_place(
                actor=actor, scope=data["scope"], reason=data["reason"], **target
            )
        except ApplicationError as exc:
            raise _renamed(exc) from None
        return _hold_answer(
            selectors.hold_get_for_user(user=actor, public_id=hold.public_id),
            status.HTTP_201_CREATED,
        )


def _renamed(exc: ApplicationError) -> ApplicationError:
    """The service names the person or case; the request named a case reference."""
    fields = {
        "case_reference" if name in ("person", "case") else name: messages
        for name, messages in exc.field_errors.items()
    }
    return ApplicationError(exc.message, field_errors=fields)


class HoldDetailView(RetentionAPIView):
    @extend_schema(
        summary="A hold",
        responses={200: s.HoldSerializer, 404: NOT_FOUND},
    )
    def get(self, request: Request, hold_id: UUID) -> Response:
        actor = _actor(request)
        _councils(actor)
        return _hold_answer(selectors.hold_get_for_user(user=actor, public_id=hold_id))


class HoldLiftView(RetentionAPIView):
    @extend_schema(
        summary="Lift a hold",
        description="What it covered may be disposed of again when due. For records managers.",
        request=s.HoldLiftSerializer,
        responses={200: s.HoldSerializer, 400: BAD_INPUT, 403: REFUSED, 404: NOT_FOUND},
    )
    def post(self, request: Request, hold_id: UUID) -> Response:
        actor = _actor(request)
        _councils(actor)
        hold = selectors.hold_get_for_user(user=actor, public_id=hold_id)
        _require(hold.organisation_id in policies.hold_org_ids(actor), HOLDS_ONLY)
        data = _valid(s.HoldLiftSerializer, request.data)
        services.hold_lift(actor=actor, hold=hold, reason=data["reason"])
        return _hold_answer(selectors.hold_get_for_user(user=actor, public_id=hold_id))


# --- Disposal batches ------------------------------------------------------------------------


def _batch_answer(actor: User, batch_id: UUID) -> Response:
    """A batch with its records counted by status, read again after a service has changed
    it. Its records, which may be tens of thousands, are paged apart (``BatchItemListView``)."""
    batch = selectors.batch_get_with_counts_for_user(user=actor, public_id=batch_id)
    return Response(s.BatchSerializer(batch).data)


def _batch(actor: User, batch_id: UUID) -> DisposalBatch:
    _councils(actor)
    return selectors.batch_get_for_user(user=actor, public_id=batch_id)


class BatchListView(RetentionAPIView):
    pagination_class = RetentionPagination

    @extend_schema(
        summary="Disposal batches, newest first",
        description="Each with a count of its records by status; no one is named.",
        parameters=[s.BatchQuerySerializer],
        responses={200: s.BatchSerializer(many=True), 400: BAD_INPUT, 404: NOT_FOUND},
    )
    def get(self, request: Request) -> Response:
        actor = _actor(request)
        _councils(actor)
        query = _valid(s.BatchQuerySerializer, request.query_params)
        rows = selectors.batch_list_with_counts_for_user(user=actor)
        if query.get("status"):
            rows = rows.filter(status=query["status"])
        paginator, page = _page(self, request, rows)
        return paginator.get_paginated_response(s.BatchSerializer(page, many=True).data)


class BatchDetailView(RetentionAPIView):
    @extend_schema(
        summary="A disposal batch",
        description="With a count of its records by status; its records are at `items/`.",
        responses={200: s.BatchSerializer, 404: NOT_FOUND},
    )
    def get(self, request: Request, batch_id: UUID) -> Response:
        actor = _actor(request)
        _councils(actor)
        return _batch_answer(actor, batch_id)


class BatchItemListView(RetentionAPIView):
    pagination_class = RetentionPagination

    @extend_schema(
        summary="A disposal batch's records, by due day",
        description=(
            "Each with its dates, status and the reason it is left out or kept; the person's "
            "name only for records still to be disposed of or kept longer. A page that names "
            "anyone is audited as a read of them."
        ),
        parameters=[s.BatchItemQuerySerializer],
        responses={200: s.BatchItemSerializer(many=True), 400: BAD_INPUT, 404: NOT_FOUND},
    )
    def get(self, request: Request, batch_id: UUID) -> Response:
        actor = _actor(request)
        batch = _batch(actor, batch_id)
        query = _valid(s.BatchItemQuerySerializer, request.query_params)
        rows = selectors.batch_items_for_review(batch=batch, status=query.get("status", ""))
        paginator, page = _page(self, request, rows)
        people = [item.person_id for item in page if policies.item_named(item)]
        if people:
            shown(people, summary=f"Viewed disposal batch {batch.reference}", obj=batch)
        return paginator.get_paginated_response(s.BatchItemSerializer(page, many=True).data)


class BatchApproveView(RetentionAPIView):
    @extend_schema(
        summary="Approve a proposed batch",
        description=(
            "Two different people must approve it. The second approval sends it to be carried "
            "out; approving a batch you have already approved is refused."
        ),
        request=None,
        responses={200: s.BatchSerializer, 400: BAD_INPUT, 404: NOT_FOUND},
    )
    def post(self, request: Request, batch_id: UUID) -> Response:
        actor = _actor(request)
        services.batch_approve(actor=actor, batch=_batch(actor, batch_id))
        return _batch_answer(actor, batch_id)


class BatchCancelView(RetentionAPIView):
    @extend_schema(
        summary="Cancel a batch before it runs",
        description="Nothing in it is disposed of; its records are proposed again when due.",
        request=s.BatchCancelSerializer,
        responses={200: s.BatchSerializer, 400: BAD_INPUT, 404: NOT_FOUND},
    )
    def post(self, request: Request, batch_id: UUID) -> Response:
        actor = _actor(request)
        batch = _batch(actor, batch_id)
        data = _valid(s.BatchCancelSerializer, request.data)
        services.batch_cancel(actor=actor, batch=batch, reason=data["reason"])
        return _batch_answer(actor, batch_id)


class BatchItemKeepView(RetentionAPIView):
    @extend_schema(
        summary="Keep a record of a proposed batch longer",
        description=(
            "Takes it out of the batch with a reason and the day it is next reviewed. An "
            "approval already given is withdrawn, as the batch has changed."
        ),
        request=s.KeepSerializer,
        responses={200: s.BatchItemSerializer, 400: BAD_INPUT, 404: NOT_FOUND},
    )
    def post(self, request: Request, batch_id: UUID, item_id: UUID) -> Response:
        actor = _actor(request)
        batch = _batch(actor, batch_id)
        item: DisposalItem = selectors.batch_item_get(batch=batch, public_id=item_id)
        data = _valid(s.KeepSerializer, request.data)
        services.batch_item_keep(actor=actor, item=item, **data)
        item = selectors.batch_item_get(batch=batch, public_id=item_id)
        if policies.item_named(item):
            shown([item.person_id], summary=f"Viewed disposal batch {batch.reference}", obj=batch)
        return Response(s.BatchItemSerializer(item).data)


# --- The register ----------------------------------------------------------------------------


class RegisterView(RetentionAPIView):
    pagination_class = RetentionPagination

    @extend_schema(
        summary="The disposal register: one stub per record disposed of, newest first",
        description=(
            "Its class, reference, dates, the rule version and authority, the batch, its two "
            "approvers and when it was disposed of. No personal data."
        ),
        parameters=[s.RegisterQuerySerializer],
        responses={200: s.RegisterEntrySerializer(many=True), 400: BAD_INPUT, 404: NOT_FOUND},
    )
    def get(self, request: Request) -> Response:
        actor = _actor(request)
        _councils(actor)
        query = _valid(s.RegisterQuerySerializer, request.query_params)
        rows = selectors.register_list_for_user(user=actor).select_related("batch")
        if "record_class" in query:
            try:
                record_class = selectors.record_class_get(code=query["record_class"])
            except Http404:
                raise _field_error(
                    "record_class", "Choose one of the schedule's record classes."
                ) from None
            rows = rows.filter(batch__record_class=record_class)
        if "batch" in query:
            rows = rows.filter(batch__public_id=query["batch"])
        paginator, page = _page(self, request, rows)
        return paginator.get_paginated_response(s.RegisterEntrySerializer(page, many=True).data)


# --- Forecast and dry run --------------------------------------------------------------------


class ForecastView(RetentionAPIView):
    @extend_schema(
        summary="How many closed records fall due in each coming month, per class",
        description=(
            "By the rules in force, for your councils; records already due are in the dry run. "
            "Counts only."
        ),
        parameters=[s.ForecastQuerySerializer],
        responses={200: s.ForecastSerializer, 400: BAD_INPUT, 404: NOT_FOUND},
    )
    def get(self, request: Request) -> Response:
        actor = _actor(request)
        _councils(actor)
        query = _valid(s.ForecastQuerySerializer, request.query_params)
        forecast = selectors.forecast_for_user(user=actor, months=query["months"])
        body = {
            "months": forecast.months,
            "rows": [
                {
                    "record_class": record_class,
                    "counts": counts,
                    "total": sum(counts),
                    "unknown": forecast.unknown.get(record_class.pk, 0),
                }
                for record_class, counts in forecast.rows
            ],
            "totals": forecast.totals,
        }
        return Response(s.ForecastSerializer(body).data)


class DryRunView(RetentionAPIView):
    @extend_schema(
        summary="What tonight's proposal would put in disposal batches now",
        description=(
            "Per class and council: how many records would be disposed of, held or left out "
            "because their trigger is not known, and why. Nothing is written; no one is named."
        ),
        responses={200: s.DryRunSerializer, 404: NOT_FOUND},
    )
    def get(self, request: Request) -> Response:
        actor = _actor(request)
        _councils(actor)
        today = timezone.localdate()
        rows = [
            {
                "record_class": row.record_class,
                "organisation": row.organisation,
                "rule": row.rule,
                "action": services.batch_action(row.rule),
                "included": row.included,
                "held": row.held,
                "unknown": row.unknown,
                "reasons": [{"reason": reason, "count": count} for reason, count in row.reasons],
            }
            for row in selectors.dry_run_for_user(user=actor, on=today)
        ]
        return Response(s.DryRunSerializer({"on": today, "rows": rows}).data)


# --- The certificate -------------------------------------------------------------------------


class BatchCertificateView(RetentionAPIView):
    @extend_schema(
        summary="The certificate of destruction of a batch carried out (PDF)",
        description=(
            "Who approved the batch under which rule, when it ran, and every record it disposed "
            "of by reference and dates: no personal data. Only for a batch that is done; the "
            "download is recorded in the audit trail."
        ),
        responses={
            (200, "application/pdf"): OpenApiResponse(description="The certificate"),
            404: NOT_FOUND,
        },
    )
    def get(self, request: Request, batch_id: UUID) -> HttpResponseBase:
        batch = _batch(_actor(request), batch_id)
        if batch.status != BatchStatus.DONE:
            raise Http404
        response = certificate_download(batch)
        summary = f"Downloaded the certificate of destruction for disposal batch {batch.reference}"
        shown([], summary=summary, obj=batch)
        return response
