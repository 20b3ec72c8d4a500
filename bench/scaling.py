"""Batch scaling: articles/s in-process vs on a Dask LocalCluster of 1 and 2 workers.

Builds at least 5,000 distinct synthetic articles by recombining the sentences of the
bundled sample articles (``throughput.build_corpus``, fixed seed), then times:

1. in-process: the pipeline in this process, coding only, then coding and writing the
   same Parquet parts batch writes (the fair baseline for Dask's overhead);
2. ``run_batch`` on a LocalCluster of 1 worker process, then of 2, writing Parquet
   to a temporary folder (what ``dotterel batch --out`` does).

Cluster start-up and the workers' pipeline construction are excluded: a warm-up
batch runs first on each cluster. Prints articles/s, scaling efficiency (2-worker
rate over twice the 1-worker rate, and over twice the in-process rate), Dask's
overhead per article (1-worker time per article minus in-process), memory per
worker (RSS after the run), the projection for a GDELT day (250,000 articles) and
the command that produced the figures.

Wall-clock figures depend on what else runs on the machine. So the script also
counts CPU seconds (this process and every process it started: scheduler, nannies,
workers) per article, which other processes do not change, and projects the rate on
dedicated cores from them: cores / CPU seconds per article.

    .venv/bin/python bench/scaling.py [--articles 5000] [--seed 7] [--chunk-size 200]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import tempfile
import time
from dataclasses import dataclass
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier as BarrierType
from pathlib import Path

import psutil
from distributed import Client
from throughput import build_corpus, command_line, peak_rss_mib

from dotterel.batch import Coded, open_client, run_batch, write_parts
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
    cpu_seconds: float
    cores: int

    @property
    def rate(self) -> float:
        return self.articles / self.seconds

    @property
    def cpu_ms(self) -> float:
        """CPU milliseconds per article, all processes of the run together."""
        return self.cpu_seconds / self.articles * 1000

    @property
    def dedicated_rate(self) -> float:
        """Articles/s on ``cores`` cores that nothing else uses."""
        return self.cores / (self.cpu_seconds / self.articles)


def cpu_seconds() -> float:
    """User + system CPU seconds of this process and all its descendants, now."""
    me = psutil.Process()
    total = 0.0
    for process in (me, *me.children(recursive=True)):
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


def in_process(
    settings: Settings, articles: list[Article], chunk_size: int, output: bool
) -> Timing:
    """Code in this process; with ``output``, also write the Parquet parts batch writes."""
    pipeline = Pipeline(settings)
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        (out / "events").mkdir()
        (out / "articles").mkdir()
        cpu, started = cpu_seconds(), time.perf_counter()
        events = 0
        for start in range(0, len(articles), chunk_size):
            coded = [
                Coded(a.id, a.ref or a.id, a, pipeline.process(a).events)
                for a in articles[start : start + chunk_size]
            ]
            events += sum(len(c.events) for c in coded)
            if output:
                write_parts(out, coded)
        seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    label = "in-process, coding + Parquet" if output else "in-process, coding only"
    return Timing(label, len(articles), events, seconds, [peak_rss_mib()], cpu, 1)


def _code_half(
    settings: Settings,
    articles: list[Article],
    chunk_size: int,
    out: str,
    ready: BarrierType,
    results: Queue[tuple[int, float, float]],
) -> None:
    pipeline = Pipeline(settings)
    folder = Path(out)
    ready.wait()  # both processes start coding together, start-up excluded
    started = time.perf_counter()
    events = 0
    for start in range(0, len(articles), chunk_size):
        coded = [
            Coded(a.id, a.ref or a.id, a, pipeline.process(a).events)
            for a in articles[start : start + chunk_size]
        ]
        events += sum(len(c.events) for c in coded)
        write_parts(folder, coded)
    results.put((events, started, time.perf_counter()))


def two_processes(settings: Settings, articles: list[Article], chunk_size: int) -> Timing:
    """The machine's own ceiling: two plain processes, each coding half, no Dask."""
    context = multiprocessing.get_context("spawn")
    ready = context.Barrier(2)
    results: Queue[tuple[int, float, float]] = context.Queue()
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "events").mkdir()
        (Path(folder) / "articles").mkdir()
        halves = (articles[: len(articles) // 2], articles[len(articles) // 2 :])
        cpu = cpu_seconds()
        workers = [
            context.Process(
                target=_code_half, args=(settings, half, chunk_size, folder, ready, results)
            )
            for half in halves
        ]
        for worker in workers:
            worker.start()
        found = [results.get() for _ in workers]
        cpu_before_exit = cpu_seconds()
        for worker in workers:
            worker.join()
    events = sum(r[0] for r in found)
    seconds = max(r[2] for r in found) - min(r[1] for r in found)
    # the children's start-up CPU (imports, pipelines) is in the figure: an upper bound
    label = "2 plain processes (no Dask), + Parquet"
    return Timing(label, len(articles), events, seconds, [], cpu_before_exit - cpu, 2)


def on_cluster(
    workers: int, settings: Settings, articles: list[Article], chunk_size: int
) -> Timing:
    with open_client(workers=workers) as client, tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        warm = run_batch(articles[:workers], settings, client, out=out / "warm", report=out / "w")
        assert warm.failed == 0
        cpu = cpu_seconds()
        summary = run_batch(
            articles, settings, client, out=out / "run", report=out / "f", chunk_size=chunk_size
        )
        cpu = cpu_seconds() - cpu
        if summary.failed:
            raise SystemExit(f"{summary.failed} articles failed; see the report")
        memory = worker_rss(client)
    label = f"LocalCluster, {workers} worker{'s' if workers > 1 else ''}"
    return Timing(label, summary.done, summary.events, summary.seconds, memory, cpu, workers)


def worker_rss(client: Client) -> list[float]:
    def rss() -> float:
        return float(psutil.Process().memory_info().rss) / 2**20

    return sorted(client.run(rss).values())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=5000, help="synthetic articles")
    parser.add_argument("--seed", type=int, default=7, help="seed for recombining sentences")
    parser.add_argument("--chunk-size", type=int, default=200, help="articles per Dask task")
    args = parser.parse_args(argv)
    if args.articles < 5000:
        parser.error("--articles must be at least 5000 (the measure is defined on >= 5,000)")

    corpus = build_corpus(args.articles, args.seed)
    articles = [Article(text=a.text, ref=a.ref, published=a.published) for a in corpus.articles]
    settings = Settings.load()
    load_before = os.getloadavg()
    coding = in_process(settings, articles, args.chunk_size, output=False)
    base = in_process(settings, articles, args.chunk_size, output=True)
    plain = two_processes(settings, articles, args.chunk_size)
    one = on_cluster(1, settings, articles, args.chunk_size)
    two = on_cluster(2, settings, articles, args.chunk_size)
    load_after = os.getloadavg()
    assert coding.events == base.events == plain.events == one.events == two.events, "differ"

    overhead_ms = (one.seconds - base.seconds) / base.articles * 1000
    gdelt_minutes = GDELT_DAY / two.rate / 60
    gdelt_dedicated = GDELT_DAY / two.dedicated_rate / 60
    rows = [
        (t.label, f"{t.rate:7.1f} articles/s  ({t.articles} in {t.seconds:.1f} s wall clock)")
        for t in (coding, base, plain, one, two)
    ]
    rows += [
        (
            "machine ceiling",
            f"{plain.rate / (2 * base.rate):.2f} x linear  (2 plain processes vs 1, no Dask: "
            "what these 2 cores give two coders today)",
        ),
        (
            "2 workers vs the ceiling",
            f"{two.rate / plain.rate:.2f}  (Dask's 2 workers over 2 plain processes)",
        ),
        ("efficiency vs 1 worker", _verdict(two.rate / (2 * one.rate), TARGET_EFFICIENCY)),
        (
            "efficiency vs in-process",
            _verdict(two.rate / (2 * base.rate), TARGET_EFFICIENCY) + "  (with Parquet)",
        ),
        (
            "Dask overhead/article",
            f"{overhead_ms:.2f} ms wall clock (1 worker vs in-process with Parquet)",
        ),
    ]
    rows += [
        (
            f"CPU/article, {t.label}",
            f"{t.cpu_ms:.2f} ms  -> {t.dedicated_rate:.1f} articles/s on {t.cores} "
            f"dedicated core{'s' if t.cores > 1 else ''}",
        )
        for t in (coding, base, one, two)
    ]
    rows += [
        (
            "efficiency, dedicated cores",
            _verdict(two.dedicated_rate / (2 * base.dedicated_rate), TARGET_EFFICIENCY)
            + "  (2 workers vs in-process with Parquet, from CPU time)",
        ),
        (
            "Dask CPU overhead/article",
            f"{one.cpu_ms - base.cpu_ms:.2f} ms (1 worker), {two.cpu_ms - base.cpu_ms:.2f} ms "
            f"(2 workers); Parquet output itself {base.cpu_ms - coding.cpu_ms:.2f} ms",
        ),
        ("memory per worker", ", ".join(f"{m:.0f} MiB" for m in two.memory_mib) + " RSS"),
        ("in-process peak RSS", f"{base.memory_mib[0]:.0f} MiB"),
        (
            "GDELT day (250k)",
            f"{gdelt_minutes:.1f} min on 2 workers as measured, {gdelt_dedicated:.1f} min on 2 "
            f"dedicated cores  (target < {TARGET_MINUTES:.0f} min: "
            f"{'met' if gdelt_minutes < TARGET_MINUTES else 'NOT met'} as measured, "
            f"{'met' if gdelt_dedicated < TARGET_MINUTES else 'NOT met'} on dedicated cores)",
        ),
        ("events", f"{two.events} (identical in every run)"),
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
