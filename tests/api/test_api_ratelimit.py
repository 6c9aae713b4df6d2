"""Rate limits against a real server, with the counts in memory and in Redis
(LANTUNAN_REDIS_URL): per WhatsApp sender (stored, not drafted, one notice), per API/channel
key (429 + Retry-After), per client IP on failed console sign-ins (429 with a reason)."""

from __future__ import annotations

import os
import re
import shutil
import time
import uuid

import httpx
import pytest

from api_support import (
    ADMIN_KEY, CHANNEL_KEY, database, off_hours_time, server_env, start_server, text_payload,
    unique_wa_id, wait_until,
)

REDIS_URL = os.environ.get("LANTUNAN_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
COMPLAINTS = [
    "Saya mau mengadu, izin saya belum selesai dan petugasnya lambat",
    "saya mau komplain pak, sudah dua minggu belum ada kabar",
    "tolong pak saya mau mengadu soal pelayanan",
    "pengaduan: berkas saya hilang di loket",
    "saya kecewa, mau mengadukan petugas",
    "kenapa lambat sekali, saya mau mengadu",
]


def redis_available() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping())
    except Exception:
        return False


@pytest.fixture(scope="module", params=["memory", "redis"])
def limited(request, fake_graph, kb_template, tmp_path_factory):
    """A server with small limits; counts in memory or in Redis (own namespace per run)."""
    overrides = dict(rate_webhook_applicant="3/minute", rate_notice_period="hour",
                     rate_api_key="20/second", rate_login_ip="3/minute")
    namespace = None
    if request.param == "redis":
        if not redis_available():
            if os.environ.get("LANTUNAN_REQUIRE_REDIS") == "1":
                pytest.fail(f"Redis not reachable at {REDIS_URL}")
            pytest.skip(f"Redis not reachable at {REDIS_URL}")
        namespace = f"lt-test-{uuid.uuid4().hex[:10]}"
        overrides.update(redis_url=REDIS_URL, rate_limit_namespace=namespace)
    work = tmp_path_factory.mktemp(f"limited-{request.param}")
    shutil.copytree(kb_template, work / "data")
    with database("sqlite") as url:
        srv = start_server(work, server_env(work / "data", fake_graph.base_url, url,
                                            **overrides))
        srv.namespace = namespace  # type: ignore[attr-defined]
        try:
            yield srv
        finally:
            srv.stop()
            if namespace:
                import redis

                client = redis.Redis.from_url(REDIS_URL)
                for key in client.scan_iter(f"{namespace}*"):
                    client.delete(key)


def _conv(server, wa_id):
    items = server.client().get("/api/v1/conversations",
                                params={"contact": wa_id}).json()["items"]
    if not items:
        return None
    return server.client().get(f"/api/v1/conversations/{items[0]['conversation_id']}").json()


def test_applicant_over_limit_stored_not_drafted_one_notice(limited, fake_graph):
    wa_id = unique_wa_id()
    at = off_hours_time()
    for text in COMPLAINTS:
        r = limited.post_webhook(text_payload(wa_id, text, at=at))
        assert r.status_code == 200 and r.json()["stored"] == 1

    def done():
        c = _conv(limited, wa_id)
        ins = [m for m in c["messages"] if m["direction"] == "in"] if c else []
        return c if len(ins) == 6 and all(m["state"] == "done" for m in ins) else None

    conv = wait_until(done, 90, interval=0.3)
    assert conv, "messages not processed"
    assert [m["text"] for m in conv["messages"] if m["direction"] == "in"] == COMPLAINTS
    assert len(conv["drafts"]) == 3  # the first three; the rest stored only
    wait_until(lambda: len(fake_graph.delivered(wa_id)) >= 2, 30)
    time.sleep(0.5)
    texts = [c.text for c in fake_graph.delivered(wa_id)]
    notices = [t for t in texts if "sangat banyak" in t]
    assert len(notices) == 1, texts
    assert len(texts) == 2  # one holding reply for the wait, one notice
    audit = limited.client().get("/api/v1/audit", params={
        "action": "message.rate_limited", "conversation_id": conv["conversation_id"]}).json()
    assert len(audit["items"]) == 3
    # Another applicant is not affected.
    other = unique_wa_id()
    limited.post_webhook(text_payload(other, COMPLAINTS[0], at=at))
    assert wait_until(lambda: (c := _conv(limited, other)) and c["drafts"], 60, interval=0.3)
    if limited.namespace:  # the counts really are in Redis
        import redis

        assert list(redis.Redis.from_url(REDIS_URL).scan_iter(f"{limited.namespace}*"))


def test_api_key_limit_429_with_retry_after(limited):
    with httpx.Client(base_url=limited.base_url, timeout=30,
                      headers={"Authorization": f"Bearer {CHANNEL_KEY}"}) as c:
        codes = [c.get("/api/v1/me").status_code for _ in range(40)]
        assert 429 in codes and codes[0] == 200, codes
        r = c.get("/api/v1/me")
        while r.status_code != 429:
            r = c.get("/api/v1/me")
        assert int(r.headers["Retry-After"]) >= 1
        assert r.json()["code"] == "rate_limited" and "kunci" in r.json()["detail"]
        time.sleep(1.2)  # a per-second window: the key works again
        assert c.get("/api/v1/me").status_code == 200
    # Another key has its own budget.
    assert limited.client(ADMIN_KEY).get("/api/v1/me").status_code == 200


def test_failed_logins_per_ip_429(limited):
    with httpx.Client(base_url=limited.base_url, timeout=30, follow_redirects=False) as c:
        def token():
            return re.search(r'name="token" value="([^"]+)"', c.get("/masuk").text).group(1)

        for _ in range(3):
            r = c.post("/masuk", data={"kunci": "kunci-salah", "token": token()})
            assert r.status_code == 401
        r = c.post("/masuk", data={"kunci": ADMIN_KEY, "token": token()})  # even the right key
        assert r.status_code == 429
        assert "Terlalu banyak percobaan masuk" in r.text and int(r.headers["Retry-After"]) >= 1


def test_storage_down_fails_open():
    """Redis unreachable: requests go through (logged), the service does not refuse them."""
    from api.ratelimit import RateLimits
    from lantunan.settings import Settings

    limits = RateLimits(Settings(_env_file=None, redis_url="redis://127.0.0.1:1/0",
                                 rate_api_key="1/minute"))
    assert limits.backend == "redis"
    assert all(limits.hit("api_key", "key:1").allowed for _ in range(3))
    assert limits.check("login_ip", "ip:1").allowed
