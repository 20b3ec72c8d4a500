"""Fusion: incidents, near-duplicate sketches, place columns for fusion, bbox and text indexes.

Revision ID: 0002
Revises: 0001

Text search is indexed per backend, outside the models: on SQLite an FTS5 trigram
table ``events_text`` kept in step with ``events`` by triggers (a later migration that
recreates ``events`` in batch mode must recreate the triggers); on PostgreSQL a GIN
index with pg_trgm's ``gin_trgm_ops`` on ``events.evidence``, made only when the
extension is (or can be) installed.

Articles stored before this revision have no sketch and their events no incident:
``Store.fuse_pending()`` (run by ``dotterel ingest``) fuses them.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("events") as batch_op:
        batch_op.add_column(sa.Column("place_precision", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("place_admin1", sa.String(), nullable=True))
        batch_op.add_column(sa.Column("incident_id", sa.String(), nullable=True))
        batch_op.create_index("ix_events_incident_id", ["incident_id"])
        batch_op.create_index(
            "ix_events_type_place_country_date_start", ["type", "place_country", "date_start"]
        )
        batch_op.create_index("ix_events_lat_lon", ["lat", "lon"])
    _create_incidents()
    op.create_table(
        "article_sketches",
        sa.Column("article_id", sa.String(), nullable=False),
        sa.Column("cluster_id", sa.String(), nullable=False),
        sa.Column("signature", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"], ["articles.id"], name="fk_article_sketches_article_id_articles"
        ),
        sa.PrimaryKeyConstraint("article_id", name="pk_article_sketches"),
    )
    with op.batch_alter_table("article_sketches") as batch_op:
        batch_op.create_index("ix_article_sketches_cluster_id", ["cluster_id"])
    op.create_table(
        "article_bands",
        sa.Column("band", sa.BigInteger(), nullable=False),
        sa.Column("article_id", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"], ["articles.id"], name="fk_article_bands_article_id_articles"
        ),
        sa.PrimaryKeyConstraint("band", "article_id", name="pk_article_bands"),
    )
    bind = op.get_bind()
    _backfill_place_columns(bind)
    if bind.dialect.name == "sqlite":
        _sqlite_text_index(bind)
    elif bind.dialect.name == "postgresql":
        _postgres_text_index(bind)


def _create_incidents() -> None:
    op.create_table(
        "incidents",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("type", sa.String(), nullable=False),
        sa.Column("mode", sa.String(), nullable=True),
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
        sa.Column("sources", sa.Integer(), nullable=False),
        sa.Column("n_events", sa.Integer(), nullable=False),
        sa.Column("record", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_incidents"),
    )
    with op.batch_alter_table("incidents") as batch_op:
        batch_op.create_index("ix_incidents_type", ["type"])
        batch_op.create_index("ix_incidents_date_start", ["date_start"])
        for column in ("source_country", "target_country", "place_country"):
            batch_op.create_index(f"ix_incidents_{column}_date_start", [column, "date_start"])
        batch_op.create_index("ix_incidents_lat_lon", ["lat", "lon"])


def _backfill_place_columns(bind: Connection) -> None:
    if bind.dialect.name == "sqlite":
        precision = "json_extract(record, '$.place.precision')"
        admin1 = "json_extract(record, '$.place.admin1')"
    else:
        precision = "CAST(record -> 'place' ->> 'precision' AS INTEGER)"
        admin1 = "record -> 'place' ->> 'admin1'"
    bind.exec_driver_sql(
        f"UPDATE events SET place_precision = {precision}, place_admin1 = {admin1} "
        "WHERE place_name IS NOT NULL"
    )


def _sqlite_text_index(bind: Connection) -> None:
    bind.exec_driver_sql(
        "CREATE VIRTUAL TABLE events_text USING fts5("
        "event_id UNINDEXED, evidence, tokenize = 'trigram')"
    )
    bind.exec_driver_sql(
        "INSERT INTO events_text (event_id, evidence) SELECT id, evidence FROM events"
    )
    bind.exec_driver_sql(
        "CREATE TRIGGER events_text_insert AFTER INSERT ON events BEGIN "
        "INSERT INTO events_text (event_id, evidence) VALUES (new.id, new.evidence); END"
    )
    bind.exec_driver_sql(
        "CREATE TRIGGER events_text_delete AFTER DELETE ON events BEGIN "
        "DELETE FROM events_text WHERE event_id = old.id; END"
    )


def _trgm_schema(bind: Connection) -> str | None:
    return bind.exec_driver_sql(
        "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
        "WHERE e.extname = 'pg_trgm'"
    ).scalar()


def _postgres_text_index(bind: Connection) -> None:
    if _trgm_schema(bind) is None:
        try:
            with bind.begin_nested():
                bind.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public")
        except DBAPIError:
            pass  # not allowed here, or another session made it meanwhile
    schema = _trgm_schema(bind)
    if schema is None:
        return  # text filters still work, by scanning
    bind.exec_driver_sql(
        "CREATE INDEX ix_events_evidence_trgm ON events "
        f'USING gin (evidence "{schema}".gin_trgm_ops)'
    )


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        bind.exec_driver_sql("DROP TRIGGER IF EXISTS events_text_insert")
        bind.exec_driver_sql("DROP TRIGGER IF EXISTS events_text_delete")
        bind.exec_driver_sql("DROP TABLE IF EXISTS events_text")
    else:
        bind.exec_driver_sql("DROP INDEX IF EXISTS ix_events_evidence_trgm")
    op.drop_table("article_bands")
    op.drop_table("article_sketches")
    op.drop_table("incidents")
    with op.batch_alter_table("events") as batch_op:
        batch_op.drop_index("ix_events_lat_lon")
        batch_op.drop_index("ix_events_type_place_country_date_start")
        batch_op.drop_index("ix_events_incident_id")
        batch_op.drop_column("incident_id")
        batch_op.drop_column("place_admin1")
        batch_op.drop_column("place_precision")
