"""Running the app: in the foreground (``dotterel serve``) or in a background thread."""

from __future__ import annotations

import socket
import threading
import time
from types import TracebackType
from typing import Self

import uvicorn
from fastapi import FastAPI

from dotterel.api._app import create_app
from dotterel.errors import DotterelError
from dotterel.settings import Settings
from dotterel.store import Store

__all__ = ["BackgroundServer", "serve"]


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve the API and dashboard over ``settings.db`` until interrupted."""
    with Store(settings.db) as store:
        uvicorn.run(create_app(store, settings), host=host, port=port, log_level="info")


class BackgroundServer:
    """Serve an app with uvicorn in a daemon thread on a free loopback port.

    Example::

        with BackgroundServer(create_app(store)) as server:
            httpx.get(server.url + "/events")
    """

    def __init__(self, app: FastAPI, host: str = "127.0.0.1", *, log_level: str = "warning"):
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind((host, 0))
        self.port: int = self._socket.getsockname()[1]
        self.url = f"http://{host}:{self.port}"
        config = uvicorn.Config(app, log_level=log_level, access_log=False)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True
        )

    def __enter__(self) -> Self:
        self._thread.start()
        deadline = time.monotonic() + 30
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self._socket.close()
                raise DotterelError(f"the server at {self.url} did not start")
            time.sleep(0.01)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=30)
        self._socket.close()
