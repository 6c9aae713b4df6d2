"""Issue 12 item 6 against real servers: the session cookie is Secure when the request is https
(directly or X-Forwarded-Proto from a trusted proxy only), the generated admin key lives in a
0600 file and never in the output, and the API docs load nothing from another origin."""

from __future__ import annotations

import re
import stat
from collections.abc import Iterator
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import httpx
import pytest

from api_support import ADMIN_KEY, Server, server_env, start_server


def _start(tmp_path_factory: pytest.TempPathFactory, name: str, **overrides: str) -> Server:
    work = tmp_path_factory.mktemp(name)
    # No KB and no Graph API needed: an unroutable local port stands in for it.
    env = server_env(work / "data", "http://127.0.0.1:9", None, log_json="false", **overrides)
    return start_server(work, env, wait_ready=False)


@pytest.fixture(scope="module")
def auto_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Defaults: cookie Secure 'auto', uvicorn trusts X-Forwarded-* from 127.0.0.1; no admin
    key configured, so the first start generates one."""
    srv = _start(tmp_path_factory, "auto", admin_key="__unset__")
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture(scope="module")
def untrusting_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Trusts forwarded headers only from 10.9.9.9: our 127.0.0.1 client is not a proxy."""
    srv = _start(tmp_path_factory, "untrusting", forwarded_allow_ips="10.9.9.9")
    try:
        yield srv
    finally:
        srv.stop()


def _admin_key_of(srv: Server) -> str:
    return (srv.data_dir / "admin-key.txt").read_text().strip()


def _login(srv: Server, key: str, headers: dict[str, str] | None = None) -> str:
    """Sign in to the console; returns the Set-Cookie header of the session."""
    with httpx.Client(base_url=srv.base_url, timeout=30, follow_redirects=False) as c:
        page = c.get("/masuk", headers=headers).text
        token = re.search(r'name="token" value="([^"]+)"', page).group(1)
        r = c.post("/masuk", data={"kunci": key, "token": token}, headers=headers)
        assert r.status_code == 303, r.text
        cookie = r.headers["set-cookie"]
        assert cookie.startswith("lantunan_sesi=") and "httponly" in cookie.lower()
        return cookie


def _secure(set_cookie: str) -> bool:
    return any(part.strip().lower() == "secure" for part in set_cookie.split(";"))


def test_cookie_secure_when_https_via_trusted_proxy(auto_server: Server) -> None:
    key = _admin_key_of(auto_server)
    assert not _secure(_login(auto_server, key))  # plain http, no proxy header
    assert _secure(_login(auto_server, key, {"X-Forwarded-Proto": "https"}))
    assert not _secure(_login(auto_server, key, {"X-Forwarded-Proto": "http"}))


def test_forwarded_proto_from_untrusted_client_is_ignored(untrusting_server: Server) -> None:
    assert not _secure(_login(untrusting_server, ADMIN_KEY, {"X-Forwarded-Proto": "https"}))


def test_cookie_secure_on_and_off(tmp_path_factory: pytest.TempPathFactory) -> None:
    on = _start(tmp_path_factory, "cookie-on", web_cookie_secure="on")
    try:
        assert _secure(_login(on, ADMIN_KEY))
    finally:
        on.stop()
    off = _start(tmp_path_factory, "cookie-off", web_cookie_secure="false")  # old bool form
    try:
        assert not _secure(_login(off, ADMIN_KEY, {"X-Forwarded-Proto": "https"}))
    finally:
        off.stop()


def test_generated_admin_key_is_in_a_0600_file_not_the_output(auto_server: Server) -> None:
    path = auto_server.data_dir / "admin-key.txt"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    key = _admin_key_of(auto_server)
    assert re.fullmatch(r"lt_[A-Za-z0-9_-]{40,}", key)
    log = auto_server.log()
    assert key not in log and key[3:20] not in log
    assert str(path.resolve()) in log  # the output says where it is
    me = auto_server.client(key).get("/api/v1/me")
    assert me.status_code == 200 and me.json()["role"] == "admin"
    audit = auto_server.client(key).get("/api/v1/audit",
                                        params={"action": "auth.bootstrap_admin"}).json()
    assert key not in str(audit) and audit["items"][0]["detail"]["source"] == "generated"


class _Refs(HTMLParser):
    """Every URL a page would fetch (scripts, styles, icons, images, frames) and the bodies
    of its inline scripts."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.inline: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        for attr in ("src", "href", "data", "poster", "srcset"):
            if a.get(attr) and (tag != "a" or attr != "href"):
                self.urls.append(a[attr] or "")
        self._in_script = tag == "script" and not a.get("src")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.inline.append(data)


def test_api_docs_load_nothing_from_another_origin(auto_server: Server) -> None:
    client = auto_server.client(None)  # the docs are public (api/hardening.py says why)
    r = client.get("/docs")
    assert r.status_code == 200
    csp = r.headers["content-security-policy"]
    assert "script-src 'self' 'unsafe-inline'" in csp and "default-src 'self'" in csp
    assert r.headers["x-frame-options"] == "DENY"
    refs = _Refs()
    refs.feed(r.text)
    assert refs.urls and refs.inline, r.text
    origin = urlsplit(auto_server.base_url).netloc
    for url in refs.urls:
        absolute = urljoin(auto_server.base_url + "/docs", url)
        assert urlsplit(absolute).netloc == origin, url
        assert client.get(absolute).status_code == 200, url  # served by us, no CDN fallback
    script = "".join(refs.inline)
    assert not re.search(r"https?://|//[a-z0-9.-]+\.[a-z]{2,}", script), script
    assert '"validatorUrl": null' in script
    assert "url: '/openapi.json'" in script
    assert client.get("/openapi.json").json()["info"]["title"] == "Lantunan API"
    for page in ("/redoc", "/docs/oauth2-redirect"):
        r = client.get(page)
        if r.status_code == 200:
            refs = _Refs()
            refs.feed(r.text)
            assert all(urlsplit(urljoin(auto_server.base_url, u)).netloc == origin
                       for u in refs.urls), refs.urls
        else:
            assert page == "/redoc" and r.status_code == 404  # ReDoc is not served at all

