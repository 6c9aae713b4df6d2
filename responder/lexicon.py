"""Word lists for normalising applicants' chat Indonesian, Banjar and English.

Pure data: :mod:`responder.normalize` applies the maps, :mod:`responder.social` reads the
greeting sets (to answer a salam in kind). The decision whether to answer or hand off is
learned (responder.judge), not read from these lists. Keys are lower-case tokens as the tokenizer yields them (letters, digits, inner hyphens).
An empty replacement drops the token (question particles that carry no meaning for search).
"""

from __future__ import annotations

# --- chat abbreviations and informal Indonesian ---------------------------------------------------
SLANG: dict[str, str] = {
    # question words
    "gmn": "bagaimana", "gmna": "bagaimana", "gimana": "bagaimana", "gmana": "bagaimana",
    "bgmn": "bagaimana", "bgmana": "bagaimana", "gimna": "bagaimana",
    "brp": "berapa", "brapa": "berapa", "brpa": "berapa", "berapaan": "berapa",
    "knp": "kenapa", "napa": "kenapa", "knapa": "kenapa",
    "kpn": "kapan", "dmn": "di mana", "dmana": "di mana", "dimana": "di mana",
    "kmn": "ke mana", "kemana": "ke mana", "kmana": "ke mana", "sapa": "siapa",
    "apaan": "apa",
    # pronouns and address
    "sy": "saya", "sya": "saya", "gue": "saya", "gw": "saya", "gua": "saya", "aq": "saya",
    "km": "kamu", "lu": "kamu", "lo": "kamu", "kmi": "kami", "kt": "kita",
    "bpk": "bapak", "ibuk": "ibu", "min": "admin", "mimin": "admin", "minn": "admin",
    # negation and aspect
    "ga": "tidak", "gak": "tidak", "gk": "tidak", "nggak": "tidak", "ngga": "tidak",
    "ngak": "tidak", "enggak": "tidak", "engga": "tidak", "ndak": "tidak", "nda": "tidak",
    "tdk": "tidak", "tak": "tidak", "kagak": "tidak", "gx": "tidak",
    "udh": "sudah", "udah": "sudah", "sdh": "sudah", "dah": "sudah", "sudh": "sudah",
    "blm": "belum", "belom": "belum", "blum": "belum", "lom": "belum",
    "msh": "masih", "masi": "masih", "lg": "lagi", "lgi": "lagi",
    # connectives and prepositions
    "yg": "yang", "dgn": "dengan", "dg": "dengan", "utk": "untuk", "untk": "untuk",
    "dr": "dari", "dri": "dari", "tp": "tapi", "tpi": "tapi", "krn": "karena",
    "karna": "karena", "krna": "karena", "kalo": "kalau", "klo": "kalau", "klw": "kalau",
    "kl": "kalau", "trs": "terus", "trus": "terus", "truss": "terus", "sm": "sama",
    "ama": "sama", "pdhl": "padahal", "sblm": "sebelum", "stlh": "setelah",
    "sdgkan": "sedangkan", "jd": "jadi", "jdi": "jadi", "spy": "supaya", "biar": "supaya",
    "kyk": "seperti", "kayak": "seperti", "kek": "seperti", "kaya'": "seperti",
    "dll": "dan lain-lain", "dsb": "dan sebagainya", "tsb": "tersebut",
    # adverbs and particles
    "bgt": "sekali", "banget": "sekali", "bngt": "sekali", "skrg": "sekarang",
    "skrng": "sekarang", "skr": "sekarang", "hrs": "harus", "hrus": "harus",
    "jg": "juga", "jga": "juga", "aja": "saja", "ajah": "saja", "aj": "saja",
    "doang": "saja", "emg": "memang", "emang": "memang", "bnyk": "banyak",
    "cuman": "cuma", "gitu": "begitu", "gt": "begitu", "gini": "begini",
    "sampe": "sampai", "nyampe": "sampai", "nyampai": "sampai", "smua": "semua",
    "sdikit": "sedikit", "bener": "benar", "beneran": "benar", "tlg": "tolong",
    "tolongin": "tolong", "mhn": "mohon", "bs": "bisa", "bsa": "bisa", "bisa2": "bisa",
    # verbs
    "mo": "mau", "mw": "mau", "pengen": "ingin", "pgn": "ingin", "pingin": "ingin",
    "pengin": "ingin", "bikin": "buat", "bkin": "buat", "ngurus": "mengurus",
    "ngurusin": "mengurus", "urusin": "mengurus", "daftarin": "mendaftarkan",
    "ngajuin": "mengajukan", "dapet": "dapat", "dpt": "dapat", "liat": "lihat",
    "nanya": "bertanya", "nanyain": "menanyakan", "nunggu": "menunggu",
    "ngecek": "mengecek", "bayarin": "membayar", "pinjem": "pinjam",
    "ngasih": "memberi", "kasi": "kasih", "tau": "tahu", "ngerti": "mengerti",
    "nyiapin": "menyiapkan", "siapin": "menyiapkan", "ganti2": "ganti",
    # nouns and units
    "org": "orang", "bln": "bulan", "thn": "tahun", "taun": "tahun", "th": "tahun",
    "hr": "hari", "mgg": "minggu", "jt": "juta", "rb": "ribu", "rbu": "ribu",
    "no": "nomor", "nmr": "nomor", "nomer": "nomor", "duit": "uang", "jaman": "zaman",
    "semalem": "semalam", "kemaren": "kemarin", "kmrn": "kemarin", "kmarin": "kemarin",
    "ijin": "izin", "perijinan": "perizinan", "ijinnya": "izinnya", "kantornya": "kantornya",
    "infonya": "infonya", "info2": "info", "sertifikat2": "sertifikat",
    # thanks and acknowledgement
    "makasih": "terima kasih", "makasi": "terima kasih", "mksh": "terima kasih",
    "mks": "terima kasih", "trims": "terima kasih", "trimakasih": "terima kasih",
    "terimakasih": "terima kasih", "trmksh": "terima kasih", "tks": "terima kasih",
    "tq": "terima kasih", "thx": "terima kasih", "ok": "oke", "okay": "oke", "okey": "oke",
    "okeh": "oke", "okee": "oke", "okk": "oke", "sip": "sip", "siapp": "siap",
    # greetings
    "assalamu'alaikum": "assalamualaikum", "assalamu’alaikum": "assalamualaikum",
    "asalamualaikum": "assalamualaikum", "assalamualaikom": "assalamualaikum",
    "aslmkm": "assalamualaikum", "ass": "assalamualaikum", "askum": "assalamualaikum",
    "assalamu": "assalamualaikum", "samlekom": "assalamualaikum",
    "hallo": "halo", "hello": "halo", "helo": "halo", "hai": "halo", "hi": "halo",
    "hii": "halo", "hy": "halo", "met": "selamat", "slmt": "selamat",
    "wassalamu'alaikum": "wassalamualaikum",
}

