"""The Caldicott guardian's pages under /audit/.

Anyone but the guardian (on the rules pages: the guardian or the system administrator) gets
the missing page, whatever the method; every read then goes through ``audit.selectors``, which
checks again. Reading the trail is
itself audited: each page names the people it shows with ``audit.context.shown`` for the
purpose "audit review", and the CSV export records an export event.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from accounts.selectors import membership_list_for_user
from audit import forms, policies, selectors, services
from audit.alerts import DEFAULT_PARAMETERS, PARAMETER_SPECS
from audit.context import shown
from audit.models import AlertRule, Purpose
from audit.selectors import DayCount, EventFilters, EventRow
from core.csvsafe import csv_cell
from core.errors import ApplicationError
from core.forms import add_service_errors

FORM_METHODS = ["GET", "POST"]
DASHBOARD_ALERTS = 10
REVIEW = Purpose.AUDIT_REVIEW
_View = Callable[..., HttpResponse]


def _only_for(policy: Callable[[Any], bool]) -> Callable[[_View], _View]:
    """Anyone the policy refuses gets the missing page, whatever the method: the pages do not
    say that they exist. The selectors check again."""

    def decorate(view: _View) -> _View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not policy(request.user):
                raise Http404(selectors.NOT_FOUND)
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


guardian_only = _only_for(policies.can_review_audit)
configurer_only = _only_for(policies.can_configure_audit)


def _user(request: HttpRequest) -> Any:
    return request.user


def _posted(request: HttpRequest) -> Any:
    # An empty POST is still a submission: a rule switched off sends no fields at all.
    return request.POST if request.method == "POST" else None


def _query_without(request: HttpRequest, *names: str) -> str:
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


def _page_from(request: HttpRequest, run: Any) -> Any:
    """A keyset page from the request's cursor; a cursor that does not parse starts again at
    the newest events rather than failing the page."""
    try:
        return run(request.GET.get("cursor", ""))
    except ApplicationError:
        return run("")


# --- The chart ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    day: Any
    count: int


CHART_WIDTH = 640
CHART_HEIGHT = 220
PLOT_LEFT = 48
PLOT_RIGHT = 632
PLOT_TOP = 12
PLOT_BOTTOM = 184


def _chart(days: list[DayCount]) -> dict[str, Any]:
    """Bars for an inline SVG chart, drawn with SVG attributes only (the content security
    policy allows no inline styles)."""
    top = max((d.count for d in days), default=0)
    slot = (PLOT_RIGHT - PLOT_LEFT) / max(len(days), 1)
    plot_height = PLOT_BOTTOM - PLOT_TOP
    bars = []
    for index, day in enumerate(days):
        height = round(plot_height * day.count / top, 1) if top else 0.0
        bars.append(
            Bar(
                x=round(PLOT_LEFT + index * slot + slot * 0.15, 1),
                y=round(PLOT_BOTTOM - height, 1),
                width=round(slot * 0.7, 1),
                height=height,
                day=day.day,
                count=day.count,
            )
        )
    busiest = max(days, key=lambda d: d.count) if days else None
    return {
        "bars": bars,
        "top": top,
        "total": sum(d.count for d in days),
        "busiest": busiest,
        "first": days[0].day if days else None,
        "last": days[-1].day if days else None,
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "left": PLOT_LEFT,
        "right": PLOT_RIGHT,
        "plot_top": PLOT_TOP,
        "plot_bottom": PLOT_BOTTOM,
        "label_y": PLOT_BOTTOM + 22,
    }


# --- Dashboard ----------------------------------------------------------------------------------


@guardian_only
@require_GET
@never_cache
def dashboard(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    counts = selectors.alert_queue_counts_for_user(user=user)
    open_alerts = selectors.alert_page_for_user(
        user=user, status=selectors.AlertStatus.OPEN, per_page=DASHBOARD_ALERTS
    )
    days = selectors.reads_per_day_for_user(user=user)
    shown(
        [row.person for row in open_alerts.object_list if row.person],
        summary="Viewed the audit dashboard",
        purpose=REVIEW,
    )
    return render(
        request,
        "audit/dashboard.html",
        {
            "counts": counts,
            "open_total": sum(c.open for c in counts),
            "open_alerts": open_alerts,
            "days": days,
            "chart": _chart(days),
            "seal": selectors.seal_status_for_user(user=user),
            "active": "dashboard",
        },
    )


# --- Event search and export --------------------------------------------------------------------


def _search_form(request: HttpRequest, user: Any, *, bound: bool = False) -> forms.EventSearchForm:
    """The search form; an export always reads its filters, even when there are none."""
    teams = selectors.audit_team_list_for_user(user=user)
    return forms.EventSearchForm(request.GET if bound else request.GET or None, teams=teams)


def _filters(form: forms.EventSearchForm, user: Any) -> EventFilters | None:
    if not (form.is_bound and form.is_valid()):
        return None
    try:
        return selectors.event_filters_for_user(user=user, **form.filter_values())
    except ApplicationError as exc:
        add_service_errors(form, exc)
        return None


@guardian_only
@require_GET
@never_cache
def event_search(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = _search_form(request, user)
    filters = _filters(form, user)
    page = None
    if filters is not None:
        try:
            page = selectors.event_search_for_user(
                user=user, filters=filters, cursor=request.GET.get("cursor", "")
            )
        except ApplicationError as exc:
            add_service_errors(form, exc)
    if page is not None:
        shown(page.people, summary="Searched the audit trail", purpose=REVIEW)
    query = _query_without(request, "cursor")
    return render(
        request,
        "audit/event_search.html",
        {
            "form": form,
            "page": page,
            "filter_query": query,
            "export_url": f"{reverse('audit:event-export')}?{query}",
            "export_limit": selectors.EXPORT_LIMIT,
            "active": "events",
        },
    )


CSV_HEADER = [
    "Event",
    "When",
    "Action",
    "Purpose",
    "Member of staff",
    "Staff id",
    "Summary",
    "Object type",
    "Object id",
    "People",
    "Person ids",
    "People of other councils",
    "Changed fields",
    "Request id",
    "IP address",
    "Personal details",
]


def _personal_cell(row: EventRow) -> str:
    if row.scrubbed:
        return "Erased when the record was destroyed"
    if row.withheld:
        return "Withheld: names people of another council"
    personal = row.personal
    return json.dumps(personal, sort_keys=True, ensure_ascii=False, default=str) if personal else ""


def _csv_row(row: EventRow) -> list[str]:
    event = row.event
    return [
        csv_cell(value)
        for value in (
            event.pk,
            timezone.localtime(event.occurred_at).isoformat(),
            event.get_action_display(),
            event.get_purpose_display(),
            event.actor_username,
            row.actor.public_id if row.actor else "",
            event.summary,
            event.object_type,
            event.object_id,
            "; ".join(person.full_name for person in row.subjects),
            "; ".join(str(person.public_id) for person in row.subjects),
            row.other_subjects or "",
            event.changed_fields.replace(",", "; "),
            event.request_id,
            event.ip_address,
            _personal_cell(row),
        )
    ]


@guardian_only
@require_GET
@never_cache
def event_export(request: HttpRequest) -> HttpResponse:
    """The events matching the search as a CSV file; the export is itself an audit event."""
    user = _user(request)
    form = _search_form(request, user, bound=True)
    filters = _filters(form, user)
    if filters is None:
        return render(
            request,
            "audit/event_search.html",
            {"form": form, "page": None, "active": "events"},
        )
    rows = selectors.event_export_for_user(user=user, filters=filters)
    services.audit_export_record(
        actor=user,
        count=len(rows),
        subjects=selectors.people_shown(rows),
        filters=filters.describe(),
    )
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    writer.writerows(_csv_row(row) for row in rows)
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="audit-events-{stamp}.csv"'
    return response


# --- Who has accessed a person's record ---------------------------------------------------------


@guardian_only
@require_GET
@never_cache
def person_find(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = forms.PersonFindForm(request.GET or None)
    results = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            results = selectors.audit_person_find_for_user(
                user=user,
                nhs_number=data["nhs_number"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                date_of_birth=data["date_of_birth"],
            )
        except ApplicationError as exc:
            add_service_errors(form, exc)
        if results is not None and len(results) == 1:
            return redirect("audit:person-report", results[0].public_id)
    if results:
        shown(results, summary="Looked up a person for an audit report", purpose=REVIEW)
    return render(
        request,
        "audit/person_find.html",
        {"form": form, "results": results, "active": "people"},
    )


@guardian_only
@require_GET
@never_cache
def person_report(request: HttpRequest, person_id: str) -> HttpResponse:
    user = _user(request)
    person = selectors.audit_person_get_for_user(user=user, person_id=person_id)
    summary = Paginator(
        selectors.person_access_summary_for_user(user=user, person=person),
        selectors.REPORT_PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    page = _page_from(
        request,
        lambda cursor: selectors.event_search_for_user(
            user=user,
            filters=EventFilters(subject=person),
            cursor=cursor,
            per_page=selectors.REPORT_PAGE_SIZE,
        ),
    )
    shown(
        [person, *page.people],
        summary="Viewed who has accessed a person's record",
        obj=person,
        purpose=REVIEW,
    )
    return render(
        request,
        "audit/person_report.html",
        {
            "person": person,
            "summary": summary,
            "page": page,
            "summary_query": _query_without(request, "page"),
            "filter_query": "",
            "active": "people",
        },
    )


# --- What has a member of staff looked at -------------------------------------------------------


@guardian_only
@require_GET
@never_cache
def user_report(request: HttpRequest, user_id: str) -> HttpResponse:
    user = _user(request)
    staff = selectors.audit_staff_get_for_user(user=user, staff_id=user_id)
    form = forms.UserActivityForm(request.GET or None)
    start, end = form.date_range()
    people = selectors.user_activity_for_user(
        user=user, staff=staff, date_from=start, date_to=end, page=request.GET.get("page", 1)
    )
    page = _page_from(
        request,
        lambda cursor: selectors.event_search_for_user(
            user=user,
            filters=EventFilters(actor=staff, date_from=start, date_to=end),
            cursor=cursor,
        ),
    )
    named = [entry.person for entry in people.object_list if entry.person]
    shown(
        [*named, *page.people],
        summary="Viewed what a member of staff has looked at",
        obj=staff,
        purpose=REVIEW,
    )
    return render(
        request,
        "audit/user_report.html",
        {
            "staff": staff,
            "memberships": membership_list_for_user(user=staff),
            "form": form,
            "start": start,
            "end": end,
            "people": people,
            "page": page,
            "filter_query": _query_without(request, "cursor"),
            "people_query": _query_without(request, "page"),
            "active": "events",
        },
    )


# --- Alerts -------------------------------------------------------------------------------------


@guardian_only
@require_GET
@never_cache
def alert_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = forms.AlertFilterForm(request.GET or None, initial={"status": "open"})
    status, rule = selectors.AlertStatus.OPEN, ""
    if form.is_bound and form.is_valid():
        status, rule = form.cleaned_data["status"], form.cleaned_data["rule"]
    page = selectors.alert_page_for_user(
        user=user, status=status, rule=rule, page=request.GET.get("page", 1)
    )
    shown(
        [row.person for row in page.object_list if row.person],
        summary="Viewed privacy alerts",
        purpose=REVIEW,
    )
    return render(
        request,
        "audit/alert_list.html",
        {
            "form": form,
            "page": page,
            "filter_query": _query_without(request, "page"),
            "active": "alerts",
        },
    )


@guardian_only
@require_http_methods(FORM_METHODS)
@never_cache
def alert_detail(request: HttpRequest, alert_id: str) -> HttpResponse:
    user = _user(request)
    alert = selectors.alert_get_for_user(user=user, alert_id=alert_id)
    initial = {"outcome": alert.outcome, "note": alert.review_note} if alert.outcome else None
    form = forms.AlertReviewForm(_posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.alert_review(
                actor=user,
                alert=alert,
                outcome=form.cleaned_data["outcome"],
                note=form.cleaned_data["note"],
            )
        except ApplicationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "The alert is reviewed.")
            return redirect("audit:alert-detail", alert.public_id)
    row = selectors.alert_rows_for_user(user=user, alerts=[alert])[0]
    events = selectors.alert_events_for_user(user=user, alert=alert)
    shown(
        [*([row.person] if row.person else []), *events.people],
        summary="Viewed a privacy alert",
        obj=alert,
        purpose=REVIEW,
    )
    return render(
        request,
        "audit/alert_detail.html",
        {"row": row, "alert": alert, "events": events, "form": form, "active": "alerts"},
    )


# --- Rules --------------------------------------------------------------------------------------


def _settings(rule: AlertRule) -> list[tuple[str, Any]]:
    current = {**DEFAULT_PARAMETERS.get(rule.code, {}), **rule.parameters}
    shown_values = []
    for name, (kind, _low, _high, label) in PARAMETER_SPECS.get(rule.code, {}).items():
        value = current.get(name)
        if kind is bool:
            value = "Yes" if value else "No"
        shown_values.append((label, value))
    return shown_values


@configurer_only
@require_GET
@never_cache
def rule_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    rules = selectors.alert_rule_list_for_user(user=user)
    return render(
        request,
        "audit/rule_list.html",
        {
            "rules": [(rule, _settings(rule)) for rule in rules],
            "can_review": policies.can_review_audit(user),
            "active": "rules",
        },
    )


@configurer_only
@require_http_methods(FORM_METHODS)
@never_cache
def rule_edit(request: HttpRequest, code: str) -> HttpResponse:
    user = _user(request)
    rule = selectors.alert_rule_get_for_user(user=user, code=code)
    form = forms.AlertRuleForm(_posted(request), rule=rule)
    if request.method == "POST" and form.is_valid():
        try:
            services.alert_rule_update(
                actor=user,
                rule=rule,
                enabled=form.cleaned_data["enabled"],
                parameters=form.parameters(),
            )
        except ApplicationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"The rule “{rule.get_code_display()}” is saved.")
            return redirect("audit:rule-list")
    return render(
        request,
        "audit/rule_edit.html",
        {
            "rule": rule,
            "form": form,
            "can_review": policies.can_review_audit(user),
            "active": "rules",
        },
    )
