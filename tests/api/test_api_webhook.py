"""WhatsApp webhook against a real server: handshake, signatures, storage, idempotency,
statuses, non-text messages, bad input."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import httpx

from api.signature import sign
from api_support import (
    APP_SECRET, VERIFY_TOKEN, off_hours_time, raw, status_payload, text_payload, unique_wa_id,
    unique_wamid, wait_until,
)


def conversation_of(server, wa_id: str) -> dict | None:
    """The conversation (with messages) of one applicant, or None."""
    items = server.client().get("/api/v1/conversations",
                                params={"contact": wa_id}).json()["items"]
    if not items:
        return None
    return server.client().get(f"/api/v1/conversations/{items[0]['conversation_id']}").json()


def test_get_handshake(server):
    params = {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "8127364"}
    r = httpx.get(server.base_url + "/webhooks/whatsapp", params=params)
    assert r.status_code == 200
    assert r.text == "8127364"
    assert r.headers["content-type"].startswith("text/plain")
    for bad in ({**params, "hub.verify_token": "wrong"}, {**params, "hub.mode": "unsubscribe"},
                {"hub.challenge": "1"}):
        assert httpx.get(server.base_url + "/webhooks/whatsapp", params=bad).status_code == 403


def test_forged_signature_rejected_and_nothing_stored(server):
    wa_id = unique_wa_id()
    payload = text_payload(wa_id, "halo pak, mau tanya nib")
    body = raw(payload)
    forged = [
        {"secret": "not-the-secret"},  # signed with another key
        {"secret": None},  # no header at all
        {"signature": "sha1=" + sign(body, APP_SECRET).split("=", 1)[1]},  # wrong scheme
        {"signature": "sha256="},
        {"signature": sign(body + b" ", APP_SECRET)},  # signature of other bytes
    ]
    for kw in forged:
        r = server.post_webhook(body, **kw)
        assert r.status_code == 401, kw
        assert r.json()["code"] in ("bad_signature",)
    assert conversation_of(server, wa_id) is None


def test_signature_is_checked_on_raw_bytes_with_unicode(server, fake_graph):
    """The platform escapes non-ASCII; the same text sent raw UTF-8 is different bytes."""
    wa_id = unique_wa_id()
    payload = text_payload(wa_id, "terima kasih 🙏 pak, sy mau tanya café")
    escaped = json.dumps(payload).encode()  # \\ud83d\\ude4f
    unescaped = json.dumps(payload, ensure_ascii=False).encode()
    assert escaped != unescaped
    # A signature over the escaped form does not validate the UTF-8 form, and vice versa.
    r = server.post_webhook(unescaped, signature=sign(escaped, APP_SECRET))
    assert r.status_code == 401
    r = server.post_webhook(unescaped)
    assert r.status_code == 200 and r.json()["stored"] == 1
    conv = wait_until(lambda: conversation_of(server, wa_id))
    assert conv["messages"][0]["text"] == "terima kasih 🙏 pak, sy mau tanya café"


def test_redelivery_three_times_one_message_one_reply(server, fake_graph):
    wa_id = unique_wa_id()
    payload = text_payload(wa_id, "Berapa biaya membuat NIB?", at=off_hours_time())
    acks = [server.post_webhook(payload) for _ in range(3)]
    assert [a.status_code for a in acks] == [200, 200, 200]
    assert sum(a.json()["stored"] for a in acks) == 1
    assert sum(a.json()["duplicates"] for a in acks) == 2
    assert wait_until(lambda: fake_graph.delivered(wa_id), 30)
    conv = conversation_of(server, wa_id)
    wait_until(lambda: conversation_of(server, wa_id)["drafts"], 30)
    conv = conversation_of(server, wa_id)
    inbound = [m for m in conv["messages"] if m["direction"] == "in"]
    assert len(inbound) == 1 and len(conv["drafts"]) == 1
    # Redelivered after processing too: still nothing new.
    assert server.post_webhook(payload).json()["duplicates"] == 1
    wait_until(lambda: False, 1.0)  # give a wrongly re-processing worker time to send
    assert len(fake_graph.delivered(wa_id)) == 1


def test_batch_of_two_entries(server, fake_graph):
    wa_id = unique_wa_id()
    now = datetime.now(timezone.utc)
    first = text_payload(wa_id, "kaya apa caranya maulah nib, pian?", at=now - timedelta(seconds=20))
    second = text_payload(wa_id, "bayar kah kada?", at=now)
    batch = {"object": "whatsapp_business_account",
             "entry": first["entry"] + second["entry"]
             + status_payload("wamid.unknown-to-us", "read", wa_id)["entry"]}
    r = server.post_webhook(batch)
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "stored": 2, "duplicates": 0, "statuses": 0,
                        "rejected": 0}
    conv = wait_until(lambda: (c := conversation_of(server, wa_id)) and len(c["drafts"]) == 2 and c)
    assert [m["text"] for m in conv["messages"] if m["direction"] == "in"] == [
        "kaya apa caranya maulah nib, pian?", "bayar kah kada?"]


def test_status_updates_move_forward_only(server, fake_graph):
    wa_id = unique_wa_id()
    server.post_webhook(text_payload(wa_id, "Berapa biaya membuat NIB?", at=off_hours_time()))
    assert wait_until(lambda: fake_graph.delivered(wa_id), 30)
    wamid = fake_graph.delivered(wa_id)[0].wamid

    def out_status() -> str:
        conv = conversation_of(server, wa_id)
        return [m for m in conv["messages"] if m["direction"] == "out"][0]["status"]

    assert wait_until(lambda: out_status() == "sent")
    for status, expected in (("delivered", "delivered"), ("read", "read"), ("sent", "read"),
                             ("delivered", "read")):
        r = server.post_webhook(status_payload(wamid, status, wa_id))
        assert r.status_code == 200
        assert out_status() == expected


def test_image_gets_polite_text_only_reply_and_is_stored(server, fake_graph):
    """A photo without a caption has no question: one polite "please write" reply. (With a
    caption, the caption is the question: see test_api_payloads.)"""
    wa_id = unique_wa_id()
    r = server.post_webhook(text_payload(wa_id, "", msg_type="image"))
    assert r.status_code == 200 and r.json()["stored"] == 1
    sent = wait_until(lambda: fake_graph.delivered(wa_id), 30)
    assert "pesan teks" in sent[0].text
    conv = conversation_of(server, wa_id)
    inbound = [m for m in conv["messages"] if m["direction"] == "in"][0]
    assert inbound["type"] == "image" and inbound["text"] == ""
    assert inbound["flags"]["attachment"]["type"] == "image"
    assert conv["drafts"] == []  # nothing for the responder to answer
    # A second photo right after gets no second identical reply.
    server.post_webhook(text_payload(wa_id, "", msg_type="image"))
    wait_until(lambda: all(m["state"] == "done" for m in conversation_of(server, wa_id)["messages"]
                           if m["direction"] == "in"))
    assert len(fake_graph.delivered(wa_id)) == 1


def test_bad_webhook_bodies_are_4xx_and_store_nothing(server):
    """A body that is not an envelope is a 400; a malformed message inside a valid envelope is
    rejected alone (200, audited): refusing the POST would block its neighbours for days."""
    wa_id = unique_wa_id()
    good = text_payload(wa_id, "halo")
    missing_from = json.loads(raw(good))
    del missing_from["entry"][0]["changes"][0]["value"]["messages"][0]["from"]
    bad_ts = json.loads(raw(good))
    bad_ts["entry"][0]["changes"][0]["value"]["messages"][0]["timestamp"] = "kemarin"
    no_body = json.loads(raw(good))
    del no_body["entry"][0]["changes"][0]["value"]["messages"][0]["text"]
    cases = {
        b"{not json": 400, b"[]": 400, b'"text"': 400,
        raw({"object": "page", "entry": []}): 400,
        raw({"object": "whatsapp_business_account"}): 400,
        raw({"object": "whatsapp_business_account", "entry": [{"changes": "x"}]}): 400,
        b"\xff\xfe\x00garbage": 400,
    }
    for body, status in cases.items():
        r = server.post_webhook(body)
        assert r.status_code == status, (body[:60], r.text)
        assert r.json()["detail"]
    for body in (raw(missing_from), raw(bad_ts), raw(no_body)):
        r = server.post_webhook(body)
        assert r.status_code == 200, r.text
        assert r.json()["stored"] == 0 and r.json()["rejected"] == 1
    assert conversation_of(server, wa_id) is None
    # One good and one broken message in the same POST: the good one is stored.
    half = json.loads(raw(good))
    broken = dict(half["entry"][0]["changes"][0]["value"]["messages"][0], id=unique_wamid())
    del broken["text"]
    half["entry"][0]["changes"][0]["value"]["messages"].append(broken)
    r = server.post_webhook(half)
    assert r.json()["stored"] == 1 and r.json()["rejected"] == 1


def test_body_over_one_megabyte_refused(server):
    wa_id = unique_wa_id()
    payload = text_payload(wa_id, "x" * 1_100_000)
    r = server.post_webhook(payload)
    assert r.status_code == 413
    # Chunked upload (no Content-Length): the streamed bytes are counted.
    body = raw(payload)

    def chunks():
        for i in range(0, len(body), 65536):
            yield body[i:i + 65536]

    r = httpx.post(server.base_url + "/webhooks/whatsapp", content=chunks(),
                   headers={"X-Hub-Signature-256": sign(body, APP_SECRET)})
    assert r.status_code == 413
    assert r.json()["code"] == "body_too_large"
    assert conversation_of(server, wa_id) is None


def test_logs_are_json_and_mask_phone_numbers(server):
    wa_id = unique_wa_id()
    server.post_webhook(text_payload(wa_id, "halo"))
    log = wait_until(lambda: "webhook stored" in server.log() and server.log())
    lines = [json.loads(line) for line in log.splitlines()
             if line.startswith("{") and "webhook stored" in line]
    assert lines and all(line["level"] == "INFO" for line in lines)
    assert wa_id not in log
    assert any("[TEL" in str(line.get("contacts")) for line in lines)


def test_concurrent_deliveries_race_safely(server):
    """The same wamid posted in parallel is stored once; parallel first messages of a new
    applicant share one conversation."""
    from concurrent.futures import ThreadPoolExecutor

    wa_id = unique_wa_id()
    same = raw(text_payload(wa_id, "ini foto", msg_type="image"))

    def post(body: bytes) -> httpx.Response:
        return httpx.post(server.base_url + "/webhooks/whatsapp", content=body, timeout=30,
                          headers={"X-Hub-Signature-256": sign(body, APP_SECRET)})

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(post, [same] * 8))
    assert all(r.status_code == 200 for r in results)
    assert sum(r.json()["stored"] for r in results) == 1

    other = unique_wa_id()
    bodies = [raw(text_payload(other, f"pesan {i}", msg_type="image")) for i in range(8)]
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(post, bodies))
    assert all(r.status_code == 200 and r.json()["stored"] == 1 for r in results)
    convs = server.client().get("/api/v1/conversations", params={"contact": other}).json()
    assert convs["total"] == 1
    conv = server.client().get(f"/api/v1/conversations/{convs['items'][0]['conversation_id']}").json()
    assert len([m for m in conv["messages"] if m["direction"] == "in"]) == 8
