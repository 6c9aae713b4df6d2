"""Officer queue end to end on a real server whose office is always open (so every grounded
draft waits for an officer): claim, edit, send, audit; the 24-hour rule; reject; reply;
promotion of an edit to a reviewed answer; the off-hours policy on the shared server."""

from __future__ import annotations

import json
import shutil
from datetime import datetime, timedelta, timezone

import pytest

from api_support import (
    ADMIN_KEY, CHANNEL_KEY, database, off_hours_time, server_env, start_server, text_payload, unique_wa_id,
    wait_until,
)

ALWAYS_OPEN = json.dumps({str(d): ["00:00:00", "23:59:59"] for d in range(7)})


@pytest.fixture(scope="module")
def office(backend, fake_graph, kb_template, tmp_path_factory):
    """A server during office hours, all day every day."""
    work = tmp_path_factory.mktemp(f"office-{backend}")
    shutil.copytree(kb_template, work / "data")
    with database(backend) as url:
        srv = start_server(work, server_env(work / "data", fake_graph.base_url, url,
                                            office_hours=ALWAYS_OPEN, holidays="[]"))
        try:
            yield srv
        finally:
            srv.stop()


def make_key(server, name: str, role: str) -> str:
    r = server.client().post("/api/v1/users", json={"name": name, "role": role})
    assert r.status_code == 201, r.text
    return r.json()["key"]


def queue_item(server, wa_id: str, key: str = ADMIN_KEY, status: str = "open") -> dict | None:
    """The newest queue item of an applicant."""
    convs = server.client(key).get("/api/v1/conversations", params={"contact": wa_id}).json()
    if not convs["items"]:
        return None
    conv_id = convs["items"][0]["conversation_id"]
    items = server.client(key).get("/api/v1/queue", params={
        "conversation_id": conv_id, "status": status}).json()["items"]
    return items[-1] if items else None


def _queued_item(office, fake_graph, wa_id: str, key: str) -> dict:
    """A question in office hours waits for an officer; nothing goes to the applicant."""
    assert office.post_webhook(text_payload(wa_id, "apa syarat membuat NIB untuk PT?")
                               ).status_code == 200
    item = wait_until(lambda: queue_item(office, wa_id, key), 60)
    assert item["action"] == "queue_for_officer" and item["status"] == "open"
    assert item["proposed_text"] and item["citations"]
    assert "office_hours" in [r["code"] for r in item["reasons"]]
    assert item["window"]["open"] and item["window"]["remaining_seconds"] > 23 * 3600
    assert fake_graph.delivered(wa_id) == []  # queue only: nothing went to the applicant
    return item


def _claim_locks_out_others(office, budi: str, sari: str, conv_id: int, draft_id: int) -> None:
    """Budi claims; Sari can neither claim nor answer while Budi holds it."""
    r = office.client(budi).post(f"/api/v1/conversations/{conv_id}/claim")
    assert r.status_code == 200 and r.json()["claimed_by"]["name"] == "Budi"
    for call in (lambda c: c.post(f"/api/v1/conversations/{conv_id}/claim"),
                 lambda c: c.post(f"/api/v1/drafts/{draft_id}/edit", json={"text": "x"}),
                 lambda c: c.post(f"/api/v1/drafts/{draft_id}/approve"),
                 lambda c: c.post(f"/api/v1/conversations/{conv_id}/reply", json={"text": "x"}),
                 lambda c: c.post(f"/api/v1/conversations/{conv_id}/release")):
        r = call(office.client(sari))
        assert r.status_code == 409, r.text
        assert r.json()["code"] == "claimed_by_other" and "Budi" in r.json()["detail"]
    assert office.client(budi).get(
        "/api/v1/queue", params={"claimed": "me"}).json()["total"] >= 1


def _check_edit_audited(office, budi: str, item: dict, edited: str) -> None:
    """The audit and the conversation's decisions record the original and the edited text."""
    conv_id = item["conversation_id"]
    audit = office.client().get("/api/v1/audit", params={
        "conversation_id": conv_id, "action": "officer.edit"}).json()["items"]
    assert len(audit) == 1
    entry = audit[0]
    assert entry["actor"].startswith("officer:Budi")
    assert entry["detail"]["original_text"] == item["proposed_text"]
    assert entry["detail"]["final_text"] == edited
    actions = {e["action"] for e in office.client().get(
        "/api/v1/audit", params={"conversation_id": conv_id}).json()["items"]}
    assert {"message.received", "decision.queue_for_officer", "officer.claim", "officer.edit",
            "send.intent", "send.attempt", "send.sent"} <= actions
    conv = office.client(budi).get(f"/api/v1/conversations/{conv_id}").json()
    decision = [d for d in conv["decisions"] if d["kind"] == "edit"][0]
    assert decision["original_text"] == item["proposed_text"] and decision["final_text"] == edited


