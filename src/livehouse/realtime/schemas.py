"""Request and response bodies of realtime's HTTP routes (Pusher's shapes)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

SocketId = Annotated[str, Field(pattern=r"^\d{1,20}\.\d{1,20}$", examples=["1234.5678"])]
ChannelName = Annotated[str, Field(min_length=1, max_length=200)]
EventName = Annotated[str, Field(min_length=1, max_length=200)]


class ChannelAuthRequest(BaseModel):
    """What pusher-js and Laravel Echo send (as a form, or as JSON)."""

    socket_id: SocketId
    channel_name: ChannelName


class ChannelAuthResponse(BaseModel):
    auth: str = Field(description="`key:signature` for this socket and channel")
    channel_data: str | None = Field(
        None, description="Presence channels: the member, as a JSON string"
    )


class TriggerEvent(BaseModel):
    """`POST /apps/{app_id}/events`: one event to up to 100 channels."""

    model_config = ConfigDict(extra="ignore")

    name: EventName
    data: str = Field(description="The event's data, usually a JSON document as a string")
    channels: Annotated[list[ChannelName], Field(min_length=1, max_length=100)] | None = None
    channel: ChannelName | None = None
    socket_id: SocketId | None = Field(None, description="Leave this socket out (the sender)")
    info: str | None = Field(
        None,
        description="Comma-separated: subscription_count, user_count (presence channels) — "
        "answered for each channel published to",
    )

    @model_validator(mode="after")
    def _some_channel(self) -> TriggerEvent:
        if not self.channels and not self.channel:
            raise ValueError("give channels or channel")
        return self

    @property
    def targets(self) -> list[str]:
        return self.channels or [self.channel]  # type: ignore[list-item]


class BatchEvent(BaseModel):
    model_config = ConfigDict(extra="ignore")

    name: EventName
    data: str
    channel: ChannelName
    socket_id: SocketId | None = None
    info: str | None = Field(None, description="As in a single event: the channel's counts")


class BatchEvents(BaseModel):
    """`POST /apps/{app_id}/batch_events`: up to 10 events in one call."""

    batch: Annotated[list[BatchEvent], Field(min_length=1, max_length=10)]
