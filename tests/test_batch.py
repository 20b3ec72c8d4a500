"""Batch on a real Dask LocalCluster with 2 worker processes: the same events as the
in-process pipeline, event for event, in Parquet and in the store; resuming; failures
in the report; the command line against the cluster's scheduler address."""

from __future__ import annotations

import importlib.util
import json
import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import pyarrow.dataset as ds
import pytest
from distributed import Client
from sqlalchemy import create_engine, make_url, text
from typer.testing import CliRunner

from dotterel import cli
from dotterel.batch import EVENT_SCHEMA, PipelinePlugin, open_client, run_batch
from dotterel.pipeline import Pipeline
from dotterel.records import Article, event_from_dict, to_dict
from dotterel.settings import Settings
from dotterel.sources import HtmlPage, SourceProblem, read_items, read_paths
from dotterel.store import Store

SAMPLES = Path(str(resources.files("dotterel") / "samples" / "articles.jsonl"))
WEB = Path(__file__).parent / "data" / "web"
PG_URL = os.environ.get("DOTTEREL_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")

Records = dict[str, dict[str, Any]]


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    with open_client(workers=2) as made:
        yield made


@pytest.fixture(scope="module")
def settings(cache_dir: Path) -> Settings:
    return Settings(cache_dir=str(cache_dir))


@pytest.fixture(scope="module")
def expected(pipeline: Pipeline) -> Records:
    """The in-process result on the sample corpus: every event by id, as plain data."""
    records: Records = {}
    for article in read_paths([SAMPLES]):
        assert isinstance(article, Article)
        result = pipeline.process(article)
        assert result.error is None
        records.update({e.id: to_dict(e) for e in result.events})
    return records


def parquet_records(out: Path) -> Records:
    rows = ds.dataset(out / "events", format="parquet").to_table().to_pylist()
    records = {row["id"]: json.loads(row["record"]) for row in rows}
    assert len(records) == len(rows), "an event was written twice"
    return records


def parquet_rows(out: Path, what: str) -> list[dict[str, Any]]:
    return ds.dataset(out / what, format="parquet").to_table().to_pylist()


def parts(out: Path) -> dict[str, float]:
    return {
        f"{p.parent.name}/{p.name}": p.stat().st_mtime for p in sorted(out.glob("*/part-*.parquet"))
    }


def executed(client: Client) -> dict[str, int]:
    return client.run(lambda dask_worker: dask_worker.state.executed_count)  # type: ignore[no-any-return]


# --- the same events as in-process ----------------------------------------------------------


def test_two_workers_give_the_in_process_events_event_for_event(
    client: Client, settings: Settings, expected: Records, tmp_path: Path
) -> None:
    before = executed(client)
    out, db = tmp_path / "out", tmp_path / "batch.db"
    summary = run_batch(
        read_items([SAMPLES]),
        settings,
        client,
        out=out,
        db=str(db),
        report=out / "failed.jsonl",
        chunk_size=2,
    )
    assert (summary.done, summary.failed, summary.skipped, summary.duplicates) == (11, 0, 0, 0)
    assert summary.events == len(expected) > 50
    assert summary.rate > 0
    assert parquet_records(out) == expected
    with Store(db) as store:
        stored = {e.id: to_dict(e) for e in store.events()}
    assert stored == {k: to_dict(event_from_dict(v)) for k, v in expected.items()}
    after = executed(client)
    assert all(after[w] > before.get(w, 0) for w in after), "both workers coded chunks"
    assert len(after) == 2
    assert (out / "failed.jsonl").read_text() == ""


