"""Exports round-trip: written, read back by each format's own reader, values equal.

The incidents come from the fusion corpus, coded by the real pipeline into a real store.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from dotterel.cli import app
from dotterel.export import ACLED_COLUMNS, CAMEO_COLUMNS, Exporter, ExportError
from dotterel.pipeline import Pipeline
from dotterel.records import Incident
from dotterel.store import Store
from test_fusion import read_corpus


@pytest.fixture(scope="module")
def db(pipeline: Pipeline, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("export") / "fused.db"
    with Store(path) as store:
        store.add_many((r.article, r.events) for r in pipeline.pipe(read_corpus()))
    return path


@pytest.fixture(scope="module")
def incidents(db: Path) -> list[Incident]:
    with Store(db) as store:
        found = store.incidents()
    assert len(found) == 5
    return found


@pytest.fixture(scope="module")
def exporter() -> Exporter:
    return Exporter()


def _odesa(incidents: list[Incident]) -> Incident:
    return next(i for i in incidents if i.place and i.place.name == "Odesa" and i.sources == 3)


def test_jsonl_round_trips(exporter: Exporter, incidents: list[Incident]) -> None:
    out = io.StringIO()
    assert exporter.write(incidents, "jsonl", out) == 5
    lines = out.getvalue().splitlines()
    assert [Incident.from_dict(json.loads(line)) for line in lines] == incidents


def test_geojson_round_trips(exporter: Exporter, incidents: list[Incident], tmp_path: Path) -> None:
    path = tmp_path / "incidents.geojson"
    assert exporter.write(incidents, "geojson", path) == 5
    collection = json.loads(path.read_text(encoding="utf-8"))
    assert collection["type"] == "FeatureCollection"
    features = collection["features"]
    assert [Incident.from_dict(f["properties"]) for f in features] == incidents
    for feature, incident in zip(features, incidents, strict=True):
        assert feature["id"] == incident.id
        assert incident.place is not None
        assert feature["geometry"] == {
            "type": "Point",
            "coordinates": [incident.place.lon, incident.place.lat],
        }


def test_acled_csv_round_trips(
    exporter: Exporter, incidents: list[Incident], tmp_path: Path
) -> None:
    path = tmp_path / "acled.csv"
    exporter.write(incidents, "acled-csv", path)
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
        assert tuple(reader.fieldnames or ()) == ACLED_COLUMNS
    assert [r["event_id_cnty"] for r in rows] == [i.id for i in incidents]
    for row, incident in zip(rows, incidents, strict=True):
        assert incident.date is not None and incident.place is not None
        assert row["event_date"] == incident.date.start.isoformat()
        assert int(row["year"]) == incident.date.start.year
        assert row["time_precision"] == "1"
        assert row["event_type"] == (incident.acled or {}).get("event_type", "")
        assert row["sub_event_type"] == (incident.acled or {}).get("sub_event_type", "")
        assert row["location"] == incident.place.name
        assert float(row["latitude"]) == incident.place.lat
        assert float(row["longitude"]) == incident.place.lon
        assert row["source"] == "; ".join(incident.outlets)
        assert row["notes"] == (incident.evidence.sentence if incident.evidence else "")
        deaths = incident.fatalities
        assert int(row["fatalities"]) == (deaths.best if deaths else 0)
    odesa = next(r for r in rows if r["event_id_cnty"] == _odesa(incidents).id)
    assert (odesa["country"], odesa["admin1"], odesa["geo_precision"]) == ("Ukraine", "Odesa", "1")
    assert odesa["actor1"] == _odesa(incidents).source.canonical  # type: ignore[union-attr]
    assert odesa["fatalities"] == "14"
    assert odesa["tags"] == "fatalities low=14 high=20; sources=3"
    mali = next(r for r in rows if r["location"] == "Douentza")
    assert (mali["country"], mali["admin1"], mali["geo_precision"]) == ("Mali", "Mopti", "2")


def test_cameo_tsv_round_trips(
    exporter: Exporter, incidents: list[Incident], tmp_path: Path
) -> None:
    path = tmp_path / "events.tsv"
    exporter.write(incidents, "cameo-tsv", path)
    frame = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)
    assert tuple(frame.columns) == CAMEO_COLUMNS
    rows = frame.to_dict("records")
    for row, incident in zip(rows, incidents, strict=True):
        assert incident.date is not None and incident.place is not None
        assert row["GLOBALEVENTID"] == incident.id
        assert row["SQLDATE"] == incident.date.start.strftime("%Y%m%d")
        assert row["EventCode"] == (incident.cameo or "")
        assert row["EventRootCode"] == (incident.cameo or "")[:2]
        assert int(row["NumSources"]) == incident.sources
        assert int(row["NumArticles"]) == len(incident.articles)
        assert int(row["NumMentions"]) == len(incident.events)
        assert float(row["ActionGeo_Lat"]) == incident.place.lat
        assert row["ActionGeo_CountryCode"] == incident.place.country
        assert row["Actor1CountryCode"] == (incident.source.country if incident.source else "")
    odesa = next(r for r in rows if r["GLOBALEVENTID"] == _odesa(incidents).id)
    assert (odesa["QuadClass"], odesa["NumSources"], odesa["ActionGeo_Type"]) == ("4", "3", "4")
    assert odesa["Actor1Code"].startswith("RUS") and odesa["Actor2Code"].startswith("UKR")
    ankara = next(r for r in rows if r["ActionGeo_FullName"] == "Ankara")
    assert ankara["QuadClass"] == "1"  # a meeting: verbal cooperation


def test_parquet_round_trips(exporter: Exporter, incidents: list[Incident], tmp_path: Path) -> None:
    path = tmp_path / "incidents.parquet"
    assert exporter.write(incidents, "parquet", path) == 5
    assert pq.read_table(path).to_pylist() == [exporter.flat_row(i) for i in incidents]
    frame = pd.read_parquet(path)
    assert frame["id"].tolist() == [i.id for i in incidents]
    odesa = frame[frame["id"] == _odesa(incidents).id].iloc[0]
    assert (odesa["fatalities_low"], odesa["fatalities_best"], odesa["fatalities_high"]) == (
        14,
        14,
        20,
    )
    assert (odesa["sources"], odesa["admin1"], odesa["place_name"]) == (3, "Odesa", "Odesa")
    assert list(odesa["outlets"]) == _odesa(incidents).outlets
    assert [(c["field"], c["value"], c["claimant"]) for c in odesa["claims"]] == [
        (c.field, c.value, c.claimant) for c in _odesa(incidents).claims
    ]


def test_empty_exports_are_valid(exporter: Exporter, tmp_path: Path) -> None:
    assert exporter.write([], "parquet", tmp_path / "none.parquet") == 0
    assert pq.read_table(tmp_path / "none.parquet").num_rows == 0
    out = io.StringIO()
    exporter.write([], "geojson", out)
    assert json.loads(out.getvalue()) == {"type": "FeatureCollection", "features": []}


def test_bad_destinations_are_refused(exporter: Exporter, tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="give a file with --out"):
        exporter.write([], "parquet", io.StringIO())
    with pytest.raises(ExportError, match="unknown export format 'xlsx'"):
        exporter.write([], "xlsx", io.StringIO())
    with pytest.raises(ExportError, match=r"cannot write .*check the folder exists"):
        exporter.write([], "jsonl", tmp_path / "no" / "such" / "folder.jsonl")


# --- through the command line --------------------------------------------------------


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_cli_export_to_stdout_and_to_a_file(
    db: Path, incidents: list[Incident], tmp_path: Path
) -> None:
    code, out, _ = _run("export", "--db", str(db), "--format", "jsonl", "--country", "MLI")
    assert code == 0
    mali = [i for i in incidents if i.place and i.place.country == "MLI"]
    assert [Incident.from_dict(json.loads(line)) for line in out.splitlines()] == mali
    target = tmp_path / "all.parquet"
    code, _, err = _run("export", "--db", str(db), "--format", "parquet", "--out", str(target))
    assert code == 0 and "wrote 5 incident(s)" in err
    assert pd.read_parquet(target)["id"].tolist() == [i.id for i in incidents]


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--format", "parquet"], 2, "parquet is binary"),
        (["--format", "jsonl", "--bbox", "1,2,3"], 2, "four numbers"),
        (["--format", "jsonl", "--since", "March"], 2, "not a date"),
        (["--format", "jsonl", "--type", "BOMBING"], 2, "not a PLOVER type"),
        (["--format", "jsonl", "--bbox", "0,50,10,40"], 1, "latitudes"),
        (["--format", "jsonl", "--out", "/nonexistent/dir/x.jsonl"], 1, "cannot write"),
    ],
)
def test_cli_export_refuses_bad_input_in_one_line(
    db: Path, args: list[str], code: int, message: str
) -> None:
    exit_code, _, err = _run("export", "--db", str(db), *args)
    assert exit_code == code
    assert message in err and len(err.strip().splitlines()) == 1


def test_cli_incidents_and_claims(db: Path, incidents: list[Incident]) -> None:
    code, out, _ = _run("incidents", "--db", str(db), "--format", "json")
    assert code == 0
    assert [Incident.from_dict(d) for d in json.loads(out)] == incidents
    code, out, _ = _run("incidents", "--db", str(db), "--text", "Douentza", "--format", "jsonl")
    assert [json.loads(line)["place"]["name"] for line in out.splitlines()] == ["Douentza"]
    code, out, _ = _run("incidents", "--db", str(db))
    assert code == 0 and "5 incidents" in out and "14–20" in out
    odesa = _odesa(incidents)
    code, out, _ = _run("claims", odesa.id, "--db", str(db), "--format", "jsonl")
    assert code == 0
    assert [json.loads(line) for line in out.splitlines()] == [
        {
            "field": c.field,
            "value": c.value,
            "article": c.article,
            "claimant": c.claimant,
            "event": c.event,
            "high": c.high,
        }
        for c in odesa.claims
    ]
    code, out, _ = _run("claims", odesa.id, "--db", str(db))
    assert code == 0 and "Kyiv Evening Post" in out and "Ukraine's emergency service" in out
    code, _, err = _run("claims", "inc-0000", "--db", str(db))
    assert code == 1 and "no incident 'inc-0000'" in err


def test_cli_on_a_missing_store_says_so(tmp_path: Path) -> None:
    code, _, err = _run("incidents", "--db", str(tmp_path / "none.db"))
    assert code == 1 and "run `dotterel ingest`" in err
