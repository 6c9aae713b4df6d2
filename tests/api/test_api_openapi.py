"""The served OpenAPI document declares a typed JSON response for the /api operations, and what
the service actually answers matches those declarations."""

from __future__ import annotations

from typing import Any

import httpx
from jsonschema import Draft202012Validator

from api_support import text_payload, unique_wa_id

MIN_TYPED_SHARE = 0.9


def _success_schema(op: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """The first 2xx response's status and JSON schema, if the operation declares one."""
    for status, response in sorted(op.get("responses", {}).items()):
        if status.startswith("2"):
            schema = response.get("content", {}).get("application/json", {}).get("schema")
            if schema is not None:
                return status, schema
    return None


def _is_typed(schema: dict[str, Any], components: dict[str, Any]) -> bool:
    """A named model, or a list of one: ``{}``, a bare object or a bare list is not typed."""
    target = schema.get("items", {}) if schema.get("type") == "array" else schema
    ref = target.get("$ref", "")
    name = ref.removeprefix("#/components/schemas/")
    return bool(ref) and name in components and bool(components[name].get("properties"))


def _validator(spec: dict[str, Any], schema: dict[str, Any]) -> Draft202012Validator:
    """Validates against ``schema`` with the document's components resolvable."""
    return Draft202012Validator({**schema, "components": spec["components"]})


def test_api_operations_declare_typed_json_responses(server):
    spec = httpx.get(server.base_url + "/openapi.json").json()
    components = spec["components"]["schemas"]
    operations, untyped = 0, []
    for path, ops in spec["paths"].items():
        if not path.startswith("/api/"):
            continue
        for method, op in ops.items():
            operations += 1
            found = _success_schema(op)
            if found is None or not _is_typed(found[1], components):
                untyped.append(f"{method.upper()} {path}")
    assert operations >= 25
    share = (operations - len(untyped)) / operations
    print(f"\ntyped JSON responses: {operations - len(untyped)}/{operations} "
          f"({share:.0%}); untyped: {untyped}")
    assert share >= MIN_TYPED_SHARE, untyped
    # The service's health answers are typed too.
    for path in ("/healthz", "/readyz", "/webhooks/whatsapp"):
        method = "post" if path.startswith("/webhooks") else "get"
        found = _success_schema(spec["paths"][path][method])
        assert found is not None and _is_typed(found[1], components), path


def test_answers_match_the_declared_schemas(server):
    wa_id = unique_wa_id()
    assert server.post_webhook(text_payload(wa_id, "Berapa lama proses NIB?")).status_code == 200
    spec = httpx.get(server.base_url + "/openapi.json").json()
    admin = server.client()
    conversations = admin.get("/api/v1/conversations", params={"contact": wa_id}).json()
    conv_id = conversations["items"][0]["conversation_id"]
    urls = {
        "/api/v1/me": "/api/v1/me",
        "/api/v1/users": "/api/v1/users",
        "/api/v1/audit": "/api/v1/audit?limit=20",
        "/api/v1/conversations": f"/api/v1/conversations?contact={wa_id}",
        "/api/v1/conversations/{conversation_id}": f"/api/v1/conversations/{conv_id}",
        "/api/v1/queue": "/api/v1/queue?status=all&limit=20",
        "/api/v1/documents": "/api/v1/documents",
        "/api/v1/reviewed-answers": "/api/v1/reviewed-answers",
        "/api/v1/kb/stats": "/api/v1/kb/stats",
        "/api/v1/unanswered": "/api/v1/unanswered",
    }
    checked = 0
    for path, url in urls.items():
        response = admin.get(url)
        assert response.status_code == 200, (url, response.text[:300])
        status, schema = _success_schema(spec["paths"][path]["get"])
        errors = [e.message for e in _validator(spec, schema).iter_errors(response.json())]
        assert not errors, (url, errors[:3])
        checked += 1
    queue = admin.get("/api/v1/queue", params={"status": "all", "limit": 1}).json()
    if queue["items"]:  # a draft exists: its detail (with the conversation) conforms too
        draft_id = queue["items"][0]["draft_id"]
        _, schema = _success_schema(spec["paths"]["/api/v1/drafts/{draft_id}"]["get"])
        body = admin.get(f"/api/v1/drafts/{draft_id}").json()
        assert not list(_validator(spec, schema).iter_errors(body))
        checked += 1
    assert checked >= len(urls)


def test_privacy_answers_match_the_declared_schemas(server):
    """Erasure and a retention run answer what their schemas say (both are writes, so they
    are not in the GET sweep above; the contact is this test's own)."""
    wa_id = unique_wa_id()
    stored = server.post_webhook(text_payload(wa_id, "Syarat izin usaha apa saja?"))
    assert stored.status_code == 200
    spec = httpx.get(server.base_url + "/openapi.json").json()
    admin = server.client()
    erased = admin.delete(f"/api/v1/contacts/{wa_id}")
    assert erased.status_code == 200, erased.text[:300]
    _, schema = _success_schema(spec["paths"]["/api/v1/contacts/{contact}"]["delete"])
    assert not [e.message for e in _validator(spec, schema).iter_errors(erased.json())]
    assert erased.json()["erased"] and len(erased.json()["conversation_ids"]) == 1
    # The shared server keeps 365 days: nothing in it is that old, so the run changes nothing.
    run = admin.post("/api/v1/retention/run")
    assert run.status_code == 200, run.text[:300]
    _, schema = _success_schema(spec["paths"]["/api/v1/retention/run"]["post"])
    assert not [e.message for e in _validator(spec, schema).iter_errors(run.json())]
    assert run.json()["retention_days"] == 365 and run.json()["conversations"] == 0
