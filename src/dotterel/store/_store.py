"""The Store: articles and their coded events in one SQL database."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from sqlalchemy import Select, func, insert, or_, select
from sqlalchemy.engine import URL
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from dotterel.errors import StoreError
from dotterel.records import Article, Event, event_from_dict
from dotterel.store._engine import WRITE, open_engine, parse_url, store_error
from dotterel.store._migrate import upgrade
from dotterel.store._rows import article_from_row, rows_for
from dotterel.store.models import ArticleRow, EventRow

__all__ = ["Store", "events_query"]

_Item = tuple[Article, Sequence[Event]]


class Store:
    """Articles and their events in SQLite (default) or PostgreSQL.

    ``url`` is a SQLAlchemy URL (``sqlite:///events.db``,
    ``postgresql+psycopg://user@host/db``) or a bare path to a SQLite file, which is
    created with its folder when missing. The schema is migrated on open. Use as a
    context manager, or call ``close()``.
    """

    def __init__(self, url: str | os.PathLike[str], *, create: bool = True) -> None:
        """Open (and migrate) the store; with ``create=False`` a missing SQLite file is an
        error instead of a new empty store (for commands that only read)."""
        self._url = parse_url(url)
        self.url: str = self._url.render_as_string(hide_password=True)
        if not create:
            _require_file(self._url)
        self._engine = open_engine(self._url)
        try:
            upgrade(self._engine)
        except StoreError:
            self._engine.dispose()
            raise
        except Exception as exc:  # driver, SQLAlchemy and Alembic errors alike
            self._engine.dispose()
            raise store_error("open and migrate", self._url, exc) from exc
        self._writer = self._engine.execution_options(**WRITE)

    def __repr__(self) -> str:
        return f"Store({self.url!r})"

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close every pooled connection."""
        self._engine.dispose()

    def add(self, article: Article, events: Sequence[Event]) -> bool:
        """Store one article with its events in one transaction.

        Returns False, changing nothing, when the article id is already stored.
        On any failure nothing of the article is kept and StoreError is raised.
        """
        article_row, event_rows = rows_for(article, events, datetime.now(UTC))
        try:
            with Session(self._writer) as session, session.begin():
                found = session.scalar(select(ArticleRow.id).where(ArticleRow.id == article.id))
                if found is not None:
                    return False
                session.execute(insert(ArticleRow), [article_row])
                if event_rows:
                    session.execute(insert(EventRow), event_rows)
            return True
        except IntegrityError as exc:
            if self._has_article(article.id):  # a concurrent writer stored it first
                return False
            raise store_error(f"store article {_name(article)}", self._url, exc) from exc
        except SQLAlchemyError as exc:
            raise store_error(f"store article {_name(article)}", self._url, exc) from exc

    def add_many(self, items: Iterable[_Item], *, batch_size: int = 500) -> tuple[int, int]:
        """Store many articles, ``batch_size`` per transaction.

        Returns (articles added, articles already present). On a bad item StoreError is
        raised; the articles before it are stored, it and those after it are not.
        """
        if batch_size < 1:
            raise ValueError(f"batch_size must be 1 or more, got {batch_size}")
        added = present = 0
        iterator = iter(items)
        while batch := list(itertools.islice(iterator, batch_size)):
            try:
                new, old = self._add_batch(batch)
            except (IntegrityError, StoreError):
                new = old = 0  # find the bad item: store this batch one article at a time
                for article, events in batch:
                    if self.add(article, events):
                        new += 1
                    else:
                        old += 1
            except SQLAlchemyError as exc:
                raise store_error("store a batch of articles", self._url, exc) from exc
            added, present = added + new, present + old
        return added, present

    def _add_batch(self, batch: list[_Item]) -> tuple[int, int]:
        now = datetime.now(UTC)
        with Session(self._writer) as session, session.begin():
            ids = {article.id for article, _ in batch}
            seen = set(session.scalars(select(ArticleRow.id).where(ArticleRow.id.in_(ids))))
            article_rows: list[dict[str, Any]] = []
            event_rows: list[dict[str, Any]] = []
            for article, events in batch:
                if article.id in seen:
                    continue
                seen.add(article.id)
                article_row, rows = rows_for(article, events, now)
                article_rows.append(article_row)
                event_rows.extend(rows)
            if article_rows:
                session.execute(insert(ArticleRow), article_rows)
            if event_rows:
                session.execute(insert(EventRow), event_rows)
        return len(article_rows), len(batch) - len(article_rows)

    def events(
        self,
        *,
        type: str | None = None,
        country: str | None = None,
        since: date | None = None,
        until: date | None = None,
        limit: int | None = None,
    ) -> list[Event]:
        """Stored events, oldest first (undated last), then by article and id.

        ``type`` is a PLOVER type; ``country`` (ISO3 or organisation code) matches the
        source's, the target's or the place's country; ``since``/``until`` bound the
        event's start date, both inclusive. Codes are matched case-insensitively.
        """
        query = events_query(type=type, country=country, since=since, until=until, limit=limit)
        try:
            with Session(self._engine) as session:
                records = session.scalars(query).all()
        except SQLAlchemyError as exc:
            raise store_error("read events", self._url, exc) from exc
        return [event_from_dict(record) for record in records]

    def article(self, article_id: str) -> Article | None:
        """The stored article with this id, or None."""
        try:
            with Session(self._engine) as session:
                row = session.get(ArticleRow, article_id)
                return None if row is None else article_from_row(row)
        except SQLAlchemyError as exc:
            raise store_error(f"read article {article_id!r}", self._url, exc) from exc

    def counts(self) -> dict[str, int]:
        """How many articles and events are stored: {"articles": n, "events": m}."""
        try:
            with Session(self._engine) as session:
                articles = session.scalar(select(func.count()).select_from(ArticleRow)) or 0
                events = session.scalar(select(func.count()).select_from(EventRow)) or 0
        except SQLAlchemyError as exc:
            raise store_error("count rows", self._url, exc) from exc
        return {"articles": articles, "events": events}

    def _has_article(self, article_id: str) -> bool:
        with Session(self._engine) as session:
            found = session.scalar(select(ArticleRow.id).where(ArticleRow.id == article_id))
        return found is not None


def events_query(
    *,
    type: str | None = None,
    country: str | None = None,
    since: date | None = None,
    until: date | None = None,
    limit: int | None = None,
) -> Select[tuple[dict[str, Any]]]:
    """The SELECT behind ``Store.events`` (records only, in the documented order)."""
    if limit is not None and limit < 0:
        raise ValueError(f"limit must be 0 or more, got {limit}")
    query = select(EventRow.record)
    if type is not None:
        query = query.where(EventRow.type == type.upper())
    if country is not None:
        code = country.upper()
        query = query.where(
            or_(
                EventRow.source_country == code,
                EventRow.target_country == code,
                EventRow.place_country == code,
            )
        )
    if since is not None:
        query = query.where(EventRow.date_start >= since)
    if until is not None:
        query = query.where(EventRow.date_start <= until)
    order = (EventRow.date_start.asc().nulls_last(), EventRow.article_id, EventRow.id)
    return query.order_by(*order).limit(limit)


def _name(article: Article) -> str:
    return f"{article.id} ({article.ref})" if article.ref else article.id


def _require_file(url: URL) -> None:
    database = url.database or ""
    if url.get_backend_name() != "sqlite" or database in ("", ":memory:"):
        return
    if database.startswith("file:"):
        return
    if not Path(database).expanduser().exists():
        raise StoreError(f"no store at {database}; run `dotterel ingest` to create one")
