"""Console pages for everyone: sign in and out, the landing redirect, the dashboard, and the
audit log for admins."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api import audit
from api.auth import AuthError, Perm, Role, authenticate
from api.hardening import cookie_secure
from api.ratelimit import limits_of, wait_text
from api.validation import lenient_id
from api.services import stats
from api.services.audit_log import audit_page as read_audit
from api.web import charts
from api.web import format as fmt
from api.web.common import (
    form_user, home_of, html_errors, page_user, redirect, render, runtime_of, safe_next,
)
from api.web.session import (
    COOKIE, WebUser, check_login_form_token, login_form_token, make_cookie, user_from_cookie,
)

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> Response:
    """To the user's main page, or to the login form."""
    user = user_from_cookie(runtime_of(request), request.cookies.get(COOKIE))
    return RedirectResponse(home_of(user) if user else "/masuk", status_code=303)


@router.get("/masuk", response_class=HTMLResponse)
def login_form(request: Request, lanjut: str | None = Query(None, max_length=500)) -> Response:
    """The key form."""
    rt = runtime_of(request)
    return render(request, "login.html", {"token": login_form_token(rt),
                                          "lanjut": safe_next(lanjut) or ""})


@router.post("/masuk", response_class=HTMLResponse)
def login(request: Request, kunci: str = Form(""), token: str = Form(""),
          lanjut: str = Form("")) -> Response:
    """Check the API key and start a session."""
    rt = runtime_of(request)
    ctx = {"token": login_form_token(rt), "lanjut": safe_next(lanjut) or ""}
    # Failed sign-ins are counted per client IP; while over the limit every attempt from it
    # is refused before the key is even looked at (guessing keys gets nowhere).
    limits = limits_of(rt)
    ip = f"ip:{request.client.host if request.client else '?'}"
    verdict = limits.check("login_ip", ip)
    if not verdict.allowed:
        response = render(request, "login.html", {
            **ctx, "error": f"Terlalu banyak percobaan masuk yang gagal dari alamat ini (batas "
                            f"{verdict.limit}); coba lagi dalam "
                            f"{wait_text(verdict.retry_after)}."}, 429)
        response.headers["Retry-After"] = str(verdict.retry_after)
        return response
    if not check_login_form_token(rt, token):
        return render(request, "login.html", {**ctx, "error": "Formulir kedaluwarsa; silakan "
                                                             "coba lagi."}, 403)
    try:
        # No channel key here: a message source cannot use the console.
        principal = authenticate(rt.db, kunci.strip() or None, None)
    except AuthError as exc:
        limits.hit("login_ip", ip)
        return render(request, "login.html", {**ctx, "error": exc.message}, exc.status)
    if principal.key_id is None or principal.role == Role.CHANNEL:
        limits.hit("login_ip", ip)
        return render(request, "login.html", {**ctx, "error": "Kunci kanal tidak dapat dipakai "
                                                             "untuk konsol petugas."}, 403)
    with rt.db.transaction() as s:
        audit.record(s, principal.label, "web.login", "api_key", principal.key_id)
    value = make_cookie(rt, principal.key_id)
    user = user_from_cookie(rt, value)
    assert user is not None
    response = RedirectResponse(safe_next(lanjut) or home_of(user), status_code=303)
    response.set_cookie(COOKIE, value, max_age=int(rt.settings.web_session_hours * 3600),
                        path="/", httponly=True, samesite="lax",
                        secure=cookie_secure(request, rt.settings))
    return response


@router.post("/keluar")
def logout(request: Request, user: WebUser = Depends(form_user())) -> Response:
    """End the session (the cookie is dropped)."""
    rt = runtime_of(request)
    with rt.db.transaction() as s:
        audit.record(s, user.principal.label, "web.logout", "api_key", user.principal.key_id)
    response = redirect("/masuk")
    response.delete_cookie(COOKIE, path="/")
    return response


@router.get("/dasbor", response_class=HTMLResponse)
@html_errors
def dashboard(request: Request, hari: int = Query(14, ge=1, le=90),
              user: WebUser = Depends(page_user())) -> Response:
    """Messages per day, outcomes, time to first answer, top handoff reasons."""
    rt = runtime_of(request)
    d = stats.dashboard(rt, hari)
    day_rows = [(x.day.strftime("%d-%m"), x.inbound, x.outbound) for x in d.days]

    def share(rows: list[tuple[str, int]], table: str) -> list[tuple[str, float, str]]:
        total = sum(n for _, n in rows) or 1
        return [(fmt.label(k, table), n, f"{n} ({round(100 * n / total)}%)") for k, n in rows]

    reasons = [(fmt.reason_label(code), n, str(n)) for code, n in d.handoff_reasons]
    return render(request, "dashboard.html", {
        "d": d, "hari": hari,
        "day_chart": charts.day_chart(day_rows, f"Pesan per hari, {hari} hari terakhir"),
        "outcome_chart": charts.hbar_chart(share(d.outcomes, "draft_status"),
                                           "Hasil akhir draf"),
        "action_chart": charts.hbar_chart(share(d.actions, "action"),
                                          "Keputusan sistem atas draf"),
        "reason_chart": charts.hbar_chart(reasons, "Alasan penyerahan ke petugas teratas"),
    })


@router.get("/audit", response_class=HTMLResponse)
@html_errors
def audit_page(request: Request, aksi: str | None = Query(None, max_length=64),
               pelaku: str | None = Query(None, max_length=200),
               percakapan: str = Query("", max_length=12),
               sebelum: str = Query("", max_length=12),
               user: WebUser = Depends(page_user(Perm.AUDIT_READ))) -> Response:
    """The audit log, newest first, 100 per page."""
    rt = runtime_of(request)
    # Empty form fields arrive as "": read them leniently instead of answering 422.
    conv_id = lenient_id(percakapan)
    before = lenient_id(sebelum)
    f = audit.AuditFilter(actor=pelaku or None, action=aksi or None,
                          conversation_id=conv_id, before_id=before, limit=100)
    entries = [e.model_dump() for e in read_audit(rt, f).items]
    for e in entries:
        e["at_local"] = fmt.local_time(datetime.fromisoformat(e["at"]), rt.settings.timezone)
    return render(request, "audit.html", {
        "entries": entries, "aksi": aksi or "", "pelaku": pelaku or "",
        "percakapan": conv_id or "",
        "next_before": entries[-1]["id"] if len(entries) == 100 else None})
