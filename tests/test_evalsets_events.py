"""The public event sets: CASE 2021 task 2, IndiaPoliceEvents, PETRARCH2 unit tests.

Readers and scorers are checked on tiny copies written here in each set's own format;
the whole sets (in ../shared/eval, never copied into the repo) are scored against the
floors pinned in tests/baselines/events.json.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dotterel.errors import InputError
from dotterel.evalsets import run_set
from dotterel.evalsets.case2021 import f1_scores, main_event
from dotterel.evalsets.case2021 import read_set as read_case
from dotterel.evalsets.india_police import read_set as read_india
from dotterel.evalsets.petrarch import read_actors
from dotterel.pipeline import Pipeline

EVAL_ROOT = Path(__file__).resolve().parents[1].parent / "shared" / "eval"
BASELINES = json.loads((Path(__file__).parent / "baselines" / "events.json").read_text("utf-8"))


# --- CASE 2021 ------------------------------------------------------------------------


@pytest.fixture
def case_root(tmp_path: Path) -> Path:
    folder = tmp_path / "case2021-task2"
    folder.mkdir()
    rows = [
        "id\tEventSnippet\tSubType",
        "1\tAn airstrike hit a market in Idlib, killing at least nine civilians.\tAIR_STRIKE",
        "2\tPolice arrested 40 protesters in Tbilisi on Saturday.\tPROTEST_WITH_INTER",
        "3\tA cyclone struck the coast of Mozambique on Friday.\tNATURAL_DISASTER",
        "4\tGunmen attacked a village in Zamfara, killing 20 residents.\tATTACK",
    ]
    (folder / "test_set_final_release_with_labels.tsv").write_text(
        "\n".join(rows) + "\n", encoding="utf-8"
    )
    return tmp_path


def test_case_reader_keeps_labels_and_knows_the_acled_ones(case_root: Path) -> None:
    snippets = read_case(case_root)
    assert [s.label for s in snippets] == [
        "AIR_STRIKE",
        "PROTEST_WITH_INTER",
        "NATURAL_DISASTER",
        "ATTACK",
    ]
    assert [s.sub_event_type for s in snippets] == [
        "Air/drone strike",
        "Protest with intervention",
        None,  # not an ACLED type: left out of the scores
        "Attack",
    ]


def test_case_reader_refuses_a_file_without_its_header(tmp_path: Path) -> None:
    (tmp_path / "case2021-task2").mkdir()
    (tmp_path / "case2021-task2" / "test_set_final_release_with_labels.tsv").write_text(
        "1\tsome text\tATTACK\n", encoding="utf-8"
    )
    with pytest.raises(InputError, match="header"):
        read_case(tmp_path)


def test_case_scores_the_acled_snippets(case_root: Path, pipeline: Pipeline) -> None:
    report = run_set("case2021-task2", case_root, pipeline)
    assert report["snippets"] == 3
    assert report["failed"] == 0
    assert report["accuracy"] == 1.0
    assert report["type_accuracy"] == 1.0


def test_f1_counts_a_missing_prediction_as_a_miss() -> None:
    scores = f1_scores([("Attack", "Attack"), ("Attack", None), ("Grenade", "Attack")])
    assert scores["Attack"] == {"precision": 0.5, "recall": 0.5, "f1": 0.5, "support": 2}
    assert scores["Grenade"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 1}


def test_the_main_event_is_the_first_asserted_one_with_an_acled_type(
    pipeline: Pipeline,
) -> None:
    events = pipeline.extract(
        "Russia denied shelling Kherson. Ukrainian drones struck an oil depot in Bryansk."
    )
    main = main_event(events)
    assert main is not None
    assert (main.modality, main.acled) == (
        "asserted",
        {"event_type": "Explosions/Remote violence", "sub_event_type": "Air/drone strike"},
    )


# --- IndiaPoliceEvents ----------------------------------------------------------------


@pytest.fixture
def india_root(tmp_path: Path) -> Path:
    folder = tmp_path / "india-police-events"
    folder.mkdir()
    text = (
        "Police arrested 12 people in Vadodara on Friday. "
        "The market stayed shut. "
        "Two men were killed when police opened fire on a mob in Godhra."
    )
    sentences = [
        ("Police arrested 12 people in Vadodara on Friday. ", ["ARREST", "ANY_ACTION"]),
        ("The market stayed shut. ", []),
        (
            "Two men were killed when police opened fire on a mob in Godhra.",
            ["KILL", "FORCE", "ANY_ACTION"],
        ),
    ]
    (folder / "docs.jsonl").write_text(
        json.dumps({"doc_id": 7, "doc_text": text, "doc_labels": []}) + "\n", encoding="utf-8"
    )
    (folder / "sents.jsonl").write_text(
        "".join(
            json.dumps({"doc_id": 7, "sent_id": i, "sent_labels": labels, "sent_text": piece})
            + "\n"
            for i, (piece, labels) in enumerate(sentences)
        ),
        encoding="utf-8",
    )
    (folder / "metadata_no_text.jsonl").write_text(
        json.dumps({"doc_id": 7, "date": "2002-03-02", "url": "x"}) + "\n", encoding="utf-8"
    )
    return tmp_path


def test_india_reader_locates_each_sentence_in_its_article(india_root: Path) -> None:
    [doc] = read_india(india_root)
    assert (doc.id, str(doc.published)) == (7, "2002-03-02")
    assert [doc.text[s:e].strip() for s, e, _ in doc.sentences] == [
        "Police arrested 12 people in Vadodara on Friday.",
        "The market stayed shut.",
        "Two men were killed when police opened fire on a mob in Godhra.",
    ]
    assert [sorted(labels) for _, _, labels in doc.sentences] == [
        ["ANY_ACTION", "ARREST"],
        [],
        ["ANY_ACTION", "FORCE", "KILL"],
    ]


def test_india_scores_police_arrests_and_killings(india_root: Path, pipeline: Pipeline) -> None:
    report = run_set("india-police-events", india_root, pipeline)
    assert report["arrest"] == {
        "precision": 1.0,
        "recall": 1.0,
        "f1": 1.0,
        "gold": 1,
        "predicted": 1,
    }
    assert report["kill"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0, "gold": 1, "predicted": 1}


# --- PETRARCH2 ------------------------------------------------------------------------


def test_petrarch_dictionary_names_synonyms_and_codes(tmp_path: Path) -> None:
    folder = tmp_path / "petrarch2-unittest"
    folder.mkdir()
    (folder / "PETR.Validate.actors.txt").write_text(
        "<!-- header -->\nARNOR_  [ARN]\nAUSTRALIA [AUS]\n+AUSTRALIAN\n"
        "ENT  \n\t[ENT]\nBOROMIR  [---]\nCARAS GALADHON [ELF] # note\n",
        encoding="utf-8",
    )
    entries = {e.text: e.country for e in read_actors(tmp_path)}
    assert entries == {
        "Arnor": "ARN",
        "Australia": "AUS",
        "Australian": "AUS",
        "Ent": "ENT",
        "Caras Galadhon": "ELF",
    }


# --- the whole sets against their floors ----------------------------------------------


def _flat(report: dict[str, object]) -> dict[str, object]:
    flat: dict[str, object] = {}
    for key, value in report.items():
        if isinstance(value, dict):
            flat.update({f"{key}.{k}": v for k, v in value.items()})
        else:
            flat[key] = value
    return flat


@pytest.fixture(scope="module")
def reports() -> dict[str, dict[str, object]]:
    """Each set's report, computed once by the first of its floor tests."""
    return {}


@pytest.mark.parametrize(
    ("name", "measure"),
    [
        (name, measure)
        for name, floors in BASELINES.items()
        if not name.startswith("_")
        for measure in sorted(floors)
    ],
)
def test_event_set_holds_its_floor(
    reports: dict[str, dict[str, object]], pipeline: Pipeline, name: str, measure: str
) -> None:
    if not (EVAL_ROOT / name).is_dir():
        pytest.skip(f"evaluation set not found at {EVAL_ROOT / name} (it lives in shared/)")
    if name not in reports:
        reports[name] = _flat(run_set(name, EVAL_ROOT, pipeline))
    assert reports[name]["failed"] == 0
    value = reports[name][measure]
    floor = BASELINES[name][measure]
    assert isinstance(value, float)
    assert value >= floor, f"{name} {measure} = {value} fell below its floor {floor}"