# Banjar (Kalimantan Selatan) function words; Balangan applicants write them often.
BANJAR: dict[str, str] = {
    "ulun": "saya", "unda": "saya", "aku": "saya", "pian": "anda", "ikam": "kamu",
    "kada": "tidak", "kadada": "tidak ada", "handak": "ingin", "hakun": "mau",
    "haja": "saja", "ja": "saja", "lawan": "dan", "jua": "juga", "gin": "juga",
    "gawi": "buat", "begawi": "bekerja", "bagawi": "bekerja",
    "betakun": "bertanya", "batakun": "bertanya", "takun": "tanya",
    "asa": "satu", "musti": "harus", "mesti": "harus", "jar": "kata", "jarnya": "katanya",
    "bubuhan": "kelompok", "papadaan": "sesama", "kawa": "bisa", "kaina": "nanti",
    "hanyar": "baru", "bahari": "dulu", "dimapa": "bagaimana", "kayapa": "bagaimana",
    "kaya apa": "bagaimana", "barapa": "berapa", "berapakah": "berapa", "beapa": "berapa",
    "padah": "beri tahu", "bepadah": "memberi tahu", "ngaran": "nama", "ngarannya": "namanya",
    "wayah": "waktu", "tarima": "terima", "mambayar": "membayar", "bapander": "berbicara",
    "pander": "bicara", "rancak": "sering", "urang": "orang", "lawas": "lama", "lakas": "cepat",
    "wahini": "sekarang", "banar": "benar", "ganal": "besar", "baisi": "punya", "lamun": "kalau",
    "amun": "kalau", "balum": "belum", "kanapa": "kenapa", "bulik": "pulang", "tulak": "pergi",
    "sidin": "beliau", "inya": "dia", "buhan": "mereka",
    "kah": "", "pang": "", "am": "",
}

