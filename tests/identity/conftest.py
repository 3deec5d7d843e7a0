"""Identity test fixtures: a local identity provider (OIDC + introspection) configured as the
app's social providers for the duration of a test."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from livehouse.core.runtime import Runtime
from livehouse.identity import providers
from tests.identity.issuer import Issuer


@pytest.fixture(scope="session")
def issuer_server() -> Iterator[Issuer]:
    server = Issuer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
async def issuer(issuer_server: Issuer, clean: Runtime) -> AsyncIterator[Issuer]:
    settings = clean.settings
    before = settings.social_providers
    settings.social_providers = issuer_server.providers()
    providers.clear_cache()
    issuer_server.published = [issuer_server.key]
    issuer_server.jwks_fetches = 0
    yield issuer_server
    settings.social_providers = before
    providers.clear_cache()
