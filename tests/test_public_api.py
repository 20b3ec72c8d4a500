"""The public surface is exactly what dotterel means to export."""

from __future__ import annotations

from datetime import date

import dotterel

EXPECTED = {
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
    "SettingsError",
    "Settings",
    "StageError",
    "StoreError",
    "When",
    "__version__",
    "extract",
    "to_dict",
    "to_frame",
}


def test_exported_names_are_the_intended_ones() -> None:
    assert set(dotterel.__all__) == EXPECTED
    for name in EXPECTED:
        assert hasattr(dotterel, name), name


def test_errors_share_one_base() -> None:
    for error in (
        dotterel.InputError,
        dotterel.KnowledgeError,
        dotterel.SettingsError,
        dotterel.StageError,
        dotterel.StoreError,
    ):
        assert issubclass(error, dotterel.DotterelError)


def test_extract_codes_a_sentence(pipeline: dotterel.Pipeline) -> None:
    events = pipeline.extract(
        "Russian missiles struck Odesa overnight, killing two people.", date(2023, 7, 23)
    )
    assert [(e.type, e.source.country if e.source else None) for e in events] == [
        ("ASSAULT", "RUS")
    ]
    row = dotterel.to_dict(events[0])
    assert row["place"]["name"] == "Odesa" and row["date"]["start"] == "2023-07-23"
