"""The pipeline: stages in order, a failing article reported and skipped, stable event ids."""

from __future__ import annotations

import pickle
from datetime import date

import pytest

from dotterel.document import Document
from dotterel.errors import InputError, StageError
from dotterel.pipeline import Pipeline
from dotterel.records import Article

PUBLISHED = date(2025, 3, 11)
STORY = (
    "Russian drones struck Odesa overnight, killing two people, Ukrainian officials said. "
    "Ukraine's foreign minister urged allies to send more air defence systems. "
    "Germany pledged military aid to Ukraine on Monday."
)


def article(text: str, ref: str) -> Article:
    return Article(text=text, published=PUBLISHED, ref=ref)


def test_stages_run_in_order(pipeline: Pipeline) -> None:
    assert [name for name, _ in pipeline.stages] == [
        "segment",
        "actors",
        "places",
        "times",
        "quantities",
        "events",
    ]


def test_every_layer_is_filled(pipeline: Pipeline) -> None:
    result = pipeline.process(article(STORY, "odesa.txt"))
    assert result.ok and result.error is None
    doc = result.document
    assert doc is not None
    assert len(doc.sentences) == 3
    assert doc.actors and doc.places and doc.times and doc.quantities and doc.attributions
    assert result.events == doc.events
    assert [e.type for e in result.events] == ["ASSAULT", "REQUEST", "AID"]


class Breaks:
    """A stage that fails on articles that mention a word."""

    def __init__(self, word: str) -> None:
        self.word = word

    def __call__(self, doc: Document) -> Document:
        if self.word in doc.article.text:
            raise RuntimeError(f"cannot handle {self.word}")
        return doc


def test_a_failing_stage_skips_the_article_not_the_batch(
    pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    stages = list(pipeline.stages)
    stages.insert(3, ("fragile", Breaks("Kherson")))
    monkeypatch.setattr(pipeline, "stages", stages)
    articles = [
        article("Russian forces shelled homes in Kherson on Sunday.", "kherson.txt"),
        article("India and Pakistan held talks in Geneva on Monday.", "geneva.txt"),
    ]
    broken, fine = pipeline.pipe(articles)
    assert not broken.ok
    assert broken.error is not None
    assert (broken.error.stage, broken.error.article_ref) == ("fragile", "kherson.txt")
    assert isinstance(broken.error.cause, RuntimeError)
    assert "kherson.txt" in str(broken.error)
    assert broken.events == []
    done = broken.document
    assert done is not None
    assert done.places and not done.times  # the layers made before the failure, none after
    assert fine.ok
    assert [e.type for e in fine.events] == ["CONSULT"]


def test_a_failing_last_stage_is_reported_by_name(
    pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pipeline, "stages", [*pipeline.stages, ("after", Breaks("Geneva"))])
    result = pipeline.process(article("India and Pakistan held talks in Geneva.", "g.txt"))
    assert result.error is not None and result.error.stage == "after"


def test_extract_raises_the_stage_error(
    pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pipeline, "stages", [("fragile", Breaks("Geneva")), *pipeline.stages])
    with pytest.raises(StageError) as caught:
        pipeline.extract("India and Pakistan held talks in Geneva.")
    assert caught.value.stage == "fragile"


@pytest.mark.parametrize("text", ["", "   \n\t  "], ids=["empty", "whitespace"])
def test_empty_text_is_an_error_result_not_an_exception(pipeline: Pipeline, text: str) -> None:
    result = pipeline.process(article(text, "blank.txt"))
    assert not result.ok
    assert result.error is not None
    assert (result.error.stage, result.error.article_ref) == ("read", "blank.txt")
    assert isinstance(result.error.cause, InputError)
    assert result.events == []


def test_too_long_text_is_an_error_result(
    pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pipeline, "settings", pipeline.settings.replace(max_chars=40))
    result = pipeline.process(article(STORY, "long.txt"))
    assert result.error is not None and result.error.stage == "read"
    assert "max_chars" in str(result.error)


def test_pipe_gives_one_result_per_article_in_order(pipeline: Pipeline) -> None:
    refs = ["a.txt", "blank.txt", "c.txt"]
    texts = [
        "Russia and China held talks in Beijing on Friday.",
        "",
        "The Kremlin rejected the proposal on Tuesday.",
    ]
    results = list(pipeline.pipe(article(t, r) for t, r in zip(texts, refs, strict=True)))
    assert [r.article.ref for r in results] == refs
    assert [r.ok for r in results] == [True, False, True]


def test_event_ids_are_deterministic(pipeline: Pipeline) -> None:
    first = pipeline.process(article(STORY, "odesa.txt")).events
    second = pipeline.process(article(STORY, "odesa.txt")).events
    assert [e.id for e in first] == [e.id for e in second]
    assert len({e.id for e in first}) == len(first)
    assert first == second


def test_a_pickled_pipeline_codes_the_same_events(pipeline: Pipeline) -> None:
    copy = pickle.loads(pickle.dumps(pipeline))
    assert (
        copy.process(article(STORY, "odesa.txt")).events
        == pipeline.process(article(STORY, "odesa.txt")).events
    )


def test_event_ids_differ_between_articles(pipeline: Pipeline) -> None:
    one = pipeline.extract("Russia and China held talks in Beijing on Friday.", PUBLISHED)
    two = pipeline.extract("Russia and China held talks in Beijing on Friday!", PUBLISHED)
    assert one[0].id != two[0].id
