"""Staff accounts, sign-in, two-step verification and the admin site write their audit events.

Staff are not data subjects of case records, so none of these events names a subject."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask
from django_otp.plugins.otp_totp.models import TOTPDevice
from faker import Faker

from accounts import mfa
from accounts.models import Membership
from accounts.roles import Role
from accounts.services import (
    account_unlock,
    api_token_issue,
    api_token_revoke,
    membership_add,
    membership_end,
)
from accounts.tests.factories import TEST_PASSWORD, UserFactory
from accounts.tests.helpers import current_code, enrolled_device
from audit.models import Action, AuditEvent, Purpose
from core.errors import ApplicationError

pytestmark = pytest.mark.django_db

fake = Faker("en_GB")
SIGN_IN = "/accounts/sign-in/"


def written(call: Callable[[], Any]) -> tuple[Any, list[AuditEvent]]:
    """Run something; return its result and the events it wrote, oldest first."""
    last = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    result = call()
    return result, list(AuditEvent.objects.filter(id__gt=last).order_by("id"))


def check(
    event: AuditEvent,
    *,
    action: str,
    actor: Any,
    obj: Any,
    changed: set[str] | frozenset[str] = frozenset(),
    purpose: str = Purpose.NORMAL,
) -> dict[str, list[Any]]:
    assert event.action == action
    assert event.purpose == purpose
    assert event.actor_id == (actor.pk if actor is not None else None)
    assert event.object_type == f"{obj._meta.app_label}.{obj._meta.model_name}"
    assert event.object_id == str(getattr(obj, "public_id", None) or obj.pk)
    assert event.subject_ids == ""
    assert set(filter(None, event.changed_fields.split(","))) == set(changed)
    changes = event.personal.get("changes", {})
    assert set(changes) == set(changed)
    return changes


def sign_in(client: Client, username: str, password: str = TEST_PASSWORD) -> Any:
    return client.post(SIGN_IN, {"username": username, "password": password})


# --- Services --------------------------------------------------------------------------------


def test_membership_add_is_a_permission_grant(admin_user, team_south):
    user = UserFactory()
    membership, [event] = written(
        lambda: membership_add(actor=admin_user, user=user, team=team_south, role=Role.TEAM_MANAGER)
    )
    changes = check(
        event,
        action=Action.PERMISSION_GRANT,
        actor=admin_user,
        obj=membership,
        changed={"user", "team", "role", "starts_on"},
    )
    assert changes["role"] == [None, Role.TEAM_MANAGER]
    assert changes["team"] == [None, team_south.pk]
    assert user.last_name not in event.summary


def test_membership_added_by_a_set_up_command_is_recorded_as_the_system(team_south):
    user = UserFactory()
    membership, [event] = written(
        lambda: membership_add(actor=None, user=user, team=team_south, role=Role.PRACTITIONER)
    )
    check(
        event,
        action=Action.PERMISSION_GRANT,
        actor=None,
        obj=membership,
        changed={"user", "team", "role", "starts_on"},
        purpose=Purpose.SYSTEM,
    )


def test_membership_end_is_a_permission_revoke(admin_user, practitioner):
    membership = practitioner.memberships.get()
    today = timezone.localdate()
    _, [event] = written(
        lambda: membership_end(actor=admin_user, membership=membership, ends_on=today)
    )
    changes = check(
        event,
        action=Action.PERMISSION_REVOKE,
        actor=admin_user,
        obj=membership,
        changed={"ends_on"},
    )
    assert changes == {"ends_on": [None, today.isoformat()]}


def test_a_refused_membership_change_writes_no_event(practitioner, other_practitioner):
    membership = other_practitioner.memberships.get()
    with pytest.raises(ApplicationError):
        written(lambda: membership_end(actor=practitioner, membership=membership))
    assert not AuditEvent.objects.filter(action=Action.PERMISSION_REVOKE).exists()


def test_account_unlock(admin_user, practitioner):
    client = Client()
    for _ in range(5):
        sign_in(client, "amy", "wrong-password-guess")
    _, [event] = written(lambda: account_unlock(actor=admin_user, user=practitioner))
    changes = check(
        event,
        action=Action.UPDATE,
        actor=admin_user,
        obj=practitioner,
        changed={"failed_sign_in_records"},
    )
    assert changes["failed_sign_in_records"] == [1, 0]
    assert event.summary == "Unlocked an account"


def test_api_token_issue_keeps_nothing_of_the_token(practitioner):
    (token, raw), [event] = written(lambda: api_token_issue(actor=practitioner, verified_mfa=False))
    changes = check(
        event,
        action=Action.CREATE,
        actor=practitioner,
        obj=token,
        changed={"user", "expires_at", "verified_mfa"},
    )
    assert changes["expires_at"] == [None, token.expires_at.isoformat()]
    assert raw[:8] not in (event.personal_text or "")
    assert token.digest not in (event.personal_text or "")


def test_api_token_revoke_once(practitioner, admin_user):
    token, _ = api_token_issue(actor=practitioner, verified_mfa=False)
    _, [event] = written(lambda: api_token_revoke(actor=admin_user, token=token))
    token.refresh_from_db()
    changes = check(
        event, action=Action.UPDATE, actor=admin_user, obj=token, changed={"revoked_at"}
    )
    assert changes["revoked_at"] == [None, token.revoked_at.isoformat()]
    _, again = written(lambda: api_token_revoke(actor=practitioner, token=token))
    assert again == []


def test_a_rolled_back_grant_leaves_no_event(admin_user, team_south):
    user = UserFactory()

    def grant_then_fail() -> None:
        with transaction.atomic():
            membership_add(actor=admin_user, user=user, team=team_south, role=Role.PRACTITIONER)
            raise RuntimeError("the rest of the request failed")

    with pytest.raises(RuntimeError):
        grant_then_fail()
    assert not Membership.objects.filter(user=user).exists()
    assert not AuditEvent.objects.filter(actor=admin_user).exists()


# --- Sign-in, sign-out, failures and lockout, through the sign-in page -----------------------


def test_sign_in_and_sign_out_are_recorded(client, practitioner):
    _, [signed_in] = written(lambda: sign_in(client, "amy"))
    check(signed_in, action=Action.SIGN_IN, actor=practitioner, obj=practitioner)
    assert signed_in.path == SIGN_IN
    assert signed_in.ip_address == "127.0.0.1"
    _, [signed_out] = written(lambda: client.post("/accounts/sign-out/"))
    check(signed_out, action=Action.SIGN_OUT, actor=practitioner, obj=practitioner)


def test_failed_sign_in_is_recorded_without_the_password(client, practitioner):
    guess = "wrong-password-guess"
    _, [failed] = written(lambda: sign_in(client, "amy", guess))
    assert failed.action == Action.SIGN_IN_FAILED
    assert failed.purpose == Purpose.SYSTEM
    assert failed.actor_id == practitioner.pk
    assert failed.actor_username == "amy"
    assert guess not in (failed.personal_text or "")
    _, [unknown] = written(lambda: sign_in(client, "nobody-here", guess))
    assert unknown.action == Action.SIGN_IN_FAILED
    assert unknown.actor_id is None
    assert unknown.actor_username == "nobody-here"


def test_five_failures_lock_the_account_and_the_lockout_is_recorded(client, practitioner):
    _, events = written(lambda: [sign_in(client, "amy", "wrong-password-guess") for _ in range(5)])
    assert [e.action for e in events].count(Action.SIGN_IN_FAILED) == 5
    [locked] = [e for e in events if e.action == Action.LOCKOUT]
    assert locked.actor_id == practitioner.pk
    assert locked.actor_username == "amy"
    assert locked.purpose == Purpose.SYSTEM
    response, after = written(lambda: sign_in(client, "amy"))
    assert response.status_code == 403
    assert Action.SIGN_IN not in {e.action for e in after}


# --- Two-step verification -------------------------------------------------------------------


def test_mfa_enrolment_through_the_page_is_an_mfa_change(client, practitioner):
    client.force_login(practitioner)
    assert client.get("/accounts/mfa/set-up/").status_code == 200
    device = TOTPDevice.objects.get(user=practitioner, confirmed=False)
    response, [event] = written(
        lambda: client.post("/accounts/mfa/set-up/", {"code": current_code(device), "next": "/"})
    )
    assert response.status_code == 302
    changes = check(
        event, action=Action.MFA_CHANGE, actor=practitioner, obj=device, changed={"confirmed"}
    )
    assert changes == {"confirmed": [False, True]}
    assert event.summary == "Set up an authenticator app"


def test_replacing_the_authenticator_records_the_old_one_going(practitioner):
    old = enrolled_device(practitioner)
    device = mfa.pending_device(practitioner)
    confirmed, [event] = written(
        lambda: mfa.enrolment_confirm(actor=practitioner, code=current_code(device))
    )
    assert confirmed == device
    assert not TOTPDevice.objects.filter(pk=old.pk).exists()
    changes = check(
        event,
        action=Action.MFA_CHANGE,
        actor=practitioner,
        obj=device,
        changed={"confirmed", "other_devices"},
    )
    assert changes["other_devices"] == [1, 0]
    assert event.summary == "Replaced the authenticator app"


def test_a_wrong_code_changes_nothing_and_records_nothing(practitioner):
    device = mfa.pending_device(practitioner)
    wrong = "123456" if current_code(device) != "123456" else "654321"
    result, events = written(lambda: mfa.enrolment_confirm(actor=practitioner, code=wrong))
    assert result is None
    assert events == []


# --- The admin site --------------------------------------------------------------------------


def admin_client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def form_data(response: Any) -> dict[str, Any]:
    """The POST body the admin change form would send back unchanged."""
    forms = [response.context["adminform"].form]
    for inline in response.context.get("inline_admin_formsets", []):
        forms.append(inline.formset.management_form)
        forms.extend(inline.formset.forms)
    data: dict[str, Any] = {}
    for form in forms:
        for bound in form:
            if bound.field.disabled:
                continue
            value = bound.value()
            if value is None or value is False:
                continue
            if value is True:
                value = "on"
            data[bound.html_name] = list(value) if isinstance(value, list | tuple) else value
            if bound.field.show_hidden_initial:
                data[bound.html_initial_name] = value
    return data


def test_an_admin_change_records_the_fields_it_changed(admin_user, team_north):
    client = admin_client(admin_user)
    url = reverse("admin:accounts_team_change", args=[team_north.pk])
    old_name = team_north.name
    data = {**form_data(client.get(url)), "name": "Children's Team North East"}
    response, [event] = written(lambda: client.post(url, data))
    assert response.status_code == 302
    changes = check(event, action=Action.UPDATE, actor=admin_user, obj=team_north, changed={"name"})
    assert changes == {"name": [old_name, "Children's Team North East"]}
    assert event.summary == "Changed team in the admin site"
    assert event.path == url


def test_a_membership_added_in_the_admin_is_a_permission_grant(admin_user, practitioner, ig_team):
    client = admin_client(admin_user)
    url = reverse("admin:accounts_user_change", args=[practitioner.pk])
    data = form_data(client.get(url))
    new = int(data["memberships-TOTAL_FORMS"])
    data.update(
        {
            "memberships-TOTAL_FORMS": str(new + 1),
            f"memberships-{new}-team": str(ig_team.pk),
            f"memberships-{new}-role": Role.CALDICOTT_GUARDIAN,
            f"memberships-{new}-starts_on": timezone.localdate().isoformat(),
        }
    )
    response, events = written(lambda: client.post(url, data))
    assert response.status_code == 302, response.context["errors"]
    membership = practitioner.memberships.get(team=ig_team)
    user_event, grant = events
    check(user_event, action=Action.UPDATE, actor=admin_user, obj=practitioner)
    changes = check(
        grant,
        action=Action.PERMISSION_GRANT,
        actor=admin_user,
        obj=membership,
        changed={"user", "team", "role", "starts_on"},
    )
    assert changes["role"] == [None, Role.CALDICOTT_GUARDIAN]


def test_a_password_set_in_the_admin_is_recorded_but_not_kept(admin_user, practitioner):
    client = admin_client(admin_user)
    url = reverse("admin:auth_user_password_change", args=[practitioner.pk])
    password = fake.password(length=20)
    response, [event] = written(
        lambda: client.post(
            url, {"password1": password, "password2": password, "usable_password": "true"}
        )
    )
    assert response.status_code == 302
    practitioner.refresh_from_db()
    changes = check(
        event, action=Action.UPDATE, actor=admin_user, obj=practitioner, changed={"password"}
    )
    assert changes == {"password": ["[not recorded]", "[not recorded]"]}
    assert password not in (event.personal_text or "")
    assert practitioner.password not in (event.personal_text or "")


def test_a_schedule_added_in_the_admin_is_a_setting_change(admin_user):
    client = admin_client(admin_user)
    url = reverse("admin:django_celery_beat_intervalschedule_add")
    data = {**form_data(client.get(url)), "every": "17", "period": "minutes"}
    response, [event] = written(lambda: client.post(url, data))
    assert response.status_code == 302
    schedule = IntervalSchedule.objects.get(every=17, period="minutes")
    changes = check(
        event,
        action=Action.SETTING_CHANGE,
        actor=admin_user,
        obj=schedule,
        changed={"every", "period"},
    )
    assert changes == {"every": [None, 17], "period": [None, "minutes"]}


def test_disabling_a_scheduled_task_through_an_admin_action_is_a_setting_change(admin_user):
    # The schedule that seals the audit trail: switching it off must not go unnoticed.
    task = PeriodicTask.objects.get(task="audit.seal")
    assert task.enabled
    client = admin_client(admin_user)
    url = reverse("admin:django_celery_beat_periodictask_changelist")
    response, [event] = written(
        lambda: client.post(url, {"action": "disable_tasks", "_selected_action": [task.pk]})
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert not task.enabled
    changes = check(
        event,
        action=Action.SETTING_CHANGE,
        actor=admin_user,
        obj=task,
        changed={"enabled"},
    )
    assert changes == {"enabled": [True, False]}


def test_removing_a_users_authenticator_in_the_admin_is_an_mfa_change(admin_user, practitioner):
    device = enrolled_device(practitioner)
    client = admin_client(admin_user)
    url = reverse("admin:otp_totp_totpdevice_delete", args=[device.pk])
    response, [event] = written(lambda: client.post(url, {"post": "yes"}))
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
    changes = check(
        event,
        action=Action.MFA_CHANGE,
        actor=admin_user,
        obj=device,
        changed=set(event.personal["changes"]),
    )
    assert changes["key"] == ["[not recorded]", "[not recorded]"]
    assert changes["user"] == [practitioner.pk, None]
    assert device.key not in (event.personal_text or "")


def test_a_group_deleted_in_the_admin_is_a_permission_revoke(admin_user):
    group = Group.objects.create(name="Temporary reviewers")
    admin_user.is_superuser = True
    admin_user.save(update_fields=["is_superuser"])
    client = admin_client(admin_user)
    url = reverse("admin:auth_group_changelist")
    response, [event] = written(
        lambda: client.post(
            url, {"action": "delete_selected", "_selected_action": [group.pk], "post": "yes"}
        )
    )
    assert response.status_code == 302
    assert not Group.objects.filter(name="Temporary reviewers").exists()
    changes = check(
        event, action=Action.PERMISSION_REVOKE, actor=admin_user, obj=group, changed={"name"}
    )
    assert changes == {"name": ["Temporary reviewers", None]}


def test_an_admin_action_calling_a_service_is_recorded_once(admin_user, practitioner):
    for _ in range(5):
        sign_in(Client(), "amy", "wrong-password-guess")
    client = admin_client(admin_user)
    url = reverse("admin:accounts_user_changelist")
    response, events = written(
        lambda: client.post(
            url, {"action": "unlock_accounts", "_selected_action": [practitioner.pk]}
        )
    )
    assert response.status_code == 302
    assert [(e.action, e.summary) for e in events] == [(Action.UPDATE, "Unlocked an account")]


def test_an_admin_change_that_fails_leaves_no_event(admin_user, team_north):
    client = admin_client(admin_user)
    url = reverse("admin:accounts_team_change", args=[team_north.pk])
    data = {**form_data(client.get(url)), "name": ""}
    response, events = written(lambda: client.post(url, data))
    assert response.status_code == 200  # the form again, with its error
    assert events == []


def test_admin_pages_are_read_events(admin_user, practitioner):
    client = admin_client(admin_user)
    change = reverse("admin:accounts_user_change", args=[practitioner.pk])
    listing = reverse("admin:accounts_user_changelist")
    response, [event] = written(lambda: client.get(change))
    assert response.status_code == 200
    assert event.action == Action.READ
    assert event.actor == admin_user
    assert event.object_id == str(practitioner.public_id)
    assert event.summary == "Viewed user in the admin site"
    response, [event] = written(lambda: client.get(listing))
    assert event.action == Action.READ
    assert event.summary == "Viewed the list of users in the admin site"
