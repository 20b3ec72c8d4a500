"""Geocoding on the public sets holds its pinned floors (skipped without ../shared/eval)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dotterel.evalsets.geo import evaluate_geo, km, read_set
from dotterel.pipeline import Pipeline

EVAL = Path(__file__).resolve().parents[1].parent / "shared" / "eval"
FLOORS = json.loads((Path(__file__).parent / "baselines" / "geo.json").read_text())


def test_haversine_distance() -> None:
    assert km(50.45, 30.52, 55.75, 37.62) == pytest.approx(756, abs=5)  # Kyiv-Moscow
    assert km(0, 0, 0, 0) == 0


@pytest.mark.parametrize("name", ["geowebnews", "lgl", "geovirus"])
def test_geocoding_holds_its_floor(pipeline: Pipeline, name: str) -> None:
    if not (EVAL / name).exists():
        pytest.skip(f"{EVAL / name} is absent: the public sets live in the project's shared/")
    report = evaluate_geo(name, EVAL, pipeline)
    floor = FLOORS[name]
    assert report["failed"] == 0
    for measure in (
        "resolution_accuracy_161km",
        "end_to_end_accuracy_161km",
        "end_to_end_precision",
    ):
        assert report[measure] >= floor[measure], (measure, report[measure])
    assert report["resolution_median_km"] <= floor["max_resolution_median_km"]


def test_geovirus_offsets_are_shifted_back(pipeline: Pipeline) -> None:
    if not (EVAL / "geovirus").exists():
        pytest.skip("GeoVirus is absent")
    doc = read_set("geovirus", EVAL)[0]
    first = doc.toponyms[0]
    assert doc.text[first.start : first.end].strip() == doc.text[first.start : first.end]
    assert doc.text[first.start : first.end][:1].isupper()
