"""Production mode refuses to start half-configured, and passes Django's deployment checks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION_ENV = {
    "CAREFILE_ENV": "production",
    "DJANGO_SECRET_KEY": "x" * 20 + "-production-test-only-key-" + "y" * 30,
    "DJANGO_ALLOWED_HOSTS": "carefile.example.org",
    "DATABASE_URL": "postgres://carefile@127.0.0.1:5432/carefile",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("CAREFILE_", "DJANGO_", "DATABASE_", "CELERY_"))
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_passes_check_deploy_with_no_warnings() -> None:
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("DJANGO_SECRET_KEY", "DJANGO_SECRET_KEY must be set"),
        ("DJANGO_ALLOWED_HOSTS", "DJANGO_ALLOWED_HOSTS must be set"),
        ("DATABASE_URL", "DATABASE_URL must be set"),
        ("CELERY_BROKER_URL", "CELERY_BROKER_URL must be set"),
    ],
)
def test_production_refuses_to_start_without(missing: str, message: str) -> None:
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert message in result.stderr


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DATABASE_URL", "sqlite:////tmp/carefile.sqlite3", "Production needs PostgreSQL"),
        ("CELERY_BROKER_URL", "filesystem://", "Production needs Redis"),
        ("DJANGO_DEBUG", "true", "DJANGO_DEBUG cannot be on"),
    ],
)
def test_production_refuses_embedded_parts(name: str, value: str, message: str) -> None:
    result = manage("check", env={**PRODUCTION_ENV, name: value})
    assert result.returncode != 0
    assert message in result.stderr


@pytest.mark.django_db
def test_demo_data_refuses_production(settings) -> None:
    from accounts.demo import load_demo
    from core.errors import ApplicationError

    settings.PRODUCTION = True
    with pytest.raises(ApplicationError, match="cannot be loaded in production"):
        load_demo()


@pytest.mark.django_db
def test_load_demo_is_idempotent() -> None:
    from django.core.management import call_command

    from accounts.models import Membership, Organisation, Team, User

    # Staff only: records/tests/test_demo.py loads and checks the demo people.
    call_command("load_demo", people=0, verbosity=0)
    counts = (
        User.objects.count(),
        Team.objects.count(),
        Organisation.objects.count(),
        Membership.objects.count(),
    )
    call_command("load_demo", people=0, verbosity=0)
    assert counts == (
        User.objects.count(),
        Team.objects.count(),
        Organisation.objects.count(),
        Membership.objects.count(),
    )
    assert counts[:3] == (10, 8, 3)
    fay = User.objects.get(username="fay")
    assert fay.is_staff
    assert not fay.is_superuser
    adoption = Team.objects.get(name="Adoption Together")
    assert set(adoption.acts_for.values_list("short_name", flat=True)) == {"Ashdown", "Brambley"}
    assert adoption.served_organisation_ids() == set(
        Organisation.objects.filter(kind="council").values_list("id", flat=True)
    )


def test_production_shares_its_cache_through_redis() -> None:
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.CACHES['default']['BACKEND'], settings.REST_FRAMEWORK['NUM_PROXIES'])"
    )
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("CAREFILE_", "DJANGO_", "DATABASE_", "CELERY_"))
    }
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={
            **base,
            **PRODUCTION_ENV,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "CAREFILE_PROXY_COUNT": "1",
        },
    )
    assert result.stdout.split() == ["django.core.cache.backends.redis.RedisCache", "1"], (
        result.stderr
    )


@pytest.mark.django_db
def test_token_endpoint_is_throttled(monkeypatch) -> None:
    from rest_framework.test import APIClient
    from rest_framework.throttling import ScopedRateThrottle

    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"token": "3/min"})
    api = APIClient()
    statuses = [
        api.post(
            "/api/v1/auth/token/", {"username": "x", "password": "y"}, format="json"
        ).status_code
        for _ in range(4)
    ]
    assert statuses == [400, 400, 400, 429]
