"""Knowledge: every data file loads, and the facts the stages rely on are in it."""

from __future__ import annotations

import csv
from collections.abc import Callable
from typing import Any

import pytest
import yaml

from dotterel.knowledge import (
    Knowledge,
    data_path,
    load_acled,
    load_cameo,
    load_countries,
    load_cues,
    load_irregular_verbs,
    load_knowledge,
    load_modes,
    load_sectors,
    load_units,
)
from dotterel.knowledge.inflect import noun_forms, verb_forms
from dotterel.records import EVENT_TYPES

DATA_FILES = sorted(p.name for p in data_path("").iterdir() if p.suffix in {".yaml", ".tsv"})


@pytest.fixture(scope="module")
def knowledge() -> Knowledge:
    return load_knowledge()


@pytest.mark.parametrize("name", DATA_FILES)
def test_every_data_file_parses_and_is_not_empty(name: str) -> None:
    path = data_path(name)
    with path.open(encoding="utf-8", newline="") as handle:
        if name.endswith(".tsv"):
            rows: Any = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
        else:
            rows = yaml.safe_load(handle)
    assert rows, f"{name} is empty"


def test_the_files_the_stages_need_are_there() -> None:
    needed = {
        "countries.tsv",
        "organisations.yaml",
        "people.yaml",
        "groups.yaml",
        "sectors.yaml",
        "triggers.yaml",
        "cues.yaml",
        "units.yaml",
        "modes.yaml",
        "acled.yaml",
        "cameo.yaml",
        "irregular_verbs.tsv",
    }
    assert needed <= set(DATA_FILES)


@pytest.mark.parametrize(
    "loader",
    [
        load_countries,
        load_sectors,
        load_cues,
        load_units,
        load_modes,
        load_acled,
        load_cameo,
        load_irregular_verbs,
    ],
    ids=lambda f: f.__name__,
)
def test_each_loader_returns_records(loader: Callable[[], object]) -> None:
    loaded = loader()
    assert loaded


def test_knowledge_holds_every_kind_of_actor(knowledge: Knowledge) -> None:
    kinds = {entry.kind for entry in knowledge.actors}
    assert kinds == {
        "country",
        "demonym",
        "metonym",
        "organisation",
        "person",
        "group",
        "franchise",
    }


