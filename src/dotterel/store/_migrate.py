"""Bring a store's schema to the newest Alembic revision shipped in ``migrations/``.

Alembic is configured in code (no ini file), with the store's own connection passed
in ``config.attributes["connection"]``, so it works from an installed wheel.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine
from sqlalchemy.engine import Connection

from dotterel.errors import StoreError
from dotterel.store._engine import WRITE

__all__ = ["MIGRATIONS", "alembic_config", "current_revisions", "head_revisions", "upgrade"]

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config() -> Config:
    """An Alembic config pointing at the migrations shipped inside the package."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS).replace("%", "%%"))
    config.set_main_option("path_separator", "os")
    return config


def head_revisions() -> set[str]:
    return set(ScriptDirectory.from_config(alembic_config()).get_heads())


def current_revisions(conn: Connection) -> set[str]:
    return set(MigrationContext.configure(conn).get_current_heads())


def upgrade(engine: Engine) -> None:
    """Run ``alembic upgrade head`` unless the store is already there (idempotent)."""
    config = alembic_config()
    script = ScriptDirectory.from_config(config)
    heads = set(script.get_heads())
    with engine.connect() as conn:
        current = current_revisions(conn)
    if current == heads:
        return
    known = {rev.revision for rev in script.walk_revisions()}
    unknown = current - known
    if unknown:
        raise StoreError(
            f"the store is at schema revision {', '.join(sorted(unknown))}, which this "
            "version of dotterel does not know; upgrade dotterel to open it"
        )
    try:
        _run_upgrade(engine, config)
    except Exception:
        with engine.connect() as conn:  # another process may have migrated meanwhile
            if current_revisions(conn) == heads:
                return
        raise


def _run_upgrade(engine: Engine, config: Config) -> None:
    with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:  # batch migrations copy and drop tables: no FK actions meanwhile
            _pragma(conn, "foreign_keys=OFF")
        try:
            with conn.execution_options(**WRITE).begin():
                config.attributes["connection"] = conn
                command.upgrade(config, "head")
                if sqlite and conn.exec_driver_sql("PRAGMA foreign_key_check").first():
                    raise StoreError(
                        "a migration left rows pointing at missing articles; "
                        "the upgrade was rolled back"
                    )
        finally:
            if sqlite:
                _pragma(conn, "foreign_keys=ON")


def _pragma(conn: Connection, setting: str) -> None:
    """Run a PRAGMA outside any transaction (FK pragmas are no-ops inside one)."""
    conn.connection.driver_connection.execute(f"PRAGMA {setting}")  # type: ignore[union-attr]
