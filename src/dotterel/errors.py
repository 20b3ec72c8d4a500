"""One tree of errors; each message says what to do next."""

from __future__ import annotations

__all__ = [
    "DotterelError",
    "InputError",
    "KnowledgeError",
    "SettingsError",
    "StageError",
    "StoreError",
]


class DotterelError(Exception):
    """Base of every error dotterel raises on purpose."""


class SettingsError(DotterelError):
    """A setting has an unknown name or a value of the wrong kind."""


class InputError(DotterelError):
    """An input file or record cannot be read as an article."""


class KnowledgeError(DotterelError):
    """A knowledge data file is missing or malformed."""


class StageError(DotterelError):
    """A pipeline stage failed on one article (the article is skipped, the run goes on)."""

    def __init__(self, stage: str, article_ref: str, cause: BaseException) -> None:
        self.stage = stage
        self.article_ref = article_ref
        self.cause = cause
        super().__init__(f"{article_ref}: stage {stage!r} failed: {type(cause).__name__}: {cause}")


class StoreError(DotterelError):
    """The event store cannot be opened, migrated or written."""
