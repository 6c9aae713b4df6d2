"""Input that never crashes, against a real server: invalid Unicode, bad items inside a batch,
deep nesting, oversized bodies, out-of-range ids and numbers, non-ASCII credentials."""

from __future__ import annotations

import json
import re

import httpx
import pytest

from api_support import (
    ADMIN_KEY, CHANNEL_KEY, off_hours_time, raw, text_payload, unique_wa_id, unique_wamid,
    wait_until,
)

BIG = [2**31, 2**63, 2**63 + 1, 2**64, 10**30]


def conversation_of(server, wa_id: str) -> dict | None:
    items = server.client().get("/api/v1/conversations",
                                params={"contact": wa_id}).json()["items"]
    if not items:
        return None
    return server.client().get(f"/api/v1/conversations/{items[0]['conversation_id']}").json()


def _two_message_batch(wa_id: str, first: dict, second: dict) -> dict:
    batch = text_payload(wa_id, "x")
    batch["entry"][0]["changes"][0]["value"]["messages"] = [first, second]
    return batch


def _text_msg(wa_id: str, text: str, at=None) -> dict:
    return text_payload(wa_id, text, at=at)["entry"][0]["changes"][0]["value"]["messages"][0]


def test_lone_surrogate_is_stored_replaced_and_the_batch_answered(server, fake_graph):
    wa_id = unique_wa_id()
    at = off_hours_time()
    bad = _text_msg(wa_id, "SURROGATE", at)
    good = _text_msg(wa_id, "Berapa biaya membuat NIB?", at)
    body = raw(_two_message_batch(wa_id, bad, good))
    # The platform escapes non-ASCII: a lone high surrogate arrives as the six bytes \ud800.
    body = body.replace(b"SURROGATE", b"halo \\ud800 pak \\u0000 nib")
    r = server.post_webhook(body)
    assert r.status_code == 200, r.text
    assert r.json()["stored"] == 2 and r.json()["rejected"] == 0
    conv = wait_until(lambda: (c := conversation_of(server, wa_id)) and len(c["drafts"]) == 2 and c)
    texts = [m["text"] for m in conv["messages"] if m["direction"] == "in"]
    assert texts == ["halo \ufffd pak \ufffd nib", "Berapa biaya membuat NIB?"]
    assert wait_until(lambda: fake_graph.delivered(wa_id), 30)
    # A valid escaped pair is one emoji, not two replacement characters.
    wa2 = unique_wa_id()
    body = raw(text_payload(wa2, "EMOJI")).replace(b"EMOJI", b"makasih \\ud83d\\ude4f")
    assert server.post_webhook(body).json()["stored"] == 1
    conv = wait_until(lambda: conversation_of(server, wa2))
    assert conv["messages"][0]["text"] == "makasih 🙏"


def test_one_malformed_message_does_not_block_its_batch(server, fake_graph):
    wa_id = unique_wa_id()
    at = off_hours_time()
    broken = _text_msg(wa_id, "tanpa pengirim", at)
    del broken["from"]
    broken_ts = dict(_text_msg(wa_id, "waktu rusak", at), timestamp="kemarin")
    good = _text_msg(wa_id, "Berapa biaya membuat NIB?", at)
    batch = _two_message_batch(wa_id, broken, good)
    batch["entry"][0]["changes"][0]["value"]["messages"].append(broken_ts)
    batch["entry"][0]["changes"][0]["value"]["statuses"] = [{"status": "read"}]  # no id
    r = server.post_webhook(batch)
    assert r.status_code == 200, r.text
    assert r.json()["stored"] == 1 and r.json()["rejected"] == 3
    assert wait_until(lambda: fake_graph.delivered(wa_id), 30)  # the good one is answered
    conv = conversation_of(server, wa_id)
    assert [m["text"] for m in conv["messages"] if m["direction"] == "in"] == [
        "Berapa biaya membuat NIB?"]
    audit = server.client().get("/api/v1/audit", params={"action": "message.rejected",
                                                          "target_id": broken_ts["id"]}).json()
    assert audit["items"] and "timestamp" in audit["items"][0]["detail"]["error"]


