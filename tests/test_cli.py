"""The ``dotterel`` command, driven through Typer's CliRunner on ``dotterel.cli:app``.

What is checked is what a user sees: the JSON fields printed, the exit code, and a
readable reason on standard error for every input that could not be used.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from typer.testing import CliRunner

from dotterel import cli
from dotterel.pipeline import Pipeline
from dotterel.records import EVENT_TYPES, article_id_for
from dotterel.settings import Settings

EXAMPLE = (
    Path(__file__).resolve().parents[2] / "shared" / "examples" / "jeddah-talks-2025-03-11.txt"
)
EVAL_ROOT = Path(__file__).resolve().parents[1].parent / "shared" / "eval"

# Short articles, each with one attack and its death toll, and the dates they resolve to.
KHARKIV = (
    "Russian forces shelled the Ukrainian city of Kharkiv on Sunday, "
    "killing four civilians, regional officials said."
)
GAZA = (
    "An Israeli air strike on the Gaza Strip killed seven people on Tuesday, "
    "Palestinian health officials said."
)
ODESA = (
    "Russian missiles struck the Ukrainian city of Odesa on Friday, "
    "killing two people, officials said."
)
NOT_UTF8 = b"Bogot\xe1 police arrested ten people."

Event = dict[str, Any]


# --- fixtures and helpers ---------------------------------------------------------------


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Settings by environment: one gazetteer cache per session, no store in the cwd."""
    cache = tmp_path_factory.getbasetemp() / "dotterel-cache"
    cache.mkdir(exist_ok=True)
    default_db = tmp_path_factory.mktemp("cli-default-store") / "dotterel.db"
    return {"DOTTEREL_CACHE_DIR": str(cache), "DOTTEREL_DB": f"sqlite:///{default_db}"}


@pytest.fixture(scope="module", autouse=True)
def one_pipeline_per_settings() -> Iterator[None]:
    """Build each pipeline once for this module: construction costs seconds, and a
    Pipeline carries nothing from one article to the next (the store URL it ignores)."""
    built: dict[Settings, Pipeline] = {}

    def pipeline(settings: Settings) -> Pipeline:
        key = settings.replace(db="")
        if key not in built:
            built[key] = Pipeline(settings)
        return built[key]

    patch = pytest.MonkeyPatch()
    patch.setattr(cli, "Pipeline", pipeline)
    yield
    patch.undo()


Run = Callable[..., Result]


@pytest.fixture(scope="module")
def run(env: dict[str, str]) -> Run:
    """``run("extract", path, "--format", "jsonl")``: the finished CliRunner result."""

    def invoke(*args: str | Path) -> Result:
        return CliRunner().invoke(cli.app, [str(a) for a in args], env=env)

    return invoke


def jsonl(result: Result) -> list[Event]:
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def failure(result: Result) -> str:
    """The stderr of a run that must end in a clean, non-zero exit (not a crash)."""
    assert result.exit_code != 0, result.stdout
    assert isinstance(result.exception, SystemExit), f"crashed: {result.exception!r}"
    assert "Traceback" not in result.stderr
    assert result.stderr.strip(), "no reason given on stderr"
    return " ".join(result.stderr.split())


def country(actor_or_place: dict[str, Any] | None) -> str | None:
    return actor_or_place["country"] if actor_or_place else None


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


# --- help ---------------------------------------------------------------------------------


def test_help_lists_the_commands(run: Run) -> None:
    result = run("--help")
    assert result.exit_code == 0
    for command in ("extract", "ingest", "events", "places", "times", "actors", "evaluate"):
        assert command in result.stdout


# --- extract: a text file -----------------------------------------------------------------


@pytest.fixture(scope="module")
def jeddah(run: Run) -> list[Event]:
    if not EXAMPLE.exists():
        pytest.skip(f"example article not found at {EXAMPLE} (it lives in shared/)")
    result = run("extract", EXAMPLE, "--published", "2025-03-11", "--format", "jsonl")
    assert result.exit_code == 0, result.stderr
    return jsonl(result)