# Multi-word expressions matched on raw tokens before single tokens (longest first).
PHRASES: dict[str, str] = {
    "kaya apa": "bagaimana", "kayak apa": "bagaimana", "kaya itu": "seperti itu",
    "wayah ini": "sekarang", "izin tanya": "permisi bertanya", "ijin tanya": "permisi bertanya",
    "izin bertanya": "permisi bertanya", "ijin bertanya": "permisi bertanya",
    "izin nanya": "permisi bertanya", "ijin nanya": "permisi bertanya",
    "wr wb": "warahmatullahi wabarakatuh", "wr. wb": "warahmatullahi wabarakatuh",
    "terima kasih": "terima kasih", "trima kasih": "terima kasih",
    "makasih banyak": "terima kasih banyak",
    "met pagi": "selamat pagi", "met siang": "selamat siang", "met sore": "selamat sore",
    "met malam": "selamat malam",
    # English licensing phrases (applied whatever the language of the message)
    "business identification number": "nib", "business id number": "nib",
    "business license": "izin usaha", "business licence": "izin usaha",
    "business licenses": "izin usaha", "business licences": "izin usaha",
    "business permit": "izin usaha", "building approval": "pbg", "building permit": "pbg",
    "building permits": "pbg", "certificate of occupancy": "slf",
    "certificate of worthiness": "slf", "worthiness certificate": "slf",
    "functional worthiness": "slf", "office hours": "jam layanan", "opening hours": "jam layanan",
    "working hours": "jam kerja", "business hours": "jam layanan", "working days": "hari kerja",
    "working day": "hari kerja", "environmental approval": "persetujuan lingkungan",
    "environmental permit": "persetujuan lingkungan", "environmental impact assessment": "amdal",
    "land use": "pemanfaatan ruang", "spatial use": "pemanfaatan ruang",
    "location permit": "kkpr", "spatial planning": "tata ruang",
    "standard certificate": "sertifikat standar", "investment activity report": "lkpm",
    "tax id": "npwp", "tax number": "npwp", "taxpayer identification number": "npwp",
    "foreign investment": "penanaman modal asing", "foreign company": "perusahaan asing",
    "domestic investment": "penanaman modal dalam negeri",
    "importer identification": "angka pengenal importir",
    "low risk": "risiko rendah", "high risk": "risiko tinggi",
    "medium-low risk": "risiko menengah rendah", "medium-high risk": "risiko menengah tinggi",
    "medium low": "menengah rendah", "medium high": "menengah tinggi",
    "medium-low": "menengah rendah", "medium-high": "menengah tinggi",
    "how long": "berapa lama", "how much": "berapa biaya", "how many": "berapa",
    "sole proprietor": "perseorangan", "small business": "usaha kecil",
    "micro business": "usaha mikro",
}

# English licensing words: unambiguous, so mapped in every message.
ENGLISH_TERMS: dict[str, str] = {
    "license": "izin", "licence": "izin", "licenses": "izin", "licences": "izin",
    "licensing": "perizinan", "permit": "izin", "permits": "izin", "fee": "biaya",
    "fees": "biaya", "levy": "retribusi", "levies": "retribusi", "complaint": "pengaduan",
    "complaints": "pengaduan", "requirement": "persyaratan", "requirements": "persyaratan",
    "registration": "pendaftaran", "investment": "investasi", "approval": "persetujuan",
    "certificate": "sertifikat", "environmental": "lingkungan",
    "sanction": "sanksi", "sanctions": "sanksi",
    "revoked": "dicabut", "whatsapp": "whatsapp",
}

