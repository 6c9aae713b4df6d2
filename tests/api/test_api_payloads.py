"""The WhatsApp payload corpus (tests/api/payloads/, one file per message, status, system and
call type, shaped as the Cloud API documents them) replayed against a real server: every case
is acknowledged with 200 and has the outcome that README.md's "WhatsApp" table states
(payloads/outcomes.json says which outcome each file must have)."""

from __future__ import annotations

import json
import time
from pathlib import Path

from api_support import off_hours_time, unique_wa_id, unique_wamid, wait_until

PAYLOADS = Path(__file__).with_name("payloads")
OUTCOMES = json.loads((PAYLOADS / "outcomes.json").read_text(encoding="utf-8"))
ORIGINAL = "Saya mau mengadu, izin saya belum selesai dan petugasnya lambat"


def render(name: str, **values: str) -> bytes:
    """A corpus file with its placeholders filled, serialised like the platform (\\uXXXX)."""
    text = (PAYLOADS / f"{name}.json").read_text(encoding="utf-8")
    for key, value in values.items():
        text = text.replace("{{" + key + "}}", value)
    assert "{{" not in text, (name, text)
    return json.dumps(json.loads(text)).encode()


def conversation(server, wa_id: str) -> dict | None:
    items = server.client().get("/api/v1/conversations",
                                params={"contact": wa_id}).json()["items"]
    if not items:
        return None
    return server.client().get(f"/api/v1/conversations/{items[0]['conversation_id']}").json()


def inbound(conv: dict) -> list[dict]:
    return [m for m in conv["messages"] if m["direction"] == "in"]


def settled(server, wa_id: str) -> dict | None:
    """The conversation once every inbound message is processed."""
    conv = conversation(server, wa_id)
    if conv and inbound(conv) and all(m["state"] in ("done", "failed") for m in inbound(conv)):
        return conv
    return None


def test_corpus_covers_every_documented_type():
    files = {p.stem for p in PAYLOADS.glob("*.json")} - {"outcomes"}
    assert files == set(OUTCOMES), files ^ set(OUTCOMES)
    types = set()
    for name in files:
        body = json.loads(render(name, WA_ID="1", WAMID="w", TS="1", ORIG_WAMID="o",
                                 OUT_WAMID="x", CALL_ID="c"))
        value = body["entry"][0]["changes"][0]["value"]
        types |= {m["type"] for m in value.get("messages", [])}
        types |= {f"status:{s['status']}" for s in value.get("statuses", [])}
        types |= {f"call:{c['event']}" for c in value.get("calls", [])}
    assert types >= {"text", "image", "document", "video", "audio", "sticker", "location",
                     "contacts", "interactive", "button", "reaction", "edit", "revoke",
                     "unsupported", "system", "order", "request_welcome", "call:connect",
                     "call:terminate", "status:sent", "status:delivered", "status:read",
                     "status:failed"}
    assert len(files) >= 30


def _post_plain_cases(server, ts: str) -> dict[str, dict]:
    """Plain cases: one fresh applicant each, posted back to back."""
    cases: dict[str, dict] = {}
    for name, expect in sorted(OUTCOMES.items()):
        if expect["outcome"] in ("edit_redraft", "revoke", "status"):
            continue
        wa_id = unique_wa_id()
        values = dict(WA_ID=wa_id, WAMID=unique_wamid(), TS=ts, CALL_ID=f"wacid.{unique_wamid()}")
        if name == "call-terminate":  # the same call's connect event came first
            r = server.post_webhook(render("call-connect", **values))
            assert r.status_code == 200, r.text
        r = server.post_webhook(render(name, **values))
        assert r.status_code == 200, (name, r.text)
        cases[name] = {"wa_id": wa_id, **expect}
    return cases


