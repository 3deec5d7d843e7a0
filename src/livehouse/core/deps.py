"""FastAPI dependencies every capability's api.py uses."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from livehouse.core.db import UnitOfWork


async def get_session(request: Request) -> AsyncSession:
    """The request's transaction (committed by UnitOfWorkMiddleware when the answer is < 400)."""
    uow: UnitOfWork = request.state.uow
    return uow.session


DbSession = Annotated[AsyncSession, Depends(get_session)]
