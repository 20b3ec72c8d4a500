"""Batch scaling: articles/s in-process vs on a Dask LocalCluster of 1 and 2 workers.

Builds at least 5,000 distinct synthetic articles by recombining the sentences of the
bundled sample articles (``throughput.build_corpus``, fixed seed), then times:

1. in-process: ``Pipeline(settings).pipe(articles)`` in this process;
2. ``run_batch`` on a LocalCluster of 1 worker process, then of 2, writing Parquet
   to a temporary folder (what ``dotterel batch --out`` does).

Cluster start-up and the workers' pipeline construction are excluded: a warm-up
batch runs first on each cluster. Prints articles/s, scaling efficiency (2-worker
rate over twice the 1-worker rate, and over twice the in-process rate), Dask's
overhead per article (1-worker time per article minus in-process), memory per
worker (RSS after the run), the projection for a GDELT day (250,000 articles) and
the command that produced the figures.

    .venv/bin/python bench/scaling.py [--articles 5000] [--seed 7] [--chunk-size 50]
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psutil
from distributed import Client
from throughput import build_corpus, command_line, peak_rss_mib

from dotterel.batch import open_client, run_batch
from dotterel.pipeline import Pipeline
from dotterel.records import Article
from dotterel.settings import Settings

GDELT_DAY = 250_000
TARGET_MINUTES = 15.0
TARGET_EFFICIENCY = 0.8


@dataclass(frozen=True, slots=True)
class Timing:
    label: str
    articles: int
    events: int
    seconds: float
    memory_mib: list[float]

    @property
    def rate(self) -> float:
        return self.articles / self.seconds


def in_process(settings: Settings, articles: list[Article]) -> Timing:
    pipeline = Pipeline(settings)
    started = time.perf_counter()
    events = sum(len(result.events) for result in pipeline.pipe(articles))
    seconds = time.perf_counter() - started
    return Timing("in-process", len(articles), events, seconds, [peak_rss_mib()])


def on_cluster(
    workers: int, settings: Settings, articles: list[Article], chunk_size: int
) -> Timing:
    with open_client(workers=workers) as client, tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        warm = run_batch(articles[:workers], settings, client, out=out / "warm", report=out / "w")
        assert warm.failed == 0
        summary = run_batch(
            articles, settings, client, out=out / "run", report=out / "f", chunk_size=chunk_size
        )
        if summary.failed:
            raise SystemExit(f"{summary.failed} articles failed; see the report")
        memory = worker_rss(client)
    label = f"LocalCluster, {workers} worker{'s' if workers > 1 else ''}"
    return Timing(label, summary.done, summary.events, summary.seconds, memory)


def worker_rss(client: Client) -> list[float]:
    def rss() -> float:
        return psutil.Process().memory_info().rss / 2**20

    return sorted(client.run(rss).values())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=5000, help="synthetic articles")
    parser.add_argument("--seed", type=int, default=7, help="seed for recombining sentences")
    parser.add_argument("--chunk-size", type=int, default=50, help="articles per Dask task")
    args = parser.parse_args(argv)
    if args.articles < 5000:
        parser.error("--articles must be at least 5000 (the measure is defined on >= 5,000)")

    corpus = build_corpus(args.articles, args.seed)
    articles = [Article(text=a.text, ref=a.ref, published=a.published) for a in corpus.articles]
    settings = Settings.load()
    load_before = os.getloadavg()
    base = in_process(settings, articles)
    one = on_cluster(1, settings, articles, args.chunk_size)
    two = on_cluster(2, settings, articles, args.chunk_size)
    load_after = os.getloadavg()
    assert base.events == one.events == two.events, "the cluster coded different events"

    overhead_ms = (one.seconds - base.seconds) / base.articles * 1000
    gdelt_minutes = GDELT_DAY / two.rate / 60
    rows = [
        (t.label, f"{t.rate:7.1f} articles/s  ({t.articles} in {t.seconds:.1f} s)")
        for t in (base, one, two)
    ]
    rows += [
        ("efficiency vs 1 worker", _verdict(two.rate / (2 * one.rate), TARGET_EFFICIENCY)),
        ("efficiency vs in-process", _verdict(two.rate / (2 * base.rate), TARGET_EFFICIENCY)),
        ("Dask overhead/article", f"{overhead_ms:.2f} ms  (1 worker vs in-process)"),
        ("memory per worker", ", ".join(f"{m:.0f} MiB" for m in two.memory_mib) + " RSS"),
        ("in-process peak RSS", f"{base.memory_mib[0]:.0f} MiB"),
        (
            "GDELT day (250k)",
            f"{gdelt_minutes:.1f} min on 2 workers  (target < {TARGET_MINUTES:.0f} min: "
            f"{'met' if gdelt_minutes < TARGET_MINUTES else 'NOT met'})",
        ),
        ("events", f"{two.events} (identical in all three runs)"),
        ("words", f"{corpus.words} ({corpus.bytes / 1e6:.2f} MB of text)"),
        (
            "machine",
            f"{psutil.cpu_count()} CPUs, {platform.processor() or platform.machine()}; "
            f"load average {load_before[0]:.2f} before, {load_after[0]:.2f} after "
            "(other processes share these cores)",
        ),
        ("chunk size", str(args.chunk_size)),
        ("command", command_line()),
    ]
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


def _verdict(value: float, target: float) -> str:
    return f"{value:.2f} x linear  (target >= {target}: {'met' if value >= target else 'NOT met'})"


if __name__ == "__main__":
    main()
