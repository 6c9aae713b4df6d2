"""Health, OpenAPI, the audit log (filters, append-only in the database), bad input on the
officer endpoints, and PII masking of logs."""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta, timezone

import httpx
import pytest
from sqlalchemy import create_engine, text

from api.logging import JsonFormatter, mask_pii
from api_support import text_payload, unique_wa_id


def test_health_ready_and_openapi(server):
    assert httpx.get(server.base_url + "/healthz").json() == {"status": "ok"}
    ready = httpx.get(server.base_url + "/readyz")
    assert ready.status_code == 200
    checks = ready.json()["checks"]
    assert checks["database"]["ok"] and checks["knowledge_base"]["ok"]
    assert checks["knowledge_base"]["documents"] >= 5
    spec = httpx.get(server.base_url + "/openapi.json").json()
    for path in ("/webhooks/whatsapp", "/api/v1/messages", "/api/v1/queue",
                 "/api/v1/drafts/{draft_id}/edit", "/api/v1/documents", "/api/v1/audit"):
        assert path in spec["paths"], path
    assert "HTTPBearer" in spec["components"]["securitySchemes"]
    docs = httpx.get(server.base_url + "/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()


def _engine(server):
    url = server.env.get("LANTUNAN_DATABASE_URL") or \
        f"sqlite:///{(server.data_dir / 'lantunan.sqlite3').resolve()}"
    return create_engine(url)


def test_audit_log_is_append_only_and_filterable(server):
    # Enough entries of our own that paging has a second page even on a fresh server.
    for _ in range(3):
        server.post_webhook(text_payload(unique_wa_id(), "halo"))
    admin = server.client()
    since = (datetime.now(timezone.utc) - timedelta(minutes=5)).isoformat()
    items = admin.get("/api/v1/audit", params={"action": "message.received", "since": since,
                                               "limit": 1000}).json()["items"]
    assert items and all(e["action"] == "message.received" for e in items)
    # The server is shared with the channel tests: their messages are received too, under
    # their key's label; ours came from WhatsApp.
    assert any(e["actor"] == "whatsapp" for e in items)
    assert all(e["actor"] == "whatsapp" or e["actor"].startswith("channel:") for e in items)
    prefixed = admin.get("/api/v1/audit", params={"action": "message.*"}).json()["items"]
    assert {e["action"].split(".")[0] for e in prefixed} == {"message"}
    page1 = admin.get("/api/v1/audit", params={"limit": 2}).json()
    page2 = admin.get("/api/v1/audit", params={"limit": 2,
                                               "before_id": page1["next_before_id"]}).json()
    assert page2["items"][0]["id"] < page1["items"][-1]["id"]
    assert admin.get("/api/v1/audit", params={"since": "kemarin"}).status_code == 422
    # There is no API to change the log, and the database itself refuses.
    engine = _engine(server)
    try:
        for sql in ("UPDATE audit_log SET actor = 'x'", "DELETE FROM audit_log"):
            with pytest.raises(Exception, match="append-only"):
                with engine.begin() as conn:
                    conn.execute(text(sql))
        with engine.connect() as conn:
            assert conn.execute(text("SELECT COUNT(*) FROM audit_log")).scalar() > 0
    finally:
        engine.dispose()


def test_api_keys_are_hashed_at_rest(server):
    r = server.client().post("/api/v1/users", json={"name": "hash-check", "role": "officer"})
    key = r.json()["key"]
    engine = _engine(server)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT key_hash FROM api_keys")).scalars().all()
    finally:
        engine.dispose()
    assert key not in rows and all(len(h) == 64 for h in rows)


@pytest.mark.parametrize("method,path,kwargs,status", [
    ("POST", "/api/v1/drafts/1/edit", {"content": b"{broken", "headers": {
        "Content-Type": "application/json"}}, 422),
    ("POST", "/api/v1/drafts/1/edit", {"json": {}}, 422),
    ("POST", "/api/v1/drafts/1/edit", {"json": {"text": ""}}, 422),
    ("POST", "/api/v1/drafts/1/edit", {"json": {"text": 5}}, 422),
    ("POST", "/api/v1/drafts/1/edit", {"json": {"text": "x" * 5000}}, 422),
    ("POST", "/api/v1/drafts/abc/approve", {}, 422),
    ("POST", "/api/v1/conversations/1/reply", {"json": {"text": "x", "unknown": 1}}, 422),
    ("GET", "/api/v1/queue", {"params": {"status": "bogus"}}, 422),
    ("GET", "/api/v1/queue", {"params": {"limit": "-1"}}, 422),
    ("GET", "/api/v1/queue", {"params": {"min_age_minutes": "lama"}}, 422),
    ("POST", "/api/v1/users", {"json": {"name": "x", "role": "superuser"}}, 422),
    ("POST", "/api/v1/users", {"json": [1, 2]}, 422),
    ("POST", "/api/v1/drafts/999999/approve", {}, 404),
    ("GET", "/api/v1/no-such-endpoint", {}, 404),
    ("PATCH", "/api/v1/queue", {}, 405),
])
def test_bad_input_is_4xx_with_reason(server, method, path, kwargs, status):
    r = server.client().request(method, path, **kwargs)
    assert r.status_code == status, r.text
    assert isinstance(r.json()["detail"], str) and r.json()["detail"]
    assert r.json()["code"]


def test_oversized_json_body_refused(server):
    r = server.client().post("/api/v1/drafts/1/edit", content=b'{"text": "' + b"x" * 1_200_000
                             + b'"}', headers={"Content-Type": "application/json"})
    assert r.status_code == 413 and r.json()["code"] == "body_too_large"


def test_mask_pii_in_text_and_json_logs():
    raw_text = ("NIK 6371012345678901, NPWP 12.345.678.9-012.345, hp 0812-3456-7890, "
                "wa 6281351234567, email budi.santoso@gmail.com, Bearer lt_secretvalue")
    masked = mask_pii(raw_text)
    for secret in ("6371012345678901", "12.345.678.9-012.345", "0812-3456-7890",
                   "6281351234567", "budi.santoso", "lt_secretvalue"):
        assert secret not in masked
    assert "[NIK" in masked and "[NPWP" in masked and "[TEL" in masked and "@gmail.com" in masked
    # Legal references and codes stay readable.
    assert mask_pii("PP 6/2021 Pasal 12 ayat (2), KBLI 56303") == \
        "PP 6/2021 Pasal 12 ayat (2), KBLI 56303"
    record = logging.makeLogRecord({"msg": "from %s", "args": ("6281351234567",),
                                    "levelname": "INFO", "name": "t",
                                    "contacts": ["6282150001122"]})
    line = json.loads(JsonFormatter().format(record))
    assert "6281351234567" not in json.dumps(line) and "6282150001122" not in json.dumps(line)
    assert line["message"].startswith("from [TEL")
