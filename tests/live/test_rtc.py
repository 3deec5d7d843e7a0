"""Media-server tokens: Agora AccessToken2 reproduces Agora's known-answer vectors byte for byte
(and decodes to the fields it was built from), LiveKit tokens verify with livekit-api's own
verifier, and the routes give viewers and hosts what the rule says."""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct
import time
import uuid
import zlib
from typing import Any

import httpx
import jwt
import pytest
from livekit import api as livekit

from livehouse.core.runtime import Runtime
from livehouse.live import rtc
from tests.support.auth import add_member, create_org, signed_up

APP_ID = "970CA35de60c44645bbae8a215061b33"
CERTIFICATE = "5CFd2fd1755d40ecb72977518be15d3b"
CHANNEL = "7d72365eb983485397e3e3f9d460bdda"
UID = "2882341273"

VECTORS = {
    "rtc": "007eJxTYBBbsMMnKq7p9Hf/HcIX5kce9b518kCiQgSr5Zrp4X1Tu6UUGCzNDZwdjU1TUs0Mkk1MzExMk5ISUy0SjQxNDcwMk4yN3b8IMEQwMTAwMoAwBIL4CgzmKeZGxmamqUmWFsYmFqbGluapxqnGaZYpJmYGSSkpiVwMRhYWRsYmhkbmxgDCaiTj",  # noqa: E501 (verbatim)
    "rtc_uid_0": "007eJxTYLhzZP08Lxa1Pg57+TcXb/3cZ3wi4V6kbpbOog0G2dOYk20UGCzNDZwdjU1TUs0Mkk1MzExMk5ISUy0SjQxNDcwMk4yN3b8IMEQwMTAwMoAwBIL4CgzmKeZGxmamqUmWFsYmFqbGluapxqnGaZYpJmYGSSkpiQwMADacImo=",  # noqa: E501 (verbatim)
    "chat_user": "007eJxTYNAIsnbS3v/A5t2TC6feR15r+6cq8bqAvfaW+tk/Vzz+p6xTYLA0N3B2NDZNSTUzSDYxMTMxTUpKTLVINDI0NTAzTDI2dv8iwBDBxMDAyADCrEDMCOZzMRhZWBgZmxgamRsDAB+lHrg=",  # noqa: E501 (verbatim)
    "chat_app": "007eJxTYNDNaz3snC8huEfHWdz6s98qltq4zqy9fl99Uh0FDvy6F6DAYGlu4OxobJqSamaQbGJiZmKalJSYapFoZGhqYGaYZGzs/kWAIYKJgYGRAYRZgZgJzGdgAACt8hhr",  # noqa: E501 (verbatim)
    "multi": "007eJxTYHh8IPKzTvBdf9ce8bk7G61vs06oca1e815/ot4+x7rfjDIKDJbmBs6OxqYpqWYGySYmZiamSUmJqRaJRoamBmaGScbG7l8EGCKYGBgYGRgYWIEkCxCD+ExgkhlMsoBJBQbzFHMjYzPT1CRLC2MTC1NjS/NU41TjNMsUEzODpJSURC4GIwsLI2MTQyNzYyagORCTkEVZ4KKsWOXZgWIQm1HF//8HAL01L5I=",  # noqa: E501 (verbatim)
}


def services(case: str) -> list[rtc.Service]:
    if case == "rtc":
        return [rtc.RtcService(channel=CHANNEL, uid=UID).add_privilege(rtc.JOIN_CHANNEL, 600)]
    if case == "rtc_uid_0":
        return [rtc.RtcService(channel=CHANNEL, uid=0).add_privilege(rtc.JOIN_CHANNEL, 600)]
    if case == "chat_user":
        return [rtc.ChatService(user=UID).add_privilege(rtc.CHAT_USER, 600)]
    if case == "chat_app":
        return [rtc.ChatService(user="").add_privilege(rtc.CHAT_APP, 600)]
    media = rtc.RtcService(channel=CHANNEL, uid=UID)
    for privilege in (rtc.JOIN_CHANNEL, rtc.PUBLISH_AUDIO, rtc.PUBLISH_VIDEO, rtc.PUBLISH_DATA):
        media.add_privilege(privilege, 600)
    return [
        media,
        rtc.RtmService(user=UID).add_privilege(rtc.RTM_LOGIN, 600),
        rtc.FpaService().add_privilege(rtc.FPA_LOGIN, 600),
        rtc.ChatService(user=UID).add_privilege(rtc.CHAT_USER, 600),
        rtc.EducationService(room="", user=UID, role=-1).add_privilege(rtc.EDUCATION_USER, 600),
    ]


