"""The PLOVER gold-standard records: how the set is read, and floors on what we reach."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from dotterel.errors import InputError
from dotterel.evalsets.plover import evaluate_plover, read_set
from dotterel.pipeline import Pipeline

NAME = "plover-gsr-cameo"
EVAL_ROOT = Path(__file__).resolve().parents[1].parent / "shared" / "eval"
BASELINE_FILE = Path(__file__).parent / "baselines" / "plover.json"
FLOORS: dict[str, float] = json.loads(BASELINE_FILE.read_text(encoding="utf-8"))["floors"]

# Two records in the set's own shape (0.5b1 type, old codes, reciprocal markup).
RECORDS: list[dict[str, Any]] = [
    {"id": "PLOVER-GSR01-DOCUMENT-0001", "event": "DOCUMENT", "eventText": "header"},
    {
        "id": "T-FIGHT-1",
        "event": "FIGHT",
        "source": [{"actorText": "Russian troops", "code": "RUS", "sector": "MIL"}],
        "target": [{"actorText": "Ukrainian villagers", "code": "UKR", "sector": "CVLukr"}],
        "text": "Russian troops attacked Ukrainian villagers near Kharkiv.",
        "textInfo": {
            "markup": "(SRC: Russian troops) (EVT: attacked) (TAR: Ukrainian villagers) "
            "(LOC: near Kharkiv)."
        },
    },
    {
        "id": "T-AGREE-1",
        "event": "AGREE",
        "source": [
            {"actorText": "Japan", "code": "JAP"},
            {"actorText": "U.N.", "code": "IGO"},
        ],
        "target": "",
        "text": "Japan and the U.N. agreed to share information.",
        "textInfo": {
            "markup": "(SRC/TAR: Japan) and the (SRC/TAR: U.N.) (EVT: agreed) to share information."
        },
    },
]


@pytest.fixture
def tiny_root(tmp_path: Path) -> Path:
    (tmp_path / NAME).mkdir()
    (tmp_path / NAME / "PLOVER_GSR_CAMEO.json").write_text(json.dumps(RECORDS), encoding="utf-8")
    return tmp_path


def test_the_reader_maps_old_types_and_codes_and_finds_the_spans(tiny_root: Path) -> None:
    fight, agree = read_set(tiny_root)
    assert (fight.type, agree.type) == ("ASSAULT", "AGREE")  # FIGHT is ASSAULT now
    spans = [fight.text[a.span[0] : a.span[1]] for a in fight.actors if a.span]
    assert spans == ["Russian troops", "Ukrainian villagers"]
    assert [(a.role, a.code, a.sector) for a in fight.actors] == [
        ("source", "RUS", "MIL"),
        ("target", "UKR", "CVL"),  # "CVLukr": the sector is its first three letters
    ]
    assert agree.codes("source") == {"JPN", "IGO"}  # JAP is ISO JPN
    assert agree.codes("target") == set()


def test_a_missing_file_is_a_clear_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"PLOVER_GSR_CAMEO\.json"):
        read_set(tmp_path)


def test_scores_on_two_sentences(tiny_root: Path, pipeline: Pipeline) -> None:
    report = evaluate_plover(NAME, tiny_root, pipeline)
    assert report["sentences"] == 2
    assert report["failed"] == 0
    assert report["gold_actors"] == 4
    assert report["actor_country_scored"] == 4
    # Every actor of these plain sentences is found with its country: IGO is any
    # international organisation of ours (the UN here).
    assert report["actor_country_accuracy"] == 1.0
    assert report["actor_sector_scored"] == 2
    for value in report.values():
        assert isinstance(value, int | float)


# --- the whole set, against the pinned floors -------------------------------------------


@pytest.fixture(scope="module")
def report(pipeline: Pipeline) -> dict[str, object]:
    if not (EVAL_ROOT / NAME).is_dir():
        pytest.skip(f"evaluation set not found at {EVAL_ROOT / NAME} (it lives in shared/)")
    return evaluate_plover(NAME, EVAL_ROOT, pipeline)


def test_every_sentence_is_read_and_processed(report: dict[str, object]) -> None:
    assert report["sentences"] == 322
    assert report["failed"] == 0
    assert report["gold_actors_without_span"] == 0


@pytest.mark.parametrize("measure", sorted(FLOORS))
def test_plover_score_holds_its_floor(report: dict[str, object], measure: str) -> None:
    value = report[measure]
    assert isinstance(value, float)
    assert value >= FLOORS[measure], f"{measure} = {value} fell below its floor {FLOORS[measure]}"
