"""The bearer token: writes always need it, reads when ``api_read_auth`` is on."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import Depends, HTTPException, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from dotterel.api._context import Context, context

__all__ = ["require_reader", "require_writer"]

_bearer = HTTPBearer(
    auto_error=False,
    description="The server's api_token setting (environment DOTTEREL_API_TOKEN).",
)
Credentials = Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)]
_CHALLENGE = {"WWW-Authenticate": "Bearer"}


def _check(ctx: Context, credentials: HTTPAuthorizationCredentials | None) -> None:
    expected = ctx.settings.api_token
    if not expected:
        raise HTTPException(
            401,
            "this server has no api_token, so it takes no token; "
            "start it with DOTTEREL_API_TOKEN set",
            headers=_CHALLENGE,
        )
    if credentials is None:
        raise HTTPException(
            401, "send the header Authorization: Bearer <api_token>", headers=_CHALLENGE
        )
    if not secrets.compare_digest(credentials.credentials.encode(), expected.encode()):
        raise HTTPException(401, "the bearer token is not this server's api_token", _CHALLENGE)


async def require_writer(
    ctx: Annotated[Context, Depends(context)], credentials: Credentials
) -> None:
    """Dependency of every write: the token must match. (Dependencies that do no I/O
    are ``async``: FastAPI runs them in the event loop, not through the thread pool.)"""
    _check(ctx, credentials)


async def require_reader(
    ctx: Annotated[Context, Depends(context)], credentials: Credentials
) -> None:
    """Dependency of every read: the token must match when the settings say so."""
    if ctx.settings.api_read_auth:
        _check(ctx, credentials)