class Reader:
    """An independent decoder of the AccessToken2 layout (not the builder's code)."""

    def __init__(self, raw: bytes) -> None:
        self.raw, self.at = raw, 0

    def take(self, fmt: str) -> Any:
        value = struct.unpack_from("<" + fmt, self.raw, self.at)[0]
        self.at += struct.calcsize("<" + fmt)
        return value

    def string(self) -> bytes:
        size = self.take("H")
        value = self.raw[self.at : self.at + size]
        self.at += size
        return value


FIELDS = {
    1: ("string", "string"),  # RTC: channel, uid
    2: ("string",),  # RTM: user
    4: (),  # FPA
    5: ("string",),  # Chat: user
    7: ("string", "string", "h"),  # Education: room, user, role
}


def decode(token: str) -> dict[str, Any]:
    assert token.startswith("007")
    body = Reader(zlib.decompress(base64.b64decode(token[3:])))
    signature = body.string()
    info_start = body.at
    decoded: dict[str, Any] = {
        "signature": signature,
        "app_id": body.string().decode(),
        "issue_ts": body.take("I"),
        "expire": body.take("I"),
        "salt": body.take("I"),
        "services": {},
    }
    for _ in range(body.take("H")):
        kind = body.take("H")
        privileges = {body.take("H"): body.take("I") for _ in range(body.take("H"))}
        values = [body.string().decode() if f == "string" else body.take(f) for f in FIELDS[kind]]
        decoded["services"][kind] = {"privileges": privileges, "fields": values}
    assert body.at == len(body.raw), "nothing left over"
    decoded["info"] = body.raw[info_start:]
    return decoded


def expected_signature(decoded: dict[str, Any], certificate: str) -> bytes:
    key = hmac.new(
        struct.pack("<I", decoded["issue_ts"]), certificate.encode(), hashlib.sha256
    ).digest()
    key = hmac.new(struct.pack("<I", decoded["salt"]), key, hashlib.sha256).digest()
    return hmac.new(key, decoded["info"], hashlib.sha256).digest()


@pytest.mark.parametrize("case", sorted(VECTORS))
def test_agora_vectors_byte_for_byte(case: str) -> None:
    token = rtc.AccessToken2(APP_ID, CERTIFICATE, expire=600, issue_ts=1111111, salt=1)
    for service in services(case):
        token.add_service(service)
    built = token.build()
    assert built == VECTORS[case]

    decoded = decode(built)
    assert (decoded["app_id"], decoded["issue_ts"], decoded["expire"], decoded["salt"]) == (
        APP_ID,
        1111111,
        600,
        1,
    )
    assert decoded["signature"] == expected_signature(decoded, CERTIFICATE)
    for service in services(case):
        assert decoded["services"][service.type]["privileges"] == service.privileges


def test_agora_vector_fields() -> None:
    multi = decode(VECTORS["multi"])["services"]
    assert list(multi) == [rtc.RTC, rtc.RTM, rtc.FPA, rtc.CHAT, rtc.EDUCATION]
    assert multi[rtc.RTC]["fields"] == [CHANNEL, UID]
    assert multi[rtc.RTM]["fields"] == [UID]
    assert multi[rtc.FPA]["fields"] == []
    assert multi[rtc.EDUCATION]["fields"] == ["", UID, -1]
    assert decode(VECTORS["rtc_uid_0"])["services"][rtc.RTC]["fields"] == [CHANNEL, ""]
    assert decode(VECTORS["chat_app"])["services"][rtc.CHAT] == {
        "privileges": {rtc.CHAT_APP: 600},
        "fields": [""],
    }


@pytest.mark.parametrize(("role", "privileges"), [("viewer", {1}), ("host", {1, 2, 3, 4})])
def test_agora_roles(role: rtc.Role, privileges: set[int]) -> None:
    before = int(time.time())
    token = rtc.agora_rtc_token(APP_ID, CERTIFICATE, "room", "account-1", role, 3600)
    decoded = decode(token)
    assert before <= decoded["issue_ts"] <= int(time.time())
    assert 1 <= decoded["salt"] <= 99_999_999 and decoded["expire"] == 3600
    media = decoded["services"][rtc.RTC]
    assert media["fields"] == ["room", "account-1"]
    assert media["privileges"] == dict.fromkeys(privileges, 3600)
    assert decoded["signature"] == expected_signature(decoded, CERTIFICATE)


