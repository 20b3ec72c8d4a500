"""The HTTP API (FastAPI) and the dashboard it serves.

Example::

    with Store("events.db") as store:
        app = create_app(store, Settings(api_token="secret"))
        uvicorn.run(app)              # or: dotterel serve --db events.db
"""

from __future__ import annotations

from dotterel.api._app import create_app
from dotterel.api._server import BackgroundServer, serve

__all__ = ["BackgroundServer", "create_app", "serve"]
