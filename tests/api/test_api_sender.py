"""The Graph API sender over real HTTP: retries on 5xx and timeouts (bounded), a recorded
failure after the last attempt, no retry on other 4xx, the returned wamid stored."""

from __future__ import annotations

from api_support import text_payload, unique_wa_id, wait_until


def outbound(server, wa_id: str) -> list[dict]:
    items = server.client().get("/api/v1/conversations", params={"contact": wa_id}).json()["items"]
    if not items:
        return []
    conv = server.client().get(f"/api/v1/conversations/{items[0]['conversation_id']}").json()
    return [m for m in conv["messages"] if m["direction"] == "out"]


def settled(server, wa_id: str) -> list[dict]:
    """Outbound messages once none is pending or being sent."""
    def done():
        out = outbound(server, wa_id)
        return out if out and all(m["status"] not in ("pending", "sending") for m in out) else None
    return wait_until(done, 30)


def trigger_send(server, wa_id: str) -> None:
    """An image gets the polite text-only reply: a send that needs no responder."""
    assert server.post_webhook(text_payload(wa_id, "foto", msg_type="image")).status_code == 200


def send_attempts(server, message_id: int) -> list[dict]:
    return server.client().get("/api/v1/audit", params={
        "action": "send.attempt", "target_id": str(message_id)}).json()["items"]


def test_retries_5xx_then_succeeds_and_stores_wamid(server, fake_graph):
    wa_id = unique_wa_id()
    fake_graph.plan(wa_id, [500, 503])
    trigger_send(server, wa_id)
    out = settled(server, wa_id)
    assert [m["status"] for m in out] == ["sent"]
    assert len(fake_graph.attempts(wa_id)) == 3
    delivered = fake_graph.delivered(wa_id)
    assert len(delivered) == 1 and out[0]["external_id"] == delivered[0].wamid
    assert delivered[0].auth == "Bearer test-access-token"
    assert delivered[0].path == "/v21.0/106540352242922/messages"  # the number written to
    assert delivered[0].body["messaging_product"] == "whatsapp" and delivered[0].to == wa_id
    codes = sorted(a["detail"]["status_code"] for a in send_attempts(server, out[0]["id"]))
    assert codes == [200, 500, 503]


def test_failure_recorded_after_last_retry(server, fake_graph):
    wa_id = unique_wa_id()
    fake_graph.plan(wa_id, [500, 500, 500, 500])
    trigger_send(server, wa_id)
    out = settled(server, wa_id)
    assert out[0]["status"] == "failed" and "500" in out[0]["error"]
    assert len(fake_graph.attempts(wa_id)) == 3  # LANTUNAN_SEND_MAX_ATTEMPTS
    assert fake_graph.delivered(wa_id) == []
    failed = server.client().get("/api/v1/audit", params={
        "action": "send.failed", "target_id": str(out[0]["id"])}).json()["items"]
    assert len(failed) == 1


def test_client_error_is_not_retried(server, fake_graph):
    wa_id = unique_wa_id()
    fake_graph.plan(wa_id, [400])
    trigger_send(server, wa_id)
    out = settled(server, wa_id)
    assert out[0]["status"] == "failed" and "400" in out[0]["error"]
    assert len(fake_graph.attempts(wa_id)) == 1


def test_timeout_is_retried(server, fake_graph):
    wa_id = unique_wa_id()
    fake_graph.plan(wa_id, ["timeout"])
    trigger_send(server, wa_id)
    out = settled(server, wa_id)
    assert out[0]["status"] == "sent"
    errors = [a["detail"]["error"] for a in send_attempts(server, out[0]["id"])]
    assert any(e and "timeout" in e for e in errors) and len(errors) == 2
