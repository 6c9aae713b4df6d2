"""How the console shows things: Indonesian labels of codes, masked phone numbers, ages,
the 24-hour window, office-local times. Pure functions, registered as Jinja filters."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo

from api.masking import kind_labels, mask_pii

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
    "below_auto_threshold": "Belum cukup yakin untuk kirim otomatis",
    "llm_citation_invalid": "Rujukan model tidak sah",
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
              "role": ROLE_LABELS, "decision": DECISION_LABELS,
              "drafter": _DETAIL_VALUE_LABELS["drafter"]}
    return tables[table].get(str(value), str(value))


def mask_contact(contact: str | None, channel: str = "whatsapp") -> str:
    """A number officers can tell apart without reading it out: "+62 813-****-4567"."""
    c = (contact or "").strip()
    if c.startswith("dihapus-"):  # erased or past retention (api/services/scrub.py)
        return "(data pemohon dihapus)"
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


# The one date format of the console (and the CLI): day-month-year, 24-hour clock.
DATE_TIME = "%d-%m-%Y %H:%M"


def local_time(value: str | datetime | None, tz: str, fmt: str = DATE_TIME) -> str:
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
    if label_ == "whatsapp":
        return "WhatsApp"
    role, _, rest = label_.partition(":")
    if not rest:
        return label_
    if role == "cli":
        return f"{rest} (baris perintah server)"
    name = rest.rsplit("#", 1)[0]
    return f"{name} ({ROLE_LABELS.get(role, role)})"


# What each audit action means, in the officer's words. Families of actions with a variable
# tail (decision.<action>, call.<event>, message.<type>_unmatched) are labelled by prefix.
AUDIT_ACTION_LABELS: dict[str, str] = {
    "auth.bootstrap_admin": "Kunci admin pertama dibuat",
    "admin.create_key": "Kunci API dibuat",
    "admin.revoke_key": "Kunci API dicabut",
    "web.login": "Masuk konsol",
    "web.logout": "Keluar konsol",
    "officer.approve": "Draf disetujui dan dikirim",
    "officer.edit": "Draf disunting dan dikirim",
    "officer.reject": "Draf ditolak",
    "officer.reply": "Balasan manual dikirim",
    "officer.claim": "Percakapan diambil alih",
    "officer.release": "Percakapan dilepas",
    "kb.upload": "Dokumen diunggah",
    "kb.remove": "Dokumen dihapus",
    "kb.set_status": "Status dokumen diubah",
    "kb.save_answer": "Jawaban tertinjau disimpan",
    "kb.promote_edit": "Suntingan petugas dijadikan jawaban tertinjau",
    "message.received": "Pesan masuk diterima",
    "message.rejected": "Pesan masuk ditolak",
    "message.rate_limited": "Pesan melewati batas kiriman",
    "message.unsupported": "Jenis pesan tidak didukung",
    "message.edited": "Pesan disunting pemohon",
    "message.edit_after_answer": "Pesan disunting setelah dijawab",
    "message.revoked": "Pesan dihapus pemohon",
    "message.status": "Status kiriman diperbarui",
    "message.unknown_settled": "Kiriman tak pasti dipastikan",
    "message.failed": "Pesan gagal diproses",
    "message.retry": "Pesan diproses ulang",
    "message.requeued": "Pesan dikembalikan ke antrean proses",
    "send.intent": "Pengiriman dimulai",
    "send.attempt": "Percobaan kirim",
    "send.sent": "Terkirim",
    "send.failed": "Gagal dikirim",
    "send.refused": "Pengiriman ditolak",
    "send.interrupted": "Pengiriman terputus",
    "privacy.erase": "Data pemohon dihapus (permintaan penghapusan)",
    "privacy.retention": "Data lama dianonimkan (masa simpan)",
}
AUDIT_PREFIX_LABELS: dict[str, str] = {
    "decision.": "Keputusan draf", "call.": "Panggilan WhatsApp", "message.": "Pesan",
    "send.": "Pengiriman", "officer.": "Tindakan petugas", "kb.": "Basis pengetahuan",
    "admin.": "Admin", "web.": "Konsol", "auth.": "Autentikasi", "privacy.": "Privasi",
}
# Detail keys as people read them; keys not listed keep their own name.
AUDIT_DETAIL_KEYS: dict[str, str] = {
    "name": "nama", "role": "peran", "via": "lewat", "source": "asal", "confidence": "keyakinan",
    "reasons": "alasan", "reason": "alasan", "drafter": "penyusun", "message_id": "pesan",
    "draft_id": "draf", "status": "status", "error": "galat", "errors": "galat",
    "note": "catatan", "chunks": "potongan", "outcome": "hasil", "file": "berkas",
    "replaced_by": "diganti oleh", "previous": "sebelumnya", "attempt": "percobaan ke",
    "attempts": "percobaan", "channel": "kanal", "type": "jenis", "question": "pertanyaan",
    "answer": "jawaban", "sent_text": "teks terkirim", "final_text": "teks akhir",
    "original_text": "teks asli", "original": "asli", "redraft": "draf ulang",
    "holding_suppressed": "balasan tunggu ditahan", "forced": "dipaksa", "duration": "durasi",
    "bytes": "ukuran (bita)", "to": "kepada", "from": "dari", "by": "oleh",
    "previous_owner": "pemegang sebelumnya", "previous_claim": "klaim sebelumnya",
    "outbound_message_id": "pesan keluar", "external_id": "id eksternal", "wamid": "wamid",
    "chars": "karakter", "removed": "dihapus", "applied": "diterapkan", "created": "dibuat",
    "direction": "arah", "transport": "transport", "replied": "dibalas", "notice": "pemberitahuan",
    "draft_withdrawn": "draf ditarik", "variants": "varian", "sources": "sumber", "where": "di",
    "send_key": "kunci kirim", "at": "waktu",
    "redacted": "isi dihapus karena", "ref": "entri penghapusan", "masked": "disamarkan",
    "conversation_ids": "percakapan", "messages": "pesan", "drafts": "draf",
    "decisions": "keputusan", "conversations": "kontak", "reviewed_answers": "jawaban tertinjau",
    "retention_days": "masa simpan (hari)", "cutoff": "batas waktu",
}
_DETAIL_VALUE_LABELS = {
    "via": {"cli": "baris perintah server"},
    "source": {"generated": "dibuat otomatis", "settings": "dari pengaturan"},
    "drafter": {"extractive": "kutipan otomatis (tanpa LLM)", "llm": "model bahasa (LLM)",
                "reviewed": "jawaban tertinjau"},
    "type": {"text": "teks", "image": "gambar", "document": "dokumen", "audio": "suara",
             "video": "video", "sticker": "stiker", "location": "lokasi",
             "interactive": "pilihan interaktif", "button": "tombol"},
    "transport": {"stored": "disimpan untuk kanal umum", "graph": "WhatsApp"},
    "redacted": {"erasure": "penghapusan data pemohon", "retention": "masa simpan habis"},
    "outcome": {"added": "ditambahkan", "replaced": "diganti", "unchanged": "tidak berubah",
                "failed": "gagal"},
}


AUDIT_TARGET_LABELS = {"api_key": "kunci API", "document": "dokumen", "draft": "draf",
                       "message": "pesan", "conversation": "percakapan", "system": "sistem",
                       "reviewed_answer": "jawaban tertinjau"}


def audit_target(target_type: str | None, target_id: str | None) -> str:
    """"draft 12" → "draf 12"."""
    if not target_type:
        return target_id or ""
    name = AUDIT_TARGET_LABELS.get(target_type, target_type.replace("_", " "))
    return f"{name} {target_id}" if target_id else name


def audit_action(action: str | None) -> str:
    """An audit action code as people read it ("officer.approve" → "Draf disetujui ...")."""
    if not action:
        return "–"
    if action in AUDIT_ACTION_LABELS:
        return AUDIT_ACTION_LABELS[action]
    if action.startswith("decision."):
        return f"Keputusan draf: {DECISION_LABELS.get(action[9:], action[9:])}"
    for prefix, text in AUDIT_PREFIX_LABELS.items():
        if action.startswith(prefix):
            return f"{text}: {action[len(prefix):].replace('_', ' ')}"
    return action


def _detail_value(key: str, value: Any) -> str:
    if isinstance(value, bool):
        return "ya" if value else "tidak"
    if key == "confidence" and isinstance(value, (int, float)):
        return percent(value)
    if key == "role" and isinstance(value, str):
        return ROLE_LABELS.get(value, value)
    if key == "masked" and isinstance(value, list):
        return ", ".join(kind_labels(str(v) for v in value)) or "–"
    if key in ("reasons", "reason"):
        codes = value if isinstance(value, list) else [value]
        return ", ".join(reason_label(str(c)) for c in codes) or "–"
    if isinstance(value, list):
        return ", ".join(_detail_value(key, v) for v in value) or "–"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_detail_value(k, v)}" for k, v in value.items())
    text = str(value)
    text = _DETAIL_VALUE_LABELS.get(key, {}).get(text, text)
    if key == "status":
        text = MESSAGE_STATUS_LABELS.get(text, DOC_STATUS_LABELS.get(text, text))
    text = mask_pii(text)  # the audit page is read over shoulders too: no NIK, phone, e-mail
    return text if len(text) <= 160 else text[:157] + "…"


def audit_detail(detail: dict[str, Any] | None) -> list[tuple[str, str]]:
    """An audit entry's detail as (label, value) rows; empty values are left out."""
    rows = []
    for key, value in (detail or {}).items():
        if value is None or value == "" or value == [] or value == {}:
            continue
        rows.append((AUDIT_DETAIL_KEYS.get(key, key.replace("_", " ")), _detail_value(key, value)))
    return rows


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
        "audit_action": audit_action, "audit_detail": audit_detail, "audit_target": audit_target,
        # Lists (queue previews, curators' pages) never show NIK, NPWP, phone or e-mail.
        "mask_pii": mask_pii,
    })
    env.globals["SERIOUS"] = SERIOUS
