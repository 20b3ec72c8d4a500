"""Incidents in page order with every filtered column: a bounded walk serves an API page.

Revision ID: 0005
Revises: 0004

``ix_incidents_page`` holds the incidents' page order (start date, incident id) and then
every column a list filter reads, as ``ix_events_page`` does for events (0004): a page
walks the index in order checking the filters on its entries, and reads only the
incidents on the page from the table.
"""

from __future__ import annotations

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | None = None
depends_on: str | None = None

PAGE_COLUMNS = [
    "date_start",
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
    op.create_index("ix_incidents_page", "incidents", PAGE_COLUMNS)


def downgrade() -> None:
    op.drop_index("ix_incidents_page", table_name="incidents")
