"""What every console page shares: the template environment, rendering with security headers,
the signed-in user as a dependency, CSRF-checked form dependencies, flash messages and the
HTML error pages (the JSON API keeps its JSON errors)."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from api.auth import AuthError, Perm
from api.runtime import NotReady, Runtime
from api.services.errors import ServiceError
from api.web import format as fmt
from api.web.session import (
    COOKIE, CsrfError, LoginRequired, PageForbidden, WebUser, check_csrf, user_from_cookie,
)

log = logging.getLogger("lantunan.web")
HERE = Path(__file__).resolve().parent
TEMPLATES = Jinja2Templates(directory=HERE / "templates")
TEMPLATES.env.trim_blocks = True
TEMPLATES.env.lstrip_blocks = True
fmt.install(TEMPLATES.env)

# Pages carry applicants' messages: never cached, never framed, scripts only from us.
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": ("default-src 'self'; script-src 'self'; style-src 'self'; "
                                "img-src 'self' data:; form-action 'self'; "
                                "frame-ancestors 'none'; base-uri 'none'"),
}

# (path, label, permission) of the main navigation, shown only when the role may use it.
NAV: list[tuple[str, str, Perm | None]] = [
    ("/antrian", "Antrean", Perm.QUEUE_READ),
    ("/basis-pengetahuan", "Basis pengetahuan", Perm.KB_READ),
    ("/uji-cari", "Uji cari", Perm.KB_WRITE),
    ("/dasbor", "Dasbor", None),
    ("/audit", "Audit", Perm.AUDIT_READ),
]

FLASH: dict[str, tuple[str, str]] = {  # code -> (level, Indonesian message)
    "masuk": ("ok", "Berhasil masuk."),
    "terkirim": ("ok", "Balasan terkirim ke pemohon."),
    "tersimpan": ("ok", "Balasan tercatat; pemohon mengambilnya lewat kanal."),
    "gagal_kirim": ("error", "Balasan tercatat tetapi GAGAL terkirim. Lihat status pesan di "
                             "riwayat dan coba balas lagi."),
    "ditolak": ("ok", "Draf ditolak; tidak ada yang dikirim."),
    "diambil": ("ok", "Percakapan ini sekarang Anda tangani."),
    "dilepas": ("ok", "Percakapan dilepas; petugas lain dapat menanganinya."),
    "status": ("ok", "Status dokumen diperbarui."),
    "dihapus": ("ok", "Dokumen dihapus dari basis pengetahuan."),
    "jawaban": ("ok", "Jawaban tertinjau disimpan."),
    "promosi": ("ok", "Suntingan petugas dijadikan jawaban tertinjau."),
}


def runtime_of(request: Request) -> Runtime:
    """The service runtime."""
    return request.app.state.runtime


def nav_items(user: WebUser | None) -> list[tuple[str, str]]:
    """Navigation entries the user may open."""
    if user is None:
        return []
    return [(path, text) for path, text, perm in NAV if perm is None or user.principal.can(perm)]


def home_of(user: WebUser) -> str:
    """Where a user lands after signing in."""
    if user.principal.can(Perm.QUEUE_READ):
        return "/antrian"
    if user.principal.can(Perm.KB_READ):
        return "/basis-pengetahuan"
    return "/dasbor"


def flash(request: Request) -> tuple[str, str] | None:
    """The flash message named by ``?ok=`` (fixed texts: nothing from the URL is echoed)."""
    return FLASH.get(request.query_params.get("ok", ""))


def render(request: Request, template: str, context: dict[str, Any] | None = None,
           status: int = 200) -> HTMLResponse:
    """A page with the shared context and security headers."""
    rt = runtime_of(request)
    user: WebUser | None = getattr(request.state, "web_user", None)
    base = {"user": user, "nav": nav_items(user), "path": request.url.path,
            "office": rt.settings.office_name, "tz": rt.settings.timezone,
            "flash": flash(request), "poll_seconds": rt.settings.web_poll_seconds}
    return TEMPLATES.TemplateResponse(request, template, {**base, **(context or {})},
                                      status_code=status, headers=SECURITY_HEADERS)


def redirect(path: str, **params: Any) -> RedirectResponse:
    """303 See Other (POST → GET) to a local path with query parameters."""
    clean = {k: v for k, v in params.items() if v is not None and v != ""}
    return RedirectResponse(path + ("?" + urlencode(clean) if clean else ""), status_code=303)


def safe_next(target: str | None) -> str | None:
    """A local path to return to after login (never another host)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


def page_user(perm: Perm | None = None) -> Callable[[Request], WebUser]:
    """Dependency: the signed-in user (redirect to login otherwise), 403 without ``perm``."""

    def dependency(request: Request) -> WebUser:
        user = user_from_cookie(runtime_of(request), request.cookies.get(COOKIE))
        if user is None:
            raise LoginRequired()
        request.state.web_user = user
        if perm is not None and not user.principal.can(perm):
            raise PageForbidden(perm)
        return user

    return dependency


def form_user(perm: Perm | None = None) -> Callable[..., WebUser]:
    """Dependency for POST forms: ``page_user`` plus the session's CSRF token."""
    inner = page_user(perm)

    def dependency(request: Request, csrf: str = Form("")) -> WebUser:
        user = inner(request)
        check_csrf(user, csrf)
        return user

    return dependency


def error_page(request: Request, status: int, message: str, title: str | None = None,
               back: str | None = None) -> HTMLResponse:
    """An HTML error with the service's Indonesian reason."""
    titles = {401: "Perlu masuk", 403: "Akses ditolak", 404: "Tidak ditemukan",
              409: "Tidak dapat dilakukan", 413: "Berkas terlalu besar", 422: "Data tidak valid",
              503: "Belum siap"}
    return render(request, "error.html", {
        "status": status, "title": title or titles.get(status, "Terjadi kesalahan"),
        "message": message, "back": back or request.headers.get("referer")}, status)


def html_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Route decorator: service refusals become an HTML error page with their status."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        request: Request = kwargs["request"]
        try:
            return fn(*args, **kwargs)
        except ServiceError as exc:
            return error_page(request, exc.status, exc.message)
        except AuthError as exc:
            return error_page(request, exc.status, exc.message)
        except NotReady as exc:
            return error_page(request, 503, str(exc))

    return wrapper


def _is_fetch(request: Request) -> bool:
    return request.headers.get("x-requested-with", "").lower() == "fetch"


def install_handlers(app: Any) -> None:
    """HTML answers to the console's own exceptions."""

    @app.exception_handler(LoginRequired)
    async def _login(request: Request, _: LoginRequired) -> Response:
        if _is_fetch(request):
            return PlainTextResponse("Sesi berakhir; silakan masuk lagi.", status_code=401)
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        where = "/masuk" if request.method != "GET" else f"/masuk?lanjut={quote(target)}"
        response = RedirectResponse(where, status_code=303)
        response.delete_cookie(COOKIE, path="/")
        return response

    @app.exception_handler(PageForbidden)
    async def _forbidden(request: Request, exc: PageForbidden) -> Response:
        user = getattr(request.state, "web_user", None)
        role = fmt.label(user.role, "role") if user else "?"
        return error_page(request, 403, f"Peran {role} tidak berwenang membuka halaman atau "
                                        f"melakukan tindakan ini (perlu izin '{exc.perm.value}').")

    @app.exception_handler(CsrfError)
    async def _csrf(request: Request, _: CsrfError) -> Response:
        return error_page(request, 403, "Formulir kedaluwarsa atau tidak berasal dari halaman ini. "
                                        "Muat ulang halaman lalu coba lagi.",
                          title="Formulir ditolak")
