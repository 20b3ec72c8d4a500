"""Events in page order with every filtered column: one index serves a whole API page.

Revision ID: 0004
Revises: 0003

``ix_events_page`` holds the events' page order (start date, article id, event id) and
then every column a list filter reads, so a page is one ordered walk of the index that
stops at the page's size: the filters are checked on the index entries, and only the
events on the page are read from the table.
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


def upgrade() -> None:
    op.create_index("ix_events_page", "events", PAGE_COLUMNS)


def downgrade() -> None:
    op.drop_index("ix_events_page", table_name="events")
