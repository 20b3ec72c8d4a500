"""Accuracy floors: the pipeline scored on the development gold set must not regress."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dotterel.evaluate import evaluate, read_gold, to_gold
from dotterel.pipeline import Pipeline
from dotterel.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT.parent / "shared" / "gold" / "dev.jsonl"
BASELINE = json.loads((Path(__file__).parent / "eval_baseline.json").read_text())["dev"]


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    if not DEV.exists():
        pytest.skip(f"gold set not found at {DEV} (it lives in the project's shared/ folder)")
    cache = tmp_path_factory.getbasetemp() / "gazetteer-cache"
    return evaluate(DEV, Pipeline(Settings(cache_dir=str(cache)))).as_dict()


def _value(report: dict[str, object], dotted: str) -> float:
    value: object = report
    for part in dotted.split("."):
        assert isinstance(value, dict)
        value = value[part]
    assert isinstance(value, int | float)
    return float(value)


@pytest.mark.parametrize("measure", sorted(BASELINE))
def test_dev_score_holds_its_floor(report: dict[str, object], measure: str) -> None:
    assert _value(report, measure) >= BASELINE[measure], (
        f"{measure} fell below its pinned floor {BASELINE[measure]}"
    )


def test_every_dev_article_is_processed(report: dict[str, object]) -> None:
    assert report["articles"] == 20
    assert report["failed"] == 0


def test_gold_reader_rejects_a_malformed_line(tmp_path: Path) -> None:
    bad = tmp_path / "gold.jsonl"
    bad.write_text(
        '{"id": "x", "text": "Talks.", "published": "2025-01-01", "events": []}\nnot json\n'
    )
    with pytest.raises(Exception, match=r"gold\.jsonl:2"):
        list(read_gold(bad))


def test_to_gold_flattens_an_event_to_the_gold_fields(tmp_path: Path) -> None:
    from datetime import date

    pipeline = Pipeline(Settings(cache_dir=str(tmp_path.parent / "gazetteer-cache")))
    [event] = [
        e
        for e in pipeline.extract(
            "Russian missiles struck the port city of Odesa overnight, killing four people, "
            "Ukrainian officials said.",
            published=date(2024, 5, 2),
        )
        if e.type == "ASSAULT"
    ]
    flat = to_gold(event)
    assert flat["source"] == "RUS" and flat["target"] == "UKR"
    assert flat["place"] == "Odesa" and flat["country"] == "UKR"
    assert flat["date"] == "2024-05-02" and flat["date_precision"] == "day"
    assert flat["fatalities"] == 4 and flat["fatalities_high"] is None
    assert flat["mode"] == "missile" and flat["modality"] == "asserted"
