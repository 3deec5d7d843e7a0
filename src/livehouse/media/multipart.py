"""One file out of a multipart/form-data body, as a stream of chunks.

Starlette's `request.form()` spools every file to a temporary file before the route runs; here the
file's bytes are handed on as they arrive (python-multipart's push parser), so an upload goes
straight to storage and never sits whole in memory or on local disk. Small text fields before the
file are collected (a few, a few KiB each); anything else in the body is refused, naming the field.

The chunk stream ends only once the body's closing boundary has been read: a body cut short
raises instead of looking like a complete (shorter) file.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import Request

from livehouse.core.errors import FieldError, UnsupportedMediaType, ValidationFailed

MAX_FIELD_BYTES = 8 * 1024
MAX_PARTS = 20


@dataclass(slots=True)
class _Part:
    name: str = ""
    filename: str | None = None
    disposition: bytes = b""


@dataclass(slots=True)
class FileUpload:
    """The file part: its client-side name (for display only) and its bytes, as they arrive."""

    filename: str | None
    chunks: AsyncIterator[bytes]
    fields: dict[str, str] = field(default_factory=dict)


class _Events:
    """Feeds the parser and turns its callbacks into ("part", _Part) / ("data", bytes) /
    ("end", None) events, in order."""

    def __init__(self, boundary: bytes, stream: AsyncIterator[bytes]) -> None:
        self.stream = stream
        self.pending: list[tuple[str, object]] = []
        self.part = _Part()
        self.header_name = b""
        self.header_value = b""
        self.parts = 0
        self.finished = False
        self.parser = MultipartParser(
            boundary,
            {
                "on_part_begin": self._begin,
                "on_part_data": self._data,
                "on_part_end": lambda: self.pending.append(("end", None)),
                "on_header_field": self._header_field,
                "on_header_value": self._header_value,
                "on_header_end": self._header_end,
                "on_headers_finished": self._headers_done,
                "on_end": self._end,
            },
        )

    def _begin(self) -> None:
        self.parts += 1
        if self.parts > MAX_PARTS:
            raise ValidationFailed.field("body", f"More than {MAX_PARTS} parts")
        self.part = _Part()

    def _data(self, data: bytes, start: int, end: int) -> None:
        self.pending.append(("data", data[start:end]))

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self.header_name += data[start:end]

    def _header_value(self, data: bytes, start: int, end: int) -> None:
        self.header_value += data[start:end]

    def _header_end(self) -> None:
        if self.header_name.lower() == b"content-disposition":
            self.part.disposition = self.header_value
        self.header_name = self.header_value = b""

    def _headers_done(self) -> None:
        _, options = parse_options_header(self.part.disposition)
        name = options.get(b"name")
        if not name:
            raise ValidationFailed.field("body", "A part has no name")
        self.part.name = name.decode("utf-8", "replace")
        if b"filename" in options:
            self.part.filename = options[b"filename"].decode("utf-8", "replace")[:255]
        self.pending.append(("part", self.part))

    def _end(self) -> None:
        self.finished = True

    async def __aiter__(self) -> AsyncIterator[tuple[str, object]]:
        try:
            async for chunk in self.stream:
                self.parser.write(chunk)
                for event in self.pending:
                    yield event
                self.pending.clear()
            self.parser.finalize()
        except FormParserError as exc:
            raise ValidationFailed.field("body", "Not valid multipart/form-data") from exc
        for event in self.pending:
            yield event
        if not self.finished:
            raise ValidationFailed.field("body", "The body ended before its closing boundary")


def boundary_of(content_type: str) -> bytes:
    kind, options = parse_options_header(content_type)
    boundary = options.get(b"boundary")
    if kind != b"multipart/form-data" or not boundary:
        raise UnsupportedMediaType(
            "Send the file as multipart/form-data",
            errors=[FieldError("body", "Expected multipart/form-data with a boundary")],
        )
    return boundary


async def read_file(
    content_type: str,
    stream: AsyncIterator[bytes],
    *,
    file_field: str = "file",
    text_fields: tuple[str, ...] = (),
) -> FileUpload:
    """Read up to the start of `file_field`; return it with the text fields seen before it.
    The returned chunks must be consumed to the end (the rest of the body is checked then)."""
    events = aiter(_Events(boundary_of(content_type), stream))
    fields: dict[str, str] = {}
    async for kind, value in events:
        if kind != "part":
            continue
        assert isinstance(value, _Part)
        if value.name == file_field and value.filename is not None:
            return FileUpload(value.filename, _file_chunks(events, file_field), fields)
        if value.name in text_fields and value.filename is None and value.name not in fields:
            fields[value.name] = await _text(events, value.name)
            continue
        raise ValidationFailed.field(value.name, "Unknown field")
    raise ValidationFailed.field(file_field, "This field is required (a file)")


async def read_request_file(request: Request, **options: object) -> FileUpload:
    return await read_file(
        request.headers.get("content-type", ""),
        request.stream(),
        **options,  # type: ignore[arg-type]
    )


async def _text(events: AsyncIterator[tuple[str, object]], name: str) -> str:
    data = bytearray()
    async for kind, value in events:
        if kind == "end":
            return data.decode("utf-8", "replace")
        if kind == "data":
            assert isinstance(value, bytes)
            data.extend(value)
            if len(data) > MAX_FIELD_BYTES:
                raise ValidationFailed.field(name, f"Longer than {MAX_FIELD_BYTES} bytes")
    raise ValidationFailed.field("body", "The body ended before its closing boundary")


async def _file_chunks(
    events: AsyncIterator[tuple[str, object]], name: str
) -> AsyncIterator[bytes]:
    in_file = True
    async for kind, value in events:
        if in_file and kind == "data":
            assert isinstance(value, bytes)
            if value:
                yield value
        elif in_file and kind == "end":
            in_file = False
        elif kind == "part":
            assert isinstance(value, _Part)
            problem = "Only one file per upload" if value.name == name else "Unknown field"
            raise ValidationFailed.field(value.name, problem)
