"""What runs on a Dask worker: one Pipeline per worker, built once, and the chunk task.

The pipeline is not shipped: ``PipelinePlugin`` carries only the settings and builds
the Pipeline (knowledge, gazetteer, tokenizer) in ``setup``, once per worker process.
Tasks find it by the plugin's name, which is keyed by the settings, so two batches
with different settings on one cluster never share a pipeline.

Workers write their own output, so events never travel back to the client: a chunk's
articles go into the store (unfused; the client fuses once at the end) and its Parquet
parts into the output folder. The client gets one small ``Outcome`` per article.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from distributed import Worker, WorkerPlugin, get_worker

from dotterel.batch._parquet import Coded, write_parts
from dotterel.pipeline import Pipeline
from dotterel.records import Article
from dotterel.settings import Settings
from dotterel.sources import HtmlPage, SourceProblem
from dotterel.store import Store

__all__ = ["Job", "Outcome", "PipelinePlugin", "code_chunk", "item_key", "run_chunk"]

Work = Article | HtmlPage


@dataclass(frozen=True, slots=True)
class Job:
    """Where a chunk's results go: a Parquet folder and/or a store URL, and which of the
    chunk's keys the Parquet folder already holds (from an earlier run)."""

    out: str | None = None
    db: str | None = None
    in_parquet: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of one work item: coded (with how many events), skipped as already
    done, or failed with the stage and error."""

    key: str
    ref: str
    article_id: str | None = None
    events: int = 0
    skipped: bool = False
    stage: str | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def item_key(item: Work) -> str:
    """What resuming tracks: an article's id, or a page's ref (its id needs extraction)."""
    return item.id if isinstance(item, Article) else item.ref


class PipelinePlugin(WorkerPlugin):
    """Builds one Pipeline per worker from the settings it carries, and keeps the
    worker's store connections (one per URL).

    Idempotent: registering it again (the next batch on the same cluster) keeps the
    workers' pipelines instead of building them anew.
    """

    idempotent = True

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        digest = hashlib.sha256(repr(settings.replace(db="")).encode("utf-8")).hexdigest()
        self.name = f"dotterel-pipeline-{digest[:16]}"
        self.pipeline: Pipeline | None = None
        self.stores: dict[str, Store] = {}

    def setup(self, worker: Worker) -> None:
        self.pipeline = Pipeline(self.settings)
        self.stores = {}

    def teardown(self, worker: Worker) -> None:
        for store in self.stores.values():
            store.close()
        self.stores.clear()

    def store(self, url: str) -> Store:
        if url not in self.stores:
            self.stores[url] = Store(url)
        return self.stores[url]


def code_chunk(items: list[Work], plugin_name: str, job: Job) -> list[Outcome]:
    """The Dask task: code a chunk with this worker's pipeline and write it out."""
    plugin = get_worker().plugins[plugin_name]
    if not isinstance(plugin, PipelinePlugin) or plugin.pipeline is None:
        raise RuntimeError(f"worker has no dotterel pipeline ({plugin_name} did not set up)")
    store = plugin.store(job.db) if job.db is not None else None
    return run_chunk(plugin.pipeline, items, job, store)


def run_chunk(
    pipeline: Pipeline, items: list[Work], job: Job, store: Store | None = None
) -> list[Outcome]:
    """Code ``items`` and write what is new to the store and the Parquet folder.

    The store is written first, the Parquet parts last (their articles part marks the
    chunk done), so a crash in between is repaired by the next run, never duplicated.
    """
    outcomes: list[Outcome] = []
    to_store: list[Coded] = []
    to_parquet: list[Coded] = []
    for item in items:
        key = item_key(item)
        article = item.to_article() if isinstance(item, HtmlPage) else item
        if isinstance(article, SourceProblem):
            outcomes.append(Outcome(key, article.ref, stage="read", error=article.message))
            continue
        ref = article.ref or article.id
        new_in_store = store is not None and store.article(article.id) is None
        new_in_parquet = job.out is not None and key not in job.in_parquet
        if not (new_in_store or new_in_parquet):
            outcomes.append(Outcome(key, ref, article.id, skipped=True))
            continue
        result = pipeline.process(article)
        if result.error is not None:
            stage, error = result.error.stage, str(result.error)
            outcomes.append(Outcome(key, ref, article.id, stage=stage, error=error))
            continue
        coded = Coded(key, ref, article, result.events)
        to_store += [coded] if new_in_store else []
        to_parquet += [coded] if new_in_parquet else []
        outcomes.append(Outcome(key, ref, article.id, len(result.events)))
    if store is not None and to_store:
        store.add_many(((c.article, c.events) for c in to_store), fuse=False)
    if job.out is not None and to_parquet:
        write_parts(Path(job.out), to_parquet)
    return outcomes