def test_the_parquet_columns_match_the_records(
    client: Client, settings: Settings, expected: Records, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    run_batch(read_items([SAMPLES]), settings, client, out=out, report=tmp_path / "f.jsonl")
    table = ds.dataset(out / "events", format="parquet").to_table()
    assert table.schema.equals(EVENT_SCHEMA)
    for row in table.to_pylist():
        record = expected[row["id"]]
        place, when, dead = record["place"], record["date"], record["fatalities"]
        assert row["type"] == record["type"]
        assert row["source_country"] == (record["source"] or {}).get("country")
        assert row["target_country"] == (record["target"] or {}).get("country")
        assert row["place_name"] == (place["name"] if place else None)
        assert row["lat"] == (place["lat"] if place else None)
        assert row["date_start"] == (date.fromisoformat(when["start"]) if when else None)
        assert row["fatalities_best"] == (dead["best"] if dead else None)
        assert row["evidence"] == record["evidence"]["sentence"]
    articles = parquet_rows(out, "articles")
    assert len(articles) == 11
    jeddah = next(a for a in articles if a["ref"] == "jeddah-talks-2025-03-11")
    assert (jeddah["published"], jeddah["outlet"]) == (date(2025, 3, 11), "dotterel samples")
    assert sum(a["events"] for a in articles) == len(expected)


def test_each_worker_builds_its_pipeline_once(
    client: Client, settings: Settings, tmp_path: Path
) -> None:
    name = PipelinePlugin(settings).name

    def pipeline_id(dask_worker: Any) -> int:
        return id(dask_worker.plugins[name].pipeline)

    for attempt in range(2):
        run_batch(
            read_items([SAMPLES]),
            settings,
            client,
            out=tmp_path / f"run{attempt}",
            report=tmp_path / f"f{attempt}.jsonl",
            chunk_size=3,
        )
        ids = client.run(pipeline_id)
        if attempt == 0:
            first = ids
    assert ids == first and len(set(ids.values())) == 2


# --- resuming ----------------------------------------------------------------------------


def test_a_rerun_skips_everything_already_done(
    client: Client, settings: Settings, expected: Records, tmp_path: Path
) -> None:
    out, db = tmp_path / "out", tmp_path / "batch.db"
    options: dict[str, Any] = {"out": out, "db": str(db), "report": out / "failed.jsonl"}
    run_batch(read_items([SAMPLES]), settings, client, chunk_size=4, **options)
    written = parts(out)
    again = run_batch(read_items([SAMPLES]), settings, client, chunk_size=4, **options)
    assert (again.done, again.skipped, again.events) == (0, 11, 0)
    assert parts(out) == written
    assert parquet_records(out) == expected
    with Store(db) as store:
        assert store.counts()["articles"] == 11


def test_a_crash_between_the_two_part_files_is_repaired(
    client: Client, settings: Settings, expected: Records, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    run_batch(
        read_items([SAMPLES]), settings, client, out=out, report=out / "f.jsonl", chunk_size=4
    )
    lost = sorted((out / "articles").glob("part-*.parquet"))[0]
    lost_count = len(ds.dataset(lost, format="parquet").to_table())
    lost.unlink()  # as if the run died after writing this chunk's events, before its articles
    (out / "events" / ".part-x.parquet.tmp").write_bytes(b"half a file")
    again = run_batch(
        read_items([SAMPLES]), settings, client, out=out, report=out / "f.jsonl", chunk_size=4
    )
    assert (again.done, again.skipped) == (lost_count, 11 - lost_count)
    assert parquet_records(out) == expected  # nothing lost, nothing twice
    assert not list((out / "events").glob(".*.tmp"))


def test_a_store_only_rerun_skips_stored_articles(
    client: Client, settings: Settings, tmp_path: Path
) -> None:
    db = str(tmp_path / "only.db")
    report = tmp_path / "f.jsonl"
    run_batch(read_items([SAMPLES]), settings, client, db=db, report=report)
    again = run_batch(read_items([SAMPLES]), settings, client, db=db, report=report)
    assert (again.done, again.skipped) == (0, 11)


# --- failures ----------------------------------------------------------------------------


def test_failed_articles_go_to_the_report_and_the_rest_is_coded(
    client: Client, settings: Settings, tmp_path: Path
) -> None:
    good = next(a for a in read_paths([SAMPLES]) if isinstance(a, Article))
    menus = HtmlPage("https://gazette.example/404", (WEB / "boilerplate.html").read_bytes())
    blank = HtmlPage("https://gazette.example/blank", b"   ")
    huge = Article(text="Troops shelled the town. " * 50_000, ref="huge")
    items = [SourceProblem("feed.jsonl:3", "not JSON: Expecting value at column 1"), menus]
    items += [good, blank, huge, good]
    out = tmp_path / "out"
    summary = run_batch(items, settings, client, out=out, report=out / "failed.jsonl")
    assert (summary.done, summary.failed, summary.duplicates) == (1, 4, 1)
    lines = [json.loads(line) for line in (out / "failed.jsonl").read_text().splitlines()]
    by_ref = {line["ref"]: line for line in lines}
    assert by_ref["feed.jsonl:3"] == {
        "ref": "feed.jsonl:3",
        "key": "feed.jsonl:3",
        "stage": "read",
        "error": "not JSON: Expecting value at column 1",
    }
    assert by_ref["https://gazette.example/404"]["stage"] == "read"
    assert by_ref["https://gazette.example/404"]["error"] == (
        "no article text found in the page (only menus or boilerplate)"
    )
    assert by_ref["https://gazette.example/blank"]["error"] == "empty page"
    assert by_ref["huge"]["stage"] == "read"
    assert by_ref["huge"]["error"] == (
        "huge: stage 'read' failed: InputError: text longer than max_chars=1000000"
    )
    assert [a["ref"] for a in parquet_rows(out, "articles")] == [good.ref]
    again = run_batch(items, settings, client, out=out, report=out / "failed.jsonl")
    assert (again.done, again.failed, again.skipped) == (0, 4, 1)  # failures are tried again


def test_a_batch_needs_an_output(client: Client, settings: Settings, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="give out"):
        run_batch([], settings, client, report=tmp_path / "f.jsonl")


# --- PostgreSQL ---------------------------------------------------------------------------


@contextmanager
def pg_schema() -> Iterator[str]:
    """A URL into a new PostgreSQL schema of its own, dropped afterwards."""
    if importlib.util.find_spec("psycopg") is None:
        pytest.skip("psycopg is not installed; pip install 'psycopg[binary]' to test PostgreSQL")
    url = make_url(PG_URL)
    try:
        socket.create_connection((url.host or "127.0.0.1", url.port or 5432), timeout=1).close()
    except OSError:
        pytest.skip(f"no PostgreSQL answers at {url.host}:{url.port} (set DOTTEREL_TEST_PG)")
    schema = f"dotterel_batch_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield url.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
            hide_password=False
        )
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def test_batch_into_postgresql_stores_the_in_process_events(
    client: Client, settings: Settings, expected: Records, tmp_path: Path
) -> None:
    with pg_schema() as url:
        summary = run_batch(
            read_items([SAMPLES]), settings, client, db=url, report=tmp_path / "f.jsonl"
        )
        assert (summary.done, summary.failed) == (11, 0)
        with Store(url) as store:
            stored = {e.id: to_dict(e) for e in store.events()}
            again = run_batch(
                read_items([SAMPLES]), settings, client, db=url, report=tmp_path / "f.jsonl"
            )
            assert store.counts()["articles"] == 11
    assert stored == {k: to_dict(event_from_dict(v)) for k, v in expected.items()}
    assert (again.done, again.skipped) == (0, 11)


# --- the command line ---------------------------------------------------------------------


def test_the_batch_command_runs_on_a_cluster_by_address(
    client: Client, expected: Records, cache_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    address = client.scheduler.address
    args = ["batch", str(SAMPLES), "--out", str(out), "--scheduler", address, "--chunk-size", "3"]
    env = {"DOTTEREL_CACHE_DIR": str(cache_dir)}
    result = CliRunner().invoke(cli.app, args, env=env)
    assert result.exit_code == 0, result.output
    assert parquet_records(out) == expected
    assert "coded 11 article(s)" in result.stderr
    assert "articles/s" in result.stderr
    assert f"0 failed (listed in {out / 'failed.jsonl'})" in result.stderr
    rerun = CliRunner().invoke(cli.app, args, env=env)
    assert "coded 0 article(s)" in rerun.stderr and "11 done before" in rerun.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--workers", "2", "--scheduler", "tcp://127.0.0.1:1", "--out", "x"], "not both"),
        ([], "give --out DIR"),
    ],
)
def test_the_batch_command_refuses_unclear_options(args: list[str], message: str) -> None:
    result = CliRunner().invoke(cli.app, ["batch", str(SAMPLES), *args])
    assert result.exit_code == 2
    assert message in result.stderr
