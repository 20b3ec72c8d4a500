"""dotterel: news about armed conflict and diplomacy in, coded event data out.

>>> import dotterel
>>> events = dotterel.extract(text, published=date(2025, 3, 11))
>>> pipeline = dotterel.Pipeline(dotterel.Settings())
>>> for result in pipeline.pipe(articles): ...
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from dotterel.errors import (
    DotterelError,
    InputError,
    KnowledgeError,
    SettingsError,
    StageError,
    StoreError,
)
from dotterel.pipeline import Pipeline, Result
from dotterel.records import (
    Actor,
    Article,
    Attribution,
    Estimate,
    Event,
    Evidence,
    Place,
    Quantity,
    When,
    to_dict,
)
from dotterel.settings import Settings

__all__ = [
    "Actor",
    "Article",
    "Attribution",
    "DotterelError",
    "Estimate",
    "Event",
    "Evidence",
    "InputError",
    "KnowledgeError",
    "Pipeline",
    "Place",
    "Quantity",
    "Result",
    "Settings",
    "SettingsError",
    "StageError",
    "StoreError",
    "When",
    "__version__",
    "extract",
    "to_dict",
    "to_frame",
]

__version__ = "0.1.0"


def extract(
    text: str, published: date | None = None, settings: Settings | None = None
) -> list[Event]:
    """Events of one text. Builds a Pipeline each call: keep a Pipeline for many texts."""
    return Pipeline(settings).extract(text, published)


def to_frame(events: Iterable[Event]) -> Any:
    """A pandas DataFrame of events, one flat row each (needs pandas installed)."""
    try:
        import pandas as pd
    except ImportError as exc:
        raise DotterelError("to_frame needs pandas: pip install pandas") from exc
    return pd.json_normalize([to_dict(e) for e in events])
