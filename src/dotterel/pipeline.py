"""The pipeline: the stages in order, each under an error handler.

``Pipeline(settings)`` loads the knowledge and the gazetteer once; ``extract``
codes one text, ``pipe`` streams many articles and reports a failing article
(with the stage that failed) instead of stopping. A Pipeline holds no global
state and pickles, so batch workers can each build or receive one.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date

from dotterel.document import Document, PlaceMention
from dotterel.errors import InputError, StageError
from dotterel.knowledge import Knowledge, load_knowledge
from dotterel.knowledge.gazetteer import Gazetteer
from dotterel.records import Article, Event, Place
from dotterel.settings import Settings
from dotterel.stages.actors import ActorTagger
from dotterel.stages.events import EventCoder
from dotterel.stages.places import PlaceTagger
from dotterel.stages.quantities import QuantityTagger
from dotterel.stages.segment import Segmenter, make_nlp
from dotterel.stages.times import TimeTagger

__all__ = ["Pipeline", "Result"]

log = logging.getLogger(__name__)

Stage = Callable[[Document], Document]


@dataclass(slots=True)
class Result:
    """What the pipeline made of one article: its events, or the error that stopped it."""

    article: Article
    events: list[Event] = field(default_factory=list)
    document: Document | None = None
    error: StageError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


class Pipeline:
    """segment -> actors -> places -> times -> quantities -> events."""

    def __init__(
        self, settings: Settings | None = None, knowledge: Knowledge | None = None
    ) -> None:
        self.settings = settings or Settings()
        self.knowledge = knowledge or load_knowledge()
        nlp = make_nlp(self.settings.tokenizer_cache)
        gazetteer = Gazetteer.for_knowledge(
            self.settings.cache_path, self.settings.min_population, self.knowledge
        )
        self.stages: list[tuple[str, Stage]] = [
            ("segment", Segmenter(nlp)),
            ("actors", ActorTagger(self.knowledge, nlp)),
            (
                "places",
                PlaceTagger(gazetteer, _capitals(self.knowledge), _demonyms(self.knowledge)),
            ),
            ("times", TimeTagger()),
            ("quantities", QuantityTagger(self.knowledge.cues, self.knowledge.units)),
            ("events", EventCoder(self.knowledge, nlp)),
        ]
        # The knowledge, the gazetteer index and spaCy are ~800,000 long-lived objects.
        # Left to the cyclic garbage collector, its first full collection walks them all
        # (a 0.2 s pause a few hundred articles in); frozen, it never looks at them again.
        # Dropping a pipeline still frees it: reference counting does not need the
        # collector. See gc.freeze in the Python docs (also saves copy-on-write in forks).
        gc.freeze()

    def __reduce__(self) -> tuple[type[Pipeline], tuple[Settings, Knowledge]]:
        """Pickled as what it is built from, and built again where it is unpickled: the
        stages may be compiled classes, which are not pickled field by field."""
        return (Pipeline, (self.settings, self.knowledge))

    def process(self, article: Article) -> Result:
        """Run every stage on one article; a failure is returned, never raised."""
        if not article.text.strip():
            error = StageError("read", _ref(article), InputError("empty text"))
            return Result(article, error=error)
        if len(article.text) > self.settings.max_chars:
            cause = InputError(f"text longer than max_chars={self.settings.max_chars}")
            return Result(article, error=StageError("read", _ref(article), cause))
        doc = Document(article)
        for name, stage in self.stages:
            try:
                doc = stage(doc)
            except Exception as exc:  # one broken article must not stop a batch
                log.warning("%s: stage %s failed: %s", _ref(article), name, exc)
                return Result(article, document=doc, error=StageError(name, _ref(article), exc))
        return Result(article, events=doc.events, document=doc)

    def resolve_places(
        self, article: Article, spans: list[tuple[int, int]], result: Result | None = None
    ) -> list[Place | None]:
        """Geocode toponym spans found elsewhere (character offsets), in this article's
        context: the "resolution" task of geoparsing benchmarks. Pass the article's
        ``process`` result if you have it, to save a second run."""
        result = result or self.process(article)
        doc = result.document or Document(article)
        tagger = next(stage for name, stage in self.stages if name == "places")
        assert isinstance(tagger, PlaceTagger)
        return tagger.resolve(doc, spans)

    def toponyms(self, result: Result) -> list[PlaceMention]:
        """Place mentions plus countries named as actors or demonyms, at country points."""
        if result.document is None:
            return []
        tagger = next(stage for name, stage in self.stages if name == "places")
        assert isinstance(tagger, PlaceTagger)
        names = {c.iso3: c.name for c in self.knowledge.countries.values()}
        return tagger.toponyms(result.document, names)

    def pipe(self, articles: Iterable[Article]) -> Iterator[Result]:
        """Stream results, one per article, in input order."""
        for article in articles:
            yield self.process(article)

    def extract(self, text: str, published: date | None = None) -> list[Event]:
        """Events of one text; raises StageError if a stage fails."""
        result = self.process(Article(text=text, published=published))
        if result.error is not None:
            raise result.error
        return result.events


def _capitals(knowledge: Knowledge) -> dict[str, str]:
    return {c.capital: c.iso3 for c in knowledge.countries.values() if c.capital}


def _demonyms(knowledge: Knowledge) -> dict[str, str]:
    return {d: c.name for c in knowledge.countries.values() for d in c.demonyms}


def _ref(article: Article) -> str:
    return article.ref or article.id