def test_countries_have_unique_iso3_codes() -> None:
    with data_path("countries.tsv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    codes = [row["iso3"] for row in rows]
    assert len(codes) >= 240
    assert len(codes) == len(set(codes))
    assert len(load_countries()) == len(codes)


@pytest.mark.parametrize(
    ("iso3", "name", "demonym", "capital"),
    [
        ("UKR", "Ukraine", "Ukrainian", "Kyiv"),
        ("RUS", "Russia", "Russian", "Moscow"),
        ("SAU", "Saudi Arabia", "Saudi", "Riyadh"),
        ("GBR", "United Kingdom", "British", "London"),
    ],
)
def test_country_rows(iso3: str, name: str, demonym: str, capital: str) -> None:
    country = load_countries()[iso3]
    assert country.name == name
    assert demonym in country.demonyms
    assert country.capital == capital


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_every_plover_type_has_triggers(knowledge: Knowledge, event_type: str) -> None:
    words = [t.form for t in knowledge.triggers if t.type == event_type]
    pairs = [p for p in knowledge.pairs if p.type == event_type]
    assert words or pairs


def test_triggers_name_only_plover_types(knowledge: Knowledge) -> None:
    assert {t.type for t in knowledge.triggers} <= set(EVENT_TYPES)
    assert {p.type for p in knowledge.pairs} <= set(EVENT_TYPES)


@pytest.mark.parametrize(
    "variant",
    ["Zelenskiy", "Zelensky", "Zelenskyy", "Volodymyr Zelenskiy", "Volodymyr Zelenskyy"],
)
def test_zelensky_spellings_are_one_ukrainian_person(knowledge: Knowledge, variant: str) -> None:
    entries = [e for e in knowledge.actors if e.text == variant and e.kind == "person"]
    assert entries
    assert {(e.canonical, e.country, e.sector) for e in entries} == {
        ("Volodymyr Zelensky", "UKR", "GOV")
    }


@pytest.mark.parametrize(
    ("code", "names"),
    [
        ("UN", ["UN", "United Nations", "UN Security Council"]),
        ("EU", ["EU", "European Union", "European Commission"]),
        ("NATO", ["NATO", "North Atlantic Treaty Organization"]),
        ("ICC", ["ICC", "International Criminal Court"]),
        ("IAEA", ["IAEA", "International Atomic Energy Agency", "UN nuclear watchdog"]),
        ("ICRC", ["ICRC", "International Committee of the Red Cross", "Red Cross"]),
    ],
)
def test_international_organisations(knowledge: Knowledge, code: str, names: list[str]) -> None:
    for name in names:
        entries = [e for e in knowledge.actors if e.text == name and e.kind == "organisation"]
        assert [e.country for e in entries] == [code], name


@pytest.mark.parametrize(
    ("lemma", "forms"),
    [
        ("attack", {"attack", "attacks", "attacked", "attacking"}),
        ("strike", {"strike", "strikes", "striking", "struck"}),
        ("stop", {"stop", "stops", "stopped", "stopping"}),
        ("ban", {"ban", "bans", "banned", "banning"}),
        ("deploy", {"deploy", "deploys", "deployed", "deploying"}),
        ("rally", {"rally", "rallies", "rallied", "rallying"}),
        ("seize", {"seize", "seizes", "seized", "seizing"}),
        ("ambush", {"ambush", "ambushes", "ambushed", "ambushing"}),
        ("hit", {"hit", "hits", "hitting"}),
        ("withdraw", {"withdraw", "withdraws", "withdrawing", "withdrew", "withdrawn"}),
        ("shoot down", {"shoot down", "shoots down", "shooting down", "shot down"}),
        ("carry out", {"carry out", "carries out", "carried out", "carrying out"}),
        ("open fire", {"open fire", "opens fire", "opened fire", "opening fire"}),
    ],
)
def test_verb_forms(lemma: str, forms: set[str]) -> None:
    assert verb_forms(lemma, load_irregular_verbs()) == forms


@pytest.mark.parametrize(
    ("lemma", "forms"),
    [
        ("attack", {"attack", "attacks"}),
        ("air strike", {"air strike", "air strikes"}),
        ("militia", {"militia", "militias"}),
        ("casualty", {"casualty", "casualties"}),
        ("crash", {"crash", "crashes"}),
        ("arrest warrant", {"arrest warrant", "arrest warrants"}),
        ("talks", {"talks"}),
    ],
)
def test_noun_forms(lemma: str, forms: set[str]) -> None:
    assert noun_forms(lemma) == forms


def test_cameo_codes_name_plover_types_and_cameo_codes(knowledge: Knowledge) -> None:
    assert knowledge.cameo
    for (kind, mode), code in knowledge.cameo.items():
        assert kind in EVENT_TYPES, kind
        assert mode, kind
        assert code.isdigit() and 3 <= len(code) <= 4, (kind, mode, code)


def test_named_state_forces_code_to_their_state(knowledge: Knowledge) -> None:
    with data_path("forces.yaml").open(encoding="utf-8") as handle:
        forces = yaml.safe_load(handle)
    names = [
        n.lower()
        for f in forces
        for n in {f["name"], *(f.get("aliases") or []), *(f.get("case_sensitive_aliases") or [])}
    ]
    assert len(names) == len(set(names)), "an alias appears under two forces"
    assert all(f["sector"] in {"MIL", "POL"} and len(f["country"]) == 3 for f in forces)
    loaded = {e.text: e for e in knowledge.actors if e.kind == "organisation"}
    assert (loaded["PLA"].country, loaded["PLA"].sector) == ("CHN", "MIL")
    assert loaded["Israel Defense Forces"].country == "ISR"


def test_the_new_cue_lists_load() -> None:
    cues = load_cues()
    assert "the two sides" in cues.pair_phrases
    assert "into the sea" in cues.into_water
    assert "protesters" in cues.protest_story
    assert {"protesters", "rioters", "mob"} <= cues.crowds
