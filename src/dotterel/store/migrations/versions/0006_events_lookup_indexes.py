"""Indexes for the lookups of rare filters: boxes narrow in longitude, rare modalities.

Revision ID: 0006
Revises: 0005

A page whose filters are too rare to fill it by walking ``ix_events_page`` looks the
rest up through the filters' own indexes (see ``dotterel.store._query``). Two filters had
no index of their own that served them well:

* a box: ``ix_events_lat_lon`` reads every event in the box's band of latitudes, which
  in busy latitudes is most of a country's events even when the box is empty (a box in
  the ocean at the latitude of Kyiv). ``ix_events_lon_lat`` reads its band of longitudes
  instead; the planner takes the narrower band.
* a modality other than ``asserted`` (negated, future, hypothetical: a few events in
  ten): only the type's index served it, read whole. ``ix_events_modality_page`` holds
  only those events (a partial index, so it stays small and writes of asserted events
  do not touch it), in page order and with every filtered column, as
  ``ix_events_type_page`` does for one type: on PostgreSQL a page of negated events in a
  country walks it instead of ``ix_events_page``, and a modality no event has is found
  empty at once.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | None = None
depends_on: str | None = None

NOT_ASSERTED = sa.text("modality <> 'asserted'")
MODALITY_PAGE_COLUMNS = [
    "modality",
    "date_start",
    "article_id",
    "id",
    "type",
    "mode",
    "source_country",
    "target_country",
    "place_country",
    "lat",
    "lon",
]


def upgrade() -> None:
    op.create_index("ix_events_lon_lat", "events", ["lon", "lat"])
    op.create_index(
        "ix_events_modality_page",
        "events",
        MODALITY_PAGE_COLUMNS,
        postgresql_where=NOT_ASSERTED,
        sqlite_where=NOT_ASSERTED,
    )


def downgrade() -> None:
    op.drop_index("ix_events_modality_page", table_name="events")
    op.drop_index("ix_events_lon_lat", table_name="events")
