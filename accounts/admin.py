from __future__ import annotations

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import router, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest, HttpResponse

from accounts.models import ApiToken, Membership, Organisation, Team, User
from accounts.services import account_unlock, api_token_revoke, user_sync_roles
from core.admin_site import recorded_by_service


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ["team", "role", "starts_on", "ends_on"]
    autocomplete_fields = ["team"]


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

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        # One query for the whole list, not one lockout lookup per row.
        locked = AccessAttempt.objects.filter(
            username=OuterRef("username"), failures_since_start__gte=settings.AXES_FAILURE_LIMIT
        )
        return super().get_queryset(request).annotate(is_locked=Exists(locked))

    @admin.display(boolean=True, description="Locked", ordering="is_locked")
    def locked(self, obj: User) -> bool:
        return bool(getattr(obj, "is_locked", False))

    @admin.action(description="Unlock the selected accounts")
    @recorded_by_service
    def unlock_accounts(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        users = list(queryset)
        for user in users:
            account_unlock(actor=request.user, user=user)  # type: ignore[arg-type]
        messages.success(request, f"Unlocked {len(users)} account(s).")

    def save_related(
        self, request: HttpRequest, form: object, formsets: object, change: bool
    ) -> None:
        super().save_related(request, form, formsets, change)
        user_sync_roles(user=form.instance)  # type: ignore[attr-defined]

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        # Django's password form saves and logs outside a transaction; the change and its
        # audit event must commit together.
        if request.method != "POST":
            return super().user_change_password(request, id, form_url)
        with transaction.atomic(using=router.db_for_write(self.model)):
            return super().user_change_password(request, id, form_url)


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
    @recorded_by_service
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        tokens = list(queryset.filter(revoked_at__isnull=True))
        for token in tokens:
            api_token_revoke(actor=request.user, token=token)  # type: ignore[arg-type]
        messages.success(request, f"Revoked {len(tokens)} token(s).")
