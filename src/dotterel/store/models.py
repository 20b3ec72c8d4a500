"""The store's tables as SQLAlchemy 2 declarative models.

``events`` keeps the full record as JSON in ``record`` and copies the fields people
filter on (type, countries, dates, fatalities) into plain indexed columns.
Any change here needs a new migration in ``migrations/versions/``; the test suite
fails when the models and the migrations disagree.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, DateTime, Float, ForeignKey, Index, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = ["ArticleRow", "Base", "EventRow"]

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


class EventRow(Base):
    """One coded event: filterable columns plus the full record in ``record``."""

    __tablename__ = "events"
    __table_args__ = (
        # Country + date queries: ``country`` matches any of the three columns, so each
        # one leads an index (SQLite's OR optimisation needs every branch indexed).
        Index("ix_events_source_country_date_start", "source_country", "date_start"),
        Index("ix_events_target_country_date_start", "target_country", "date_start"),
        Index("ix_events_place_country_date_start", "place_country", "date_start"),
    )

    id: Mapped[str] = mapped_column(String, primary_key=True)
    article_id: Mapped[str] = mapped_column(String, ForeignKey("articles.id"), index=True)
    type: Mapped[str] = mapped_column(String, index=True)
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
