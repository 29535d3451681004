"""The Caldicott guardian's API: thin views over ``audit.selectors`` and ``audit.services``.

- **404** ``{"detail": "Not found."}`` on every endpoint for anyone who is not the guardian
  (the rules: the guardian or the system administrator), and for an alert outside the
  guardian's councils, exactly as for one that does not exist.
- **400** with field errors for filters that do not parse or do not resolve (a malformed id
  or date, an unknown member of staff, a start after the end) and for a review or rule change
  the service refuses.

Reading the trail is audited: each response that shows events or alerts names the people in
it for the purpose "audit review".
"""

from __future__ import annotations

from typing import Any, cast

from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from accounts.models import User
from audit import selectors, services
from audit.api import serializers as s
from audit.api.permissions import CanConfigureAudit, CanReviewAudit
from audit.context import shown
from audit.models import Purpose
from core.api.permissions import IsSignedInStaff

NOT_FOUND = OpenApiResponse(description="Not found, or not yours to see (the same answer)")
BAD_INPUT = OpenApiResponse(description="Field errors; nothing was changed")
REVIEW = Purpose.AUDIT_REVIEW


class AlertPagination(PageNumberPagination):
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100


class AuditAPIView(APIView):
    permission_classes = [IsSignedInStaff, CanReviewAudit]

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, Http404):
            exc = NotFound()
        return super().handle_exception(exc)


class AuditConfigAPIView(AuditAPIView):
    permission_classes = [IsSignedInStaff, CanConfigureAudit]


def _actor(request: Request) -> User:
    return cast("User", request.user)


def _valid(serializer_class: type[Serializer], data: Any) -> dict[str, Any]:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class EventListView(AuditAPIView):
    @extend_schema(
        summary="Search the audit trail",
        description=(
            "Events about your councils' people or by their staff, newest first, a page at a "
            "time: follow `next` for older events."
        ),
        parameters=[s.EventQuerySerializer],
        responses={200: s.AuditEventPageSerializer, 400: BAD_INPUT, 404: NOT_FOUND},
    )
    def get(self, request: Request) -> Response:
        user = _actor(request)
        query = _valid(s.EventQuerySerializer, request.query_params)
        filters = selectors.event_filters_for_user(
            user=user,
            subject=query.get("subject"),
            actor=query.get("actor", ""),
            team=query.get("team"),
            action=query.get("action", ""),
            purpose=query.get("purpose", ""),
            date_from=query.get("from"),
            date_to=query.get("to"),
        )
        page = selectors.event_search_for_user(
            user=user,
            filters=filters,
            cursor=query.get("cursor", ""),
            per_page=query["page_size"],
        )
        shown(page.people, summary="Searched the audit trail", purpose=REVIEW)
        next_url = None
        if page.next_cursor:
            next_url = replace_query_param(request.build_absolute_uri(), "cursor", page.next_cursor)
        return Response(
            {"next": next_url, "results": s.AuditEventSerializer(page.rows, many=True).data}
        )


class AlertListView(AuditAPIView):
    pagination_class = AlertPagination

    @extend_schema(
        summary="Privacy alerts",
        description="Alerts about your councils' people or staff, newest first.",
        parameters=[s.AlertQuerySerializer],
        responses={200: s.PrivacyAlertSerializer(many=True), 400: BAD_INPUT, 404: NOT_FOUND},
    )
    def get(self, request: Request) -> Response:
        user = _actor(request)
        query = _valid(s.AlertQuerySerializer, request.query_params)
        alerts = selectors.alert_list_for_user(
            user=user, status=query.get("status", ""), rule=query.get("rule", "")
        )
        paginator = AlertPagination()
        page = paginator.paginate_queryset(alerts, request, view=self) or []
        rows = selectors.alert_rows_for_user(user=user, alerts=page)
        shown(
            [row.person for row in rows if row.person],
            summary="Viewed privacy alerts",
            purpose=REVIEW,
        )
        return paginator.get_paginated_response(s.PrivacyAlertSerializer(rows, many=True).data)


def _alert_detail(user: User, alert: Any, summary: str) -> Response:
    row = selectors.alert_rows_for_user(user=user, alerts=[alert])[0]
    events = selectors.alert_events_for_user(user=user, alert=alert)
    shown(
        [*([row.person] if row.person else []), *events.people],
        summary=summary,
        obj=alert,
        purpose=REVIEW,
    )
    return Response(s.PrivacyAlertDetailSerializer(row, context={"events": events}).data)


class AlertDetailView(AuditAPIView):
    @extend_schema(
        summary="A privacy alert with its events",
        responses={200: s.PrivacyAlertDetailSerializer, 404: NOT_FOUND},
    )
    def get(self, request: Request, alert_id: Any) -> Response:
        user = _actor(request)
        alert = selectors.alert_get_for_user(user=user, alert_id=alert_id)
        return _alert_detail(user, alert, "Viewed a privacy alert")


class AlertReviewView(AuditAPIView):
    @extend_schema(
        summary="Review a privacy alert",
        description=(
            "Record the outcome and a note. A note is needed unless the access was plainly "
            "appropriate. A reviewed alert may be reviewed again; the trail keeps each review."
        ),
        request=s.AlertReviewSerializer,
        responses={200: s.PrivacyAlertDetailSerializer, 400: BAD_INPUT, 404: NOT_FOUND},
    )
    def post(self, request: Request, alert_id: Any) -> Response:
        user = _actor(request)
        alert = selectors.alert_get_for_user(user=user, alert_id=alert_id)
        data = _valid(s.AlertReviewSerializer, request.data)
        alert = services.alert_review(
            actor=user, alert=alert, outcome=data["outcome"], note=data.get("note", "")
        )
        return _alert_detail(user, alert, "Reviewed a privacy alert")


class RuleListView(AuditConfigAPIView):
    @extend_schema(
        summary="Privacy rules",
        description="For the Caldicott guardian and the system administrator.",
        responses={200: s.AlertRuleSerializer(many=True), 404: NOT_FOUND},
    )
    def get(self, request: Request) -> Response:
        rules = selectors.alert_rule_list_for_user(user=_actor(request))
        return Response(s.AlertRuleSerializer(rules, many=True).data)


class RuleDetailView(AuditConfigAPIView):
    @extend_schema(
        summary="A privacy rule",
        responses={200: s.AlertRuleSerializer, 404: NOT_FOUND},
    )
    def get(self, request: Request, code: str) -> Response:
        rule = selectors.alert_rule_get_for_user(user=_actor(request), code=code)
        return Response(s.AlertRuleSerializer(rule).data)

    @extend_schema(
        summary="Switch a privacy rule on or off, or change its settings",
        description="The change is recorded in the audit trail.",
        request=s.AlertRuleUpdateSerializer,
        responses={200: s.AlertRuleSerializer, 400: BAD_INPUT, 404: NOT_FOUND},
    )
    def patch(self, request: Request, code: str) -> Response:
        user = _actor(request)
        rule = selectors.alert_rule_get_for_user(user=user, code=code)
        data = _valid(s.AlertRuleUpdateSerializer, request.data)
        rule = services.alert_rule_update(
            actor=user,
            rule=rule,
            enabled=data.get("enabled", rule.enabled),
            parameters={**rule.parameters, **data.get("parameters", {})},
        )
        return Response(s.AlertRuleSerializer(rule).data)