# General English words, mapped only when the message as a whole is English.
ENGLISH_GENERAL: dict[str, str] = {
    "cost": "biaya", "costs": "biaya", "charge": "biaya", "charges": "biaya", "price": "harga",
    "risk": "risiko", "business": "usaha", "company": "perusahaan", "register": "daftar",
    "document": "dokumen", "documents": "dokumen", "office": "kantor", "day": "hari",
    "days": "hari", "monday": "senin", "tuesday": "selasa", "wednesday": "rabu",
    "thursday": "kamis", "friday": "jumat", "saturday": "sabtu", "sunday": "minggu",
    "open": "buka", "closed": "tutup", "building": "bangunan", "construction": "pembangunan",
    "location": "lokasi", "environment": "lingkungan", "standard": "standar",
    "valid": "berlaku", "validity": "masa berlaku", "expire": "berlaku", "expires": "berlaku",
    "required": "wajib", "mandatory": "wajib", "minimum": "minimal", "maximum": "maksimal",
    "value": "nilai", "processing": "pengolahan", "issued": "terbit", "start": "mulai",
    "operating": "beroperasi", "operate": "beroperasi", "before": "sebelum", "after": "setelah",
    "where": "di mana", "when": "kapan", "who": "siapa", "why": "mengapa", "how": "bagaimana",
    "small": "kecil", "micro": "mikro", "medium": "menengah", "large": "besar",
    "service": "layanan", "officer": "petugas", "application": "permohonan", "apply": "mengajukan",
    "revoke": "cabut", "renew": "perpanjang", "extend": "perpanjang", "report": "laporan",
    "shop": "toko", "warehouse": "gudang", "factory": "pabrik", "land": "lahan", "free": "gratis",
    "tax": "pajak", "need": "perlu", "needed": "perlu", "requirement": "persyaratan",
}

# Function words whose share marks a message as English.
ENGLISH_MARKERS: frozenset[str] = frozenset(
    "the a an is are am was were be been i we you my our your it this that these those do does "
    "did can could would should will what which how when where who why please and or of to for "
    "in on at with from by about need want have has my me us there right".split()
)

# --- domain terms (default spelling-repair vocabulary) ----------------------------------------
DOMAIN_TERMS: frozenset[str] = frozenset({
    "nib", "oss", "rba", "kbli", "pbg", "slf", "kkpr", "pkkpr", "sppl", "ukl-upl", "ukl", "upl",
    "amdal", "andal", "lkpm", "npwp", "umku", "imb", "rdtr", "rtrw", "simbg", "pnbp", "dpmptsp",
    "dpmptsptk", "siup", "tdp", "pma", "pmdn", "umk", "umkm", "bpjs", "sni", "halal", "ahu",
    "retribusi", "perizinan", "izin", "persetujuan", "lingkungan", "sertifikat", "standar",
    "berusaha", "pelayanan", "pengaduan", "verifikasi", "notifikasi", "kesesuaian",
    "pemanfaatan", "ruang", "bangunan", "gedung", "laik", "fungsi", "penanaman", "modal",
    "investasi", "risiko", "menengah", "rendah", "tinggi", "mikro", "kecil", "pernyataan",
    "mandiri", "komitmen", "pelaku", "usaha", "balangan", "paringin", "whatsapp", "maklumat",
    "ombudsman", "perseorangan", "persyaratan", "pendaftaran", "permohonan", "penerbitan",
    "rekomendasi", "kegiatan", "lokasi", "koordinat", "polygon", "akta", "notaris", "kbli",
    "pengawasan", "sanksi", "pencabutan", "pembekuan", "importir", "kawasan", "industri",
})

# --- word classes the normaliser knows (never misspellings) ----------------------------------
# Polite address terms and chat particles: never content.
ADDRESS_TERMS: frozenset[str] = frozenset({
    "pak", "bapak", "bu", "ibu", "kak", "kakak", "mas", "mbak", "bang", "abang", "admin", "gan",
    "sis", "om", "tante", "dek", "adik", "bos", "boss", "pian", "anda", "kamu", "sir", "madam",
    "bund", "bunda", "cs", "petugas", "tim", "dinas", "kalian", "semua", "ya", "yaa",
})
PARTICLES: frozenset[str] = frozenset({
    "ya", "yah", "yaa", "dong", "deh", "sih", "kok", "lho", "loh", "nih", "tuh", "lah", "pun",
    "nah", "toh", "kan", "eh", "hmm", "hm", "wkwk", "hehe", "haha", "nya", "gan", "kah", "ni",
    "tu", "ah", "oh", "wah", "yuk", "ayo", "mah",
})
# Words that carry no topic on their own (a message made only of these has no content).
FUNCTION_WORDS: frozenset[str] = frozenset({
    "saya", "kami", "kita", "aku", "dia", "mereka", "beliau", "anda", "kamu",
    "apa", "apakah", "bagaimana", "kenapa", "mengapa", "kapan", "di", "mana", "siapa", "berapa",
    "ke", "dari", "yang", "itu", "ini", "tersebut", "tadi", "kemarin", "sebelumnya", "lalu",
    "begitu", "begini", "sana", "situ", "sini", "dan", "atau", "terus", "jadi", "tapi", "tetapi",
    "juga", "saja", "sudah", "belum", "masih", "lagi", "mau", "ingin", "bisa", "tolong", "mohon",
    "tanya", "bertanya", "info", "informasi", "soal", "hal", "ada", "tidak", "gitu", "gimana",
    "permisi", "dengan", "untuk", "sama", "kalau", "gimana", "mana", "cuma", "dong", "maksudnya",
    "maksud", "lanjut", "lanjutannya", "kelanjutannya", "kabar", "kabarnya", "gimana", "hasilnya",
    "masalah", "urusan", "perihal", "tentang", "mengenai", "yg", "pertanyaan", "bantu", "bantuan",
    "dijawab", "jawab", "jawaban", "dibalas", "balas", "balasan", "kirim", "dikirim", "terkirim",
    "pesan", "chat", "maksudnya", "gimana", "lagi", "ulang", "sekali", "tolong",
    "please", "help", "question", "any", "update", "news", "so", "what", "how", "about", "that",
    "the", "is", "it", "and", "ok", "test", "tes", "ping", "p", "halo",
})
# Chat pings that ask for attention without saying anything.
PINGS: frozenset[str] = frozenset({"p", "ping", "test", "tes", "testing", "hallo", "halo"})