def test_deeply_nested_json_is_400(server):
    deep = b"[" * 100_000 + b"]" * 100_000
    body = b'{"object": "whatsapp_business_account", "entry": ' + deep + b"}"
    r = server.post_webhook(body)
    assert r.status_code == 400 and r.json()["code"] == "json_too_deep"
    # A JSON API body nested past the decoder's recursion limit: a 4xx with a reason.
    nested = b'{"channel": "web", "sender": "a", "text": ' + deep + b"}"
    r = server.client(CHANNEL_KEY).post("/api/v1/messages", content=nested,
                                        headers={"Content-Type": "application/json"})
    assert r.status_code in (400, 422), r.text
    assert r.json()["detail"]
    assert server.client().get("/healthz").status_code == 200


def test_oversized_api_body_is_413(server):
    r = server.client(CHANNEL_KEY).post("/api/v1/messages", json={
        "channel": "web", "sender": "a", "text": "x" * 2_000_000})
    assert r.status_code == 413 and r.json()["code"] == "body_too_large"


def test_ids_and_numbers_out_of_range_are_4xx(server):
    admin = server.client()
    paths_get = ["/api/v1/drafts/{}", "/api/v1/conversations/{}", "/api/v1/messages/{}"]
    paths_post = ["/api/v1/conversations/{}/claim", "/api/v1/conversations/{}/release",
                  "/api/v1/drafts/{}/approve", "/api/v1/users/{}/revoke",
                  "/api/v1/reviewed-answers/from-draft/{}"]
    seen = []
    for n in BIG + [0, -1, 2**31 - 1]:
        for p in paths_get:
            r = admin.get(p.format(n))
            seen.append((p, n, r.status_code))
        for p in paths_post:
            r = admin.post(p.format(n))
            seen.append((p, n, r.status_code))
        r = admin.post(f"/api/v1/drafts/{n}/edit", json={"text": "x"})
        seen.append(("edit", n, r.status_code))
        r = admin.post(f"/api/v1/drafts/{n}/reject", json={"note": "x"})
        seen.append(("reject", n, r.status_code))
        r = admin.post(f"/api/v1/conversations/{n}/reply", json={"text": "x", "draft_id": n})
        seen.append(("reply", n, r.status_code))
        for params in ({"conversation_id": n}, {"offset": n}, {"limit": n}):
            seen.append(("queue", params, admin.get("/api/v1/queue", params=params).status_code))
        for params in ({"conversation_id": n}, {"before_id": n}, {"limit": n}):
            seen.append(("audit", params, admin.get("/api/v1/audit", params=params).status_code))
        seen.append(("convs", n, admin.get("/api/v1/conversations",
                                           params={"offset": n}).status_code))
        # Console pages: out-of-range ids never reach the database either.
        seen.append(("page", n, admin.get(f"/percakapan/{n}").status_code))
    for params in ({"min_age_minutes": "1e308"}, {"max_age_minutes": "inf"},
                   {"min_age_minutes": "nan"}):
        seen.append(("queue", params, admin.get("/api/v1/queue", params=params).status_code))
    for since in ("9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+23:59"):
        seen.append(("audit", since, admin.get("/api/v1/audit",
                                               params={"since": since}).status_code))
    for q in ({"since_days": "1e308"}, {"threshold": "1e999"}):
        seen.append(("unanswered", q, admin.get("/api/v1/unanswered", params=q).status_code))
    errors = [s for s in seen if s[2] >= 500]
    assert not errors, errors
    assert all(s[2] in (200, 303, 307, 404, 409, 422) for s in seen), [
        s for s in seen if s[2] not in (200, 303, 307, 404, 409, 422)]


