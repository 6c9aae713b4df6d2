"""How the console shows things: Indonesian labels of codes, masked phone numbers, ages,
the 24-hour window, office-local times. Pure functions, registered as Jinja filters."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo

from api.logging import mask_pii

# Short badge labels; the responder's full sentences (reason.message) go in the title.
REASON_LABELS: dict[str, str] = {
    "complaint": "Pengaduan",
    "personal_data": "Data pribadi",
    "low_confidence": "Keyakinan rendah",
    "office_hours": "Jam kerja",
    "off_hours": "Di luar jam kerja",
    "case_status": "Status permohonan",
    "fee_calculation": "Hitung biaya",
    "human_requested": "Minta petugas",
    "out_of_scope": "Di luar layanan",
    "unclear": "Kurang jelas",
    "smalltalk": "Salam",
    "unverified_citation": "Rujukan belum terbukti",
    "revoked_source": "Sumber dicabut/diubah",
    "no_passage": "Tanpa rujukan",
    "llm_failed": "Model bahasa gagal",
    "llm_dont_know": "Model tidak tahu",
    "prompt_injection": "Upaya manipulasi",
    "legal_dispute": "Sengketa hukum",
    "processing_error": "Gagal diproses",
    "attachment": "Ada lampiran",
}
# Reasons that need care before anything is sent (shown in a warning colour).
SERIOUS = {"complaint", "personal_data", "prompt_injection", "legal_dispute", "processing_error",
           "revoked_source", "unverified_citation"}

ACTION_LABELS = {"auto_send": "Kirim otomatis", "queue_for_officer": "Antrean petugas",
                 "handoff": "Diserahkan ke petugas"}
DRAFT_STATUS_LABELS = {"open": "Menunggu", "auto_sent": "Terkirim otomatis",
                       "approved": "Disetujui", "edited": "Disunting", "rejected": "Ditolak",
                       "replied": "Dibalas manual", "withdrawn": "Dihapus pemohon"}
KIND_LABELS = {"regulation": "Peraturan", "sop": "SOP", "faq": "FAQ"}
DOC_STATUS_LABELS = {"berlaku": "Berlaku", "diubah": "Diubah", "dicabut": "Dicabut"}
MESSAGE_STATUS_LABELS = {"pending": "menunggu kirim", "sending": "sedang dikirim",
                         "sent": "terkirim", "delivered": "diterima", "read": "dibaca",
                         "failed": "gagal", "unknown": "tidak pasti", "stored": "tersimpan"}
DECISION_LABELS = {"auto_send": "Dikirim otomatis", "handoff": "Diserahkan ke petugas",
                   "queue_for_officer": "Masuk antrean", "approve": "Disetujui",
                   "edit": "Disunting dan dikirim", "reject": "Ditolak", "reply": "Dibalas manual",
                   "error": "Galat", "withdrawn": "Ditarik (dihapus pemohon)"}
ROLE_LABELS = {"officer": "Petugas", "curator": "Kurator", "admin": "Admin"}


def reason_label(code: str) -> str:
    """Badge text of a reason code."""
    return REASON_LABELS.get(code, code.replace("_", " ").capitalize())


def label(value: Any, table: str) -> str:
    """Indonesian label of a code from one of the tables above (the code when unknown)."""
    tables = {"action": ACTION_LABELS, "draft_status": DRAFT_STATUS_LABELS, "kind": KIND_LABELS,
              "doc_status": DOC_STATUS_LABELS, "message_status": MESSAGE_STATUS_LABELS,
              "role": ROLE_LABELS, "decision": DECISION_LABELS}
    return tables[table].get(str(value), str(value))


def mask_contact(contact: str | None, channel: str = "whatsapp") -> str:
    """A number officers can tell apart without reading it out: "+62 813-****-4567"."""
    c = (contact or "").strip()
    digits = "".join(ch for ch in c if ch.isdigit())
    if channel == "whatsapp" and len(digits) >= 9 and digits == c.lstrip("+"):
        if digits.startswith("62"):
            return f"+62 {digits[2:5]}-****-{digits[-4:]}"
        return f"+{digits[:2]} {digits[2:5]}-****-{digits[-4:]}"
    if len(c) <= 4:
        return "****"
    return f"{c[:2]}****{c[-3:]}"


def first_line(text: str | None, limit: int = 120) -> str:
    """The first non-empty line, shortened to ``limit`` characters."""
    for line in (text or "").splitlines():
        line = line.strip()
        if line:
            return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"
    return ""


def parse_time(value: str | datetime | None) -> datetime | None:
    """An ISO timestamp (as the services return them) as an aware datetime."""
    if value is None or value == "":
        return None
    at = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return at if at.tzinfo else at.replace(tzinfo=timezone.utc)


def local_time(value: str | datetime | None, tz: str, fmt: str = "%d-%m-%Y %H:%M") -> str:
    """A timestamp in the office's time zone."""
    at = parse_time(value)
    return at.astimezone(ZoneInfo(tz)).strftime(fmt) if at else "–"


def duration(seconds: float | None) -> str:
    """A short Indonesian duration: "45 dtk", "12 mnt", "3 j 5 mnt", "2 hr 4 j"."""
    if seconds is None:
        return "–"
    s = max(0, int(seconds))
    if s < 60:
        return f"{s} dtk"
    m = s // 60
    if m < 60:
        return f"{m} mnt"
    h, m = divmod(m, 60)
    if h < 24:
        return f"{h} j {m} mnt" if m else f"{h} j"
    d, h = divmod(h, 24)
    return f"{d} hr {h} j" if h else f"{d} hr"


def age(minutes: float | None) -> str:
    """How long ago, from minutes."""
    return "–" if minutes is None else duration(minutes * 60)


def window_text(window: dict[str, Any] | None) -> str:
    """The WhatsApp 24-hour window: "sisa 23 j 10 mnt", "tertutup" or "–" (other channels)."""
    if not window or not window.get("applies"):
        return "–"
    if not window.get("open"):
        return "tertutup"
    return "sisa " + duration(window.get("remaining_seconds"))


def window_level(window: dict[str, Any] | None) -> str:
    """CSS level of the window badge: ok, warn (under 2 hours), closed, none."""
    if not window or not window.get("applies"):
        return "none"
    if not window.get("open"):
        return "closed"
    return "warn" if (window.get("remaining_seconds") or 0) < 7200 else "ok"


def actor_name(label_: str | None) -> str:
    """An audit actor label ("officer:Budi#3", "system") as people read it."""
    if not label_ or label_ == "system":
        return "Sistem"
    role, _, rest = label_.partition(":")
    if not rest:
        return label_
    name = rest.rsplit("#", 1)[0]
    return f"{name} ({ROLE_LABELS.get(role, role)})"


def percent(value: float | None) -> str:
    """0.734 → "73%"."""
    return "–" if value is None else f"{round(float(value) * 100):d}%"


def install(env: Any) -> None:
    """Register the filters on a Jinja environment."""
    env.filters.update({
        "reason_label": reason_label, "label": label, "mask_contact": mask_contact,
        "first_line": first_line, "duration": duration, "age": age,
        "window_text": window_text, "window_level": window_level, "percent": percent,
        "actor_name": actor_name, "local_time": local_time,
        # Lists (queue previews, curators' pages) never show NIK, NPWP, phone or e-mail.
        "mask_pii": mask_pii,
    })
    env.globals["SERIOUS"] = SERIOUS
