"""WhatsApp Cloud API webhook: GET verification handshake, POST signed event notifications.

POST order matters: size limit (middleware) → signature over the raw bytes → JSON → envelope
shape → one transaction storing everything → 200. Drafting happens afterwards in the worker,
so the platform gets its acknowledgement in milliseconds.
"""

from __future__ import annotations

import hmac
import json
import logging

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from api.deps import runtime
from api.errors import error_response
from api.runtime import Runtime
from api.schemas.health import WebhookAck
from api.services.inbound import store_whatsapp_batch
from api.signature import verify
from api.textsafe import MAX_JSON_DEPTH, clean_json, json_depth_exceeds
from api.whatsapp_parse import PayloadError, parse_webhook

log = logging.getLogger("lantunan.api.webhook")
router = APIRouter(tags=["whatsapp"])


@router.get("/webhooks/whatsapp", response_class=PlainTextResponse,
            summary="Verification handshake (hub.challenge)")
def verify_subscription(request: Request, rt: Runtime = Depends(runtime)) -> Response:
    """Echo ``hub.challenge`` when ``hub.mode=subscribe`` and the verify token matches."""
    q = request.query_params
    token = rt.settings.whatsapp_verify_token
    given = q.get("hub.verify_token") or ""
    if (q.get("hub.mode") == "subscribe" and token
            and hmac.compare_digest(given.encode("utf-8", "surrogatepass"),
                                    token.encode("utf-8", "surrogatepass"))
            and q.get("hub.challenge") is not None):
        return PlainTextResponse(q["hub.challenge"], status_code=200)
    return PlainTextResponse("Verifikasi gagal: mode atau token tidak cocok.", status_code=403)


@router.post("/webhooks/whatsapp", summary="Event notifications (messages, statuses)",
             response_model=WebhookAck)
async def receive_events(request: Request, rt: Runtime = Depends(runtime)) -> Response:
    """Verify the signature, store messages and statuses durably, acknowledge."""
    body = await request.body()
    if not rt.settings.whatsapp_app_secret:
        log.error("webhook POST refused: no app secret configured")
        return error_response(401, "Webhook belum dikonfigurasi (app secret kosong); semua "
                                   "POST ditolak.", "no_app_secret")
    if not verify(body, request.headers.get("x-hub-signature-256"),
                  rt.settings.whatsapp_app_secret):
        return error_response(401, "Tanda tangan X-Hub-Signature-256 tidak ada atau tidak "
                                   "cocok.", "bad_signature")
    if json_depth_exceeds(body):
        return error_response(400, f"JSON bersarang terlalu dalam (maksimum {MAX_JSON_DEPTH} "
                                   "tingkat).", "json_too_deep")
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return error_response(400, "Isi permintaan bukan JSON yang valid.", "invalid_json")
    # Lone surrogates ("\ud800") and NUL decode fine but cannot be stored: replace them here,
    # once, so parsing, storage and logs all see storable text.
    payload, repaired = clean_json(payload)
    if repaired:
        log.warning("webhook text repaired: invalid Unicode replaced with U+FFFD")
    try:
        batch = parse_webhook(payload)
    except PayloadError as exc:
        return error_response(400, f"Format webhook tidak valid: {exc}", "invalid_payload")
    result = await run_in_threadpool(store_whatsapp_batch, rt, batch)
    return JSONResponse({"status": "ok", "stored": len(result.stored),
                         "duplicates": result.duplicates, "statuses": result.statuses,
                         "rejected": result.rejected})