def _post_edit_and_revoke(server, fake_graph, ts: str) -> dict[str, dict]:
    """Edit and revoke: the original question is waiting for an officer (its draft open)."""
    cases: dict[str, dict] = {}
    originals = {}
    for name in ("edit", "revoke"):
        wa_id, orig = unique_wa_id(), unique_wamid()
        r = server.post_webhook(render("text", WA_ID=wa_id, WAMID=orig, TS=ts).replace(
            b"Berapa biaya membuat NIB?", ORIGINAL.encode()))
        assert r.status_code == 200
        originals[name] = (wa_id, orig)
    for name, (wa_id, orig) in originals.items():
        conv = wait_until(lambda: (c := settled(server, wa_id)) and c["drafts"] and c, 60)
        assert conv and conv["drafts"][0]["status"] == "open", conv
        assert wait_until(lambda: len(fake_graph.delivered(wa_id)) == 1, 30)  # holding reply
        r = server.post_webhook(render(name, WA_ID=wa_id, WAMID=unique_wamid(), TS=ts,
                                       ORIG_WAMID=orig))
        assert r.status_code == 200, (name, r.text)
        cases[name] = {"wa_id": wa_id, **OUTCOMES[name]}
    return cases


def _post_statuses(server, fake_graph, ts: str) -> dict[str, dict]:
    """Statuses of a reply we sent (the "please write" reply to a photo without caption)."""
    cases: dict[str, dict] = {}
    for name, expect in sorted(OUTCOMES.items()):
        if expect["outcome"] != "status":
            continue
        wa_id = unique_wa_id()
        server.post_webhook(render("image-no-caption", WA_ID=wa_id, WAMID=unique_wamid(), TS=ts))
        sent = wait_until(lambda: fake_graph.delivered(wa_id), 30)
        assert sent, name
        wait_until(lambda: [m for m in conversation(server, wa_id)["messages"]
                            if m["direction"] == "out" and m["status"] == "sent"])
        r = server.post_webhook(render(name, WA_ID=wa_id, OUT_WAMID=sent[0].wamid,
                                       TS=str(int(time.time()))))
        assert r.status_code == 200 and r.json()["statuses"] in (0, 1), (name, r.text)
        cases[name] = {"wa_id": wa_id, **expect}
    return cases


def test_replay_corpus(spawn, fake_graph):
    # Its own server: the corpus's complaints would crowd the shared server's unanswered
    # clusters that other tests inspect.
    server = spawn()
    at = off_hours_time()
    ts = str(int(at.timestamp()))
    cases: dict[str, dict] = {}
    cases.update(_post_plain_cases(server, ts))
    cases.update(_post_edit_and_revoke(server, fake_graph, ts))
    cases.update(_post_statuses(server, fake_graph, ts))

    assert set(cases) == set(OUTCOMES)
    # Outcomes, as the README table states them.
    failures = []
    for name, case in sorted(cases.items()):
        try:
            check_outcome(server, fake_graph, name, case)
        except AssertionError as exc:
            failures.append(f"{name}: {exc}")
    assert not failures, "\n".join(failures)
    print(f"\npayload corpus: {len(cases)} cases, all 200, outcomes as documented")


