"""The foundation: the start page, /healthz, the API's /me and signing in."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponseBase
from django.test import Client

from accounts.models import User
from bench.harness import Figures, Run, UnexpectedStatusError, benchmark, measure, ratio
from core.services import heartbeat_record

DEMO_USER = "amy"


@benchmark("start-page")
def start_page(run: Run) -> Figures:
    client = Client()
    client.force_login(User.objects.get(username=DEMO_USER))
    return measure(
        run,
        name="start-page",
        description=f"GET / signed in as {DEMO_USER} (session, full middleware, template)",
        send=lambda: client.get("/"),
    )


@benchmark("healthz")
def healthz(run: Run) -> Figures:
    # A fresh heartbeat, as the worker would have written, so the page answers 200.
    heartbeat_record(worker="bench")
    client = Client()
    return measure(
        run,
        name="healthz",
        description="GET /healthz anonymously (database, Redis broker and heartbeat checks)",
        send=lambda: client.get("/healthz"),
    )


@benchmark("api-me")
def api_me(run: Run) -> Figures:
    client = Client()
    issued = client.post(
        "/api/v1/auth/token/",
        {"username": DEMO_USER, "password": settings.CAREFILE_DEMO_PASSWORD},
        content_type="application/json",
    )
    if issued.status_code != 201:
        raise UnexpectedStatusError(
            f"api-me: issuing a token answered {issued.status_code}, expected 201: "
            f"{issued.content[:300]!r}"
        )
    headers = {"Authorization": f"Bearer {issued.json()['token']}"}
    return measure(
        run,
        name="api-me",
        description=f"GET /api/v1/me/ with {DEMO_USER}'s bearer token",
        send=lambda: client.get("/api/v1/me/", headers=headers),
    )


@benchmark("sign-in", share=0.04)
def sign_in(run: Run) -> Figures:
    credentials = {"username": DEMO_USER, "password": settings.CAREFILE_DEMO_PASSWORD}

    def send() -> HttpResponseBase:
        # A new browser each time: a signed-in client would be redirected without a check.
        response = Client().post("/accounts/sign-in/", credentials)
        if response.status_code == 302 and response["Location"] != "/":
            raise UnexpectedStatusError(f"sign-in: redirected to {response['Location']}, not /")
        return response

    figures = measure(
        run,
        name="sign-in",
        description=f"POST /accounts/sign-in/ as {DEMO_USER} (password hashing dominates)",
        send=send,
        expected_status=302,
    )
    figures.notes.append(f"password hasher: {settings.PASSWORD_HASHERS[0].rsplit('.', 1)[-1]}")
    return figures


ratio("api-me", "start-page", "API /me against the rendered start page")
ratio("healthz", "start-page", "health check against the rendered start page")
ratio("sign-in", "start-page", "signing in against one signed-in page view")
