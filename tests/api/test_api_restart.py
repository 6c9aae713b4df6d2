"""Durability: a message acknowledged by a server killed before processing is answered once
after restart; the first admin key is written to a 0600 file, never to the log; no app secret
means every POST fails."""

from __future__ import annotations

import re
import stat

import httpx

from api_support import off_hours_time, text_payload, unique_wa_id, wait_until


def test_sigkill_after_ack_then_restart_answers_once(spawn, fake_graph):
    # First run: no admin key configured (bootstrap writes one to a 0600 file and names the
    # file, never the key) and the worker disabled, so the message is acknowledged and stored
    # but not processed when the process dies.
    first = spawn(wait_ready=False, api_worker_enabled="false", admin_key="__unset__")
    key_file = first.data_dir / "admin-key.txt"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    admin = key_file.read_text().strip()
    assert re.fullmatch(r"lt_[A-Za-z0-9_-]{40,}", admin)
    assert admin not in first.log() and str(key_file.resolve()) in first.log()
    wa_id = unique_wa_id()
    payload = text_payload(wa_id, "Berapa biaya membuat NIB?", at=off_hours_time())
    ack = first.post_webhook(payload)
    assert ack.status_code == 200 and ack.json()["stored"] == 1
    conv = first.client(admin).get("/api/v1/conversations", params={"contact": wa_id}).json()
    conv_id = conv["items"][0]["conversation_id"]
    detail = first.client(admin).get(f"/api/v1/conversations/{conv_id}").json()
    assert [m["state"] for m in detail["messages"]] == ["pending"]
    first.kill()  # SIGKILL: no shutdown hook runs
    assert fake_graph.delivered(wa_id) == []

    second = spawn(admin_key="__unset__")
    assert "admin-key.txt" not in second.log() and admin not in second.log()
    sent = wait_until(lambda: fake_graph.delivered(wa_id), 60)
    assert len(sent) == 1 and "gratis" in sent[0].text.lower()
    # The platform redelivers after the restart: acknowledged, nothing new, nothing resent.
    again = second.post_webhook(payload)
    assert again.status_code == 200 and again.json()["duplicates"] == 1
    me = second.client(admin).get("/api/v1/me")
    assert me.status_code == 200 and me.json()["role"] == "admin"
    detail = second.client(admin).get(f"/api/v1/conversations/{conv_id}").json()
    assert [m["state"] for m in detail["messages"] if m["direction"] == "in"] == ["done"]
    assert len(detail["drafts"]) == 1 and detail["drafts"][0]["status"] == "auto_sent"
    wait_until(lambda: False, 1.0)
    assert len(fake_graph.delivered(wa_id)) == 1


def test_first_start_seeds_empty_kb_and_no_app_secret_refuses_posts(spawn, tmp_path):
    """An empty data dir gets the sample KB ingested at first start (a one-file sample here,
    to keep the test fast); without an app secret every webhook POST is refused."""
    sample = tmp_path / "sample"
    sample.mkdir()
    (sample / "sop-contoh.md").write_text(
        "# SOP Contoh Layanan\n\n## 1. Jam layanan\n\nLayanan buka setiap hari kerja.\n\n"
        "## 2. Biaya\n\nLayanan tidak dipungut biaya.\n", encoding="utf-8")
    srv = spawn(data_dir=tmp_path / "empty-data", whatsapp_app_secret="__unset__",
                seed_sample_kb="true", sample_kb_dir=str(sample))
    docs = srv.client().get("/api/v1/documents").json()
    assert [d["id"] for d in docs] == ["sop-contoh"] and docs[0]["chunks"] == 2
    wa_id = unique_wa_id()
    for headers in ({}, {"X-Hub-Signature-256": "sha256=" + "0" * 64}):
        r = httpx.post(srv.base_url + "/webhooks/whatsapp", headers=headers,
                       content=b'{"object": "whatsapp_business_account", "entry": []}')
        assert r.status_code == 401
        assert r.json()["code"] == "no_app_secret"
    conv = srv.client().get("/api/v1/conversations", params={"contact": wa_id}).json()
    assert conv["total"] == 0
    assert "app secret" in srv.log().lower() or "APP_SECRET" in srv.log()
