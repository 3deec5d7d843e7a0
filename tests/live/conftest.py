"""The realtime engineer's socket fixtures (a real uvicorn, an HTTP client to it, node clients),
for the live tests that listen on channels."""

from tests.realtime.conftest import base, http, start_js

__all__ = ["base", "http", "start_js"]
