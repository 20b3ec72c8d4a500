"""Statements built once per shape, then run with each call's values.

Building a SQLAlchemy statement for a page (conditions, subqueries, their column
collections) costs the server more CPU than running it; pages of one shape (the same
filters set, the same kind of cursor) differ only in the values they bind. A reader
keeps the statement it built for each shape, by a key the caller gives, and runs it
with the values of the call. Every value is a named bind parameter: building a
statement checks that the call names each of them, and running one refuses values that
do not name them all, so a statement never runs with a value left from another call.

The key must tell apart everything that changes a statement's form (which filters are
set, a box across the antimeridian or not, a cursor on an undated row...): builders take
their form from the key's facts only, and ``tests/test_store_pages.py`` checks that a
statement run from the cache is the one a fresh build gives.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Row, Select
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import BindParameter
from sqlalchemy.sql.visitors import iterate

__all__ = ["MOST_SHAPES", "Run", "Statements"]

# Shapes a reader keeps; past that, statements are built for each call (a bound on the
# memory a reader holds, far above the few hundred shapes the API's filters make).
MOST_SHAPES = 4096

Build = Callable[[], Select[Any]]


@dataclass(slots=True)
class Statements:
    """The statements one reader built, by shape key, with the names they bind."""

    _built: dict[Hashable, tuple[Select[Any], frozenset[str]]] = field(default_factory=dict)

    def get(self, key: Hashable, build: Build, values: Mapping[str, Any]) -> Select[Any]:
        """The statement for ``key`` (built by ``build`` on first use), once ``values``
        is known to hold a value for every name it binds."""
        found = self._built.get(key)
        if found is None:
            statement = build()
            found = (statement, _bound_names(statement))
            if len(self._built) < MOST_SHAPES:
                self._built[key] = found
        statement, names = found
        missing = names.difference(values)
        if missing:
            raise LookupError(f"no value for {', '.join(sorted(missing))} (shape {key!r})")
        return statement

    def __len__(self) -> int:
        return len(self._built)


def _bound_names(statement: Select[Any]) -> frozenset[str]:
    """The names ``statement`` binds; ValueError if it binds a value without a name (a
    literal baked into the statement would be run again with the next call's values)."""
    binds = [e for e in iterate(statement) if isinstance(e, BindParameter)]
    unnamed = [str(bind.value) for bind in binds if bind.unique]
    if unnamed:
        raise ValueError(f"the statement binds values without a name: {', '.join(unnamed)}")
    return frozenset(bind.key for bind in binds)


@dataclass(frozen=True, slots=True)
class Run:
    """Statements run on one connection, each built once per shape by its reader."""

    connection: Connection
    statements: Statements

    @property
    def dialect(self) -> str:
        return self.connection.dialect.name

    def all(self, key: Hashable, build: Build, values: Mapping[str, Any]) -> list[Row[Any]]:
        """Every row of the statement for ``key``, run with ``values``."""
        statement = self.statements.get(key, build, values)
        return list(self.connection.execute(statement, dict(values)).all())

    def first(self, key: Hashable, build: Build, values: Mapping[str, Any]) -> Row[Any] | None:
        """The first row of the statement for ``key``, run with ``values``, or None."""
        statement = self.statements.get(key, build, values)
        return self.connection.execute(statement, dict(values)).first()
