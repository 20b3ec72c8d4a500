"""Event types and actors on the PLOVER gold-standard records (``plover-gsr-cameo``).

322 sentences from the CAMEO manual, each coded with one PLOVER 0.5b1 event and its
source and target actors (ISO3 code and PLOVER sector, with their spans marked up in
``textInfo.markup``). Each sentence is run alone, without a publication date.

Figures:

- ``dead_accuracy`` / ``injured_accuracy``: over the sentences with a gold dead
  (injured) figure, one of our events has that figure as its best estimate.

- ``type_accuracy``: the type of our first event equals the gold type (a sentence with
  no event counts as wrong); ``type_macro_f1``: F1 per PLOVER type over the sentences,
  averaged over the types the gold uses; ``type_any_accuracy``: the gold type is among
  our events' types.
- ``source_country_accuracy`` / ``target_country_accuracy``: on the sentences where we
  coded an event of any type, the country of our first event's source (target) is one
  of the gold source (target) codes.
- ``actor_country_accuracy``: over every gold actor, an actor of ours whose span
  overlaps the gold actor's marked-up span has the gold country; ``actor_found_rate``:
  an actor of ours overlaps it at all. ``actor_sector_accuracy``: the same with the
  sector, over the gold actors whose sector has a counterpart in ours (``GOLD_SECTORS``).

The gold codes are read as they are meant: 0.5b1 types are mapped to current PLOVER
(``TYPE_MAP``), three pre-ISO country codes to ISO (``CODE_FIXES``), and ``IGO``/``NGO``
match any international organisation of ours (UN, EU, NATO, ICRC …). Codes for
transnational militant groups (``IMG``, ``ISM``) have no counterpart and are not scored.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dotterel.errors import InputError
from dotterel.evalsets._scores import tally
from dotterel.pipeline import Pipeline
from dotterel.records import Article

__all__ = [
    "CODE_FIXES",
    "GOLD_SECTORS",
    "TYPE_MAP",
    "GoldActor",
    "GoldSentence",
    "evaluate_plover",
    "read_set",
]

FILE = "PLOVER_GSR_CAMEO.json"

# PLOVER 0.5b1 categories that current PLOVER folds into others (shared/eval/INDEX.md).
TYPE_MAP = {
    "FIGHT": "ASSAULT",
    "DEMAND": "REQUEST",
    "DISAPPROVE": "ACCUSE",
    "INVESTIGATE": "ACCUSE",
}

# Old CAMEO country codes left in the gold, and the ISO 3166-1 code they stand for.
CODE_FIXES = {"JAP": "JPN", "ITL": "ITA", "VTN": "VNM"}

# Gold codes for "any international organisation".
ORGANISATION_CODES = frozenset({"IGO", "NGO"})

# A gold sector (its first three letters: "CVLalb" is CVL) -> the sectors of ours that
# count as the same. Ours: GOV MIL POL REB CVL OPP JUD MED IGO NGO (sectors.yaml,
# organisations.yaml). Gold sectors without a counterpart (ELI elites, PTY parties,
# REL religious, BUS business, SOC social, ***) are not scored.
GOLD_SECTORS: dict[str, frozenset[str]] = {
    "GOV": frozenset({"GOV"}),
    "LEG": frozenset({"GOV"}),  # ours files lawmakers and parliaments under GOV
    "MIL": frozenset({"MIL"}),
    "SPY": frozenset({"MIL"}),  # ours files intelligence services under MIL
    "COP": frozenset({"POL"}),
    "REB": frozenset({"REB"}),
    "UAF": frozenset({"REB"}),  # unidentified armed forces: ours codes "gunmen" REB
    "CRM": frozenset({"REB"}),  # criminals: ours codes "gangs" REB
    "CVL": frozenset({"CVL"}),
    "CIV": frozenset({"CVL"}),  # a typo for CVL in the gold
    "REF": frozenset({"CVL"}),  # ours codes refugees and migrants CVL
    "EDU": frozenset({"CVL"}),  # students
    "LAB": frozenset({"CVL"}),  # workers
    "AGR": frozenset({"CVL"}),  # farmers
    "OPP": frozenset({"OPP"}),
    "JUD": frozenset({"JUD"}),
    "MED": frozenset({"MED"}),
    "JRN": frozenset({"MED", "CVL"}),  # ours: "reporters" MED, "journalists" CVL
}

_TAG = re.compile(r"\((SRC/TAR|SRC/LOC|SRC|TAR)\s*:\s*")
_ANY_TAG = re.compile(r"\([A-Z]{3}(?:/[A-Z]{3})?\s*:\s*")
_WORD = re.compile(r"\w+")
_STOP = frozenset({"the", "of", "a", "an", "and", "in", "to", "s"})
ROLE_TAGS = {"source": ("SRC", "SRC/TAR", "SRC/LOC"), "target": ("TAR", "SRC/TAR")}


@dataclass(frozen=True, slots=True)
class GoldActor:
    """A gold source or target: its text, normalised code and sector, and its span."""

    role: str  # source | target
    text: str
    code: str
    sector: str | None
    span: tuple[int, int] | None


@dataclass(frozen=True, slots=True)
class GoldSentence:
    id: str
    text: str
    type: str
    actors: list[GoldActor] = field(default_factory=list)
    dead: int | None = None
    injured: int | None = None

    def codes(self, role: str) -> set[str]:
        return {a.code for a in self.actors if a.role == role}


@dataclass(frozen=True, slots=True)
class _Segment:
    tag: str
    start: int
    end: int
    words: frozenset[str]


def _words(text: str) -> frozenset[str]:
    return frozenset(w for w in _WORD.findall(text.lower()) if w not in _STOP)


def _strip_tags(markup: str) -> str:
    return _ANY_TAG.sub("", markup).replace(")", "").replace("}", "")


def _segments(markup: str, text: str) -> list[_Segment]:
    """The SRC/TAR segments of the markup, located in the plain sentence text."""
    found: list[_Segment] = []
    for match in _TAG.finditer(markup):
        depth, end = 1, match.end()
        while end < len(markup) and depth:
            depth += {"(": 1, ")": -1}.get(markup[end], 0)
            end += 1
        content = _strip_tags(markup[match.end() : end - 1 if depth == 0 else end]).strip()
        pieces = content.split()
        if not pieces:
            continue
        pattern = re.compile(r"\s+".join(re.escape(p) for p in pieces))
        expected = len(_strip_tags(markup[: match.start()]))
        hits = list(pattern.finditer(text))
        if not hits:
            continue
        best = min(hits, key=lambda h: abs(h.start() - expected))
        found.append(_Segment(match.group(1), best.start(), best.end(), _words(content)))
    return found


def _span(
    actor_text: str, role: str, segments: list[_Segment], text: str
) -> tuple[int, int] | None:
    """The marked-up segment of this role sharing most words with the actor's text."""
    words = _words(actor_text)
    candidates = [s for s in segments if s.tag in ROLE_TAGS[role]]
    scored = [(len(words & s.words), -i, s) for i, s in enumerate(candidates)]
    scored = [x for x in scored if x[0] > 0]
    if scored:
        seg = max(scored, key=lambda x: (x[0], x[1]))[2]
        return (seg.start, seg.end)
    first = actor_text.split("...")[0].strip()
    at = text.find(first) if first else -1
    if at >= 0:
        return (at, at + len(first))
    if len(candidates) == 1:  # the one segment of this role, spelt otherwise in actorText
        return (candidates[0].start, candidates[0].end)
    return None