def _login_token(client: httpx.Client) -> str:
    page = client.get("/masuk").text
    return re.search(r'name="token" value="([^"]+)"', page).group(1)


def test_non_ascii_credentials_are_refused_not_crashed(server):
    base = server.base_url
    with httpx.Client(base_url=base, timeout=30) as c:
        # API keys in either header, non-ASCII (sent as raw UTF-8 bytes).
        for name, value in (("Authorization", "Bearer kunci-é-🙏"), ("X-API-Key", "ключ")):
            r = c.get("/api/v1/me", headers={name: value.encode("utf-8")})
            assert r.status_code == 401, r.text
        r = c.get("/api/v1/me", headers={"X-API-Key": bytes(range(0x80, 0x100))})
        assert r.status_code == 401
        # Console login: non-ASCII key, non-ASCII form token.
        token = _login_token(c)
        r = c.post("/masuk", data={"kunci": "kunci-é", "token": token})
        assert r.status_code == 401
        r = c.post("/masuk", data={"kunci": ADMIN_KEY, "token": token[:-2] + "é"})
        assert r.status_code == 403
        r = c.post("/masuk", data={"kunci": ADMIN_KEY, "token": "²³.é"})
        assert r.status_code == 403
        # Session cookie: non-ASCII MAC and body are "not signed in" (redirect to login).
        for cookie in ("abc.é", "é.abc", "ü"):
            r = c.get("/antrian", headers={"Cookie": f"lantunan_sesi={cookie}".encode("utf-8")},
                      follow_redirects=False)
            assert r.status_code == 303, (cookie, r.status_code)
        # The keep-alive connection still serves (it was reset by the 500 before).
        assert c.get("/healthz").status_code == 200
    # A signed-in session with a non-ASCII CSRF field: 403, never 500.
    with httpx.Client(base_url=base, timeout=30, follow_redirects=False) as c:
        token = _login_token(c)
        r = c.post("/masuk", data={"kunci": ADMIN_KEY, "token": token})
        assert r.status_code == 303 and c.cookies.get("lantunan_sesi")
        r = c.post("/keluar", data={"csrf": "é" * 40})
        assert r.status_code == 403
        r = c.post("/percakapan/1/balas", data={"csrf": "ß", "teks": "x"})
        assert r.status_code in (403, 404)
        assert c.get("/antrian").status_code == 200


def test_verify_token_non_ascii(server):
    r = httpx.get(server.base_url + "/webhooks/whatsapp", params={
        "hub.mode": "subscribe", "hub.verify_token": "tökén", "hub.challenge": "1"})
    assert r.status_code == 403


def test_channel_text_with_nul_is_stored_and_lone_surrogate_refused(server):
    """NUL passes validation but PostgreSQL text refuses it: replaced before storage. A lone
    surrogate is refused by validation with a reason (a 422, not a 500)."""
    client = server.client(CHANNEL_KEY)
    body = json.dumps({"channel": "web", "sender": unique_wa_id(), "text": "a\u0000b",
                       "message_id": unique_wamid()}).encode()
    r = client.post("/api/v1/messages", content=body,
                    headers={"Content-Type": "application/json"})
    assert r.status_code == 202, r.text
    conv = server.client().get(f"/api/v1/conversations/{r.json()['conversation_id']}").json()
    assert conv["messages"][0]["text"] == "a\ufffdb"
    body = json.dumps({"channel": "web", "sender": unique_wa_id(), "text": "a\ud800b"}).encode()
    r = client.post("/api/v1/messages", content=body,
                    headers={"Content-Type": "application/json"})
    assert r.status_code == 422 and r.json()["detail"]


@pytest.mark.parametrize("n", [2**63, 10**40])
def test_channel_message_status_big_id(server, n):
    r = server.client(CHANNEL_KEY).get(f"/api/v1/messages/{n}")
    assert r.status_code == 422
