"""Create the articles and events tables.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "articles",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("ref", sa.String(), nullable=True),
        sa.Column("url", sa.String(), nullable=True),
        sa.Column("title", sa.String(), nullable=True),
        sa.Column("published", sa.Date(), nullable=True),
        sa.Column("outlet", sa.String(), nullable=True),
        sa.Column("language", sa.String(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("ingested_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_articles"),
    )
    op.create_table(
        "events",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("article_id", sa.String(), nullable=False),
        sa.Column("type", sa.String(), nullable=False),
        sa.Column("mode", sa.String(), nullable=True),
        sa.Column("modality", sa.String(), nullable=False),
        sa.Column("source_country", sa.String(), nullable=True),
        sa.Column("target_country", sa.String(), nullable=True),
        sa.Column("place_country", sa.String(), nullable=True),
        sa.Column("place_name", sa.String(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("date_start", sa.Date(), nullable=True),
        sa.Column("date_end", sa.Date(), nullable=True),
        sa.Column("date_precision", sa.Integer(), nullable=True),
        sa.Column("fatalities_best", sa.Integer(), nullable=True),
        sa.Column("fatalities_low", sa.Integer(), nullable=True),
        sa.Column("fatalities_high", sa.Integer(), nullable=True),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("record", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name="fk_events_article_id_articles",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_events"),
    )
    with op.batch_alter_table("events") as batch_op:
        batch_op.create_index("ix_events_article_id", ["article_id"])
        batch_op.create_index("ix_events_type", ["type"])
        batch_op.create_index("ix_events_date_start", ["date_start"])
        batch_op.create_index(
            "ix_events_source_country_date_start", ["source_country", "date_start"]
        )
        batch_op.create_index(
            "ix_events_target_country_date_start", ["target_country", "date_start"]
        )
        batch_op.create_index("ix_events_place_country_date_start", ["place_country", "date_start"])


def downgrade() -> None:
    op.drop_table("events")
    op.drop_table("articles")