def _actors(record: dict[str, Any], role: str, segments: list[_Segment]) -> list[GoldActor]:
    listed = record.get(role)
    if not isinstance(listed, list):
        return []
    actors: list[GoldActor] = []
    for item in listed:
        if not isinstance(item, dict) or not item.get("code"):
            continue
        code = str(item["code"]).strip()
        code = CODE_FIXES.get(code, code)
        raw_sector = item.get("sector")
        sector = str(raw_sector)[:3].upper() if raw_sector else None
        text = " ".join(str(item.get("actorText", "")).split())
        actors.append(
            GoldActor(role, text, code, sector, _span(text, role, segments, record["text"]))
        )
    return actors


def _count(value: Any) -> int | None:
    """A gold dead/injured figure: a whole number, or None where the field is empty."""
    try:
        return int(str(value).strip()) if str(value or "").strip() else None
    except ValueError:
        return None


def read_set(root: Path, name: str = "plover-gsr-cameo") -> list[GoldSentence]:
    """The coded sentences of the set (the DOCUMENT header record is left out)."""
    path = root / name / FILE
    try:
        records = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read {path}: {exc}") from exc
    if not isinstance(records, list):
        raise InputError(f"{path}: expected a JSON array of records")
    sentences: list[GoldSentence] = []
    for record in records:
        if not isinstance(record, dict) or record.get("event") in (None, "DOCUMENT"):
            continue
        text = record.get("text")
        if not isinstance(text, str) or not text.strip():
            continue
        info = record.get("textInfo")
        markup = info.get("markup", "") if isinstance(info, dict) else str(info or "")
        segments = _segments(markup, text)
        event = str(record["event"]).upper()
        sentences.append(
            GoldSentence(
                id=str(record.get("id", len(sentences))),
                text=text,
                type=TYPE_MAP.get(event, event),
                actors=_actors(record, "source", segments) + _actors(record, "target", segments),
                dead=_count(record.get("dead")),
                injured=_count(record.get("injured")),
            )
        )
    return sentences


@dataclass(frozen=True, slots=True)
class _Ours:
    """An actor we produced in a sentence: a mention, or an event's source or target."""

    start: int
    end: int
    country: str | None
    sector: str | None


