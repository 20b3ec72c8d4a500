"""What every route needs: the store, its queries, the settings and the pipeline."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from fastapi import Request

from dotterel.pipeline import Pipeline
from dotterel.settings import Settings
from dotterel.store import Store
from dotterel.store._query import EventQueries, IncidentQueries

__all__ = ["Context", "context"]


@dataclass(slots=True)
class Context:
    """One app's store, settings and (built on first use) pipeline.

    ``coding`` is held while the pipeline codes articles: its stages are not shared
    across threads.
    """

    store: Store
    settings: Settings
    make_pipeline: Callable[[], Pipeline]
    queries: EventQueries = field(init=False)
    incidents: IncidentQueries = field(init=False)
    _pipeline: Pipeline | None = field(default=None, init=False)
    coding: threading.Lock = field(default_factory=threading.Lock, init=False)
    _building: threading.Lock = field(default_factory=threading.Lock, init=False)

    def __post_init__(self) -> None:
        self.queries = EventQueries(self.store)
        self.incidents = IncidentQueries(self.store)

    def pipeline(self) -> Pipeline:
        """The pipeline, built on the first write so read-only servers start fast."""
        with self._building:
            if self._pipeline is None:
                self._pipeline = self.make_pipeline()
            return self._pipeline


async def context(request: Request) -> Context:
    """FastAPI dependency: the Context of the app serving this request."""
    found = request.app.state.context
    assert isinstance(found, Context)
    return found
