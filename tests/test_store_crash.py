"""Crash safety: ``dotterel ingest`` killed with SIGKILL halfway through a corpus, then run
again, ends with the same articles, events and incidents (ids and all) as a clean run.

Real processes, a real SQLite file (and PostgreSQL when one answers); the corpus is
synthetic news recombined from the bundled sample articles and the fusion corpus, so
many articles tell the same happenings and fusion has work to do in every batch.
"""

from __future__ import annotations

import json
import os
import random
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import SQLAlchemyError

from dotterel.store import Store
from test_store import backend_url

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [
    ROOT / "src" / "dotterel" / "samples" / "articles.jsonl",
    ROOT / "tests" / "data" / "fusion" / "articles.jsonl",
]
ARTICLES = 120
BATCH = 5
KILL_AFTER = 40  # stored articles


def write_corpus(path: Path, seed: int = 5) -> None:
    """ARTICLES distinct articles of 2-4 sentences drawn from real ones, dated in one week."""
    sentences: list[str] = []
    for source in SOURCES:
        for line in source.read_text(encoding="utf-8").splitlines():
            body = json.loads(line)["text"]
            sentences += [s.strip() for s in re.split(r"(?<=[.!?])\s+", body) if len(s) > 40]
    rng = random.Random(seed)
    outlets = ["Global Wire", "Daily Courier", "Evening Post", "Morning Herald"]
    lines = []
    for n in range(ARTICLES):
        picked = rng.sample(sentences, rng.randint(2, 4))
        published = date(2024, 3, 11) + timedelta(days=rng.randint(0, 6))
        row = {
            "id": f"crash-{n:03d}",
            "published": published.isoformat(),
            "outlet": rng.choice(outlets),
            "text": " ".join(picked),
        }
        lines.append(json.dumps(row, ensure_ascii=False))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def ingest_command(corpus: Path, url: str) -> list[str]:
    code = "import sys; sys.argv[0] = 'dotterel'; from dotterel.cli import app; app()"
    return [sys.executable, "-c", code, "ingest", str(corpus), "--db", url]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("crash") / "corpus.jsonl"
    write_corpus(path)
    return path


@pytest.fixture(scope="module")
def env(cache_dir: Path) -> dict[str, str]:
    return {**os.environ, "DOTTEREL_CACHE_DIR": str(cache_dir)}


def stored_articles(url: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text("SELECT count(*) FROM articles")).scalar() or 0)
    except SQLAlchemyError:
        return 0  # not created yet
    finally:
        engine.dispose()


def snapshot(url: str) -> dict[str, object]:
    """Everything a rerun must reproduce: counts, article and event ids, incidents."""
    with Store(url) as store:
        events = store.events()
        return {
            "counts": store.counts(),
            "articles": sorted({e.article_id for e in events}),
            "events": sorted(e.id for e in events),
            "incidents": [i.to_dict() for i in store.incidents()],
        }


@pytest.fixture(params=["sqlite", "postgresql"])
def two_stores(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    with (
        backend_url(request.param, tmp_path / "clean") as clean,
        backend_url(request.param, tmp_path / "killed") as killed,
    ):
        yield clean, killed


def test_sigkill_halfway_then_rerun_equals_a_clean_run(
    two_stores: tuple[str, str], corpus: Path, env: dict[str, str], tmp_path: Path
) -> None:
    clean, killed = two_stores
    run = [*ingest_command(corpus, clean), "--batch-size", str(BATCH)]
    done = subprocess.run(run, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    wanted = snapshot(clean)
    assert wanted["counts"]["articles"] == ARTICLES  # type: ignore[index]
    assert wanted["counts"]["incidents"] < wanted["counts"]["events"]  # type: ignore[index]

    victim = subprocess.Popen(
        [*ingest_command(corpus, killed), "--batch-size", str(BATCH)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 240
    while stored_articles(killed) < KILL_AFTER and victim.poll() is None:
        assert time.monotonic() < deadline, "the ingest never got halfway"
        time.sleep(0.02)
    victim.send_signal(signal.SIGKILL)
    assert victim.wait(timeout=30) == -signal.SIGKILL
    at_kill = stored_articles(killed)
    assert KILL_AFTER <= at_kill < ARTICLES
    assert at_kill % BATCH == 0  # whole batches or nothing

    rerun = subprocess.run(
        [*ingest_command(corpus, killed), "--batch-size", str(BATCH)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert rerun.returncode == 0, rerun.stderr
    assert f"stored {ARTICLES - at_kill} new article(s), {at_kill} already present" in rerun.stderr
    assert snapshot(killed) == wanted