def check_outcome(server, fake_graph, name: str, case: dict) -> None:
    wa_id, outcome = case["wa_id"], case["outcome"]
    conv = wait_until(lambda: settled(server, wa_id), 90)
    assert conv, "never processed"
    if outcome in ("answered", "caption_answered"):
        conv = wait_until(lambda: (c := settled(server, wa_id)) and c["drafts"] and c, 60)
        assert conv and len(conv["drafts"]) == 1, conv and conv["drafts"]
        draft = conv["drafts"][0]
        assert draft["question"] == case["question"], draft["question"]
        codes = [r["code"] for r in draft["reasons"]]
        if outcome == "caption_answered":
            assert draft["attachment"] and draft["attachment"]["id"], draft
            assert "attachment" in codes
            assert inbound(conv)[0]["flags"]["attachment"]["type"] in ("image", "document",
                                                                       "video")
        else:
            assert "attachment" not in codes
        for c in fake_graph.delivered(wa_id):
            assert "pesan teks" not in c.text  # never the "text only" reply
    elif outcome == "text_only_reply":
        sent = wait_until(lambda: fake_graph.delivered(wa_id), 30)
        assert len(sent) == 1 and "pesan teks" in sent[0].text, [c.text for c in sent]
        assert conv["drafts"] == []
    elif outcome == "silent":
        time.sleep(0.5)
        assert fake_graph.delivered(wa_id) == []
        assert settled(server, wa_id)["drafts"] == []
    elif outcome == "call_recorded":
        calls = [m for m in inbound(conv) if m["type"] == "call"]
        assert len(calls) == 1 and calls[0]["flags"].get("call"), inbound(conv)
        assert "Panggilan" in calls[0]["text"]
        if name == "call-terminate":
            assert "failed" in calls[0]["text"]
        assert conv["drafts"] == [] and fake_graph.delivered(wa_id) == []
        assert conv["window"]["open"] is False  # a call does not open the 24-hour window
    elif outcome == "edit_redraft":
        conv = wait_until(lambda: (c := settled(server, wa_id)) and c["drafts"][0]["question"]
                          == case["question"] and c, 60)
        assert conv, "not redrafted"
        original = inbound(conv)[0]
        assert original["text"] == case["question"] and original["flags"]["edited"] == 1
        assert original["flags"]["previous_text"] == ORIGINAL
        assert len(conv["drafts"]) == 1 and conv["drafts"][0]["status"] == "open"
        audit = server.client().get("/api/v1/audit", params={
            "action": "message.edited", "conversation_id": conv["conversation_id"]}).json()
        assert audit["items"]
        time.sleep(0.5)
        assert len(fake_graph.delivered(wa_id)) == 1  # the one holding reply, nothing more
    elif outcome == "revoke":
        conv = wait_until(lambda: (c := settled(server, wa_id))
                          and c["drafts"][0]["status"] == "withdrawn" and c, 30)
        assert conv, "draft not withdrawn"
        assert inbound(conv)[0]["flags"].get("deleted_at")
        time.sleep(0.5)
        assert len(fake_graph.delivered(wa_id)) == 1  # only the earlier holding reply
    elif outcome == "status":
        out = [m for m in conv["messages"] if m["direction"] == "out"]
        assert out[0]["status"] == case["expect_status"], out
    else:
        raise AssertionError(f"unknown outcome {outcome}")


def test_status_settles_an_unknown_send(spawn, fake_graph):
    """A process killed while the Graph API call was in flight leaves its reply "unknown"
    (it may have reached the applicant); the platform's later status for that recipient
    settles it instead of leaving it unknown for ever."""
    first = spawn()
    wa_id = unique_wa_id()
    hold = fake_graph.timeout_hold
    fake_graph.timeout_hold = 8.0  # the send hangs long enough to kill the process mid-call
    fake_graph.plan(wa_id, ["timeout"])
    try:
        first.post_webhook(render("image-no-caption", WA_ID=wa_id, WAMID=unique_wamid(),
                                  TS=str(int(time.time()))))
        sending = wait_until(lambda: [m for m in (conversation(first, wa_id) or {}).get(
            "messages", []) if m["direction"] == "out" and m["status"] == "sending"], 30,
            interval=0.05)
        assert sending, "the reply never started sending"
        first.kill()
    finally:
        fake_graph.timeout_hold = hold
    second = spawn()
    out = wait_until(lambda: [m for m in conversation(second, wa_id)["messages"]
                              if m["direction"] == "out" and m["status"] == "unknown"], 30)
    assert out and out[0]["external_id"] is None
    r = second.post_webhook(render("status-delivered", WA_ID=wa_id, OUT_WAMID="wamid.LATE1",
                                   TS=str(int(time.time()))))
    assert r.status_code == 200 and r.json()["statuses"] == 1, r.text
    out = [m for m in conversation(second, wa_id)["messages"] if m["direction"] == "out"]
    assert out[0]["status"] == "delivered" and out[0]["external_id"] == "wamid.LATE1"
    assert len(fake_graph.delivered(wa_id)) == 0  # never resent blindly
