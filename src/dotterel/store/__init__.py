"""The event store: articles and their coded events in SQLite (default) or PostgreSQL.

Example::

    with Store("events.db") as store:
        store.add(article, events)
        store.events(country="UKR", since=date(2023, 7, 1))
"""

from __future__ import annotations

from dotterel.store._store import Store

__all__ = ["Store"]