class _Codes:
    """Whether one of our country codes stands for a gold code."""

    def __init__(self, pipeline: Pipeline) -> None:
        self.countries = frozenset(pipeline.knowledge.countries)
        self.organisations = frozenset(
            a.country for a in pipeline.knowledge.actors if a.kind == "organisation" and a.country
        )

    def scorable(self, gold: str) -> bool:
        return gold in self.countries or gold in ORGANISATION_CODES

    def same(self, gold: str, ours: str | None) -> bool:
        if ours is None:
            return False
        if gold in ORGANISATION_CODES:
            return ours in self.organisations
        return gold == ours


def _ratio(hits: int, total: int) -> float:
    return round(hits / total, 4) if total else 0.0


def _macro_f1(pairs: list[tuple[str, str | None]]) -> float:
    tp, fp, fn = tally(pairs)
    scores = []
    for label in sorted({g for g, _ in pairs}):
        denominator = 2 * tp[label] + fp[label] + fn[label]
        scores.append(2 * tp[label] / denominator if denominator else 0.0)
    return round(sum(scores) / len(scores), 4) if scores else 0.0


def evaluate_plover(name: str, root: Path, pipeline: Pipeline) -> dict[str, object]:
    """Type, event-actor and actor-mention scores on the PLOVER gold-standard records."""
    sentences = read_set(root, name)
    codes = _Codes(pipeline)
    count: Counter[str] = Counter()
    type_pairs: list[tuple[str, str | None]] = []
    for gold in sentences:
        result = pipeline.process(Article(text=gold.text, published=None))
        count["failed"] += result.error is not None
        events = result.events
        first = events[0] if events else None
        type_pairs.append((gold.type, first.type if first else None))
        count["type_any"] += gold.type in {e.type for e in events}
        if first is not None:
            count["with_event"] += 1
            for role, coded in (("source", first.source), ("target", first.target)):
                wanted = {c for c in gold.codes(role) if codes.scorable(c)}
                if wanted:
                    count[f"{role}_scored"] += 1
                    ours = coded.country if coded else None
                    count[f"{role}_correct"] += any(codes.same(c, ours) for c in wanted)
        mentions = [
            _Ours(m.start_char, m.end_char, m.country, m.sector)
            for m in (result.document.actors if result.document else [])
        ] + [
            _Ours(a.span[0], a.span[1], a.country, a.sector)
            for e in events
            for a in (e.source, e.target)
            if a is not None
        ]
        for actor in gold.actors:
            _score_actor(actor, mentions, codes, count)
        for kind in ("dead", "injured"):
            wanted = getattr(gold, kind)
            if wanted is not None:
                count[f"{kind}_gold"] += 1
                estimates = [e.fatalities if kind == "dead" else e.injured for e in events]
                count[f"{kind}_correct"] += any(
                    x is not None and x.best == wanted for x in estimates
                )
    total = len(sentences)
    by_type = Counter(g for g, _ in type_pairs)
    return {
        "sentences": total,
        "failed": count["failed"],
        "sentences_with_event": count["with_event"],
        "type_accuracy": _ratio(sum(g == p for g, p in type_pairs), total),
        "type_macro_f1": _macro_f1(type_pairs),
        "type_any_accuracy": _ratio(count["type_any"], total),
        "types_in_gold": len(by_type),
        "source_country_scored": count["source_scored"],
        "source_country_accuracy": _ratio(count["source_correct"], count["source_scored"]),
        "target_country_scored": count["target_scored"],
        "target_country_accuracy": _ratio(count["target_correct"], count["target_scored"]),
        "dead_gold": count["dead_gold"],
        "dead_accuracy": _ratio(count["dead_correct"], count["dead_gold"]),
        "injured_gold": count["injured_gold"],
        "injured_accuracy": _ratio(count["injured_correct"], count["injured_gold"]),
        "gold_actors": count["actors"],
        "gold_actors_without_span": count["no_span"],
        "actor_found_rate": _ratio(count["found"], count["actors"]),
        "actor_country_scored": count["country_scored"],
        "actor_country_accuracy": _ratio(count["country_correct"], count["country_scored"]),
        "actor_sector_scored": count["sector_scored"],
        "actor_sector_accuracy": _ratio(count["sector_correct"], count["sector_scored"]),
    }


def _score_actor(
    actor: GoldActor, mentions: list[_Ours], codes: _Codes, count: Counter[str]
) -> None:
    count["actors"] += 1
    if actor.span is None:
        count["no_span"] += 1
        overlapping: list[_Ours] = []
    else:
        start, end = actor.span
        overlapping = [m for m in mentions if m.start < end and start < m.end]
    count["found"] += bool(overlapping)
    if codes.scorable(actor.code):
        count["country_scored"] += 1
        count["country_correct"] += any(codes.same(actor.code, m.country) for m in overlapping)
    wanted = GOLD_SECTORS.get(actor.sector or "")
    if wanted:
        count["sector_scored"] += 1
        count["sector_correct"] += any(m.sector in wanted for m in overlapping)
