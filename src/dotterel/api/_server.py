"""Running the app: in the foreground (``dotterel serve``) or in a background thread."""

from __future__ import annotations

import dataclasses
import json
import os
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

__all__ = ["BackgroundServer", "app_from_environment", "serve"]


_SETTINGS_ENV = "DOTTEREL_SERVE_SETTINGS"


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 8000, workers: int = 1) -> None:
    """Serve the API and dashboard over ``settings.db`` until interrupted, in one process
    or in ``workers`` processes sharing the port."""
    if workers < 1:
        raise DotterelError(f"workers must be 1 or more, got {workers}")
    if workers == 1:
        with Store(settings.db) as store:
            uvicorn.run(create_app(store, settings), host=host, port=port, log_level="info")
        return
    Store(settings.db).close()  # create and migrate once, before the workers start
    os.environ[_SETTINGS_ENV] = json.dumps(dataclasses.asdict(settings))
    target = f"{__name__}:app_from_environment"
    uvicorn.run(target, factory=True, workers=workers, host=host, port=port, log_level="info")


def app_from_environment() -> FastAPI:
    """The app of one worker process of ``serve``: its settings come from the parent."""
    settings = Settings(**json.loads(os.environ[_SETTINGS_ENV]))
    return create_app(Store(settings.db), settings)


class BackgroundServer:
    """Serve an app with uvicorn in a daemon thread on a free loopback port.

    Example::

        with BackgroundServer(create_app(store)) as server:
            httpx.get(server.url + "/events")
    """

    def __init__(self, app: FastAPI, host: str = "127.0.0.1", *, log_level: str = "warning"):
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
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
