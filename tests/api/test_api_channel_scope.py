"""Channel keys against a real server (SQLite and PostgreSQL): a key writes into and reads only
the channels it was issued for, message ids on the channel API are random public ids, and an
integer row id resolves to nothing."""

from __future__ import annotations

import re
import uuid

import pytest

from api_support import CHANNEL_KEY, unique_wa_id, wait_until

PUBLIC_ID = re.compile(r"^[A-Za-z0-9_-]{22}$")


def _channel_key(server, channels: list[str], name: str) -> str:
    r = server.client().post("/api/v1/users", json={"name": name, "role": "channel",
                                                     "channels": channels})
    assert r.status_code == 201, r.text
    assert r.json()["channels"] == sorted(channels)
    return r.json()["key"]


@pytest.fixture(scope="module")
def two_channels(server):
    """Keys A and B, each issued for its own channel (fresh names per run)."""
    tag = uuid.uuid4().hex[:8]
    a, b = f"alpha-{tag}", f"beta-{tag}"
    return {"a": a, "b": b, "key_a": _channel_key(server, [a], f"integrasi-a-{tag}"),
            "key_b": _channel_key(server, [b], f"integrasi-b-{tag}")}


def _post(server, key, channel, sender, text="apa syarat membuat NIB?", **extra):
    return server.client(key).post("/api/v1/messages", json={
        "channel": channel, "sender": sender, "text": text, **extra})


def _conversations(server, contact):
    r = server.client().get("/api/v1/conversations", params={"contact": contact})
    assert r.status_code == 200, r.text
    return r.json()["items"]


def test_key_a_cannot_write_or_read_channel_b(server, two_channels):
    t = two_channels
    sender = f"warga-{unique_wa_id()}"
    a = _post(server, t["key_a"], t["a"], sender)
    b = _post(server, t["key_b"], t["b"], sender)
    assert a.status_code == 202 and b.status_code == 202, (a.text, b.text)
    a_id, b_id = a.json()["message_id"], b.json()["message_id"]
    assert PUBLIC_ID.match(a_id) and PUBLIC_ID.match(b_id) and a_id != b_id
    assert a.json()["status_url"] == f"/api/v1/messages/{a_id}"

    # Writing into the other key's channel: 403 with a reason, nothing stored.
    intruder = f"warga-{unique_wa_id()}"
    for key, channel in ((t["key_a"], t["b"]), (t["key_b"], t["a"]), (CHANNEL_KEY, t["a"])):
        r = _post(server, key, channel, intruder, message_id="x-1")
        assert r.status_code == 403, r.text
        assert r.json()["code"] == "channel_forbidden" and channel in r.json()["detail"]
    assert _conversations(server, intruder) == []

    # Reading the other key's message: 404, as for an id that does not exist.
    assert server.client(t["key_a"]).get(f"/api/v1/messages/{b_id}").status_code == 404
    assert server.client(t["key_b"]).get(f"/api/v1/messages/{a_id}").status_code == 404
    assert server.client(CHANNEL_KEY).get(f"/api/v1/messages/{a_id}").status_code == 404
    own = server.client(t["key_a"]).get(f"/api/v1/messages/{a_id}")
    assert own.status_code == 200 and own.json()["channel"] == t["a"]
    assert own.json()["message_id"] == a_id
    # The admin reads every channel's messages.
    assert server.client().get(f"/api/v1/messages/{b_id}").json()["channel"] == t["b"]

    # The same sender id on the two channels is two applicants (namespaced by channel).
    convs = _conversations(server, sender)
    assert sorted(c["channel"] for c in convs) == sorted([t["a"], t["b"]])
    assert len({c["conversation_id"] for c in convs}) == 2