def _promote_edit(office, draft_id: int, edited: str) -> None:
    """A curator promotes Budi's edit to a reviewed answer with the draft's sources."""
    curator = make_key(office, "Citra", "curator")
    r = office.client(curator).post(f"/api/v1/reviewed-answers/from-draft/{draft_id}", json={})
    assert r.status_code == 201, r.text
    promoted = r.json()
    assert promoted["answer"] == edited and promoted["origin"] == "officer_edit"
    assert promoted["question"] == "apa syarat membuat NIB untuk PT?"
    assert promoted["sources"] and all("#" in s for s in promoted["sources"])
    listed = office.client(curator).get("/api/v1/reviewed-answers",
                                        params={"origin": "officer_edit"}).json()
    assert promoted["id"] in [a["id"] for a in listed]
    again = office.client(curator).post(f"/api/v1/reviewed-answers/from-draft/{draft_id}")
    assert again.status_code == 409


def test_officer_flow_claim_edit_send_audit(office, fake_graph):
    budi = make_key(office, "Budi", "officer")
    sari = make_key(office, "Sari", "officer")
    wa_id = unique_wa_id()
    item = _queued_item(office, fake_graph, wa_id, budi)
    conv_id, draft_id = item["conversation_id"], item["draft_id"]
    _claim_locks_out_others(office, budi, sari, conv_id, draft_id)

    edited = "Untuk PT siapkan akta pendirian, SK AHU, NPWP badan dan data pengurus. (diedit)"
    r = office.client(budi).post(f"/api/v1/drafts/{draft_id}/edit", json={"text": edited})
    assert r.status_code == 200, r.text
    assert r.json()["delivery"]["status"] == "sent"
    assert r.json()["draft"]["status"] == "edited"
    sent = fake_graph.delivered(wa_id)
    assert [c.text for c in sent] == [edited]
    # A second decision on the same draft is refused and sends nothing.
    assert office.client(budi).post(f"/api/v1/drafts/{draft_id}/approve").status_code == 409
    assert len(fake_graph.delivered(wa_id)) == 1
    _check_edit_audited(office, budi, item, edited)

    # Release, then Sari may take over.
    assert office.client(budi).post(f"/api/v1/conversations/{conv_id}/release").status_code == 200
    assert office.client(sari).post(f"/api/v1/conversations/{conv_id}/claim").status_code == 200
    _promote_edit(office, draft_id, edited)


def test_approve_sends_draft_as_is_and_reject_keeps_note(office, fake_graph):
    officer = make_key(office, "Dewi", "officer")
    wa_id = unique_wa_id()
    office.post_webhook(text_payload(wa_id, "Berapa biaya membuat NIB?"))
    item = wait_until(lambda: queue_item(office, wa_id, officer), 60)
    r = office.client(officer).post(f"/api/v1/drafts/{item['draft_id']}/approve")
    assert r.status_code == 200, r.text
    assert [c.text for c in fake_graph.delivered(wa_id)] == [item["proposed_text"]]

    office.post_webhook(text_payload(wa_id, "apa itu NIB?"))
    item2 = wait_until(lambda: (i := queue_item(office, wa_id, officer)) and i, 60)
    assert item2["draft_id"] != item["draft_id"]
    assert office.client(officer).post(f"/api/v1/drafts/{item2['draft_id']}/reject",
                                       json={"note": ""}).status_code == 422
    r = office.client(officer).post(f"/api/v1/drafts/{item2['draft_id']}/reject",
                                    json={"note": "jawaban kurang tepat"})
    assert r.status_code == 200 and r.json()["draft"]["status"] == "rejected"
    assert len(fake_graph.delivered(wa_id)) == 1  # reject sends nothing
    rejected = office.client(officer).get("/api/v1/queue", params={
        "status": "rejected", "conversation_id": item2["conversation_id"]}).json()["items"]
    assert [i["draft_id"] for i in rejected] == [item2["draft_id"]]


