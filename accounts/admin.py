from __future__ import annotations

from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import ApiToken, Membership, Organisation, Team, User
from accounts.services import user_sync_roles


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ["team", "role", "starts_on", "ends_on"]
    autocomplete_fields = ["team"]


def _locked_usernames(usernames: list[str]) -> set[str]:
    return set(
        AccessAttempt.objects.filter(
            username__in=usernames, failures_since_start__gte=settings.AXES_FAILURE_LIMIT
        ).values_list("username", flat=True)
    )


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "first_name", "last_name", "job_title", "is_active", "locked"]
    list_filter = ["is_active", "is_staff", "groups"]
    search_fields = ["username", "first_name", "last_name", "email"]
    readonly_fields = ["public_id", "last_login", "date_joined", "is_staff", "groups"]
    inlines = [MembershipInline]
    actions = ["unlock_accounts"]
    fieldsets = (
        (None, {"fields": ("public_id", "username", "password")}),
        ("Person", {"fields": ("first_name", "last_name", "email", "job_title")}),
        ("Status", {"fields": ("is_active", "left_on", "last_login", "date_joined")}),
        ("Roles (from memberships)", {"fields": ("is_staff", "groups")}),
    )
    add_fieldsets = (
        (
            None,
            {"fields": ("username", "first_name", "last_name", "email", "password1", "password2")},
        ),
    )

    @admin.display(boolean=True, description="Locked")
    def locked(self, obj: User) -> bool:
        return obj.username in _locked_usernames([obj.username])

    @admin.action(description="Unlock the selected accounts")
    def unlock_accounts(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        names = list(queryset.values_list("username", flat=True))
        for name in names:
            axes_reset(username=name)
        messages.success(request, f"Unlocked {len(names)} account(s).")

    def save_related(
        self, request: HttpRequest, form: object, formsets: object, change: bool
    ) -> None:
        super().save_related(request, form, formsets, change)
        user_sync_roles(user=form.instance)  # type: ignore[attr-defined]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "nation", "clock_regime", "is_active"]
    list_filter = ["kind", "nation", "is_active"]
    search_fields = ["name", "short_name"]
    filter_horizontal = ["acts_for"]
    readonly_fields = ["public_id"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "service", "organisation", "shares_caseload", "is_active"]
    list_filter = ["service", "organisation", "is_active"]
    search_fields = ["name"]
    filter_horizontal = ["acts_for"]
    readonly_fields = ["public_id"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["prefix", "user", "created_at", "expires_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["user__username", "prefix"]
    readonly_fields = [f.name for f in ApiToken._meta.fields]
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        messages.success(request, f"Revoked {count} token(s).")