def test_integer_ids_do_not_resolve(server, two_channels):
    t = two_channels
    sender = f"warga-{unique_wa_id()}"
    a = _post(server, t["key_a"], t["a"], sender)
    assert a.status_code == 202, a.text
    conv = server.client().get(f"/api/v1/conversations/{a.json()['conversation_id']}").json()
    row_id = conv["messages"][0]["id"]  # the internal integer id, seen by officers only
    assert isinstance(row_id, int)
    for key in (t["key_a"], None):
        client = server.client(key) if key else server.client()
        for ident in (row_id, 1, 0, "1" * 22, str(row_id).zfill(22)):
            r = client.get(f"/api/v1/messages/{ident}")
            assert r.status_code in (404, 422), (ident, r.status_code, r.text)
            assert r.json()["detail"]


def test_duplicate_and_replies_use_public_ids(server, two_channels):
    t = two_channels
    sender = f"warga-{unique_wa_id()}"
    first = _post(server, t["key_a"], t["a"], sender, message_id="m-1")
    again = _post(server, t["key_a"], t["a"], sender, message_id="m-1")
    assert first.status_code == 202 and again.status_code == 200, (first.text, again.text)
    assert again.json()["duplicate"] and again.json()["message_id"] == first.json()["message_id"]
    # The same client id under the other key's channel is that channel's own message.
    other = _post(server, t["key_b"], t["b"], sender, message_id="m-1")
    assert other.status_code == 202 and other.json()["message_id"] != first.json()["message_id"]

    mid, conv_id = first.json()["message_id"], first.json()["conversation_id"]
    wait_until(lambda: server.client(t["key_a"]).get(f"/api/v1/messages/{mid}").json()["draft"],
               60)
    r = server.client().post(f"/api/v1/conversations/{conv_id}/claim")
    assert r.status_code == 200, r.text
    r = server.client().post(f"/api/v1/conversations/{conv_id}/reply",
                             json={"text": "Syarat NIB untuk PT: akta pendirian dan NPWP."})
    assert r.status_code in (200, 201), r.text
    replies = server.client(t["key_a"]).get(f"/api/v1/messages/{mid}").json()["replies"]
    # (off-hours the server may have answered alone first: ours is the last reply)
    assert replies and all(PUBLIC_ID.match(rep["id"]) for rep in replies), replies
    assert replies[-1]["text"].startswith("Syarat NIB")
    # A reply's id is not a message the channel API resolves (only inbound ones are).
    for key in (t["key_a"], t["key_b"]):
        assert server.client(key).get(f"/api/v1/messages/{replies[-1]['id']}").status_code \
            == 404


def test_scope_is_required_and_shown(server, two_channels):
    admin = server.client()
    for body in ({"name": "tanpa-kanal", "role": "channel"},
                 {"name": "kanal-wa", "role": "channel", "channels": ["whatsapp"]},
                 {"name": "kanal-buruk", "role": "channel", "channels": ["Bukan Nama"]},
                 {"name": "petugas", "role": "officer", "channels": ["web"]}):
        r = admin.post("/api/v1/users", json=body)
        assert r.status_code == 422, (body, r.text)
        assert r.json()["detail"]
    # The most a key may name (20 channels of 32 characters) is stored whole on both backends.
    many = [f"k{i:02d}-{'x' * 28}" for i in range(20)]
    r = admin.post("/api/v1/users", json={"name": "banyak", "role": "channel", "channels": many})
    assert r.status_code == 201 and r.json()["channels"] == many, r.text
    r = admin.post("/api/v1/users", json={"name": "terlalu", "role": "channel",
                                          "channels": many + ["k20"]})
    assert r.status_code == 422 and r.json()["detail"]
    me = server.client(two_channels["key_a"]).get("/api/v1/me").json()
    assert me["role"] == "channel" and me["channels"] == [two_channels["a"]]
    assert server.client(CHANNEL_KEY).get("/api/v1/me").json()["channels"] == ["web", "webchat"]
    assert admin.get("/api/v1/me").json()["channels"] is None
    listed = {k["name"]: k for k in admin.get("/api/v1/users").json()}
    assert any(k["channels"] == [two_channels["a"]] for k in listed.values())
