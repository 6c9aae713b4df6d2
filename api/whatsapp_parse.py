"""Parse a WhatsApp Cloud API webhook envelope into typed inbound messages and status updates.

The envelope (object, entry, changes) is validated before anything is stored: a body that is
not a WhatsApp envelope is a 400. A malformed *message or status* inside a valid envelope is
rejected on its own (recorded in the audit log) while the rest of the batch is stored: the
platform redelivers a refused POST for days, so one bad item must never block its neighbours.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

# What happens to each message type (the README's "WhatsApp" table says the same):
# - answered: the text (or caption, or tapped label, or flow answers) is the question;
TEXT_TYPES = {"text", "button", "interactive", "edit"}
# - media: the caption is the question and the attachment is flagged for the officer; without
#   a caption the applicant gets one polite "please write" reply per quiet period;
MEDIA_TYPES = {"image", "document", "video"}
# - stored, nothing sent: a reaction is not a question, a system notice is not from a person,
#   a revoke/edit notice without content changes only what is already stored, a call is
#   recorded for officers;
SILENT_TYPES = {"reaction", "system", "ephemeral", "revoke", "request_welcome", "call"}
# - unsupported notices that name an edit/deletion/pin we cannot see: stored, nothing sent
#   (answering "we can only read text" to an edit confuses the applicant).
SILENT_UNSUPPORTED = {"edit", "revoke", "pin", "unpin", "poll_update", "keep_in_chat"}
# Everything else (audio, sticker, location, contacts, order, unsupported, unknown future
# types) gets the polite "please write your question" reply, once per quiet period.

MAX_TEXT_CHARS = 4096  # the platform's own limit for a text body


class PayloadError(ValueError):
    """The webhook body is not a valid WhatsApp envelope; the message says where."""


@dataclass
class InboundWhatsApp:
    """One applicant message."""

    wamid: str
    wa_id: str  # sender ("from")
    timestamp: datetime
    msg_type: str
    text: str  # body for text types, caption (if any) otherwise
    name: str | None = None  # contact profile name
    phone_number_id: str | None = None  # our number that received it
    raw: dict[str, Any] = field(default_factory=dict)
    refers_to: str | None = None  # edit/revoke: the wamid of the original message

    @property
    def answerable(self) -> bool:
        """True when the message is text the responder can answer."""
        return (self.msg_type in TEXT_TYPES | MEDIA_TYPES) and bool(self.text.strip())


@dataclass
class CallEvent:
    """An incoming WhatsApp call (``field: "calls"``): recorded for officers, never answered."""

    call_id: str
    wa_id: str
    event: str  # connect | terminate | ...
    timestamp: datetime
    status: str | None = None
    duration: int | None = None
    direction: str | None = None
    name: str | None = None
    phone_number_id: str | None = None
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass
class StatusUpdate:
    """Delivery status of a message we sent."""

    wamid: str
    status: str  # sent | delivered | read | failed
    timestamp: datetime
    recipient_id: str | None = None
    errors: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class RejectedItem:
    """A message or status of the batch that could not be read (kept for the audit log)."""

    where: str
    error: str
    wamid: str | None = None
    wa_id: str | None = None


@dataclass
class WebhookBatch:
    """Everything one POST carried."""

    messages: list[InboundWhatsApp] = field(default_factory=list)
    statuses: list[StatusUpdate] = field(default_factory=list)
    calls: list[CallEvent] = field(default_factory=list)
    rejected: list[RejectedItem] = field(default_factory=list)


def _str_or_none(obj: Any, key: str) -> str | None:
    value = obj.get(key) if isinstance(obj, dict) else None
    return value[:255] if isinstance(value, str) else None


def _need(obj: Any, key: str, kind: type, where: str) -> Any:
    if not isinstance(obj, dict):
        raise PayloadError(f"{where}: harus berupa objek JSON")
    if key not in obj:
        raise PayloadError(f"{where}.{key}: wajib ada")
    value = obj[key]
    if not isinstance(value, kind):
        raise PayloadError(f"{where}.{key}: tipe tidak sesuai (harus {kind.__name__})")
    return value


def _timestamp(value: Any, where: str) -> datetime:
    try:
        seconds = int(str(value))
    except (TypeError, ValueError):
        raise PayloadError(f"{where}.timestamp: harus detik Unix") from None
    if seconds < 0 or seconds > 32503680000:  # year 3000: anything later is garbage
        raise PayloadError(f"{where}.timestamp: di luar rentang")
    return datetime.fromtimestamp(seconds, timezone.utc)


def _flow_text(reply: dict[str, Any]) -> str:
    """A WhatsApp Flow answer (``nfm_reply``) as "field: value" lines an officer can read."""
    lines = []
    body = reply.get("body")
    if isinstance(body, str) and body.strip() and body.strip().lower() != "sent":
        lines.append(body.strip())
    raw = reply.get("response_json")
    try:
        answers = json.loads(raw) if isinstance(raw, str) else raw
    except (ValueError, RecursionError):
        answers = None
    if isinstance(answers, dict):
        for key, value in answers.items():
            if key == "flow_token":
                continue
            if isinstance(value, (list, dict)):
                value = json.dumps(value, ensure_ascii=False)
            lines.append(f"{str(key).replace('_', ' ')}: {value}")
    elif isinstance(raw, str) and raw.strip():
        lines.append(raw.strip())
    name = reply.get("name")
    if lines and isinstance(name, str) and name and name != "flow":
        lines.insert(0, f"[{name}]")
    return "\n".join(lines)


def _message_text(msg: dict[str, Any], msg_type: str) -> str:
    """The text of a message, whatever its type (captions for media, labels for taps)."""
    body = msg.get(msg_type)
    if not isinstance(body, dict):
        return ""
    if msg_type == "text":
        return str(body.get("body") or "")
    if msg_type == "button":
        return str(body.get("text") or body.get("payload") or "")
    if msg_type == "interactive":
        for key in ("button_reply", "list_reply"):
            reply = body.get(key)
            if isinstance(reply, dict):
                title = str(reply.get("title") or "")
                desc = reply.get("description")
                return f"{title} ({desc})" if isinstance(desc, str) and desc.strip() else title
        reply = body.get("nfm_reply")
        if isinstance(reply, dict):
            return _flow_text(reply)
        return ""
    if msg_type == "edit":
        inner = body.get("message")
        if isinstance(inner, dict):
            inner_type = inner.get("type")
            if isinstance(inner_type, str) and inner_type != "edit":
                return _message_text(inner, inner_type)
            # Some deliveries omit the inner type: take whichever content object is present.
            for kind in ("text", "image", "video", "document"):
                if isinstance(inner.get(kind), dict):
                    return _message_text(inner, kind)
        return ""
    if msg_type == "order":
        items = body.get("product_items")
        count = len(items) if isinstance(items, list) else 0
        note = body.get("text")
        return f"Pesanan katalog ({count} barang)" + (f": {note}" if isinstance(note, str)
                                                       and note.strip() else "")
    if msg_type == "location":
        parts = [str(body.get(k)) for k in ("name", "address") if body.get(k)]
        return " — ".join(parts)
    return str(body.get("caption") or "")


def _refers_to(msg: dict[str, Any], msg_type: str) -> str | None:
    body = msg.get(msg_type)
    if msg_type in ("edit", "revoke") and isinstance(body, dict):
        original = body.get("original_message_id")
        if isinstance(original, str) and 0 < len(original) <= 255:
            return original
    return None


def _parse_message(msg: Any, where: str, contacts: dict[str, str],
                   phone_number_id: str | None) -> InboundWhatsApp:
    wamid = _need(msg, "id", str, where)
    wa_id = _need(msg, "from", str, where)
    msg_type = _need(msg, "type", str, where)
    if not wamid.strip() or len(wamid) > 255:
        raise PayloadError(f"{where}.id: kosong atau terlalu panjang")
    if not wa_id.strip() or len(wa_id) > 64:
        raise PayloadError(f"{where}.from: kosong atau terlalu panjang")
    if "timestamp" not in msg:
        raise PayloadError(f"{where}.timestamp: wajib ada")
    ts = _timestamp(msg["timestamp"], where)
    if msg_type == "text":
        _need(_need(msg, "text", dict, where), "body", str, f"{where}.text")
    text = _message_text(msg, msg_type)[:MAX_TEXT_CHARS]
    if msg_type in ("edit", "revoke") and _refers_to(msg, msg_type) is None:
        raise PayloadError(f"{where}.{msg_type}.original_message_id: wajib ada")
    return InboundWhatsApp(wamid=wamid, wa_id=wa_id, timestamp=ts, msg_type=msg_type[:32],
                           text=text, name=contacts.get(wa_id), phone_number_id=phone_number_id,
                           raw=msg, refers_to=_refers_to(msg, msg_type))


def _parse_call(call: Any, where: str, contacts: dict[str, str],
                phone_number_id: str | None) -> CallEvent:
    call_id = _need(call, "id", str, where)
    wa_id = _need(call, "from", str, where)
    if not call_id.strip() or len(call_id) > 200 or not wa_id.strip() or len(wa_id) > 64:
        raise PayloadError(f"{where}: id/from kosong atau terlalu panjang")
    event = call.get("event") if isinstance(call.get("event"), str) else "unknown"
    ts = _timestamp(call.get("timestamp", 0), where)
    duration = call.get("duration")
    try:
        duration = int(duration) if duration is not None else None
    except (TypeError, ValueError):
        duration = None
    if duration is not None and not 0 <= duration < 10**7:
        duration = None
    status = call.get("status")
    direction = call.get("direction")
    return CallEvent(call_id=call_id, wa_id=wa_id, event=event[:32], timestamp=ts,
                     status=status[:32] if isinstance(status, str) else None, duration=duration,
                     direction=direction[:32] if isinstance(direction, str) else None,
                     name=contacts.get(wa_id), phone_number_id=phone_number_id, raw=call)


def _parse_status(st: Any, where: str) -> StatusUpdate:
    wamid = _need(st, "id", str, where)
    status = _need(st, "status", str, where)
    ts = _timestamp(st.get("timestamp", 0), where)
    errors = st.get("errors") if isinstance(st.get("errors"), list) else []
    recipient = st.get("recipient_id")
    return StatusUpdate(wamid=wamid, status=status.lower()[:16], timestamp=ts,
                        recipient_id=recipient if isinstance(recipient, str) else None,
                        errors=errors)


def parse_webhook(payload: Any) -> WebhookBatch:
    """Typed contents of a webhook body (already JSON-decoded); ``PayloadError`` on bad shape."""
    if not isinstance(payload, dict):
        raise PayloadError("body: harus berupa objek JSON")
    obj = payload.get("object")
    if obj != "whatsapp_business_account":
        raise PayloadError("object: harus 'whatsapp_business_account'")
    entries = _need(payload, "entry", list, "body")
    batch = WebhookBatch()
    for i, entry in enumerate(entries):
        changes = _need(entry, "changes", list, f"entry[{i}]")
        for j, change in enumerate(changes):
            where = f"entry[{i}].changes[{j}]"
            if not isinstance(change, dict):
                raise PayloadError(f"{where}: harus berupa objek JSON")
            if change.get("field") not in ("messages", "calls"):
                continue  # account and template notifications: not ours to handle
            value = _need(change, "value", dict, where)
            meta = value.get("metadata") if isinstance(value.get("metadata"), dict) else {}
            phone_number_id = meta.get("phone_number_id")
            contacts: dict[str, str] = {}
            for c in value.get("contacts") or []:
                if isinstance(c, dict) and isinstance(c.get("wa_id"), str):
                    profile = c.get("profile") if isinstance(c.get("profile"), dict) else {}
                    name = profile.get("name")
                    if isinstance(name, str):
                        contacts[c["wa_id"]] = name[:200]
            msgs = value.get("messages", [])
            sts = value.get("statuses", [])
            calls = value.get("calls", [])
            if not isinstance(msgs, list) or not isinstance(sts, list) \
                    or not isinstance(calls, list):
                raise PayloadError(f"{where}.value: 'messages'/'statuses'/'calls' harus berupa "
                                   "daftar")
            for k, call in enumerate(calls):
                here = f"{where}.value.calls[{k}]"
                try:
                    batch.calls.append(_parse_call(
                        call, here, contacts,
                        phone_number_id if isinstance(phone_number_id, str) else None))
                except PayloadError as exc:
                    batch.rejected.append(RejectedItem(here, str(exc), _str_or_none(call, "id"),
                                                       _str_or_none(call, "from")))
            for k, msg in enumerate(msgs):
                here = f"{where}.value.messages[{k}]"
                try:
                    batch.messages.append(_parse_message(
                        msg, here, contacts,
                        phone_number_id if isinstance(phone_number_id, str) else None))
                except PayloadError as exc:
                    batch.rejected.append(RejectedItem(here, str(exc), _str_or_none(msg, "id"),
                                                       _str_or_none(msg, "from")))
            for k, st in enumerate(sts):
                here = f"{where}.value.statuses[{k}]"
                try:
                    batch.statuses.append(_parse_status(st, here))
                except PayloadError as exc:
                    batch.rejected.append(RejectedItem(here, str(exc), _str_or_none(st, "id")))
    return batch
