"""The Store: articles, their coded events and the incidents fused from them, in one SQL
database.

Writing (``add``, ``add_many``) stores each article with its events and fuses them in
the same transaction: near-copies are linked and every asserted, dated event joins or
creates an incident (``dotterel.fusion``). A crash loses at most the batch in flight,
whole; adding it again completes the store as if nothing had happened.

Reading, for the CLI, the API and exports:

* ``events(type=, country=, since=, until=, bbox=, text=, limit=)`` -> list[Event]
* ``incidents(type=, country=, since=, until=, bbox=, text=, limit=, offset=)``
  -> list[Incident], oldest first, then by id; ``incidents_query(...)``
  is the SELECT behind it, for callers that page or count.
* ``iter_incidents(...)``: the same, streamed (for exports).
* ``incident(id)`` -> Incident | None; ``claims(id)`` -> list[Claim] (StoreError if no
  such incident); ``article(id)`` -> Article | None; ``counts()``.

``country`` matches the source's, the target's or the place's country; ``bbox`` is
(west, south, east, north) in degrees; ``text`` a case-insensitive substring of an
evidence sentence (of any member event, for incidents).
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from sqlalchemy import ColumnElement, Select, func, insert, or_, select
from sqlalchemy.engine import URL
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from dotterel.errors import StoreError
from dotterel.records import Article, Claim, Event, Incident, event_from_dict
from dotterel.store._engine import WRITE, open_engine, parse_url, store_error
from dotterel.store._filters import BBox, evidence_contains, in_bbox
from dotterel.store._fuse import Fuser
from dotterel.store._migrate import upgrade
from dotterel.store._rows import article_from_row, rows_for
from dotterel.store.models import ArticleRow, ArticleSketchRow, EventRow, IncidentRow

__all__ = ["Store", "events_query", "incidents_query"]

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
        self._fuser: Fuser | None = None  # built on the first write (loads the regions)

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

    @property
    def fuser(self) -> Fuser:
        if self._fuser is None:
            self._fuser = Fuser()
        return self._fuser

    def add(self, article: Article, events: Sequence[Event], *, fuse: bool = True) -> bool:
        """Store one article with its events, and fuse them, in one transaction.

        Returns False, changing nothing, when the article id is already stored.
        On any failure nothing of the article is kept and StoreError is raised.
        With ``fuse=False`` the article waits for ``fuse_pending``.
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
                if fuse:
                    self.fuser.fuse(session, [(article, events)])
            return True
        except IntegrityError as exc:
            if self._has_article(article.id):  # a concurrent writer stored it first
                return False
            raise store_error(f"store article {_name(article)}", self._url, exc) from exc
        except SQLAlchemyError as exc:
            raise store_error(f"store article {_name(article)}", self._url, exc) from exc

    def add_many(
        self, items: Iterable[_Item], *, batch_size: int = 500, fuse: bool = True
    ) -> tuple[int, int]:
        """Store (and fuse) many articles, ``batch_size`` per transaction.

        Returns (articles added, articles already present). On a bad item StoreError is
        raised; the articles before it are stored, it and those after it are not.
        """
        if batch_size < 1:
            raise ValueError(f"batch_size must be 1 or more, got {batch_size}")
        added = present = 0
        iterator = iter(items)
        while batch := list(itertools.islice(iterator, batch_size)):
            try:
                new, old = self._add_batch(batch, fuse)
            except (IntegrityError, StoreError):
                new = old = 0  # find the bad item: store this batch one article at a time
                for article, events in batch:
                    if self.add(article, events, fuse=fuse):
                        new += 1
                    else:
                        old += 1
            except SQLAlchemyError as exc:
                raise store_error("store a batch of articles", self._url, exc) from exc
            added, present = added + new, present + old
        return added, present

    def _add_batch(self, batch: list[_Item], fuse: bool) -> tuple[int, int]:
        now = datetime.now(UTC)
        with Session(self._writer) as session, session.begin():
            ids = {article.id for article, _ in batch}
            seen = set(session.scalars(select(ArticleRow.id).where(ArticleRow.id.in_(ids))))
            article_rows: list[dict[str, Any]] = []
            event_rows: list[dict[str, Any]] = []
            fresh: list[_Item] = []
            for article, events in batch:
                if article.id in seen:
                    continue
                seen.add(article.id)
                article_row, rows = rows_for(article, events, now)
                article_rows.append(article_row)
                event_rows.extend(rows)
                fresh.append((article, events))
            if article_rows:
                session.execute(insert(ArticleRow), article_rows)
            if event_rows:
                session.execute(insert(EventRow), event_rows)
            if fuse:
                self.fuser.fuse(session, fresh)
        return len(article_rows), len(batch) - len(article_rows)

    def fuse_pending(self, *, batch_size: int = 500) -> int:
        """Fuse the stored articles that were never fused (stored with ``fuse=False``, or
        before schema revision 0002), ``batch_size`` per transaction; returns how many."""
        if batch_size < 1:
            raise ValueError(f"batch_size must be 1 or more, got {batch_size}")
        done = 0
        pending = (
            select(ArticleRow)
            .outerjoin(ArticleSketchRow, ArticleSketchRow.article_id == ArticleRow.id)
            .where(ArticleSketchRow.article_id.is_(None))
            .order_by(ArticleRow.id)
            .limit(batch_size)
        )
        try:
            while True:
                with Session(self._writer) as session, session.begin():
                    articles = [article_from_row(row) for row in session.scalars(pending)]
                    if not articles:
                        return done
                    by_article: dict[str, list[Event]] = {a.id: [] for a in articles}
                    for record in session.scalars(
                        select(EventRow.record)
                        .where(EventRow.article_id.in_(by_article))
                        .order_by(EventRow.id)
                    ):
                        event = event_from_dict(record)
                        by_article[event.article_id].append(event)
                    self.fuser.fuse(session, [(a, by_article[a.id]) for a in articles])
                done += len(articles)
        except SQLAlchemyError as exc:
            raise store_error("fuse stored articles", self._url, exc) from exc

    def events(
        self,
        *,
        type: str | None = None,
        country: str | None = None,
        since: date | None = None,
        until: date | None = None,
        bbox: BBox | None = None,
        text: str | None = None,
        limit: int | None = None,
    ) -> list[Event]:
        """Stored events, oldest first (undated last), then by article and id.

        ``type`` is a PLOVER type; ``country`` (ISO3 or organisation code) matches the
        source's, the target's or the place's country; ``since``/``until`` bound the
        event's start date, both inclusive; ``bbox`` (west, south, east, north) the
        place; ``text`` is a substring of the evidence. Codes match case-insensitively.
        """
        query = events_query(
            type=type, country=country, since=since, until=until, bbox=bbox, text=text, limit=limit
        )
        try:
            with Session(self._engine) as session:
                records = session.scalars(query).all()
        except SQLAlchemyError as exc:
            raise store_error("read events", self._url, exc) from exc
        return [event_from_dict(record) for record in records]

    def incidents(
        self,
        *,
        type: str | None = None,
        country: str | None = None,
        since: date | None = None,
        until: date | None = None,
        bbox: BBox | None = None,
        text: str | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[Incident]:
        """Stored incidents, oldest first, then by id; filters as ``events``
        (``text`` matches any member's evidence)."""
        query = incidents_query(
            type=type,
            country=country,
            since=since,
            until=until,
            bbox=bbox,
            text=text,
            limit=limit,
            offset=offset,
        )
        try:
            with Session(self._engine) as session:
                records = session.scalars(query).all()
        except SQLAlchemyError as exc:
            raise store_error("read incidents", self._url, exc) from exc
        return [Incident.from_dict(record) for record in records]

    def iter_incidents(self, *, batch_size: int = 1000, **filters: Any) -> Iterator[Incident]:
        """Like ``incidents`` (same filters), streamed ``batch_size`` rows at a time, for
        exports of any size."""
        query = incidents_query(**filters).execution_options(yield_per=batch_size)
        try:
            with Session(self._engine) as session:
                for record in session.scalars(query):
                    yield Incident.from_dict(record)
        except SQLAlchemyError as exc:
            raise store_error("read incidents", self._url, exc) from exc

    def incident(self, incident_id: str) -> Incident | None:
        """The incident with this id, or None."""
        try:
            with Session(self._engine) as session:
                record = session.scalar(
                    select(IncidentRow.record).where(IncidentRow.id == incident_id)
                )
        except SQLAlchemyError as exc:
            raise store_error(f"read incident {incident_id!r}", self._url, exc) from exc
        return None if record is None else Incident.from_dict(record)

    def claims(self, incident_id: str) -> list[Claim]:
        """Every source's figures for an incident; StoreError if there is no such incident."""
        found = self.incident(incident_id)
        if found is None:
            raise StoreError(
                f"no incident {incident_id!r} in store {self.url}; "
                "list them with `dotterel incidents`"
            )
        return found.claims

    def article(self, article_id: str) -> Article | None:
        """The stored article with this id, or None."""
        try:
            with Session(self._engine) as session:
                row = session.get(ArticleRow, article_id)
                return None if row is None else article_from_row(row)
        except SQLAlchemyError as exc:
            raise store_error(f"read article {article_id!r}", self._url, exc) from exc

    def counts(self) -> dict[str, int]:
        """How many articles, events and incidents are stored."""
        try:
            with Session(self._engine) as session:
                articles = session.scalar(select(func.count()).select_from(ArticleRow)) or 0
                events = session.scalar(select(func.count()).select_from(EventRow)) or 0
                incidents = session.scalar(select(func.count()).select_from(IncidentRow)) or 0
        except SQLAlchemyError as exc:
            raise store_error("count rows", self._url, exc) from exc
        return {"articles": articles, "events": events, "incidents": incidents}

    def _has_article(self, article_id: str) -> bool:
        with Session(self._engine) as session:
            found = session.scalar(select(ArticleRow.id).where(ArticleRow.id == article_id))
        return found is not None


def _conditions(
    table: type[EventRow] | type[IncidentRow],
    type: str | None,
    country: str | None,
    since: date | None,
    until: date | None,
    bbox: BBox | None,
) -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = []
    if type is not None:
        found.append(table.type == type.upper())
    if country is not None:
        code = country.upper()
        found.append(
            or_(
                table.source_country == code,
                table.target_country == code,
                table.place_country == code,
            )
        )
    if since is not None:
        found.append(table.date_start >= since)
    if until is not None:
        found.append(table.date_start <= until)
    if bbox is not None:
        found.append(in_bbox(table.lat, table.lon, bbox))
    return found


def events_query(
    *,
    type: str | None = None,
    country: str | None = None,
    since: date | None = None,
    until: date | None = None,
    bbox: BBox | None = None,
    text: str | None = None,
    limit: int | None = None,
) -> Select[tuple[dict[str, Any]]]:
    """The SELECT behind ``Store.events`` (records only, in the documented order)."""
    if limit is not None and limit < 0:
        raise ValueError(f"limit must be 0 or more, got {limit}")
    query = select(EventRow.record).where(*_conditions(EventRow, type, country, since, until, bbox))
    if text is not None:
        query = query.where(evidence_contains(text))
    order = (EventRow.date_start.asc().nulls_last(), EventRow.article_id, EventRow.id)
    return query.order_by(*order).limit(limit)


def incidents_query(
    *,
    type: str | None = None,
    country: str | None = None,
    since: date | None = None,
    until: date | None = None,
    bbox: BBox | None = None,
    text: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> Select[tuple[dict[str, Any]]]:
    """The SELECT behind ``Store.incidents`` (records only, in the documented order)."""
    if limit is not None and limit < 0:
        raise ValueError(f"limit must be 0 or more, got {limit}")
    if offset < 0:
        raise ValueError(f"offset must be 0 or more, got {offset}")
    query = select(IncidentRow.record).where(
        *_conditions(IncidentRow, type, country, since, until, bbox)
    )
    if text is not None:
        members = select(EventRow.incident_id).where(evidence_contains(text))
        query = query.where(IncidentRow.id.in_(members))
    order = (IncidentRow.date_start, IncidentRow.id)  # fusion dates every incident
    return query.order_by(*order).limit(limit).offset(offset or None)


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
