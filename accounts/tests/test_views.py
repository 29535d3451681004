from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.tests.factories import TEST_PASSWORD
from accounts.tests.helpers import current_code, enrolled_device

pytestmark = pytest.mark.django_db

SIGN_IN = "/accounts/sign-in/"


def sign_in(client: Client, username: str, password: str = TEST_PASSWORD, **extra: str):
    return client.post(SIGN_IN, {"username": username, "password": password, **extra})


def test_sign_in_page_is_open_and_has_the_form(client) -> None:
    response = client.get(SIGN_IN)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="username"' in body
    assert 'name="password"' in body
    assert 'autocomplete="current-password"' in body


def test_sign_in_reaches_the_role_start_page(client, practitioner) -> None:
    response = sign_in(client, "amy")
    assert response.status_code == 302
    assert response["Location"] == "/"
    page = client.get("/")
    body = page.content.decode()
    assert "Signed in as" in body
    assert "Amy Okafor" in body
    assert "Your caseload" in body
    assert "Retention" not in body  # not a records manager


def test_wrong_password_shows_error_and_signs_nobody_in(client, practitioner) -> None:
    response = sign_in(client, "amy", "not-the-password")
    assert response.status_code == 200
    body = response.content.decode()
    assert "There is a problem" in body
    assert "Enter a correct username and password" in body
    assert SESSION_KEY not in client.session


def test_account_locks_after_five_failures_until_an_admin_unlocks(
    client, practitioner, admin_user
) -> None:
    for _ in range(5):
        sign_in(client, "amy", "wrong-password-guess")
    response = sign_in(client, "amy")  # even the right password is refused now
    assert response.status_code == 403
    assert "Your account is locked" in response.content.decode()
    assert SESSION_KEY not in client.session

    admin = Client()
    admin.force_login(admin_user)
    changelist = reverse("admin:accounts_user_changelist")
    admin.post(changelist, {"action": "unlock_accounts", "_selected_action": [practitioner.pk]})
    assert not AccessAttempt.objects.filter(username="amy").exists()
    assert sign_in(client, "amy").status_code == 302


def test_disabled_account_cannot_sign_in(client, practitioner) -> None:
    practitioner.is_active = False
    practitioner.save()
    response = sign_in(client, "amy")
    assert response.status_code == 200
    assert SESSION_KEY not in client.session


def test_leaver_cannot_sign_in(client, practitioner) -> None:
    practitioner.left_on = timezone.localdate() - timedelta(days=1)
    practitioner.save()
    response = sign_in(client, "amy")
    assert "This account has been disabled" in response.content.decode()
    assert SESSION_KEY not in client.session


def test_sign_out_needs_post_and_ends_the_session(client, practitioner) -> None:
    client.force_login(practitioner)
    assert client.get("/accounts/sign-out/").status_code == 405
    response = client.post("/accounts/sign-out/")
    assert response.status_code in (200, 302)
    assert SESSION_KEY not in client.session
    assert client.get("/").status_code == 302


def test_pages_redirect_anonymous_users_to_sign_in(client) -> None:
    response = client.get("/accounts/account/")
    assert response.status_code == 302
    assert response["Location"].startswith(f"{SIGN_IN}?next=")


def test_idle_session_times_out_with_a_message(client, practitioner) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.force_login(practitioner)
        assert client.get("/").status_code == 200
    with time_machine.travel(start + timedelta(minutes=29), tick=False):
        assert client.get("/").status_code == 200  # activity keeps it alive
    with time_machine.travel(start + timedelta(minutes=29 + 31), tick=False):
        response = client.get("/")
        assert response.status_code == 302
        assert response["Location"].startswith(SIGN_IN)
        page = client.get(response["Location"])
        assert "You were signed out because you had not done anything for 30" in (
            page.content.decode()
        )


def test_missing_csrf_token_gets_a_clear_page_and_changes_nothing(practitioner) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post(SIGN_IN, {"username": "amy", "password": TEST_PASSWORD})
    assert response.status_code == 403
    assert "Your form could not be sent" in response.content.decode()
    assert SESSION_KEY not in client.session


def test_unknown_url_is_a_gov_uk_404_page(client, practitioner) -> None:
    client.force_login(practitioner)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert "govuk-heading-l" in response.content.decode()


