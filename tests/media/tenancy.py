"""Tenancy classification of media's routes."""

from __future__ import annotations

from tests.support.media import pdf_bytes, uploaded
from tests.support.tenancy import World, org_of_a, rule


async def org_media_of_a(world: World) -> dict[str, str]:
    media = await uploaded(world.client, world.a.owner, pdf_bytes(), org_id=world.a.org["id"])
    return {"media_id": media["id"]}


def a_file(world: World) -> dict[str, tuple[str, bytes, str]]:
    return {"file": ("a.pdf", pdf_bytes(), "application/pdf")}


rule("POST", "/v1/media", "self")
rule("GET", "/v1/media", "self")
rule("POST", "/v1/orgs/{org_id}/media", "tenant", params=org_of_a, files=a_file)
rule("GET", "/v1/orgs/{org_id}/media", "tenant", params=org_of_a)
rule("GET", "/v1/media/{media_id}", "tenant", params=org_media_of_a)
rule("DELETE", "/v1/media/{media_id}", "tenant", params=org_media_of_a)