def test_extract_prints_one_event_per_line_traced_to_its_sentence(jeddah: list[Event]) -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    assert jeddah
    for event in jeddah:
        assert event["type"] in EVENT_TYPES
        assert event["article_id"] == article_id_for(text)
        assert event["article_ref"] == str(EXAMPLE)
        evidence = event["evidence"]
        assert evidence["sentence"] in text
        assert text[evidence["start"] : evidence["end"]] == evidence["sentence"]


def test_extract_codes_the_drone_attack_on_moscow(jeddah: list[Event]) -> None:
    attacks = [
        e
        for e in jeddah
        if e["type"] == "ASSAULT"
        and country(e["source"]) == "UKR"
        and country(e["target"]) == "RUS"
        and e["place"] is not None
        and e["place"]["name"] == "Moscow"
    ]
    assert attacks, [(e["type"], country(e["source"]), country(e["target"])) for e in jeddah]
    assert [(e["date"]["start"], e["fatalities"]["best"]) for e in attacks] == [("2025-03-11", 3)]


# --- extract: a JSONL file ----------------------------------------------------------------


@pytest.fixture(scope="module")
def from_jsonl(run: Run, tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Event]]:
    path = write_jsonl(
        tmp_path_factory.mktemp("jsonl") / "articles.jsonl",
        [
            {"id": "a1", "published": "2024-05-06", "title": "Shelling", "text": KHARKIV},
            {"id": "a2", "published": "2023-10-12", "url": "https://example.org/a2", "text": GAZA},
            {"id": "undated", "title": "No publication date", "text": ODESA},
        ],
    )
    result = run("extract", path, "--format", "jsonl")
    assert result.exit_code == 0, result.stderr
    by_ref: dict[str, list[Event]] = {}
    for event in jsonl(result):
        by_ref.setdefault(event["article_ref"], []).append(event)
    return by_ref


def test_jsonl_lines_are_referred_to_by_their_ids(from_jsonl: dict[str, list[Event]]) -> None:
    assert set(from_jsonl) == {"a1", "a2", "undated"}
    assert {e["article_id"] for e in from_jsonl["a1"]} == {article_id_for(KHARKIV)}
    assert {e["article_id"] for e in from_jsonl["a2"]} == {article_id_for(GAZA)}


@pytest.mark.parametrize(
    ("ref", "source", "target", "day", "dead"),
    [
        ("a1", "RUS", "UKR", "2024-05-05", 4),  # "on Sunday", published Monday 2024-05-06
        ("a2", "ISR", "PSE", "2023-10-10", 7),  # "on Tuesday", published Thursday 2023-10-12
    ],
)
def test_relative_dates_resolve_against_each_lines_published(
    from_jsonl: dict[str, list[Event]], ref: str, source: str, target: str, day: str, dead: int
) -> None:
    [attack] = [e for e in from_jsonl[ref] if e["type"] == "ASSAULT"]
    assert (country(attack["source"]), country(attack["target"])) == (source, target)
    assert attack["date"]["start"] == day
    assert attack["fatalities"]["best"] == dead


def test_without_any_published_date_a_relative_date_stays_unresolved(
    from_jsonl: dict[str, list[Event]],
) -> None:
    [attack] = [e for e in from_jsonl["undated"] if e["type"] == "ASSAULT"]
    assert attack["fatalities"]["best"] == 2
    assert attack["date"] is None


def test_published_flag_wins_over_the_lines_own_date(run: Run, tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "one.jsonl", [{"id": "a1", "published": "2024-05-06", "text": KHARKIV}]
    )
    result = run("extract", path, "--published", "2024-05-15", "--format", "jsonl")
    assert result.exit_code == 0, result.stderr
    [attack] = [e for e in jsonl(result) if e["type"] == "ASSAULT"]
    assert attack["date"]["start"] == "2024-05-12"  # the Sunday before Wednesday 2024-05-15


# --- extract: inputs that cannot be used --------------------------------------------------


def _missing(tmp_path: Path) -> list[str | Path]:
    return [tmp_path / "missing.txt"]


def _not_utf8(tmp_path: Path) -> list[str | Path]:
    (tmp_path / "bad.txt").write_bytes(NOT_UTF8)
    return [tmp_path / "bad.txt"]


def _empty(tmp_path: Path) -> list[str | Path]:
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    return [tmp_path / "empty.txt"]