@pytest.fixture
def configured(runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> Runtime:
    for name, value in {
        "agora_app_id": APP_ID,
        "agora_app_certificate": CERTIFICATE,
        "livekit_url": "wss://livekit.example.test",
        "livekit_api_key": "APIlivehouse",
        "livekit_api_secret": "a-livekit-secret-that-is-long-enough-0123456789",
    }.items():
        monkeypatch.setattr(runtime.settings, name, value)
    return runtime


async def test_rtc_tokens_follow_the_role_rule(
    client: httpx.AsyncClient, configured: Runtime
) -> None:
    owner, member, fan = [await signed_up(client, t) for t in ("own", "mem", "fan")]
    org = await create_org(client, owner, "Live Room Co")
    await add_member(configured, org["id"], member, "member")
    room = {"org_id": org["id"], "room": "main-stage"}
    channel = f"{uuid.UUID(org['id']).hex}.main-stage"

    viewer = await client.post(
        "/v1/rtc/agora-token", json={**room, "role": "viewer"}, headers=fan.headers
    )
    assert viewer.status_code == 200, viewer.text
    body = viewer.json()
    assert body["channel"] == channel and body["identity"] == fan.id and body["app_id"] == APP_ID
    media = decode(body["token"])["services"][rtc.RTC]
    assert media["privileges"].keys() == {rtc.JOIN_CHANNEL}, "viewers cannot publish"
    assert media["fields"] == [channel, fan.id]

    host = await client.post(
        "/v1/rtc/agora-token", json={**room, "role": "host"}, headers=member.headers
    )
    assert host.status_code == 200, host.text
    privileges = decode(host.json()["token"])["services"][rtc.RTC]["privileges"]
    assert privileges.keys() == {1, 2, 3, 4}

    refused = await client.post(
        "/v1/rtc/agora-token", json={**room, "role": "host"}, headers=fan.headers
    )
    assert refused.status_code in (403, 404)
    anonymous = await client.post("/v1/rtc/agora-token", json=room)
    assert anonymous.status_code == 401
    unknown = await client.post(
        "/v1/rtc/agora-token", json={**room, "org_id": str(uuid.uuid4())}, headers=fan.headers
    )
    assert unknown.status_code == 404
    bad_room = await client.post(
        "/v1/rtc/agora-token", json={**room, "room": "no spaces please"}, headers=fan.headers
    )
    assert bad_room.status_code == 422


async def test_livekit_tokens_verify(client: httpx.AsyncClient, configured: Runtime) -> None:
    settings = configured.settings
    owner, fan = (
        await signed_up(client, "own", full_name="Olga Owner"),
        await signed_up(client, "f"),
    )
    org = await create_org(client, owner, "Kit Hall")
    verifier = livekit.TokenVerifier(settings.livekit_api_key, settings.livekit_api_secret)
    room = {"org_id": org["id"], "room": "stage"}
    channel = f"{uuid.UUID(org['id']).hex}.stage"

    as_viewer = await client.post(
        "/v1/rtc/livekit-token", json={**room, "role": "viewer"}, headers=fan.headers
    )
    assert as_viewer.status_code == 200, as_viewer.text
    assert as_viewer.json()["url"] == settings.livekit_url
    claims = verifier.verify(as_viewer.json()["token"])
    assert claims.identity == fan.id
    assert claims.video.room == channel and claims.video.room_join
    assert claims.video.can_subscribe and not claims.video.can_publish
    assert not claims.video.can_publish_data

    as_host = await client.post(
        "/v1/rtc/livekit-token", json={**room, "role": "host"}, headers=owner.headers
    )
    claims = verifier.verify(as_host.json()["token"])
    assert claims.video.can_publish and claims.name == "Olga Owner"

    other = livekit.TokenVerifier(
        settings.livekit_api_key, "another-secret-that-is-long-enough-01234"
    )
    with pytest.raises(jwt.InvalidSignatureError):
        other.verify(as_host.json()["token"])


async def test_unconfigured_providers_answer_503(
    client: httpx.AsyncClient, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runtime.settings, "agora_app_id", "")
    monkeypatch.setattr(runtime.settings, "livekit_api_key", "")
    fan = await signed_up(client, "fan")
    owner = await signed_up(client, "own")
    org = await create_org(client, owner, "Dark Room")
    for path in ("/v1/rtc/agora-token", "/v1/rtc/livekit-token"):
        response = await client.post(
            path, json={"org_id": org["id"], "room": "r"}, headers=fan.headers
        )
        assert response.status_code == 503
        assert response.headers["content-type"] == "application/problem+json"
