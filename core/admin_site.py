from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import models, router, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from accounts.mfa import is_verified, mfa_needed
from audit.context import shown
from audit.models import Action
from audit.services import changes_between, created_changes, event_record, snapshot

# Changes to these are settings: the schedules that seal the audit trail and look for privacy
# alerts among them, and the privacy rules themselves.
SETTING_APPS = frozenset({"django_celery_beat"})
SETTING_MODELS = frozenset({"audit.alertrule"})
# Who may do what: roles in teams, and the groups that carry model permissions.
PERMISSION_MODELS = frozenset({"accounts.membership", "auth.group"})
# Second-factor devices (django-otp's plugins are the apps "otp_totp", "otp_static"…).
MFA_APP_PREFIX = "otp_"
# Never copied into the audit trail, not even into its erasable part.
SECRET_FIELDS = frozenset({"password", "key", "digest", "prefix"})
HIDDEN = "[not recorded]"
NOT_RECORDED = frozenset({"public_id", "search_name", "last_login"})

_PENDING = "_carefile_admin_change"


def recorded_by_service(action: Callable[..., Any]) -> Callable[..., Any]:
    """Mark an admin action whose service records its own audit events."""
    action.records_own_audit = True  # type: ignore[attr-defined]
    return action


def _plain(value: Any) -> Any:
    """A form or model value as JSON-ready data: related objects by primary key."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, models.QuerySet | list | tuple | set | frozenset):
        return sorted((_plain(v) for v in value), key=str)
    if isinstance(value, date | datetime):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | float | str | dict):
        return value
    return str(value)


def _field_name(form_field: str) -> str:
    """The model field a form field sets; password forms' fields all set the password."""
    if form_field.startswith(("password", "usable_password", "set_usable_password")):
        return "password"
    return form_field


def _masked(name: str, change: tuple[Any, Any]) -> tuple[Any, Any]:
    return (HIDDEN, HIDDEN) if name in SECRET_FIELDS else change


def _form_changes(form: forms.BaseForm, obj: models.Model) -> dict[str, tuple[Any, Any]]:
    """What a bound admin form changed on an existing object, as (old, new)."""
    changes: dict[str, tuple[Any, Any]] = {}
    for form_field in form.changed_data:
        name = _field_name(form_field)
        if name in NOT_RECORDED:
            continue
        old = _plain(form.initial.get(form_field))
        new = _plain(form.cleaned_data.get(form_field))
        if old != new or name in SECRET_FIELDS:
            changes[name] = _masked(name, (old, new))
    return changes


def _new_values(obj: models.Model, form: forms.BaseForm | None) -> dict[str, tuple[Any, Any]]:
    """A new object's filled-in fields, and the many-to-many choices its form made."""
    changes = {
        name: _masked(name, change)
        for name, change in created_changes(obj).items()
        if name not in NOT_RECORDED
    }
    if form is not None:
        many = {f.name for f in obj._meta.many_to_many}
        for form_field in form.changed_data:
            if form_field in many:
                changes[form_field] = (None, _plain(form.cleaned_data.get(form_field)))
    return changes


def _old_values(obj: models.Model) -> dict[str, tuple[Any, Any]]:
    return {
        name: _masked(name, (value, None))
        for name, value in snapshot(obj).items()
        if name not in NOT_RECORDED and value not in (None, "", [], {})
    }


def _kind(obj: models.Model) -> str:
    meta = obj._meta
    if meta.app_label in SETTING_APPS or meta.label_lower in SETTING_MODELS:
        return "setting"
    if meta.label_lower in PERMISSION_MODELS:
        return "permission"
    if meta.app_label.startswith(MFA_APP_PREFIX):
        return "mfa"
    return "record"


def _takes_away(changes: Mapping[str, tuple[Any, Any]]) -> bool:
    """Whether a change to a membership or group only narrows what it allows."""
    if "ends_on" in changes and changes["ends_on"][1] is not None:
        return True
    if "permissions" in changes:
        old, new = changes["permissions"]
        return set(new or ()) < set(old or ())
    return False


def _action(obj: models.Model, verb: str, changes: Mapping[str, tuple[Any, Any]]) -> str:
    kind = _kind(obj)
    if kind == "setting":
        return Action.SETTING_CHANGE
    if kind == "mfa":
        return Action.MFA_CHANGE
    if kind == "permission":
        if verb == "deleted" or (verb == "changed" and _takes_away(changes)):
            return Action.PERMISSION_REVOKE
        return Action.PERMISSION_GRANT
    return {"added": Action.CREATE, "changed": Action.UPDATE, "deleted": Action.DELETE}[verb]


def _subjects(obj: models.Model) -> list[int]:
    """The data subject of a case-record row shown in the admin: the person, or its person."""
    if obj._meta.label_lower == "records.person":
        return [obj.pk]
    person_id = getattr(obj, "person_id", None)
    return [person_id] if isinstance(person_id, int) else []


def admin_event_record(
    request: HttpRequest, obj: models.Model, verb: str, changes: Mapping[str, tuple[Any, Any]]
) -> None:
    """One audit event for one object added, changed or deleted through the admin site."""
    event_record(
        actor=request.user if request.user.is_authenticated else None,
        action=_action(obj, verb, changes),
        summary=f"{verb.capitalize()} {obj._meta.verbose_name} in the admin site",
        obj=obj,
        subjects=_subjects(obj),
        changes=changes,
    )


