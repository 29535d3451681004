from __future__ import annotations

import pytest
import yaml
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_schema_and_docs_need_sign_in(client, practitioner) -> None:
    assert client.get("/api/schema/").status_code in (401, 403)
    assert client.get("/api/docs/").status_code in (401, 403)
    client.force_login(practitioner)
    schema = yaml.safe_load(client.get("/api/schema/").content)
    assert {"/api/v1/auth/token/", "/api/v1/me/"} <= set(schema["paths"])
    assert "bearerAuth" in schema["components"]["securitySchemes"]
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"swagger" in docs.content.lower()


def test_schema_generates_without_warnings(tmp_path) -> None:
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--file", str(out), "--validate", "--fail-on-warn")
    assert out.read_text().startswith("openapi:")
