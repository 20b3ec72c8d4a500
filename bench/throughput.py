"""Whole-pipeline throughput on one core.

Builds a corpus of at least 1 MiB of distinct synthetic articles by recombining the
sentences of the bundled sample articles (fixed seed), then times
``Pipeline(settings).pipe(articles)`` over all of it. Pipeline construction is timed
separately. Prints the figures and the exact command line that produced them.

    .venv/bin/python bench/throughput.py [--articles N] [--seed S]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import resource
import shlex
import sys
import time
from dataclasses import dataclass
from datetime import date, timedelta
from importlib import metadata, resources

# One core means one thread too: keep any numeric library from starting a pool.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

from dotterel.compiled import COMPILED  # noqa: E402
from dotterel.pipeline import Pipeline  # noqa: E402
from dotterel.records import Article  # noqa: E402
from dotterel.settings import Settings  # noqa: E402
from dotterel.stages import BUILD  # noqa: E402

MIB = 1024 * 1024
MIN_WORDS, MAX_WORDS = 150, 400
FIRST_DAY = date(2023, 1, 1)
_SENTENCE_END = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][”\"]))\s+(?=[A-Z“\"])")


@dataclass(frozen=True, slots=True)
class Corpus:
    articles: list[Article]
    words: int
    bytes: int


def sample_sentences() -> list[str]:
    """Every sentence of the bundled sample articles, in file order."""
    path = resources.files("dotterel") / "samples" / "articles.jsonl"
    sentences: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            text = json.loads(line)["text"]
            sentences.extend(s.strip() for s in _SENTENCE_END.split(text) if s.strip())
    return sentences


def build_corpus(count: int | None, seed: int, min_bytes: int = MIB) -> Corpus:
    """``count`` distinct articles of 150-400 words, or as many as reach ``min_bytes``."""
    rng = random.Random(seed)
    sentences = sample_sentences()
    seen: set[str] = set()
    articles: list[Article] = []
    words = size = 0
    while (len(articles) < count) if count is not None else (size < min_bytes):
        target = rng.randint(MIN_WORDS, MAX_WORDS)
        chosen: list[str] = []
        length = 0
        while length < target:
            sentence = rng.choice(sentences)
            chosen.append(sentence)
            length += len(sentence.split())
        text = " ".join(chosen)
        if text in seen:
            continue
        seen.add(text)
        published = FIRST_DAY + timedelta(days=rng.randrange(730))
        articles.append(
            Article(text=text, ref=f"synthetic-{len(articles):05d}", published=published)
        )
        words += length
        size += len(text.encode("utf-8"))
    return Corpus(articles, words, size)


def peak_rss_mib() -> float:
    """Peak resident set size of this process so far (ru_maxrss is KiB on Linux)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def pin_to_one_core() -> str:
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned (no sched_setaffinity on this platform)"
    core = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {core})
    return f"pinned to CPU {core} of {os.cpu_count()}"


def command_line() -> str:
    """The command as run: working folder, the DOTTEREL_* settings in force, argv."""
    env = [f"{k}={v}" for k, v in sorted(os.environ.items()) if k.startswith("DOTTEREL_")]
    argv = shlex.join([*env, sys.executable, *sys.argv])
    return f"cd {shlex.quote(os.getcwd())} && {argv}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--articles",
        type=int,
        default=None,
        help="number of synthetic articles (default: as many as make at least 1 MiB of text)",
    )
    parser.add_argument("--seed", type=int, default=7, help="seed for recombining sentences")
    args = parser.parse_args(argv)
    if args.articles is not None and args.articles < 1:
        parser.error("--articles must be at least 1")

    core = pin_to_one_core()
    corpus = build_corpus(args.articles, args.seed)

    settings = Settings.load()
    started = time.perf_counter()
    pipeline = Pipeline(settings)
    startup = time.perf_counter() - started
    rss_after_startup = peak_rss_mib()

    events = failed = 0
    first: float | None = None
    started = time.perf_counter()
    cpu_started = time.process_time()
    for result in pipeline.pipe(corpus.articles):
        if first is None:
            first = time.perf_counter() - started
        if result.error is not None:
            failed += 1
        events += len(result.events)
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started

    n = len(corpus.articles)
    rows = [
        ("articles", f"{n}  ({failed} failed)"),
        ("words", f"{corpus.words}"),
        ("text", f"{corpus.bytes / 1e6:.3f} MB ({corpus.bytes} bytes of UTF-8)"),
        ("events", f"{events}"),
        ("seconds", f"{seconds:.2f}  (pipe only; first article {first or 0.0:.3f} s)"),
        ("articles/s", f"{n / seconds:.1f}"),
        (
            "articles/s (CPU)",
            f"{n / cpu_seconds:.1f}  (per CPU-second of this process: {cpu_seconds:.2f} s; "
            "steadier than wall time when other work shares the core)",
        ),
        ("words/s", f"{corpus.words / seconds:,.0f}"),
        ("events/s", f"{events / seconds:.1f}"),
        ("MB/s", f"{corpus.bytes / 1e6 / seconds:.3f}"),
        ("pipeline start-up", f"{startup:.2f} s  (gazetteer cache {settings.cache_path})"),
        ("peak RSS", f"{peak_rss_mib():.0f} MiB  ({rss_after_startup:.0f} MiB after start-up)"),
        ("cpu", f"{core}; {platform.processor() or platform.machine()}"),
        ("stages", f"{BUILD} ({'mypyc' if BUILD == COMPILED else 'Python'})"),
        (
            "versions",
            f"dotterel {metadata.version('dotterel')}, Python {platform.python_version()}",
        ),
        (
            "corpus",
            f"seed {args.seed}, {MIN_WORDS}-{MAX_WORDS} words/article, "
            "sentences recombined from dotterel/samples/articles.jsonl",
        ),
        ("command", command_line()),
    ]
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


if __name__ == "__main__":
    main()