def _bad_published(tmp_path: Path) -> list[str | Path]:
    (tmp_path / "good.txt").write_text(KHARKIV, encoding="utf-8")
    return ["--published", "2025-13-45", tmp_path / "good.txt"]


@pytest.mark.parametrize(
    ("make_args", "reason"),
    [
        pytest.param(_missing, ["missing.txt", "no such file"], id="missing-file"),
        pytest.param(_not_utf8, ["bad.txt", "not UTF-8"], id="not-utf8"),
        pytest.param(_empty, ["empty.txt", "empty"], id="empty-file"),
        pytest.param(_bad_published, ["--published", "2025-13-45", "YYYY-MM-DD"], id="bad-date"),
    ],
)
def test_an_unusable_input_is_a_clean_error(
    run: Run,
    tmp_path: Path,
    make_args: Callable[[Path], list[str | Path]],
    reason: list[str],
) -> None:
    result = run("extract", *make_args(tmp_path), "--format", "jsonl")
    stderr = failure(result)
    for fragment in reason:
        assert fragment in stderr
    assert result.stdout.strip() == ""


def test_a_jsonl_line_that_is_not_json_is_reported_and_the_rest_coded(
    run: Run, tmp_path: Path
) -> None:
    path = tmp_path / "lines.jsonl"
    path.write_text(json.dumps({"id": "ok", "text": KHARKIV}) + "\nnot json\n", encoding="utf-8")
    result = run("extract", path, "--format", "jsonl")
    stderr = failure(result)
    assert "lines.jsonl:2" in stderr
    assert "not JSON" in stderr
    assert {e["article_ref"] for e in jsonl(result)} == {"ok"}


def test_a_folder_with_one_bad_file_codes_the_good_one_and_reports_the_bad(
    run: Run, tmp_path: Path
) -> None:
    good = tmp_path / "good.txt"
    good.write_text(KHARKIV, encoding="utf-8")
    (tmp_path / "nested").mkdir()
    (tmp_path / "nested" / "bad.txt").write_bytes(NOT_UTF8)
    result = run("extract", tmp_path, "--published", "2024-05-06", "--format", "jsonl")
    stderr = failure(result)
    assert result.exit_code == 1
    assert "bad.txt" in stderr
    assert "not UTF-8" in stderr
    assert "good.txt" not in stderr
    events = jsonl(result)
    assert {e["article_ref"] for e in events} == {str(good)}
    assert "ASSAULT" in {e["type"] for e in events}


# --- ingest and events --------------------------------------------------------------------


