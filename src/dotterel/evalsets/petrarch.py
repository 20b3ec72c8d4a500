"""PETRARCH2's unit-test records as a coding-logic check (``petrarch2-unittest``).

284 stylised sentences, mostly about fictional states (Arnor, Gondor, Eriador ...),
each with the (source, target, CAMEO event) triples PETRARCH2 must code, or the
promise of no event. The fictional names live in the set's own toy dictionary
(``PETR.Validate.actors.txt``); its names are added to our actor knowledge for this
run only, with their codes, so that the figures measure coding logic (who did what to
whom, voice, compounds) rather than whether we know Arnor.

Figures: ``triples_found`` is the share of expected triples matched by an event of
ours with the same source and target (their first three letters: the country or
entity code, agents aside) and the same CAMEO root (two digits);
``triples_found_exact`` asks for the exact CAMEO code; ``actor_pairs_found`` only for
source and target; ``no_event_accuracy`` is the share of no-event sentences where we
code nothing. Records expecting an input error are left out.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from dotterel.errors import InputError
from dotterel.knowledge import ActorEntry
from dotterel.pipeline import Pipeline
from dotterel.records import Article, Event

__all__ = ["Record", "evaluate_petrarch", "read_actors", "read_set"]

RECORDS = "petr_unittest_records.jsonl"
ACTORS = "PETR.Validate.actors.txt"
_ENTRY = re.compile(r"^([^\[\]#]+?)\s*(?:\[([A-Za-z~]+)\])?\s*$")


@dataclass(frozen=True, slots=True)
class Record:
    id: str
    text: str
    published: date | None
    triples: list[tuple[str, str, str]]  # source, target, CAMEO
    no_event: bool


def _name(raw: str) -> str:
    """A dictionary name as news writes it: ARNOR_ -> Arnor, CARAS_GALADHON -> Caras Galadhon."""
    words = raw.strip().strip("_").replace("_", " ").split()
    return " ".join(w.capitalize() if w.isalpha() else w.title() for w in words)


def read_actors(root: Path, name: str = "petrarch2-unittest") -> list[ActorEntry]:
    """The toy dictionary's names and synonyms ("+NAME" lines), each with its code."""
    path = root / name / ACTORS
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc}") from exc
    entries: list[ActorEntry] = []
    pending: list[str] = []
    code: str | None = None
    for line in lines:
        text = line.split("#", 1)[0].strip()
        if not text or text.startswith("<"):
            continue
        if text.startswith("+"):  # a synonym of the entry above
            pending.append(_name(text[1:]))
            if code:
                entries.extend(ActorEntry(n, n, code[:3], None, None, "country") for n in pending)
                pending = []
            continue
        names: list[str] = []
        found: str | None = None
        if text.startswith("[") and text.endswith("]"):  # a code on its own line
            found = text[1:-1].upper()
        else:
            match = _ENTRY.match(text)
            if match is None:
                continue
            names = [_name(match.group(1))]
            found = match.group(2).upper().lstrip("~") if match.group(2) else None
        if names:
            pending, code = names, found
        elif found:
            code = found
        else:
            continue
        if not (code and len(code) >= 3 and code[:3].isalpha()):
            code = None  # "---": a name the dictionary leaves uncoded
        elif pending:
            entries.extend(ActorEntry(n, n, code[:3], None, None, "country") for n in pending)
            pending = []
    return entries


def read_set(root: Path, name: str = "petrarch2-unittest") -> list[Record]:
    path = root / name / RECORDS
    records: list[Record] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc}") from exc
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except ValueError as exc:
            raise InputError(f"{path}:{number}: not JSON: {exc}") from exc
        codings = item.get("expected_codings") or []
        if any("error" in c for c in codings):
            continue
        triples = [
            (str(c["sourcecode"]), str(c["targetcode"]), str(c["eventcode"]))
            for c in codings
            if {"sourcecode", "targetcode", "eventcode"} <= c.keys()
        ]
        raw = str(item.get("date") or "")
        published = date(int(raw[:4]), int(raw[4:6]), int(raw[6:8])) if len(raw) == 8 else None
        no_event = any(str(c.get("noevents", "")).lower() == "true" for c in codings)
        records.append(Record(str(item["id"]), str(item["text"]), published, triples, no_event))
    return records


def _ours(events: list[Event]) -> list[tuple[str | None, str | None, str]]:
    return [
        (
            e.source.country if e.source else None,
            e.target.country if e.target else None,
            e.cameo or "",
        )
        for e in events
    ]


def evaluate_petrarch(name: str, root: Path, pipeline: Pipeline) -> dict[str, object]:
    """Share of PETRARCH2's expected triples that our events reproduce."""
    records = read_set(root, name)
    knowledge = dataclasses.replace(
        pipeline.knowledge, actors=read_actors(root, name) + list(pipeline.knowledge.actors)
    )
    toy = Pipeline(pipeline.settings, knowledge)
    count: Counter[str] = Counter()
    for record in records:
        result = toy.process(Article(text=record.text, published=record.published))
        count["failed"] += result.error is not None
        ours = _ours(result.events)
        if record.no_event:
            count["no_event"] += 1
            count["no_event_correct"] += not ours
        for source, target, cameo in record.triples:
            count["triples"] += 1
            pairs = [(s, t, c) for s, t, c in ours if s == source[:3] and t == target[:3]]
            count["pairs"] += bool(pairs)
            count["root"] += any(c[:2] == cameo[:2] for _, _, c in pairs)
            count["exact"] += any(c == cameo for _, _, c in pairs)
    triples = count["triples"]
    return {
        "sentences": len(records),
        "failed": count["failed"],
        "triples": triples,
        "triples_found": round(count["root"] / triples, 4) if triples else 0.0,
        "triples_found_exact": round(count["exact"] / triples, 4) if triples else 0.0,
        "actor_pairs_found": round(count["pairs"] / triples, 4) if triples else 0.0,
        "no_event_sentences": count["no_event"],
        "no_event_accuracy": round(count["no_event_correct"] / count["no_event"], 4)
        if count["no_event"]
        else 0.0,
    }