class TestMfaRequired:
    @pytest.fixture(autouse=True)
    def _require_mfa(self, settings) -> None:
        settings.CAREFILE_REQUIRE_MFA = True

    def test_new_user_is_sent_to_set_up_an_authenticator(self, client, practitioner) -> None:
        response = sign_in(client, "amy")
        assert response["Location"].startswith("/accounts/mfa/verify/")
        # Any page before the code is given leads back to MFA.
        assert client.get("/").status_code == 302
        response = client.get(response["Location"])
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/mfa/set-up/")
        page = client.get(response["Location"])
        assert page.status_code == 200
        assert "<svg" in page.content.decode()

        device = TOTPDevice.objects.get(user=practitioner, confirmed=False)
        bad = client.post("/accounts/mfa/set-up/", {"code": "000000"})
        assert "The code is wrong or has expired" in bad.content.decode()
        device.refresh_from_db()
        assert not device.confirmed

        # django-otp slows down guessing after a failure: the next try waits a moment.
        with time_machine.travel(timezone.now() + timedelta(seconds=5)):
            ok = client.post("/accounts/mfa/set-up/", {"code": current_code(device), "next": "/"})
        assert ok.status_code == 302
        device.refresh_from_db()
        assert device.confirmed
        assert client.get("/").status_code == 200

    def test_enrolled_user_must_give_a_code(self, client, practitioner) -> None:
        device = enrolled_device(practitioner)
        response = sign_in(client, "amy")
        verify_url = response["Location"]
        assert verify_url.startswith("/accounts/mfa/verify/")
        not_digits = client.post(verify_url, {"code": "abcdef"})
        assert "Enter the 6-digit code" in not_digits.content.decode()
        wrong = client.post(
            verify_url, {"code": "123456" if current_code(device) != "123456" else "654321"}
        )
        assert "The code is wrong or has expired" in wrong.content.decode()
        assert client.get("/").status_code == 302
        with time_machine.travel(timezone.now() + timedelta(seconds=5)):
            right = client.post(verify_url, {"code": current_code(device)})
        assert right.status_code == 302
        assert right["Location"] == "/"
        assert client.get("/").status_code == 200

    def test_password_alone_cannot_replace_the_authenticator(self, client, practitioner) -> None:
        enrolled_device(practitioner)
        sign_in(client, "amy")
        response = client.get("/accounts/mfa/set-up/")
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/mfa/verify/")
        assert TOTPDevice.objects.filter(user=practitioner).count() == 1

    def test_admin_site_needs_a_verified_session(self, client, admin_user) -> None:
        enrolled_device(admin_user)
        sign_in(client, "fay")
        response = client.get("/admin/", follow=True)
        assert response.redirect_chain[-1][0].startswith("/accounts/mfa/verify/")
        assert "Enter your one-time code" in response.content.decode()


def test_mfa_optional_but_enrolled_user_is_still_asked(client, practitioner, settings) -> None:
    settings.CAREFILE_REQUIRE_MFA = False
    response = sign_in(client, "amy")
    assert response["Location"] == "/"
    client.logout()
    enrolled_device(practitioner)
    response = sign_in(client, "amy")
    assert response["Location"].startswith("/accounts/mfa/verify/")


def test_account_page_lists_teams_and_roles(client, admin_user) -> None:
    client.force_login(admin_user)
    body = client.get("/accounts/account/").content.decode()
    assert "Information Governance" in body
    assert "Records manager" in body
    assert "System administrator" in body


def test_admin_navigation_only_for_system_admins(client, practitioner, admin_user) -> None:
    client.force_login(practitioner)
    assert 'href="/admin/"' not in client.get("/").content.decode()
    assert client.get("/admin/").status_code in (302, 403)
    client.force_login(admin_user)
    assert 'href="/admin/"' in client.get("/").content.decode()
    assert client.get("/admin/").status_code == 200


def test_admin_user_list_marks_locked_accounts(
    client, practitioner, other_practitioner, admin_user
) -> None:
    for _ in range(5):
        sign_in(client, "ben", "wrong-password-guess")
    admin = Client()
    admin.force_login(admin_user)
    page = admin.get(reverse("admin:accounts_user_changelist"))
    locked = page.context["cl"].result_list
    assert {u.username: u.is_locked for u in locked} == {"amy": False, "ben": True, "fay": False}
