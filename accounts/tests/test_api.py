from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken
from accounts.services import api_token_issue
from accounts.tests.factories import TEST_PASSWORD
from accounts.tests.helpers import current_code, enrolled_device

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token/"
ME = "/api/v1/me/"


@pytest.fixture
def api() -> APIClient:
    return APIClient()


def test_token_for_username_and_password_opens_the_api(api, practitioner) -> None:
    response = api.post(TOKEN, {"username": "amy", "password": TEST_PASSWORD}, format="json")
    assert response.status_code == 201
    raw = response.json()["token"]
    assert ApiToken.objects.get(user=practitioner).digest != raw
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    me = api.get(ME)
    assert me.status_code == 200
    body = me.json()
    assert body["username"] == "amy"
    assert body["memberships"][0]["role"] == "practitioner"
    assert body["memberships"][0]["team"] == "Children's Team North"


def test_token_request_with_missing_fields_is_400_with_field_errors(api, practitioner) -> None:
    response = api.post(TOKEN, {"username": "amy"}, format="json")
    assert response.status_code == 400
    assert "password" in response.json()
    assert not ApiToken.objects.exists()


def test_wrong_password_is_400_and_issues_no_token(api, practitioner) -> None:
    response = api.post(TOKEN, {"username": "amy", "password": "nope-nope"}, format="json")
    assert response.status_code == 400
    assert response.json()["non_field_errors"]
    assert not ApiToken.objects.exists()


def test_malformed_json_is_400(api, practitioner) -> None:
    response = api.generic("POST", TOKEN, "{not json", content_type="application/json")
    assert response.status_code == 400
    assert "detail" in response.json()


def test_locked_account_gets_no_token(api, practitioner) -> None:
    for _ in range(5):
        api.post(TOKEN, {"username": "amy", "password": "wrong-guess"}, format="json")
    response = api.post(TOKEN, {"username": "amy", "password": TEST_PASSWORD}, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "account_locked"
    assert not ApiToken.objects.exists()


def test_mfa_required_token_needs_a_one_time_code(api, practitioner, settings) -> None:
    settings.CAREFILE_REQUIRE_MFA = True
    credentials = {"username": "amy", "password": TEST_PASSWORD}
    not_enrolled = api.post(TOKEN, credentials, format="json")
    assert not_enrolled.status_code == 400
    assert "otp_token" in not_enrolled.json()
    device = enrolled_device(practitioner)
    missing = api.post(TOKEN, credentials, format="json")
    assert missing.status_code == 400
    assert "otp_token" in missing.json()
    wrong = api.post(TOKEN, {**credentials, "otp_token": "000000"}, format="json")
    if current_code(device) != "000000":
        assert wrong.status_code == 400
    assert not ApiToken.objects.exists()
    with time_machine.travel(timezone.now() + timedelta(seconds=5)):
        ok = api.post(TOKEN, {**credentials, "otp_token": current_code(device)}, format="json")
    assert ok.status_code == 201
    assert ApiToken.objects.get().verified_mfa


def test_token_issued_without_code_stops_working_when_mfa_becomes_required(
    api, practitioner, settings
) -> None:
    _, raw = api_token_issue(actor=practitioner, verified_mfa=False)
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.get(ME).status_code == 200
    settings.CAREFILE_REQUIRE_MFA = True
    assert api.get(ME).status_code == 401


def test_anonymous_and_bad_tokens_are_401(api, practitioner) -> None:
    assert api.get(ME).status_code in (401, 403)
    api.credentials(HTTP_AUTHORIZATION="Bearer not-a-real-token")
    response = api.get(ME)
    assert response.status_code == 401
    assert response.json()["detail"]


def test_expired_token_is_refused(api, practitioner) -> None:
    token, raw = api_token_issue(actor=practitioner, verified_mfa=False)
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    with time_machine.travel(token.expires_at + timedelta(minutes=1)):
        assert api.get(ME).status_code == 401


def test_token_can_be_revoked_by_its_holder(api, practitioner) -> None:
    _, raw = api_token_issue(actor=practitioner, verified_mfa=False)
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.delete("/api/v1/auth/token/current/").status_code == 204
    assert api.get(ME).status_code == 401


def test_disabled_user_token_is_refused(api, practitioner) -> None:
    _, raw = api_token_issue(actor=practitioner, verified_mfa=False)
    practitioner.is_active = False
    practitioner.save()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.get(ME).status_code == 401


def test_session_api_needs_csrf_and_a_verified_session(practitioner, settings) -> None:
    api = APIClient(enforce_csrf_checks=True)
    api.force_login(practitioner)
    assert api.get(ME).status_code == 200
    # Unsafe methods on a session need the CSRF token.
    assert api.delete("/api/v1/auth/token/current/").status_code == 403
    settings.CAREFILE_REQUIRE_MFA = True
    assert api.get(ME).status_code in (401, 403)


def test_unknown_api_url_is_json_404(api, practitioner) -> None:
    api.force_authenticate(practitioner)
    response = api.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"]
