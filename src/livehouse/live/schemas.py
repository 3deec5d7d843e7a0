"""Request and response models of the live routes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from livehouse.core.schemas import Input, Output
from livehouse.media.schemas import MediaRef

# CSS-like colours: #rgb, #rrggbb, #rrggbbaa, or a colour name ("gray", "purple").
Colour = Annotated[
    str,
    Field(
        pattern=r"^(#([0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})|[a-zA-Z]{3,20})$",
        examples=["#ff6347", "gray"],
    ),
]
Message = Annotated[str, Field(min_length=1, max_length=10_000)]  # the setting is tighter


# --- live sessions ---------------------------------------------------------------------------


class ShowStart(Input):
    name: str | None = Field(None, min_length=1, max_length=200, description="Default: the event's")
    event_link: str | None = Field(None, min_length=1, max_length=1024)
    profile_image_id: uuid.UUID | None = Field(
        None, description="Your image or one of the organisation's; default: your performer page's"
    )
    stage_name: str | None = Field(
        None, min_length=1, max_length=100, description="Default: your performer page's"
    )
    occurrence_id: uuid.UUID | None = Field(
        None, description="The date this show is of (its tickets admit); default: the next one"
    )


class ShowChannels(BaseModel):
    show: str
    audience: str
    presence: str
    studio: str


class Rtc(BaseModel):
    org_id: uuid.UUID
    room: str = Field(description="Ask /v1/rtc/agora-token or /v1/rtc/livekit-token for it")


class LiveSessionOut(BaseModel):
    id: uuid.UUID
    event_id: uuid.UUID
    org_id: uuid.UUID
    occurrence_id: uuid.UUID | None
    host_id: uuid.UUID | None
    name: str
    stage_name: str
    event_link: str | None
    profile_image: MediaRef | None
    is_live: bool
    started_at: datetime
    ended_at: datetime | None
    viewers: int | None = Field(description="People on the show's presence channel (while live)")
    watching: int | None = Field(
        description="Sockets on the show's public channel, signed in or not (while live); "
        "not bounded by the presence member limit"
    )
    channels: ShowChannels
    rtc: Rtc


# --- guest categories ------------------------------------------------------------------------


class CategoryIn(Input):
    name: str = Field(min_length=1, max_length=50, examples=["vvip"])
    commenting: bool = False
    live_tipping: bool = False
    video_chat: bool = False
    special_requests: bool = False
    special_request_limit: int = Field(0, ge=0, le=1000, description="Per live session")
    cheerful_entry: bool = False
    guest_upgrade: bool = Field(False, description="Hosts may upgrade these viewers")
    rank: int = Field(0, ge=-1000, le=1000, description="Several tiers held: the highest wins")
    ticket_type_ids: list[uuid.UUID] = Field(default_factory=list, max_length=100)


class CategoryChange(Input):
    name: str | None = Field(None, min_length=1, max_length=50)
    commenting: bool | None = None
    live_tipping: bool | None = None
    video_chat: bool | None = None
    special_requests: bool | None = None
    special_request_limit: int | None = Field(None, ge=0, le=1000)
    cheerful_entry: bool | None = None
    guest_upgrade: bool | None = None
    rank: int | None = Field(None, ge=-1000, le=1000)
    ticket_type_ids: list[uuid.UUID] | None = Field(None, max_length=100)


class TierRef(BaseModel):
    id: uuid.UUID
    name: str


class CategoryOut(BaseModel):
    id: uuid.UUID
    event_id: uuid.UUID
    name: str
    commenting: bool
    live_tipping: bool
    video_chat: bool
    special_requests: bool
    special_request_limit: int
    cheerful_entry: bool
    guest_upgrade: bool
    rank: int
    ticket_types: list[TierRef]


# --- the viewer ------------------------------------------------------------------------------


class Perks(BaseModel):
    commenting: bool
    live_tipping: bool
    video_chat: bool
    special_requests: bool
    special_requests_left: int
    cheerful_entry: bool
    guest_upgrade: bool


class CategoryRef(BaseModel):
    id: uuid.UUID
    name: str


class ViewerOut(BaseModel):
    event_id: uuid.UUID
    live_session_id: uuid.UUID | None
    may_watch: bool
    ticket: bool
    host: bool
    moderator: bool
    banned: bool
    category: CategoryRef | None
    upgraded: bool = Field(description="A host upgraded you for this live session")
    perks: Perks
    channels: ShowChannels
    rtc: Rtc
    announced: bool | None = Field(
        None, description="On entry: your cheerful entry was announced (first entry only)"
    )


class UpgradeIn(Input):
    category_id: uuid.UUID


class UpgradeOut(BaseModel):
    event_id: uuid.UUID
    user_id: uuid.UUID
    category: CategoryRef


class SpecialRequestIn(Input):
    message: Message


class SpecialRequestAnswer(Input):
    status: Literal["accepted", "declined", "done"]


class SpecialRequestOut(BaseModel):
    id: uuid.UUID
    event_id: uuid.UUID
    live_session_id: uuid.UUID
    user_id: uuid.UUID
    user_name: str
    message: str
    status: str
    created_at: datetime
    requests_left: int | None = Field(None, description="Yours, in this live session")


# --- chat ------------------------------------------------------------------------------------


class CommentIn(Input):
    message: Message


class CommentOut(Output):
    id: uuid.UUID
    event_id: uuid.UUID
    live_session_id: uuid.UUID | None
    user_id: uuid.UUID
    user_name: str
    category_name: str
    message: str
    created_at: datetime
    edited_at: datetime | None
    hidden: bool


class ChatSettingsIn(Input):
    slow_mode_seconds: int = Field(ge=0, le=3600, description="0 turns slow mode off")


class ChatSettingsOut(BaseModel):
    event_id: uuid.UUID
    slow_mode_seconds: int
    max_length: int
    rate: str


class BanIn(Input):
    user_id: uuid.UUID
    reason: str | None = Field(None, max_length=200)


class BanOut(BaseModel):
    user_id: uuid.UUID
    user_name: str
    reason: str | None
    banned_at: datetime
    banned_by: uuid.UUID | None


# --- banners and brand -----------------------------------------------------------------------

Position = Literal["top", "bottom", "left", "right", "center"]


class BannerIn(Input):
    kind: Literal["text", "image", "video"] = "text"
    title: str | None = Field(None, min_length=1, max_length=200)
    scrollable: bool = False
    position: Position | None = None
    media_id: uuid.UUID | None = Field(None, description="image/video banners: a library file")
    status: Literal["draft", "live"] = "draft"


class BannerChange(Input):
    title: str | None = Field(None, min_length=1, max_length=200)
    scrollable: bool | None = None
    position: Position | None = None
    media_id: uuid.UUID | None = None
    status: Literal["draft", "live"] | None = None


class BannerOut(BaseModel):
    id: uuid.UUID
    event_id: uuid.UUID
    kind: str
    title: str | None
    scrollable: bool
    position: str | None
    media: MediaRef | None
    status: str
    created_at: datetime
    updated_at: datetime


class BrandIn(Input):
    colour: Colour
    logo_id: uuid.UUID | None = Field(None, description="An image of the organisation's library")
    overlay: Colour | None = None
    background: Colour | None = None


class BrandChange(Input):
    colour: Colour | None = None
    logo_id: uuid.UUID | None = None
    overlay: Colour | None = None
    background: Colour | None = None


class BrandOut(BaseModel):
    id: uuid.UUID
    event_id: uuid.UUID
    colour: str
    logo: MediaRef | None
    overlay: str | None
    background: str | None
    updated_at: datetime


# --- video chats -----------------------------------------------------------------------------


class VideoChatRequest(Input):
    host_id: uuid.UUID | None = Field(
        None, description="The entertainer; default: the host of the live session"
    )


class VideoChatInvite(Input):
    user_id: uuid.UUID


class VideoChatOut(BaseModel):
    id: uuid.UUID
    event_id: uuid.UUID
    host_id: uuid.UUID
    host_name: str
    guest_id: uuid.UUID
    guest_name: str
    status: Literal["pending", "invited", "accepted", "live", "declined", "ended"]
    requested_by: Literal["guest", "host"]
    created_at: datetime
    updated_at: datetime
