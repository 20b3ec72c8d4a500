"""The batch run: stream items into chunks, code them on Dask, account for the results.

The client reads the inputs lazily, skips what an earlier run finished, and keeps a
bounded number of chunks in flight (memory stays flat on millions of articles). The
workers write each chunk to the store and/or the Parquet folder themselves; the client
gets one small outcome per article, writes every failure as a line of the report (never
an exception), and at the end fuses the newly stored articles into incidents.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from distributed import Client, Future, LocalCluster, as_completed

from dotterel.batch._parquet import ParquetOutput
from dotterel.batch._workers import Job, Outcome, PipelinePlugin, Work, code_chunk, item_key
from dotterel.records import Article
from dotterel.settings import Settings
from dotterel.sources import Item, SourceProblem
from dotterel.store import Store

__all__ = ["BatchSummary", "Progress", "open_client", "run_batch"]


@dataclass(frozen=True, slots=True)
class Progress:
    """Counts so far; ``rate`` is articles coded per second of wall time."""

    done: int
    failed: int
    skipped: int
    events: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.done / self.seconds if self.seconds > 0 else 0.0


@dataclass(frozen=True, slots=True)
class BatchSummary(Progress):
    """The whole run: ``skipped`` were done by an earlier run, ``duplicates`` repeated
    an item of this run; failures are listed in ``report``."""

    duplicates: int = 0
    report: Path | None = None


@contextmanager
def open_client(workers: int | None = None, scheduler: str | None = None) -> Iterator[Client]:
    """A Dask client: on the cluster at ``scheduler`` (tcp://host:port), or on a new
    LocalCluster of ``workers`` single-threaded processes (default: one per core)."""
    if scheduler is not None:
        with Client(scheduler, timeout="30s") as client:  # type: ignore[no-untyped-call]
            yield client
        return
    with (
        LocalCluster(  # type: ignore[no-untyped-call]
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster,
        Client(cluster) as client,  # type: ignore[no-untyped-call]
    ):
        yield client


def run_batch(
    items: Iterable[Item],
    settings: Settings,
    client: Client,
    *,
    out: Path | None = None,
    db: str | None = None,
    report: Path,
    chunk_size: int = 200,
    on_progress: Callable[[Progress], None] | None = None,
) -> BatchSummary:
    """Code ``items`` on ``client``'s workers into ``out`` (Parquet) and/or ``db``."""
    if out is None and db is None:
        raise ValueError("give out (a folder for Parquet) or db (a store URL), or both")
    if chunk_size < 1:
        raise ValueError(f"chunk_size must be 1 or more, got {chunk_size}")
    parquet = ParquetOutput(out.resolve()) if out is not None else None
    store = Store(db) if db is not None else None  # created and migrated before workers open it
    report.parent.mkdir(parents=True, exist_ok=True)
    try:
        with report.open("w", encoding="utf-8") as failures:
            run = _Run(client, settings, parquet, db, failures, on_progress)
            summary = run.all(items, chunk_size)
        if store is not None:
            store.fuse_pending()
        return summary
    finally:
        if store is not None:
            store.close()


class _Run:
    """One batch run's state: outputs, counters and the chunks in flight."""

    def __init__(
        self,
        client: Client,
        settings: Settings,
        parquet: ParquetOutput | None,
        db: str | None,
        failures: IO[str],
        on_progress: Callable[[Progress], None] | None,
    ) -> None:
        self.client = client
        self.plugin = PipelinePlugin(settings)
        self.parquet = parquet
        self.db = db
        self.out = str(parquet.out) if parquet is not None else None
        self.failures = failures
        self.on_progress = on_progress
        self.seen: set[str] = set()
        self.in_flight: dict[Future[Any], list[Work]] = {}
        self.done = self.failed = self.skipped = self.duplicates = self.events = 0
        self.started = time.perf_counter()

    def all(self, items: Iterable[Item], chunk_size: int) -> BatchSummary:
        self.client.register_plugin(self.plugin, name=self.plugin.name)
        limit = max(2, 2 * sum(self.client.nthreads().values()))  # type: ignore[no-untyped-call]
        finished = as_completed()  # type: ignore[no-untyped-call]
        chunk: list[Work] = []
        for item in items:
            work = self._admit(item)
            if work is None:
                continue
            chunk.append(work)
            if len(chunk) >= chunk_size:
                self._submit(chunk, finished)
                chunk = []
                while len(self.in_flight) >= limit:
                    self._collect(next(finished))
        if chunk:
            self._submit(chunk, finished)
        for future in finished:
            self._collect(future)
        return BatchSummary(
            self.done,
            self.failed,
            self.skipped,
            self.events,
            time.perf_counter() - self.started,
            self.duplicates,
            Path(self.failures.name),
        )

    def _admit(self, item: Item) -> Work | None:
        """The item to code, or None when it failed to read, repeats, or is done."""
        if isinstance(item, SourceProblem):
            self._fail(item.ref, item.ref, "read", item.message)
            return None
        key = item_key(item)
        if key in self.seen:
            self.duplicates += 1
            return None
        self.seen.add(key)
        if self._finished(item, key):
            self.skipped += 1
            return None
        return item

    def _finished(self, item: Work, key: str) -> bool:
        """Written to Parquet by an earlier run, with no store to check (workers check
        the store, where they can also see a page's article id)."""
        return self.db is None and self.parquet is not None and key in self.parquet.done

    def _submit(self, chunk: list[Work], finished: as_completed) -> None:
        done = self.parquet.done if self.parquet is not None else set()
        in_parquet = frozenset(k for w in chunk if (k := item_key(w)) in done)
        job = Job(self.out, self.db, in_parquet)
        future = self.client.submit(code_chunk, chunk, self.plugin.name, job, pure=False)
        self.in_flight[future] = chunk
        finished.add(future)  # type: ignore[no-untyped-call]

    def _collect(self, future: Future[Any]) -> None:
        chunk = self.in_flight.pop(future)
        try:
            outcomes: list[Outcome] = future.result()
        except Exception as exc:  # a worker died or the task could not run: fail the chunk
            reason = f"{type(exc).__name__}: {exc}"
            outcomes = [Outcome(item_key(w), _ref(w), stage="worker", error=reason) for w in chunk]
        finally:
            future.release()  # type: ignore[no-untyped-call]
        for outcome in outcomes:
            if not outcome.ok:
                self._fail(outcome.key, outcome.ref, outcome.stage or "?", outcome.error or "")
            elif outcome.skipped:
                self.skipped += 1
            else:
                self.done += 1
                self.events += outcome.events
        if self.on_progress is not None:
            self.on_progress(self._progress())

    def _fail(self, key: str, ref: str, stage: str, error: str) -> None:
        self.failed += 1
        line = {"ref": ref, "key": key, "stage": stage, "error": error}
        self.failures.write(json.dumps(line, ensure_ascii=False) + "\n")
        self.failures.flush()

    def _progress(self) -> Progress:
        elapsed = time.perf_counter() - self.started
        return Progress(self.done, self.failed, self.skipped, self.events, elapsed)


def _ref(work: Work) -> str:
    return (work.ref or work.id) if isinstance(work, Article) else work.ref
