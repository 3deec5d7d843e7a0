"""Settings from `LIVEHOUSE_*` environment variables (documented in docs/configuration.md)."""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[3]
VAR_DIR = Path.cwd() / "var"

CommaList = Annotated[list[str], NoDecode]


def _split_commas(value: object) -> object:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


DEMO_PUSHER_SECRET = "livehouse-demo-secret"  # noqa: S105 (documented; printed by `make run`)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LIVEHOUSE_", extra="ignore")

    environment: str = Field("development", description="development | test | production")
    database_url: str = f"sqlite+aiosqlite:///{VAR_DIR / 'livehouse.db'}"
    database_pool_size: int = 10
    database_max_overflow: int = 20
    database_pool_timeout: float = 30.0  # seconds a request waits for a free connection
    database_echo: bool = False
    redis_url: str | None = None
    secret_key: str = ""
    secret_key_fallbacks: CommaList = Field(default_factory=list)
    base_url: str = "http://127.0.0.1:8000"
    storage_url: str = f"file://{VAR_DIR / 'media'}"

    cors_origins: CommaList = Field(default_factory=list)
    trusted_hosts: CommaList = Field(default_factory=lambda: ["*"])
    max_body_bytes: int = 1_048_576
    log_level: str = "INFO"
    log_json: bool = True

    idempotency_ttl_seconds: int = 24 * 3600
    idempotency_lease_seconds: int = 60
    outbox_poll_seconds: float = 1.0
    outbox_max_attempts: int = 8
    outbox_lease_seconds: int = 60
    run_outbox_in_process: bool = True

    # identity
    access_token_ttl_seconds: int = 900
    refresh_token_ttl_seconds: int = 30 * 24 * 3600
    password_min_length: int = 8
    password_min_strength: int = 2  # zxcvbn score 0-4; 2 refuses common and guessable passwords
    argon2_time_cost: int = 3
    argon2_memory_cost_kib: int = 65536
    argon2_parallelism: int = 2
    login_rate_per_account: str = "10/minute;50/hour"
    login_rate_per_ip: str = "60/minute"
    # OTPs, reset tokens, pins, access codes
    secret_rate_per_account: str = "5/minute;20/hour"  # noqa: S105 (a limit, not a secret)
    otp_ttl_seconds: int = 600
    reset_link_ttl_seconds: int = 3600

    # notify: see livehouse/notify/transports.py for the URL forms
    mail_url: str = f"file://{VAR_DIR / 'mail'}"
    mail_from: str = "livehouse <no-reply@livehouse.local>"
    sms_url: str = f"file://{VAR_DIR / 'sms'}"

    # --- identity extras (verification, social sign-in, GDPR): add below ---
    email_verification_ttl_seconds: int = 48 * 3600  # verification links (codes: otp_ttl)
    otp_max_attempts: int = 5  # wrong tries before a code is burnt
    otp_send_rate: str = "3/10 minutes;10/day"  # codes/links sent per person and purpose
    secret_rate_per_ip: str = "30/minute;300/hour"  # noqa: S105 — a rate. OTP and link tries per client IP
    # Links in e-mails: your app's pages, which POST the token to the API. {token} is replaced.
    email_verification_link: str = "{base_url}/verify-email?token={token}"
    password_reset_link: str = "{base_url}/reset-password?token={token}"  # noqa: S105
    # JSON: {"google": {"kind": "oidc", "issuer": "...", "audiences": ["client-id"]}, ...}
    social_providers: dict[str, dict[str, object]] = Field(default_factory=dict)
    social_http_timeout_seconds: float = 10.0
    social_jwks_cache_seconds: int = 3600

    # --- orgs extras (invitations, privacy, billing): add below ---
    org_invitation_ttl_seconds: int = 7 * 24 * 3600
    # The link in invitation e-mails; your app's page that calls …/invitations/{id}/accept.
    org_invitation_url: str = "{base_url}/invitations/{invitation_id}?org={org_id}&token={token}"
    org_invitation_rate_per_org: str = "50/hour;200/day"  # new invitations an org may send
    org_invitation_resend_rate: str = "3/hour;10/day"  # resends of one invitation

    # --- media and profiles: add below ---
    media_image_max_bytes: int = 20 * 1024 * 1024
    media_audio_max_bytes: int = 100 * 1024 * 1024
    media_video_max_bytes: int = 599_999 * 1024  # what Privet accepts (599,999 KiB)
    media_document_max_bytes: int = 20 * 1024 * 1024
    media_image_max_pixels: int = 40_000_000  # across all frames; bigger is refused as a bomb
    media_preview_size: int = 480  # longest side of image previews, in pixels
    profiles_contact_rate: str = "5/minute;30/day"  # messages one sender may relay

    # --- events: add below ---
    # Occurrences are stored as rows up to this far past the first upcoming one (see
    # docs/capabilities/events.md); 800 days covers the furthest time filter (next_year).
    events_occurrence_horizon_days: int = 800
    events_horizon_refresh_days: int = 7  # how often a long rule's horizon moves forward
    events_max_occurrences: int = 1000  # a rule making more is refused
    events_speaker_invite_ttl_seconds: int = 14 * 24 * 3600
    # The link in speaker invitations: your app's page, which POSTs the token to …/accept.
    events_speaker_invitation_url: str = (
        "{base_url}/speaker-invitations/{speaker_id}?event={event_id}&token={token}"
    )
    events_speaker_resend_rate: str = "3/hour;10/day"  # resends of one invitation
    # Reviews are for attendees; until a ticketing checker is registered nobody may review,
    # unless this is true (installations without ticketing: any signed-in account may).
    events_reviews_without_checker: bool = False

    # --- realtime and live: add below ---
    # Pusher protocol 7 (pusher-js, Laravel Echo) and the Pusher HTTP API. The defaults are demo
    # values (printed by `make run`); production refuses to start with the demo secret.
    pusher_app_id: str = "424242"  # numeric, as Pusher's server libraries require
    pusher_key: str = "livehouse-demo-key"
    pusher_secret: str = DEMO_PUSHER_SECRET
    pusher_activity_timeout_seconds: int = 120  # announced to Pusher clients
    realtime_heartbeat_seconds: int = 25  # native protocol: server pings after this much silence
    realtime_pong_timeout_seconds: int = 30  # then closes when nothing arrives within this
    realtime_max_frame_bytes: int = 16_384  # largest frame a client may send
    realtime_max_event_bytes: int = 10_240  # largest event data (HTTP API, client events)
    realtime_frames_per_second: int = 50  # per socket, burst of twice that; more: disconnected
    realtime_client_events_per_second: int = 10  # client-* events per socket (Pusher's limit)
    realtime_max_channels_per_socket: int = 100
    realtime_send_queue_messages: int = 512  # per socket, beyond the transport's own buffer
    realtime_send_queue_bytes: int = 1_048_576  # a slower consumer is disconnected
    realtime_history_size: int = 100  # messages kept per channel for resuming
    realtime_history_seconds: int = 300  # and for how long
    realtime_presence_max_members: int = 100  # distinct members per presence channel
    realtime_auth_recheck_seconds: int = 300  # private/presence subscriptions re-authorised
    # permessage-deflate when a client offers it (browsers do): fewer bytes on the wire, but each
    # frame is compressed once per socket — ~40 % more CPU per delivery and 72 KB per socket
    # instead of 30 in bench/fanout.py. Off: a fan-out server is CPU- and memory-bound first.
    realtime_compression: bool = False
    # Agora (AccessToken2) and LiveKit tokens for live rooms; unset: those routes answer 503.
    agora_app_id: str = ""
    agora_app_certificate: str = ""
    livekit_url: str = ""  # e.g. wss://livekit.example.com, handed to clients with the token
    livekit_api_key: str = ""
    livekit_api_secret: str = ""
    rtc_token_ttl_seconds: int = 3600
    # Live shows (docs/capabilities/live.md).
    live_comment_max_length: int = 500  # characters per chat comment
    live_comment_rate: str = "10/10 seconds;300/hour"  # comments one person may post
    live_special_request_max_length: int = 500
    live_video_chat_request_rate: str = "5/minute;30/hour"  # requests one person may make

    # --- payments ---
    payment_provider: str = "sandbox"  # sandbox | stripe
    stripe_secret_key: str | None = None
    stripe_webhook_secret: str | None = None
    stripe_api_base: str | None = None  # only to point the SDK elsewhere (tests, proxies)

    # --- ticketing ---
    ticket_hold_minutes: int = 10  # how long a basket keeps its places (events may override)
    checkout_payment_minutes: int = 15  # at checkout, the hold is kept at least this long
    ticket_waitlist_offer_minutes: int = 120  # how long freed places are held for the next in line
    # Links in e-mails: your app's pages. {…} are replaced; tokens are shown once, stored hashed.
    ticket_waitlist_offer_url: str = "{base_url}/events/{event_id}/checkout?hold={hold_id}"
    ticket_invitation_url: str = "{base_url}/events/{event_id}/book?invitation={token}"
    ticket_invitation_ttl_seconds: int = 30 * 24 * 3600
    ticket_invitation_rate_per_event: str = "200/hour;1000/day"  # invitations sent per event
    ticket_guest_order_url: str = "{base_url}/orders/{order_id}?token={token}"

    @field_validator("cors_origins", "trusted_hosts", "secret_key_fallbacks", mode="before")
    @classmethod
    def _commas(cls, value: object) -> object:
        return _split_commas(value)

    @model_validator(mode="after")
    def _no_demo_secrets_in_production(self) -> Settings:
        # Anyone who read the README could sign channel grants and publish to every socket.
        if self.environment == "production" and self.pusher_secret == DEMO_PUSHER_SECRET:
            raise ValueError("LIVEHOUSE_PUSHER_SECRET must be set in production")
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def resolved_secret_key(self) -> str:
        """The configured key, or in development a key generated once and kept under ./var."""
        if self.secret_key:
            return self.secret_key
        if self.environment == "production":
            raise RuntimeError("LIVEHOUSE_SECRET_KEY must be set in production")
        key_file = VAR_DIR / "secret_key"
        if not key_file.exists():
            key_file.parent.mkdir(parents=True, exist_ok=True)
            key_file.write_text(secrets.token_urlsafe(48))
            key_file.chmod(0o600)
        return key_file.read_text().strip()


_active: Settings | None = None


@lru_cache
def _from_environment() -> Settings:
    return Settings()


def get_settings() -> Settings:
    """The settings of the installed runtime, else those read from the environment."""
    return _active if _active is not None else _from_environment()


def activate(settings: Settings) -> None:
    global _active
    _active = settings
