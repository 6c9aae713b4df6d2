"""Fixed Indonesian texts: small-talk replies, holding replies on handoff, reason sentences for officers.

Texts are built from settings (office name, hours, time zone) so another regency changes
configuration, not code. Holding replies never quote the applicant's message, so personal data
sent by the applicant is never echoed back.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time

from lantunan.settings import Settings
from responder.models import Reason
from responder.normalize import Normalised
from responder.office_hours import closing_time, is_office_hours, next_opening
from responder.social import analyse_social

# One sentence per reason code, shown to officers beside the draft.
REASON_MESSAGES: dict[str, str] = {
    "prompt_injection": (
        "Pesan berisi upaya memanipulasi asisten (perintah mengabaikan instruksi, meminta prompt "
        "sistem, atau mengubah peran); jangan ditindaklanjuti sebagai pertanyaan biasa."
    ),
    "personal_data": (
        "Pesan memuat data pribadi (NIK, NPWP, nomor telepon, atau email); tangani oleh petugas "
        "dan jangan teruskan data ini kepada pihak lain."
    ),
    "legal_dispute": (
        "Pesan menyangkut sengketa atau perkara hukum (gugatan, laporan polisi, klaim atas lahan "
        "atau penyalahgunaan dokumen usaha); perlu penanganan petugas."
    ),
    "complaint": (
        "Pesan berisi pengaduan atas pelayanan (pungutan di luar ketentuan, perilaku petugas, "
        "keterlambatan, atau gangguan OSS); sesuai SOP Pengaduan, catat di register pengaduan dan "
        "teruskan ke Bidang Pengaduan."
    ),
    "case_status": (
        "Pemohon menanyakan status permohonan tertentu; perlu pemeriksaan data di OSS oleh petugas."
    ),
    "fee_calculation": (
        "Pemohon meminta perhitungan besaran retribusi atau biaya untuk bangunan/kasusnya sendiri; "
        "perhitungan memerlukan dokumen teknis dan dilakukan petugas."
    ),
    "human_requested": "Pemohon meminta dilayani langsung oleh petugas.",
    "out_of_scope": (
        "Pertanyaan di luar layanan perizinan berusaha; arahkan pemohon ke instansi yang berwenang."
    ),
    "unclear": (
        "Pesan terlalu singkat atau merujuk percakapan sebelumnya tanpa isi yang jelas; minta "
        "pemohon menjelaskan kebutuhannya."
    ),
    "smalltalk": "Pesan hanya berisi salam atau ucapan terima kasih; dibalas otomatis.",
    "low_confidence": (
        "Keyakinan atas jawaban otomatis rendah; periksa dan lengkapi jawaban sebelum dikirim."
    ),
    "unverified_citation": (
        "Ada rujukan dalam draf yang tidak terbukti didukung oleh sumber yang dikutip; periksa "
        "rujukannya sebelum dikirim."
    ),
    "revoked_source": (
        "Draf merujuk peraturan yang sudah dicabut atau diubah; pastikan jawaban memakai "
        "peraturan yang berlaku."
    ),
    "no_passage": (
        "Tidak ditemukan rujukan yang relevan di basis pengetahuan; jawaban perlu disusun petugas."
    ),
    "llm_failed": (
        "Model bahasa gagal menyusun draf (tidak tersedia atau galat); jawaban perlu disusun petugas."
    ),
    "llm_dont_know": (
        "Model bahasa menyatakan rujukan yang ditemukan tidak cukup untuk menjawab; draf disusun "
        "dari kutipan sumber dan perlu diperiksa petugas."
    ),
    "llm_citation_invalid": (
        "Draf model bahasa merujuk sumber yang tidak ada di antara rujukan yang diberikan; draf "
        "itu dibuang dan diganti kutipan sumber."
    ),
    "below_auto_threshold": (
        "Keyakinan bahwa draf memuat semua yang ditanyakan belum cukup untuk dikirim otomatis; "
        "draf menunggu pemeriksaan petugas."
    ),
    "unsupported_detail": (
        "Draf memuat angka, tautan, kontak, nomor rekening atau perintah pembayaran yang tidak "
        "ada di sumber yang dikutip; periksa sebelum dikirim."
    ),
    "office_hours": (
        "Pesan diterima pada jam kerja; draf menunggu persetujuan petugas sebelum dikirim."
    ),
}

# Extra sentence for the applicant, by the first reason of a handoff.
APPLICANT_NOTES: dict[str, str] = {
    "personal_data": (
        "Demi keamanan, mohon tidak mengirimkan data pribadi seperti NIK, NPWP, atau nomor "
        "telepon melalui pesan ini kecuali diminta petugas."
    ),
    "complaint": "Pengaduan Anda akan dicatat dan ditangani oleh petugas bidang pengaduan.",
    "case_status": "Pengecekan status permohonan memerlukan pemeriksaan data di OSS oleh petugas.",
    "fee_calculation": (
        "Besaran retribusi dihitung petugas berdasarkan dokumen teknis bangunan Anda."
    ),
    "human_requested": "Petugas kami akan melayani Anda secara langsung.",
    "out_of_scope": (
        "Layanan ini khusus untuk perizinan berusaha; petugas akan membantu mengarahkan Anda ke "
        "instansi yang tepat."
    ),
    "unclear": (
        "Agar kami dapat membantu, mohon jelaskan pertanyaan Anda lebih rinci, misalnya jenis "
        "izin atau usaha yang dimaksud."
    ),
    "legal_dispute": (
        "Persoalan yang menyangkut sengketa atau perkara hukum perlu ditangani langsung oleh petugas."
    ),
}

DAY_NAMES = ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"]
MONTH_NAMES = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
               "September", "Oktober", "November", "Desember"]
_ZONE_NAMES = {"Asia/Makassar": "WITA", "Asia/Jakarta": "WIB", "Asia/Pontianak": "WIB",
               "Asia/Jayapura": "WIT"}


def reason(code: str) -> Reason:
    """A Reason with its officer sentence (unknown codes get a generic sentence)."""
    return Reason(code=code, message=REASON_MESSAGES.get(code, f"Perlu ditangani petugas ({code})."))


def zone_name(settings: Settings) -> str:
    """Indonesian name of the office time zone ("WITA"), or the IANA name."""
    return _ZONE_NAMES.get(settings.timezone, settings.timezone)


def _clock(t: time) -> str:
    return f"{t.hour:02d}.{t.minute:02d}"


def format_office_hours(settings: Settings) -> str:
    """Office hours as Indonesian text: "Senin–Kamis pukul 08.00–16.00 WITA dan Jumat ..."."""
    groups: list[tuple[int, int, tuple[time, time]]] = []
    for day in sorted(settings.office_hours):
        hours = settings.office_hours[day]
        if groups and groups[-1][2] == hours and groups[-1][1] == day - 1:
            groups[-1] = (groups[-1][0], day, hours)
        else:
            groups.append((day, day, hours))
    zone = zone_name(settings)
    parts = []
    for first, last, (opens, closes) in groups:
        days = DAY_NAMES[first] if first == last else f"{DAY_NAMES[first]}–{DAY_NAMES[last]}"
        parts.append(f"{days} pukul {_clock(opens)}–{_clock(closes)} {zone}")
    if not parts:
        return "sesuai pengumuman kantor"
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " dan " + parts[-1]


def format_moment(dt: datetime, settings: Settings) -> str:
    """A moment as Indonesian text: "Senin, 5 Januari 2026, pukul 08.00 WITA"."""
    return (f"{DAY_NAMES[dt.weekday()]}, {dt.day} {MONTH_NAMES[dt.month - 1]} {dt.year}, "
            f"pukul {_clock(dt.time())} {zone_name(settings)}")


def _service_sentence(settings: Settings) -> str:
    return (f"Ini layanan berbantuan perizinan berusaha {settings.office_name} melalui WhatsApp, "
            f"yang buka 24 jam setiap hari, termasuk Sabtu, Minggu, dan hari libur. Layanan tatap "
            f"muka di kantor: {format_office_hours(settings)}.")


def smalltalk_reply(n: Normalised, settings: Settings) -> str:
    """Answer a greeting or thanks in kind, naming the service and its hours."""
    social = analyse_social(n)
    opening: list[str] = []
    if social.salam:
        opening.append("Waalaikumsalam warahmatullahi wabarakatuh.")
    if social.time_greeting:
        opening.append(f"Selamat {social.time_greeting}.")
    elif social.greeting and not social.salam:
        opening.append("Halo.")
    if social.thanks:
        opening.append("Sama-sama, senang dapat membantu.")
    if not opening and not social.ask_intent:
        opening.append("Baik, terima kasih.")
    if social.thanks or social.farewell:
        invite = ("Bila masih ada pertanyaan tentang perizinan berusaha, silakan sampaikan "
                  "kapan saja.")
    else:
        invite = ("Silakan sampaikan pertanyaan Anda tentang perizinan berusaha (NIB, OSS, KBLI, "
                  "KKPR, PBG/SLF, persetujuan lingkungan, LKPM, dan lainnya).")
    if social.ask_intent and not social.thanks:
        # The applicant announced a question: invite it first, then name the service.
        return " ".join(opening + [invite, _service_sentence(settings)])
    return " ".join(opening + [_service_sentence(settings), invite])


def holding_reply(reasons: Sequence[Reason], received_at: datetime, settings: Settings) -> str:
    """Courteous holding reply on handoff, saying when an officer will answer."""
    parts = ["Terima kasih, pesan Anda sudah kami terima."]
    for r in reasons:
        note = APPLICANT_NOTES.get(r.code)
        if note:
            parts.append(note)
            break
    if is_office_hours(received_at, settings):
        closes = closing_time(received_at, settings)
        until = (f" (layanan kantor hari ini sampai pukul {_clock(closes.time())} "
                 f"{zone_name(settings)})" if closes else "")
        parts.append(f"Pertanyaan Anda kami teruskan ke petugas {settings.office_name} dan akan "
                     f"ditanggapi secepatnya pada jam kerja{until}.")
    else:
        opening = next_opening(received_at, settings)
        parts.append(f"Pertanyaan Anda kami teruskan ke petugas {settings.office_name} dan akan "
                     f"dijawab paling lambat jam kerja berikutnya "
                     f"({format_moment(opening, settings)}).")
    return " ".join(parts)