def test_24_hour_window(office, fake_graph):
    officer = make_key(office, "Eko", "officer")
    wa_id = unique_wa_id()
    old = datetime.now(timezone.utc) - timedelta(hours=25)
    office.post_webhook(text_payload(wa_id, "apa syarat membuat NIB untuk PT?", at=old))
    item = wait_until(lambda: queue_item(office, wa_id, officer), 60)
    assert item["window"] == {"applies": True, "open": False,
                              "expires_at": item["window"]["expires_at"],
                              "remaining_seconds": 0}
    conv_id, draft_id = item["conversation_id"], item["draft_id"]
    # Age filters count from the applicant's message.
    def listed(**params):
        q = office.client(officer).get("/api/v1/queue", params={"conversation_id": conv_id,
                                                              **params}).json()
        return [i["draft_id"] for i in q["items"]]
    assert listed(min_age_minutes=24 * 60) == [draft_id]
    assert listed(max_age_minutes=60) == []
    assert listed(reason="office_hours") == [draft_id] and listed(reason="complaint") == []
    for call in (lambda c: c.post(f"/api/v1/drafts/{draft_id}/approve"),
                 lambda c: c.post(f"/api/v1/drafts/{draft_id}/edit", json={"text": "Halo"}),
                 lambda c: c.post(f"/api/v1/conversations/{conv_id}/reply", json={"text": "Halo"})):
        r = call(office.client(officer))
        assert r.status_code == 409
        assert r.json()["code"] == "window_closed"
        assert "24 jam" in r.json()["detail"]
    assert fake_graph.delivered(wa_id) == []
    assert queue_item(office, wa_id, officer)["status"] == "open"  # nothing half-done
    # The applicant writes again (a question that is queued, so nothing goes out by itself):
    # the window reopens and the officer's reply goes out.
    office.post_webhook(text_payload(wa_id, "apa syarat membuat NIB untuk CV?"))
    wait_until(lambda: office.client(officer).get(
        f"/api/v1/conversations/{conv_id}").json()["window"]["open"], 30)
    r = office.client(officer).post(f"/api/v1/conversations/{conv_id}/reply", json={
        "text": "Mohon maaf terlambat, berikut jawabannya.", "draft_id": draft_id,
        "client_ref": "eko-1"})
    assert r.status_code == 200, r.text
    assert [c.text for c in fake_graph.delivered(wa_id)] == [
        "Mohon maaf terlambat, berikut jawabannya."]
    # The same client_ref again is refused, not resent.
    r = office.client(officer).post(f"/api/v1/conversations/{conv_id}/reply", json={
        "text": "Mohon maaf terlambat, berikut jawabannya.", "client_ref": "eko-1"})
    assert r.status_code == 409
    assert len(fake_graph.delivered(wa_id)) == 1


def test_generic_channel_same_pipeline(office):
    wa_sender = f"web-{unique_wa_id()}"
    ch = office.client(CHANNEL_KEY)
    body = {"channel": "webchat", "sender": wa_sender, "text": "apa syarat membuat NIB untuk PT?",
            "message_id": "m-1"}
    r = ch.post("/api/v1/messages", json=body)
    assert r.status_code == 202, r.text
    mid = r.json()["message_id"]
    again = ch.post("/api/v1/messages", json=body)
    assert again.status_code == 200 and again.json()["duplicate"] and again.json()["message_id"] == mid
    status = wait_until(lambda: (s := ch.get(f"/api/v1/messages/{mid}").json())["draft"] and s, 60)
    assert status["draft"]["action"] == "queue_for_officer" and status["replies"] == []
    officer = make_key(office, "Fajar", "officer")
    r = office.client(officer).post(f"/api/v1/drafts/{status['draft']['draft_id']}/approve")
    assert r.status_code == 200 and r.json()["delivery"]["status"] == "stored"
    replies = ch.get(f"/api/v1/messages/{mid}").json()["replies"]
    assert len(replies) == 1 and replies[0]["text"]
    # The channel key reaches nothing else; WhatsApp conversations are not readable with it.
    assert ch.get("/api/v1/queue").status_code == 403
    bad = [{**body, "channel": "whatsapp"}, {**body, "text": "   "}, {**body, "extra": 1},
           {k: v for k, v in body.items() if k != "sender"}, {**body, "received_at": "kemarin"},
           {**body, "type": "image"}]
    for b in bad:
        r = ch.post("/api/v1/messages", json=b)
        assert r.status_code == 422, (b, r.text)
        assert r.json()["detail"]


def test_handoff_sends_holding_reply_and_queues(server, fake_graph):
    """Off-hours policy on the shared server: a complaint gets the holding reply at once and
    waits for an officer."""
    wa_id = unique_wa_id()
    server.post_webhook(text_payload(wa_id, "Saya mau mengadu, izin saya belum selesai dan "
                                            "petugasnya lambat", at=off_hours_time()))
    sent = wait_until(lambda: fake_graph.delivered(wa_id), 60)
    item = wait_until(lambda: queue_item(server, wa_id), 30)
    assert item["action"] == "handoff" and "complaint" in [r["code"] for r in item["reasons"]]
    assert [c.text for c in sent] == [item["holding_reply"]]
    # Nothing to approve as is (no substantive draft), but an officer can still write one.
    r = server.client().post(f"/api/v1/drafts/{item['draft_id']}/approve")
    assert r.status_code == 409 and r.json()["code"] == "nothing_to_approve"


def test_unanswered_questions_grouped(server):
    texts = ["saya mau mengadu, petugasnya lambat sekali",
             "saya mau mengadu karena petugas lambat",
             "mengadu: petugas lambat, izin belum selesai"]
    for t in texts:
        server.post_webhook(text_payload(unique_wa_id(), t, at=off_hours_time()))
    def grouped():
        clusters = server.client().get("/api/v1/unanswered").json()
        return next((c for c in clusters if set(texts) <= set(c["examples"])), None)
    cluster = wait_until(grouped, 60)
    assert cluster and cluster["count"] >= 3 and cluster["reasons"].get("complaint", 0) >= 3
