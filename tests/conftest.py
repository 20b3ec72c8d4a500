"""Shared fixtures: one pipeline per test session, and a helper that codes a sentence."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from dotterel.document import Document
from dotterel.pipeline import Pipeline
from dotterel.records import Article
from dotterel.settings import Settings

# The publication date most stage tests resolve against: a Tuesday.
PUBLISHED = date(2025, 3, 11)

MakeDoc = Callable[..., Document]


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One gazetteer cache for the whole session: the index is built once, then read."""
    path = tmp_path_factory.getbasetemp() / "dotterel-cache"
    path.mkdir(exist_ok=True)
    return path


@pytest.fixture(scope="session")
def pipeline(cache_dir: Path) -> Pipeline:
    return Pipeline(Settings(cache_dir=str(cache_dir)))


@pytest.fixture(scope="session")
def make_doc(pipeline: Pipeline) -> MakeDoc:
    """``make_doc(text, published=PUBLISHED)``: the processed Document, or the stage error."""

    def make(text: str, published: date | None = PUBLISHED) -> Document:
        result = pipeline.process(Article(text=text, published=published))
        if result.error is not None:
            raise result.error
        assert result.document is not None
        return result.document

    return make
