"""The store's tables as SQLAlchemy 2 declarative models.

``events`` keeps the full record as JSON in ``record`` and copies the fields people
filter on (type, countries, dates, fatalities) into plain indexed columns; so does
``incidents`` for fused happenings. ``article_sketches`` and ``article_bands`` hold each
article's MinHash signature and LSH band keys, to find syndicated copies.

Text search has a per-backend index the models cannot declare (see migration 0002): on
SQLite the FTS5 trigram table ``events_text``, on PostgreSQL a pg_trgm GIN index on
``events.evidence``. ``include_name`` hides them from Alembic's model comparison.
Any change here needs a new migration in ``migrations/versions/``; the test suite
fails when the models and the migrations disagree.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    LargeBinary,
    MetaData,
    String,
    Text,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = [
    "TEXT_INDEXES",
    "ArticleBandRow",
    "ArticleRow",
    "ArticleSketchRow",
    "Base",
    "EventRow",
    "IncidentRow",
    "include_name",
]

# Stable constraint and index names, so batch migrations on SQLite can find them.
NAMING_CONVENTION: dict[str, str] = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base carrying the store's metadata."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class ArticleRow(Base):
    """One stored article; ``id`` is the hash of its normalised text."""

    __tablename__ = "articles"

    id: Mapped[str] = mapped_column(String, primary_key=True)
    ref: Mapped[str | None] = mapped_column(String)
    url: Mapped[str | None] = mapped_column(String)
    title: Mapped[str | None] = mapped_column(String)
    published: Mapped[date | None] = mapped_column(Date)
    outlet: Mapped[str | None] = mapped_column(String)
    language: Mapped[str] = mapped_column(String)
    text: Mapped[str] = mapped_column(Text)
    ingested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


# Events a partial index holds: those not told as having happened.
_NOT_ASSERTED = "modality <> 'asserted'"

# The columns list filters read besides the type and the start date.
_PAGE_FILTERED = (
    "mode",
    "modality",
    "source_country",
    "target_country",
    "place_country",
    "lat",
    "lon",
)


class EventRow(Base):
    """One coded event: filterable columns plus the full record in ``record``."""

    __tablename__ = "events"
    __table_args__ = (
        # Country + date queries: ``country`` matches any of the three columns, so each
        # one leads an index (SQLite's OR optimisation needs every branch indexed).
        Index("ix_events_source_country_date_start", "source_country", "date_start"),
        Index("ix_events_target_country_date_start", "target_country", "date_start"),
        Index("ix_events_place_country_date_start", "place_country", "date_start"),
        # Fusion looks for same-type events in the same country within a few days.
        Index("ix_events_type_place_country_date_start", "type", "place_country", "date_start"),
        Index("ix_events_lat_lon", "lat", "lon"),  # bounding boxes
        Index("ix_events_lon_lat", "lon", "lat"),  # boxes in busy latitudes (migration 0006)
        # API pages: the page order, then every filtered column (see dotterel.store._query);
        # and the same behind the type, for pages of one type.
        Index("ix_events_page", "date_start", "article_id", "id", "type", *_PAGE_FILTERED),
        Index("ix_events_type_page", "type", "date_start", "article_id", "id", *_PAGE_FILTERED),
        # The same behind the modality, holding only the events not told as having
        # happened (negated, future, hypothetical; migration 0006).
        Index(
            "ix_events_modality_page",
            "modality",
            "date_start",
            "article_id",
            "id",
            "type",
            *(c for c in _PAGE_FILTERED if c != "modality"),
            postgresql_where=text(_NOT_ASSERTED),
            sqlite_where=text(_NOT_ASSERTED),
        ),
    )

    id: Mapped[str] = mapped_column(String, primary_key=True)
    article_id: Mapped[str] = mapped_column(String, ForeignKey("articles.id"), index=True)
    type: Mapped[str] = mapped_column(String)  # leads ix_events_type_page
    mode: Mapped[str | None] = mapped_column(String)
    modality: Mapped[str] = mapped_column(String)
    source_country: Mapped[str | None] = mapped_column(String)
    target_country: Mapped[str | None] = mapped_column(String)
    place_country: Mapped[str | None] = mapped_column(String)
    place_name: Mapped[str | None] = mapped_column(String)
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    date_start: Mapped[date | None] = mapped_column(Date, index=True)
    date_end: Mapped[date | None] = mapped_column(Date)
    date_precision: Mapped[int | None] = mapped_column()
    fatalities_best: Mapped[int | None] = mapped_column()
    fatalities_low: Mapped[int | None] = mapped_column()
    fatalities_high: Mapped[int | None] = mapped_column()
    evidence: Mapped[str] = mapped_column(Text)
    confidence: Mapped[float] = mapped_column(Float)
    record: Mapped[dict[str, Any]] = mapped_column(JSON)
    place_precision: Mapped[int | None] = mapped_column()
    place_admin1: Mapped[str | None] = mapped_column(String)
    # The incident the event was fused into; null for events that are not happenings
    # (negated, future, hypothetical) or too vaguely dated to fuse.
    incident_id: Mapped[str | None] = mapped_column(String, index=True)


class IncidentRow(Base):
    """One fused happening: filterable columns plus the full Incident record."""

    __tablename__ = "incidents"
    __table_args__ = (
        Index("ix_incidents_source_country_date_start", "source_country", "date_start"),
        Index("ix_incidents_target_country_date_start", "target_country", "date_start"),
        Index("ix_incidents_place_country_date_start", "place_country", "date_start"),
        Index("ix_incidents_lat_lon", "lat", "lon"),
        # A type's incidents in date order (every incident is dated): no sort for a page.
        Index("ix_incidents_type_date_start", "type", "date_start", "id"),
        # API pages: the page order, then every filtered column (see dotterel.store._query).
        Index(
            "ix_incidents_page",
            "date_start",
            "id",
            "type",
            "mode",
            "source_country",
            "target_country",
            "place_country",
            "lat",
            "lon",
        ),
    )

    id: Mapped[str] = mapped_column(String, primary_key=True)
    type: Mapped[str] = mapped_column(String, index=True)
    mode: Mapped[str | None] = mapped_column(String)
    source_country: Mapped[str | None] = mapped_column(String)
    target_country: Mapped[str | None] = mapped_column(String)
    place_country: Mapped[str | None] = mapped_column(String)
    place_name: Mapped[str | None] = mapped_column(String)
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    date_start: Mapped[date | None] = mapped_column(Date, index=True)
    date_end: Mapped[date | None] = mapped_column(Date)
    date_precision: Mapped[int | None] = mapped_column()
    fatalities_best: Mapped[int | None] = mapped_column()
    fatalities_low: Mapped[int | None] = mapped_column()
    fatalities_high: Mapped[int | None] = mapped_column()
    sources: Mapped[int] = mapped_column()
    n_events: Mapped[int] = mapped_column()
    record: Mapped[dict[str, Any]] = mapped_column(JSON)


class ArticleSketchRow(Base):
    """An article's MinHash signature and its near-duplicate cluster.

    ``cluster_id`` is the smallest article id among the article and its near-copies
    (connected through pairs above the similarity threshold), so it does not depend on
    the order the articles arrived in.
    """

    __tablename__ = "article_sketches"

    article_id: Mapped[str] = mapped_column(String, ForeignKey("articles.id"), primary_key=True)
    cluster_id: Mapped[str] = mapped_column(String, index=True)
    signature: Mapped[bytes] = mapped_column(LargeBinary)


class ArticleBandRow(Base):
    """One LSH band key of an article: articles sharing a key are near-copy candidates."""

    __tablename__ = "article_bands"

    band: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    article_id: Mapped[str] = mapped_column(String, ForeignKey("articles.id"), primary_key=True)


# Per-backend text indexes made by migration 0002, outside the models.
TEXT_INDEXES: frozenset[str] = frozenset({"events_text", "ix_events_evidence_trgm"})


def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    """Alembic filter: leave the text-search table (and its FTS5 shadow tables) and
    index, which the models do not declare, out of autogenerate comparisons."""
    if name is None:
        return True
    return not any(name == text or name.startswith(f"{text}_") for text in TEXT_INDEXES)
