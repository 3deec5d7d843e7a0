"""Native API models of media."""

from __future__ import annotations

import uuid
from datetime import datetime

from livehouse.core.schemas import Output
from livehouse.media.models import Media
from livehouse.media.service import preview_url, url


class MediaRef(Output):
    """How other capabilities show a media file they point to (a profile image, a slide)."""

    id: uuid.UUID
    kind: str
    url: str
    preview_url: str | None
    width: int | None
    height: int | None

    @classmethod
    def of(cls, media: Media) -> MediaRef:
        return cls(**_ref(media))


class MediaOut(MediaRef):
    content_type: str
    size: int
    sha256: str
    filename: str | None
    created_at: datetime

    @classmethod
    def of(cls, media: Media) -> MediaOut:
        return cls(
            **_ref(media),
            content_type=media.content_type,
            size=media.size,
            sha256=media.sha256,
            filename=media.filename,
            created_at=media.created_at,
        )


def _ref(media: Media) -> dict[str, object]:
    return {
        "id": media.public_id,
        "kind": media.kind,
        "url": url(media),
        "preview_url": preview_url(media),
        "width": media.width,
        "height": media.height,
    }


# The request body of the upload routes, for the OpenAPI document (the body is read as a stream).
UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": "The file. Its type is read from its content.",
                        }
                    },
                }
            }
        },
    }
}