# --- social phrases (greetings, thanks, acknowledgements, closings) -------------------------------
SALAM_WORDS: frozenset[str] = frozenset({
    "assalamualaikum", "warahmatullahi", "wabarakatuh", "warahmatullah", "salam", "shalom",
    "wassalamualaikum", "wassalam", "swastiastu", "om",
})
TIME_GREETINGS: frozenset[str] = frozenset({"pagi", "siang", "sore", "malam", "petang"})
GREETING_WORDS: frozenset[str] = frozenset({
    "selamat", "halo", "permisi", "good", "morning", "afternoon", "evening", "hey", "datang",
    "waalaikumsalam", "walaikumsalam", "wa'alaikumsalam", "waalaikum",
}) | SALAM_WORDS | TIME_GREETINGS
THANKS_WORDS: frozenset[str] = frozenset({
    "terima", "kasih", "banyak", "thank", "thanks", "you", "much", "so", "very", "matur",
    "nuwun", "syukron", "alhamdulillah", "hatur", "nuhun",
})
ACK_WORDS: frozenset[str] = frozenset({
    "oke", "siap", "baik", "sip", "mantap", "mantab", "noted", "paham", "mengerti", "dimengerti",
    "jelas", "sudah", "begitu", "cukup", "sangat", "membantu", "sekali", "infonya", "informasinya",
    "jawabannya", "penjelasannya", "penjelasan", "bantuannya", "atas", "nya", "sukses", "selalu",
    "semoga", "berkah", "sehat", "luar", "biasa", "great", "fine", "good", "got", "it", "ok",
    "bye", "dadah", "jumpa", "sampai", "ketemu", "lagi", "dulu", "kalau", "gitu", "siapp",
    "helpful", "very", "that", "all", "is",
})
# Greeting questions answered as small talk ("apa kabar?", "how are you?").
GREETING_QUESTIONS: tuple[str, ...] = (
    "apa kabar", "how are you", "gimana kabar", "bagaimana kabar", "bagaimana kabarnya",
    "kabar baik",
)
# Openers that announce a question still to come ("mau tanya", "boleh bertanya?"): the
# small-talk reply invites the question.
ASK_OPENERS: tuple[str, ...] = (
    "mau tanya", "mau bertanya", "ingin bertanya", "ingin tanya", "boleh tanya",
    "boleh bertanya", "bisa tanya", "bisa bertanya", "permisi bertanya", "numpang tanya",
    "saya mau tanya", "saya ingin bertanya", "saya mau bertanya",
    "can i ask", "may i ask", "i have a question", "i want to ask",
)

# Common English words never to be "corrected" towards Indonesian vocabulary.
ENGLISH_COMMON: frozenset[str] = ENGLISH_MARKERS | frozenset(
    "hello please thank thanks much also only any other more most some such than then them "
    "they their there here very get got give make made take know think see look come go new "
    "old good great same first last long little own high low need needs say said just "
    "it's i'm i'd can't don't one two three five ten day days week month year time".split()
)
