"""One holding reply per wait, against a real server: an applicant who sends eight messages in a
row while waiting for an officer gets one holding reply, and all eight reach the queue; once an
officer has answered, the next wait gets its own holding reply."""

from __future__ import annotations

from api_support import off_hours_time, text_payload, unique_wa_id, wait_until

COMPLAINTS = [
    "Saya mau mengadu, izin saya belum selesai dan petugasnya lambat",
    "saya mau komplain pak, sudah dua minggu belum ada kabar",
    "tolong pak saya mau mengadu soal pelayanan",
    "pengaduan: berkas saya hilang di loket",
    "saya kecewa, mau mengadukan petugas",
    "saya mau lapor keluhan, petugas loket kasar sekali",
    "kenapa lambat sekali, saya mau mengadu",
    "halo?? saya mau mengadu, tolong dibalas",
]


def _conversation(server, wa_id):
    items = server.client().get("/api/v1/conversations",
                                params={"contact": wa_id}).json()["items"]
    if not items:
        return None
    return server.client().get(f"/api/v1/conversations/{items[0]['conversation_id']}").json()


def _all_done(server, wa_id, n):
    conv = _conversation(server, wa_id)
    if not conv:
        return None
    inbound = [m for m in conv["messages"] if m["direction"] == "in"]
    return conv if len(inbound) == n and all(m["state"] == "done" for m in inbound) else None


def test_eight_messages_one_holding_reply(spawn, fake_graph):
    # Its own server: eight complaints would crowd the shared server's unanswered clusters.
    server = spawn()
    wa_id = unique_wa_id()
    at = off_hours_time()
    for text in COMPLAINTS:
        r = server.post_webhook(text_payload(wa_id, text, at=at))
        assert r.status_code == 200 and r.json()["stored"] == 1
    conv = wait_until(lambda: _all_done(server, wa_id, 8), 120)
    assert conv, "not every message was processed"
    # Every message reached the officer queue ...
    assert len(conv["drafts"]) == 8
    conv_id = conv["conversation_id"]
    queue = server.client().get("/api/v1/queue", params={"conversation_id": conv_id}).json()
    assert queue["total"] == 8
    # ... and the applicant got exactly one holding reply.
    wait_until(lambda: False, 1.0)
    sent = fake_graph.delivered(wa_id)
    assert len(sent) == 1, [c.text for c in sent]
    outbound = [m for m in conv["messages"] if m["direction"] == "out"]
    assert len(outbound) == 1

    # An officer answers: the wait is over, so the next message starts a new wait.
    r = server.client().post(f"/api/v1/conversations/{conv_id}/reply",
                             json={"text": "Mohon maaf, kami sedang memeriksa berkas Anda."})
    assert r.status_code in (200, 201), r.text
    assert wait_until(lambda: len(fake_graph.delivered(wa_id)) == 2, 30)
    server.post_webhook(text_payload(wa_id, "saya mau mengadu lagi, belum selesai juga",
                                     at=off_hours_time()))
    assert wait_until(lambda: len(fake_graph.delivered(wa_id)) == 3, 60)
    assert wait_until(lambda: _all_done(server, wa_id, 9), 60)
    wait_until(lambda: False, 1.0)
    assert len(fake_graph.delivered(wa_id)) == 3
