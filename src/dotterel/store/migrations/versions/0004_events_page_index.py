"""Events in page order with every filtered column: one index walk serves an API page.

Revision ID: 0004
Revises: 0003

``ix_events_page`` holds the events' page order (start date, article id, event id) and
then every column a list filter reads, so a page is one ordered walk of the index that
stops when the page is full: the filters are checked on the index entries, and only the
events on the page are read from the table. ``ix_events_type_page`` is the same behind
the type, for pages of one type; it replaces ``ix_events_type``, which it leads with.
"""

from __future__ import annotations

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None

PAGE_COLUMNS = [
    "date_start",
    "article_id",
    "id",
    "type",
    "mode",
    "modality",
    "source_country",
    "target_country",
    "place_country",
    "lat",
    "lon",
]


TYPE_PAGE_COLUMNS = ["type", *(c for c in PAGE_COLUMNS if c != "type")]


def upgrade() -> None:
    op.create_index("ix_events_page", "events", PAGE_COLUMNS)
    op.create_index("ix_events_type_page", "events", TYPE_PAGE_COLUMNS)
    op.drop_index("ix_events_type", table_name="events")


def downgrade() -> None:
    op.create_index("ix_events_type", "events", ["type"])
    op.drop_index("ix_events_type_page", table_name="events")
    op.drop_index("ix_events_page", table_name="events")
