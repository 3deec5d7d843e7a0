"""Media's native routes: upload (streamed multipart), list, read, delete."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from livehouse.core.deps import DbSession
from livehouse.core.middleware import body_limit
from livehouse.core.pagination import Page, PageParams, page_params
from livehouse.core.settings import get_settings
from livehouse.identity.auth import Authenticated, Principal, user_scoped
from livehouse.media import kinds, service
from livehouse.media.multipart import read_request_file
from livehouse.media.schemas import UPLOAD_BODY, MediaOut
from livehouse.orgs.service import authorized_org

router = APIRouter(tags=["media"])

# The route's body limit is the largest kind's (plus the multipart framing); each kind's own
# limit is enforced while the file streams, once its type is known.
UPLOAD = {**body_limit(kinds.largest_limit(get_settings()) + 64 * 1024), **UPLOAD_BODY}
Owner = Annotated[Principal, Depends(user_scoped("media.own"))]
Pages = Annotated[PageParams, Depends(page_params)]


@router.post(
    "/v1/media",
    status_code=201,
    response_model=MediaOut,
    summary="Upload a file of my own (multipart field `file`)",
    openapi_extra=UPLOAD,
)
async def upload_mine(request: Request, db: DbSession, principal: Owner) -> MediaOut:
    await service.end_read_transaction(db)
    upload = await read_request_file(request)
    media = await service.upload(
        db, upload.chunks, filename=upload.filename, owner_account_id=principal.account_id
    )
    return MediaOut.of(media)


@router.get("/v1/media", response_model=Page[MediaOut], summary="My own files, newest first")
async def list_mine(db: DbSession, principal: Owner, page: Pages) -> Page[MediaOut]:
    rows, next_cursor = await service.list_media(db, page, owner_account_id=principal.account_id)
    return Page(items=[MediaOut.of(m) for m in rows], next_cursor=next_cursor)


@router.post(
    "/v1/orgs/{org_id}/media",
    status_code=201,
    response_model=MediaOut,
    summary="Upload a file to an organisation's library (multipart field `file`)",
    openapi_extra=UPLOAD,
)
async def upload_to_org(
    org_id: uuid.UUID, request: Request, db: DbSession, principal: Authenticated
) -> MediaOut:
    org = await authorized_org(db, principal, org_id, "media.write")
    internal_org_id = org.id  # read before the read transaction ends
    await service.end_read_transaction(db)
    upload = await read_request_file(request)
    media = await service.upload(
        db,
        upload.chunks,
        filename=upload.filename,
        owner_account_id=principal.account_id,
        org_id=internal_org_id,
    )
    return MediaOut.of(media)


@router.get(
    "/v1/orgs/{org_id}/media",
    response_model=Page[MediaOut],
    summary="An organisation's library, newest first",
)
async def list_org(
    org_id: uuid.UUID, db: DbSession, principal: Authenticated, page: Pages
) -> Page[MediaOut]:
    org = await authorized_org(db, principal, org_id, "media.read")
    rows, next_cursor = await service.list_media(db, page, org_id=org.id)
    return Page(items=[MediaOut.of(m) for m in rows], next_cursor=next_cursor)


@router.get("/v1/media/{media_id}", response_model=MediaOut, summary="One file")
async def read(media_id: uuid.UUID, db: DbSession, principal: Authenticated) -> MediaOut:
    return MediaOut.of(await service.accessible(db, principal, media_id, write=False))


@router.delete(
    "/v1/media/{media_id}", status_code=204, summary="Delete a file and its stored objects"
)
async def delete(media_id: uuid.UUID, db: DbSession, principal: Authenticated) -> Response:
    await service.delete(db, await service.accessible(db, principal, media_id, write=True))
    return Response(status_code=204)
