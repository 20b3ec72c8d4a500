"""What runs on a Dask worker: one Pipeline per worker, built once, and the chunk task.

The pipeline is not shipped: ``PipelinePlugin`` carries only the settings and builds
the Pipeline (knowledge, gazetteer, tokenizer) in ``setup``, once per worker process.
Tasks find it by the plugin's name, which is keyed by the settings, so two batches
with different settings on one cluster never share a pipeline.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from distributed import Worker, WorkerPlugin, get_worker

from dotterel.pipeline import Pipeline
from dotterel.records import Article, Event
from dotterel.settings import Settings
from dotterel.sources import HtmlPage, SourceProblem

__all__ = ["Outcome", "PipelinePlugin", "code_chunk", "code_item", "item_key"]

Work = Article | HtmlPage


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of one work item: the article and its events, or the error."""

    key: str
    ref: str
    article: Article | None = None
    events: list[Event] = field(default_factory=list)
    stage: str | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def item_key(item: Work) -> str:
    """What resuming tracks: an article's id, or a page's ref (its id needs extraction)."""
    return item.id if isinstance(item, Article) else item.ref


class PipelinePlugin(WorkerPlugin):
    """Builds one Pipeline per worker from the settings it carries.

    Idempotent: registering it again (the next batch on the same cluster) keeps the
    workers' pipelines instead of building them anew.
    """

    idempotent = True

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        digest = hashlib.sha256(repr(settings.replace(db="")).encode("utf-8")).hexdigest()
        self.name = f"dotterel-pipeline-{digest[:16]}"
        self.pipeline: Pipeline | None = None

    def setup(self, worker: Worker) -> None:
        self.pipeline = Pipeline(self.settings)


def code_item(pipeline: Pipeline, item: Work) -> Outcome:
    """Extract (for a page) and code one item; never raises for a bad article."""
    key = item_key(item)
    article = item.to_article() if isinstance(item, HtmlPage) else item
    if isinstance(article, SourceProblem):
        return Outcome(key, article.ref, stage="read", error=article.message)
    ref = article.ref or article.id
    result = pipeline.process(article)
    if result.error is not None:
        return Outcome(key, ref, article, stage=result.error.stage, error=str(result.error))
    return Outcome(key, ref, article, result.events)


def code_chunk(items: list[Work], plugin_name: str) -> list[Outcome]:
    """The Dask task: code a chunk with this worker's pipeline."""
    plugin = get_worker().plugins[plugin_name]
    pipeline = getattr(plugin, "pipeline", None)
    if not isinstance(pipeline, Pipeline):
        raise RuntimeError(f"worker has no dotterel pipeline ({plugin_name} did not set up)")
    return [code_item(pipeline, item) for item in items]