def _inline_events(request: HttpRequest, formsets: Iterable[Any]) -> None:
    """Rows added, changed or deleted through the inlines of a change form."""
    for formset in formsets:
        forms_by_object = {id(f.instance): f for f in getattr(formset, "initial_forms", [])}
        for obj in getattr(formset, "new_objects", []):
            admin_event_record(request, obj, "added", _new_values(obj, None))
        for obj, _ in getattr(formset, "changed_objects", []):
            form = forms_by_object.get(id(obj))
            changes = _form_changes(form, obj) if form is not None else {}
            admin_event_record(request, obj, "changed", changes)
        for obj in getattr(formset, "deleted_objects", []):
            admin_event_record(request, obj, "deleted", _old_values(obj))


def _audited_action(func: Callable[..., Any]) -> Callable[..., Any]:
    """Run an admin action in one transaction with the audit events for what it changed.

    Deletions are recorded by ``log_deletions``; actions that call a service are recorded by
    the service. Any other action (enabling a schedule, say) is recorded by comparing each
    selected row before and after."""
    from django.contrib.admin.actions import delete_selected

    compare = func is not delete_selected and not getattr(func, "records_own_audit", False)

    @functools.wraps(func)
    def action(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: Any) -> Any:
        with transaction.atomic(using=router.db_for_write(modeladmin.model)):
            if not compare:
                return func(modeladmin, request, queryset)
            selected = {obj.pk: obj for obj in queryset}
            before = {pk: snapshot(obj) for pk, obj in selected.items()}
            response = func(modeladmin, request, queryset)
            remaining = modeladmin.model._default_manager.filter(pk__in=list(selected))
            for obj in remaining:
                changes = changes_between(before.pop(obj.pk), snapshot(obj))
                if changes:
                    masked = {name: _masked(name, c) for name, c in changes.items()}
                    admin_event_record(request, obj, "changed", masked)
            for pk in before:
                admin_event_record(request, selected[pk], "deleted", _old_values(selected[pk]))
            return response

    return action


class AuditedModelAdmin(admin.ModelAdmin):
    """Every add, change and delete through the admin writes its audit event, in the same
    transaction as the change (Django's add, change, delete and list-edit views are atomic;
    actions are made so here)."""

    def construct_change_message(
        self, request: HttpRequest, form: Any, formsets: Any, add: bool = False
    ) -> Any:
        # Called with the form in every path that logs a change: the change form, the
        # changelist's inline editing and the password form.
        setattr(request, _PENDING, (form, list(formsets or [])))
        return super().construct_change_message(request, form, formsets, add)

    def _pending(self, request: HttpRequest) -> tuple[Any, list[Any]]:
        pending: tuple[Any, list[Any]] = getattr(request, _PENDING, None) or (None, [])
        setattr(request, _PENDING, None)
        return pending

    def log_addition(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        entry = super().log_addition(request, obj, message)
        form, formsets = self._pending(request)
        admin_event_record(request, obj, "added", _new_values(obj, form))
        _inline_events(request, formsets)
        return entry

    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        entry = super().log_change(request, obj, message)
        form, formsets = self._pending(request)
        changes = _form_changes(form, obj) if form is not None else {}
        admin_event_record(request, obj, "changed", changes)
        _inline_events(request, formsets)
        return entry

    def log_deletions(self, request: HttpRequest, queryset: Any) -> Any:
        # Called before the deletion, in the same transaction.
        entries = super().log_deletions(request, queryset)
        for obj in queryset:
            admin_event_record(request, obj, "deleted", _old_values(obj))
        return entries

    # Administration pages show staff and settings, never case records, but a look at them is
    # still a read of personal data about staff: one read event per page, like every page.
    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> Any:
        response = super().changelist_view(request, extra_context)
        if request.method == "GET" and response.status_code == 200:
            plural = self.model._meta.verbose_name_plural
            shown([], summary=f"Viewed the list of {plural} in the admin site")
        return response

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> Any:
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200:
            obj = self.get_object(request, unquote(object_id))
            shown(
                _subjects(obj) if obj is not None else [],
                summary=f"Viewed {self.model._meta.verbose_name} in the admin site",
                obj=obj,
            )
        return response

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions: dict[str, Any] = {}
        for name, entry in super().get_actions(request).items():
            if entry is not None:
                func, _, description = entry
                actions[name] = (_audited_action(func), name, description)
        return actions


class CarefileAdminSite(admin.AdminSite):
    site_header = "Carefile administration"
    site_title = "Carefile administration"
    index_title = "Organisations, teams, staff and schedules"
    enable_nav_sidebar = False

    def register(
        self,
        model_or_iterable: Any,
        admin_class: type[admin.ModelAdmin] | None = None,
        **options: Any,
    ) -> None:
        """Register as usual, with auditing added to every model admin, ours or a library's."""
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, AuditedModelAdmin):
            admin_class = type(
                admin_class.__name__,
                (AuditedModelAdmin, admin_class),
                {"__module__": admin_class.__module__, "__qualname__": admin_class.__qualname__},
            )
        super().register(model_or_iterable, admin_class, **options)

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        if not super().has_permission(request):
            return False
        return not mfa_needed(user) or is_verified(user)  # type: ignore[arg-type]

    def login(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        next_url = request.GET.get("next") or reverse("admin:index")
        user = request.user
        if user.is_authenticated:
            if mfa_needed(user) and not is_verified(user):
                target = reverse("accounts:mfa-verify")
                return HttpResponseRedirect(f"{target}?{urlencode({'next': next_url})}")
            raise PermissionDenied
        target = reverse("accounts:login")
        return HttpResponseRedirect(f"{target}?{urlencode({'next': next_url})}")
