"""The app factory: API routes, the dashboard's static files and offline /docs."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dotterel import __version__
from dotterel.api._articles import router as articles_router
from dotterel.api._context import Context
from dotterel.api._errors import install_handlers
from dotterel.api._events import router as events_router
from dotterel.api._incidents import router as incidents_router
from dotterel.pipeline import Pipeline
from dotterel.settings import Settings
from dotterel.store import Store

__all__ = ["WEB", "create_app"]

WEB = Path(str(resources.files("dotterel") / "web"))

# The dashboard runs only its own files: no inline script, nothing from elsewhere.
_DASHBOARD_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'"
)

_DESCRIPTION = """Coded events from news about armed conflict and diplomacy.

Lists (`/events`, `/incidents`) take the filters of `/stats` and return one page at a time:
pass the `next` value as `cursor` for the following page. `format=geojson` or
`format=csv` return the same page as a GeoJSON FeatureCollection or CSV. `POST
/articles` needs `Authorization: Bearer <api_token>`. The dashboard is at `/`."""


def create_app(
    store: Store, settings: Settings | None = None, *, pipeline: Pipeline | None = None
) -> FastAPI:
    """The API and dashboard over ``store``. ``pipeline`` codes posted articles; without
    one, a Pipeline is built from ``settings`` on the first POST."""
    resolved = settings or Settings()

    def make_pipeline() -> Pipeline:
        return pipeline if pipeline is not None else Pipeline(resolved)

    app = FastAPI(
        title="dotterel",
        version=__version__,
        description=_DESCRIPTION,
        docs_url=None,
        redoc_url=None,
    )
    app.state.context = Context(store, resolved, make_pipeline)
    install_handlers(app)
    app.include_router(events_router)
    app.include_router(incidents_router)
    app.include_router(articles_router)
    app.mount("/static", StaticFiles(directory=WEB), name="static")
    app.add_api_route("/", _dashboard, include_in_schema=False)
    app.add_api_route("/docs", _docs, include_in_schema=False)
    app.add_middleware(_SecurityHeaders)
    return app


def _dashboard() -> FileResponse:
    return FileResponse(WEB / "index.html", media_type="text/html")


def _docs() -> HTMLResponse:
    return get_swagger_ui_html(
        openapi_url="/openapi.json",
        title="dotterel API",
        swagger_js_url="/static/vendor/swagger-ui/swagger-ui-bundle.js",
        swagger_css_url="/static/vendor/swagger-ui/swagger-ui.css",
        swagger_favicon_url="/static/vendor/swagger-ui/favicon-32x32.png",
    )


class _SecurityHeaders:
    """ASGI middleware: ``nosniff`` on every answer, the CSP on the dashboard page."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        dashboard = scope["path"] == "/"

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                if dashboard:
                    headers["Content-Security-Policy"] = _DASHBOARD_CSP
            await send(message)

        await self.app(scope, receive, with_headers)
