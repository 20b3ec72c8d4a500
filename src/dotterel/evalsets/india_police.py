"""Police killings and arrests on IndiaPoliceEvents (``india-police-events``).

1,257 Times of India articles on the Gujarat violence of March 2002, split into 21,391
sentences, each labelled with what the police did in it. Two labels have a dotterel
counterpart: ``KILL`` ("did police kill someone?") is an asserted ASSAULT whose source
is the police and that records fatalities, ``ARREST`` ("did police arrest someone?")
an asserted COERCE of mode ``arrest`` by the police or by no one named (news leaves the
arresting force unsaid: "over 50 persons were arrested").

Each article is run whole, with its publication date; an event counts for the gold
sentence that holds its trigger. Figures per label: precision, recall and F1 over the
sentences, and the same over the documents (a document has the label when any of its
sentences has it).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from dotterel.errors import InputError
from dotterel.evalsets._scores import prf
from dotterel.pipeline import Pipeline
from dotterel.records import Article, Event

__all__ = ["LABELS", "Doc", "evaluate_india_police", "read_set"]

POLICE = frozenset({"POL"})
ARRESTERS = frozenset({"POL", "GOV", None})


def _kill(event: Event) -> bool:
    return (
        event.type == "ASSAULT"
        and event.source is not None
        and event.source.sector in POLICE
        and event.fatalities is not None
        and event.fatalities.best is not None
        and event.fatalities.best > 0
    )


def _arrest(event: Event) -> bool:
    return (
        event.type == "COERCE"
        and event.mode == "arrest"
        and (event.source.sector if event.source else None) in ARRESTERS
    )


LABELS: dict[str, Callable[[Event], bool]] = {"KILL": _kill, "ARREST": _arrest}


@dataclass(frozen=True, slots=True)
class Doc:
    id: int
    text: str
    published: date | None
    sentences: list[tuple[int, int, frozenset[str]]]  # start, end, gold labels


def _lines(path: Path) -> Iterator[dict[str, Any]]:
    try:
        with path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if line.strip():
                    try:
                        yield json.loads(line)
                    except ValueError as exc:
                        raise InputError(f"{path}:{number}: not JSON: {exc}") from exc
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc}") from exc


def read_set(root: Path, name: str = "india-police-events") -> list[Doc]:
    """The articles with their gold sentences located in the text, in file order."""
    folder = root / name
    texts = {int(d["doc_id"]): str(d["doc_text"]) for d in _lines(folder / "docs.jsonl")}
    dates: dict[int, date] = {}
    for meta in _lines(folder / "metadata_no_text.jsonl"):
        try:
            dates[int(meta["doc_id"])] = date.fromisoformat(str(meta["date"]))
        except (KeyError, ValueError):
            continue
    sentences: dict[int, list[tuple[int, int, frozenset[str]]]] = {}
    cursor: dict[int, int] = {}
    for sent in _lines(folder / "sents.jsonl"):
        doc_id = int(sent["doc_id"])
        text, piece = texts.get(doc_id), str(sent["sent_text"])
        if text is None:
            raise InputError(f"{folder}: sentence of unknown document {doc_id}")
        at = text.find(piece, cursor.get(doc_id, 0))
        if at < 0:
            raise InputError(f"{folder}: sentence {sent['sent_id']} not in document {doc_id}")
        cursor[doc_id] = at + len(piece)
        labels = frozenset(str(x) for x in sent.get("sent_labels") or [])
        sentences.setdefault(doc_id, []).append((at, at + len(piece), labels))
    return [
        Doc(doc_id, text, dates.get(doc_id), sentences.get(doc_id, []))
        for doc_id, text in texts.items()
    ]


def _prf(tp: int, fp: int, fn: int) -> dict[str, float | int]:
    precision, recall, f1 = prf(tp, fp, fn)
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "gold": tp + fn,
        "predicted": tp + fp,
    }


def _predicted(doc: Doc, events: list[Event], test: Callable[[Event], bool]) -> set[int]:
    """Indexes of the gold sentences holding the trigger of an asserted event that passes."""
    hits: set[int] = set()
    for event in events:
        if event.modality != "asserted" or not test(event):
            continue
        at = event.trigger.start if event.trigger else event.evidence.start
        for index, (start, end, _) in enumerate(doc.sentences):
            if start <= at < end:
                hits.add(index)
    return hits


def evaluate_india_police(name: str, root: Path, pipeline: Pipeline) -> dict[str, object]:
    """Sentence- and document-level precision/recall of police killings and arrests."""
    docs = read_set(root, name)
    counts = {label: {"s": [0, 0, 0], "d": [0, 0, 0]} for label in LABELS}
    failed = 0
    for doc in docs:
        result = pipeline.process(Article(text=doc.text, published=doc.published, ref=str(doc.id)))
        failed += result.error is not None
        for label, test in LABELS.items():
            predicted = _predicted(doc, result.events, test)
            gold = {i for i, (_, _, labels) in enumerate(doc.sentences) if label in labels}
            tally = counts[label]["s"]
            tally[0] += len(predicted & gold)
            tally[1] += len(predicted - gold)
            tally[2] += len(gold - predicted)
            doc_tally = counts[label]["d"]
            doc_tally[0] += bool(predicted) and bool(gold)
            doc_tally[1] += bool(predicted) and not gold
            doc_tally[2] += bool(gold) and not predicted
    report: dict[str, object] = {
        "documents": len(docs),
        "sentences": sum(len(d.sentences) for d in docs),
        "failed": failed,
    }
    for label in LABELS:
        report[label.lower()] = _prf(*counts[label]["s"])
        report[f"{label.lower()}_documents"] = _prf(*counts[label]["d"])
    return report