@pytest.fixture(scope="module")
def store(run: Run, jeddah: list[Event], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite store holding the Jeddah article, ingested once by URL."""
    db = tmp_path_factory.mktemp("store") / "events.db"
    result = run("ingest", EXAMPLE, "--db", f"sqlite:///{db}", "--published", "2025-03-11")
    assert result.exit_code == 0, result.stderr
    stderr = " ".join(result.stderr.split())
    assert "stored 1 new article(s), 0 already present" in stderr
    assert f"store holds 1 articles, {len(jeddah)} events" in stderr
    return db


def stored(run: Run, db: Path | str, *filters: str) -> list[Event]:
    result = run("events", "--db", db, "--format", "json", *filters)
    assert result.exit_code == 0, result.stderr
    events: list[Event] = json.loads(result.stdout)
    return events


def test_ingest_twice_stores_nothing_new_and_keeps_the_event_ids(
    run: Run, store: Path, jeddah: list[Event]
) -> None:
    before = stored(run, store)
    assert sorted(e["id"] for e in before) == sorted(e["id"] for e in jeddah)

    again = run("ingest", EXAMPLE, "--db", store, "--published", "2025-03-11")  # a bare path
    assert again.exit_code == 0, again.stderr
    assert "stored 0 new article(s), 1 already present" in " ".join(again.stderr.split())

    after = stored(run, f"sqlite:///{store}")
    assert sorted(e["id"] for e in after) == sorted(e["id"] for e in before)
    assert {e["article_ref"] for e in after} == {str(EXAMPLE)}


def test_events_filter_by_type(run: Run, store: Path) -> None:
    everything = stored(run, store)
    assaults = stored(run, store, "--type", "ASSAULT")
    assert assaults
    assert {e["type"] for e in assaults} == {"ASSAULT"}
    assert sorted(e["id"] for e in assaults) == sorted(
        e["id"] for e in everything if e["type"] == "ASSAULT"
    )


def test_events_filter_by_country_of_source_target_or_place(run: Run, store: Path) -> None:
    everything = stored(run, store)
    russian = stored(run, store, "--country", "RUS")
    expected = [
        e["id"]
        for e in everything
        if "RUS" in (country(e["source"]), country(e["target"]), country(e["place"]))
    ]
    assert russian
    assert sorted(e["id"] for e in russian) == sorted(expected)
    assert len(expected) < len(everything)


# --- evaluate -----------------------------------------------------------------------------


def _gold_event(**fields: Any) -> dict[str, Any]:
    event = {
        "type": "ASSAULT",
        "mode": None,
        "source": None,
        "target": None,
        "place": None,
        "lat": None,
        "lon": None,
        "country": None,
        "date": None,
        "date_precision": None,
        "fatalities": None,
        "fatalities_high": None,
        "modality": "asserted",
        "evidence": "",
    }
    event.update(fields)
    return event


GOLD = [
    {
        "id": "g1",
        "published": "2024-05-06",
        "title": "Shelling of Kharkiv",
        "text": KHARKIV,
        "events": [
            _gold_event(
                mode="heavy-weapons",
                source="RUS",
                target="UKR",
                place="Kharkiv",
                lat=49.98,
                lon=36.25,
                country="UKR",
                date="2024-05-05",
                date_precision="day",
                fatalities=4,
                evidence=KHARKIV,
            )
        ],
    },
    {
        "id": "g2",
        "published": "2023-10-12",
        "title": "Air strike on Gaza",
        "text": GAZA,
        "events": [
            _gold_event(
                mode="airstrike",
                source="ISR",
                target="PSE",
                country="PSE",
                date="2023-10-10",
                date_precision="day",
                fatalities=7,
                evidence=GAZA,
            )
        ],
    },
]


def test_evaluate_reports_scores_as_json(run: Run, tmp_path: Path) -> None:
    gold = write_jsonl(tmp_path / "gold.jsonl", GOLD)
    result = run("evaluate", gold, "--format", "json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["articles"] == 2
    assert report["failed"] == 0
    scores = report["events"]
    for measure in ("precision", "recall", "f1"):
        assert 0.0 <= scores[measure] <= 1.0
    assert scores["tp"] + scores["fn"] == 2
    assert report["matched"] == scores["tp"]
    assert 0.0 <= report["date_accuracy"] <= 1.0


def test_evaluate_rejects_a_malformed_gold_line(run: Run, tmp_path: Path) -> None:
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps(GOLD[0]) + "\n{not json\n", encoding="utf-8")
    stderr = failure(run("evaluate", gold, "--format", "json"))
    assert "gold.jsonl:2" in stderr
    assert "not a gold article" in stderr


# --- places, times, actors: what was recognised, mention by mention -----------------------

TALKS = (
    "Ukrainian and US officials met in Jeddah on Saturday. "
    "Russian officials said the talks would change nothing."
)


@pytest.fixture(scope="module")
def talks_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_jsonl(
        tmp_path_factory.mktemp("talks") / "talks.jsonl",
        [{"id": "t1", "published": "2025-03-11", "text": TALKS}],
    )


def mentions(run: Run, command: str, *args: str | Path) -> list[dict[str, Any]]:
    result = run(command, *args, "--format", "jsonl")
    assert result.exit_code == 0, result.stderr
    return jsonl(result)


def test_places_lists_each_place_with_offsets_and_gazetteer_entry(
    run: Run, talks_file: Path
) -> None:
    [jeddah] = mentions(run, "places", talks_file)
    assert set(jeddah) == {
        "article_ref", "text", "start", "end", "name", "geonames_id",
        "lat", "lon", "country", "admin1", "precision",
    }  # fmt: skip
    assert (jeddah["article_ref"], jeddah["text"]) == ("t1", "Jeddah")
    assert TALKS[jeddah["start"] : jeddah["end"]] == "Jeddah"
    assert (jeddah["name"], jeddah["country"], jeddah["precision"]) == ("Jeddah", "SAU", 1)
    assert jeddah["lat"] == pytest.approx(21.5, abs=0.1)
    assert jeddah["lon"] == pytest.approx(39.2, abs=0.1)
    assert isinstance(jeddah["geonames_id"], int)


def test_times_resolves_against_the_lines_published_or_the_flag(run: Run, talks_file: Path) -> None:
    [saturday] = mentions(run, "times", talks_file)
    assert saturday == {
        "article_ref": "t1",
        "text": "on Saturday",
        "start": TALKS.index("on Saturday"),
        "end": TALKS.index("on Saturday") + len("on Saturday"),
        "value": "2025-03-08",  # the Saturday before Tuesday 2025-03-11
        "precision": 1,
    }
    [later] = mentions(run, "times", talks_file, "--published", "2025-03-19")
    assert later["value"] == "2025-03-15"


def test_actors_lists_each_actor_mention_as_coded(run: Run, talks_file: Path) -> None:
    rows = mentions(run, "actors", talks_file)
    assert [(r["text"], r["country"], r["sector"]) for r in rows] == [
        ("Ukrainian", "UKR", None),
        ("US officials", "USA", "GOV"),
        ("Russian officials", "RUS", "GOV"),
    ]
    russian = rows[-1]
    assert set(russian) == {
        "article_ref", "text", "start", "end", "canonical", "country", "sector", "wikidata", "kind",
    }  # fmt: skip
    assert (russian["article_ref"], russian["canonical"], russian["kind"]) == (
        "t1",
        "Russia",
        "demonym",
    )
    assert TALKS[russian["start"] : russian["end"]] == "Russian officials"


@pytest.mark.parametrize("command", ["places", "times", "actors"])
def test_an_inspection_skips_a_bad_input_and_lists_the_rest(
    run: Run, talks_file: Path, tmp_path: Path, command: str
) -> None:
    result = run(command, tmp_path / "missing.txt", talks_file, "--format", "jsonl")
    stderr = failure(result)
    assert result.exit_code == 1
    assert "missing.txt" in stderr and "no such file" in stderr
    assert {r["article_ref"] for r in jsonl(result)} == {"t1"}


def test_an_inspection_prints_a_table_by_default(run: Run, talks_file: Path) -> None:
    result = run("places", talks_file)
    assert result.exit_code == 0, result.stderr
    assert "Jeddah" in result.stdout and "SAU" in result.stdout


# --- evaluate --set: the public evaluation sets -------------------------------------------


def test_evaluate_an_unknown_set_names_the_known_ones(run: Run) -> None:
    result = run("evaluate", "--set", "nope")
    stderr = failure(result)
    assert result.exit_code == 2
    assert "unknown evaluation set 'nope'" in stderr
    for known in ("plover-gsr-cameo", "geowebnews", "tempeval3-platinum"):
        assert known in stderr


def test_evaluate_a_set_whose_folder_is_missing_says_where_it_looked(
    env: dict[str, str], tmp_path: Path
) -> None:
    by_env = {**env, "DOTTEREL_EVAL_ROOT": str(tmp_path)}
    result = CliRunner().invoke(cli.app, ["evaluate", "--set", "lgl"], env=by_env)
    stderr = failure(result)
    assert result.exit_code == 2
    assert str(tmp_path / "lgl") in stderr
    assert "--eval-root" in stderr


@pytest.mark.parametrize(
    "args", [[], ["gold.jsonl", "--set", "plover-gsr-cameo"]], ids=["neither", "both"]
)
def test_evaluate_wants_a_gold_file_or_a_set(run: Run, args: list[str]) -> None:
    result = run("evaluate", *args)
    stderr = failure(result)
    assert result.exit_code == 2
    assert "GOLD" in stderr and "--set" in stderr


def test_evaluate_the_plover_set_reports_json(run: Run) -> None:
    if not (EVAL_ROOT / "plover-gsr-cameo").is_dir():
        pytest.skip(f"evaluation sets not found at {EVAL_ROOT} (they live in shared/)")
    result = run(
        "evaluate", "--set", "plover-gsr-cameo", "--eval-root", EVAL_ROOT, "--format", "json"
    )
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["sentences"] == 322
    for measure in ("type_accuracy", "actor_country_accuracy", "actor_sector_accuracy"):
        assert 0.0 < report[measure] <= 1.0
