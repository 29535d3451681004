from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_start_page_shows_one_panel_per_role(client, admin_user) -> None:
    client.force_login(admin_user)
    body = client.get("/").content.decode()
    assert "Retention" in body
    assert "Administration" in body
    assert "Your caseload" not in body


def test_start_page_for_a_user_without_a_team_explains_why_it_is_empty(client) -> None:
    from accounts.tests.factories import UserFactory

    client.force_login(UserFactory())
    body = client.get("/").content.decode()
    assert "You have no current role in any team" in body


def test_layout_has_skip_link_council_and_phase_banner(client, practitioner, settings) -> None:
    client.force_login(practitioner)
    settings.CAREFILE_EMBEDDED = False
    body = client.get("/").content.decode()
    assert 'href="#main-content"' in body
    assert 'id="main-content"' in body
    assert "Ashdown Borough Council" in body  # the user's council in the header
    assert "Confidential social care records" in body
    assert "Do not enter real personal data" not in body
    settings.CAREFILE_EMBEDDED = True
    body = client.get("/").content.decode()
    assert "Do not enter real personal data" in body


def test_security_headers_on_every_page(client) -> None:
    response = client.get("/accounts/sign-in/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "'nonce-" in csp
    nonce = csp.split("'nonce-")[1].split("'")[0]
    assert f'nonce="{nonce}"' in response.content.decode()
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Request-ID"]


def test_request_id_from_proxy_is_kept_only_when_well_formed(client) -> None:
    kept = client.get("/accounts/sign-in/", HTTP_X_REQUEST_ID="abc12345-proxy")
    assert kept["X-Request-ID"] == "abc12345-proxy"
    replaced = client.get("/accounts/sign-in/", HTTP_X_REQUEST_ID="<script>")
    assert replaced["X-Request-ID"] != "<script>"


def test_form_errors_render_with_the_gov_uk_error_summary(client, practitioner) -> None:
    response = client.post("/accounts/sign-in/", {"username": "", "password": ""})
    body = response.content.decode()
    assert 'class="govuk-error-summary"' in body
    assert 'href="#id_username"' in body
    assert "govuk-form-group--error" in body
    assert 'aria-describedby="id_username-error"' in body
    assert "<title>Sign in (error)" in body


def test_demo_with_debug_on_still_shows_service_pages_not_technical_ones(
    client, practitioner, settings
) -> None:
    settings.DEBUG = True
    client.force_login(practitioner)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "Page not found" in body
    assert "govuk-heading-l" in body
    assert "URLconf" not in body  # Django's technical page lists the routes
    api = client.get("/api/v1/no-such-thing/")
    assert api.status_code == 404
    assert api["Content-Type"].startswith("application/json")
