"""Every error answer is JSON with a one-line ``error`` and the usual ``detail``."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from dotterel.errors import StoreError

__all__ = ["install_handlers", "invalid"]


def invalid(loc: tuple[str | int, ...], message: str) -> RequestValidationError:
    """A 422 naming the wrong field, e.g. ``invalid(("query", "bbox"), "needs 4 numbers")``."""
    return RequestValidationError([{"loc": loc, "msg": message, "type": "value_error"}])


def _plain(error: Any) -> dict[str, Any]:
    return {"loc": list(error.get("loc", ())), "msg": str(error.get("msg")), "type": error["type"]}


async def _on_invalid(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [_plain(e) for e in exc.errors()]
    first = errors[0] if errors else {"loc": [], "msg": "invalid request"}
    where = ".".join(str(part) for part in first["loc"])
    line = f"{where}: {first['msg']}" if where else first["msg"]
    return JSONResponse(status_code=422, content={"error": line, "detail": errors})


async def _on_http(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    return JSONResponse(
        status_code=exc.status_code,
        content={"error": str(exc.detail), "detail": exc.detail},
        headers=exc.headers,
    )


async def _on_store(_request: Request, exc: Exception) -> JSONResponse:
    message = " ".join(str(exc).split())
    return JSONResponse(status_code=503, content={"error": message, "detail": message})


def install_handlers(app: FastAPI) -> None:
    """Route validation, HTTP and store errors through the JSON shapes above."""
    app.add_exception_handler(RequestValidationError, _on_invalid)
    app.add_exception_handler(HTTPException, _on_http)
    app.add_exception_handler(StoreError, _on_store)
