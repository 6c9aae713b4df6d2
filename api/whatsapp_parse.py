"""Parse a WhatsApp Cloud API webhook envelope into typed inbound messages and status updates.

The envelope (object, entry, changes) is validated before anything is stored: a body that is
not a WhatsApp envelope is a 400. A malformed *message or status* inside a valid envelope is
rejected on its own (recorded in the audit log) while the rest of the batch is stored: the
platform redelivers a refused POST for days, so one bad item must never block its neighbours.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

# Types whose content is text we can answer; "button" and "interactive" carry the label the
# applicant tapped.
TEXT_TYPES = {"text", "button", "interactive"}
# Stored but never answered: a reaction is not a question, a system notice is not from a person.
SILENT_TYPES = {"reaction", "system", "ephemeral"}

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

    @property
    def answerable(self) -> bool:
        """True when the message is text the responder can answer."""
        return self.msg_type in TEXT_TYPES and bool(self.text.strip())


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


def _message_text(msg: dict[str, Any], msg_type: str) -> str:
    """The text of a message, whatever its type (captions for media)."""
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
                return str(reply.get("title") or "")
        return ""
    return str(body.get("caption") or "")


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
    return InboundWhatsApp(wamid=wamid, wa_id=wa_id, timestamp=ts, msg_type=msg_type[:32],
                           text=text, name=contacts.get(wa_id), phone_number_id=phone_number_id,
                           raw=msg)


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
            if change.get("field") != "messages":
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
            if not isinstance(msgs, list) or not isinstance(sts, list):
                raise PayloadError(f"{where}.value: 'messages'/'statuses' harus berupa daftar")
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
