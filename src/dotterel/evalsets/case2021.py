"""ACLED sub-event types on the CASE 2021 shared task 2 test set (``case2021-task2``).

1,019 short news-like snippets, each labelled with one ACLED sub-event type (25 codes)
or one of five types ACLED does not have (``ORG_CRIME``, ``NATURAL_DISASTER``,
``MAN_MADE_DISASTER``, ``DIPLO``, ``ATTRIB``). Each snippet is run alone, without a
publication date; the prediction is the ``acled.sub_event_type`` of the snippet's main
event (``main_event``), or none when no event maps onto ACLED.

As in the shared task's subtask 1, only the snippets whose gold is one of the 25 ACLED
types are scored. Figures: ``accuracy``, ``macro_f1`` and ``weighted_f1`` over the 25
sub-types (a snippet we leave without a type is a miss of its gold type), the same rolled
up to ACLED's 6 event types (``type_*``), ``coverage`` (the share of snippets we give
any ACLED type) and per-label precision/recall/F1 in ``labels``.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from dotterel.errors import InputError
from dotterel.evalsets._scores import prf, tally
from dotterel.pipeline import Pipeline
from dotterel.records import Article, Event

__all__ = ["CODES", "Snippet", "evaluate_case2021", "f1_scores", "main_event", "read_set"]

FILE = "test_set_final_release_with_labels.tsv"

# The task's label codes and the ACLED (event_type, sub_event_type) each stands for.
CODES: dict[str, tuple[str, str]] = {
    "ARMED_CLASH": ("Battles", "Armed clash"),
    "GOV_REGAINS_TERIT": ("Battles", "Government regains territory"),
    "NON_STATE_ACTOR_OVERTAKES_TER": ("Battles", "Non-state actor overtakes territory"),
    "CHEM_WEAP": ("Explosions/Remote violence", "Chemical weapon"),
    "AIR_STRIKE": ("Explosions/Remote violence", "Air/drone strike"),
    "SUIC_BOMB": ("Explosions/Remote violence", "Suicide bomb"),
    "ART_MISS_ATTACK": ("Explosions/Remote violence", "Shelling/artillery/missile attack"),
    "REM_EXPLOS": ("Explosions/Remote violence", "Remote explosive/landmine/IED"),
    "GRENADE": ("Explosions/Remote violence", "Grenade"),
    "SEX_VIOL": ("Violence against civilians", "Sexual violence"),
    "ATTACK": ("Violence against civilians", "Attack"),
    "ABDUCT_DISSAP": ("Violence against civilians", "Abduction/forced disappearance"),
    "PEACE_PROTEST": ("Protests", "Peaceful protest"),
    "PROTEST_WITH_INTER": ("Protests", "Protest with intervention"),
    "FORCE_AGAINST_PROTEST": ("Protests", "Excessive force against protesters"),
    "VIOL_DEMONSTR": ("Riots", "Violent demonstration"),
    "MOB_VIOL": ("Riots", "Mob violence"),
    "AGREEMENT": ("Strategic developments", "Agreement"),
    "ARREST": ("Strategic developments", "Arrests"),
    "CHANGE_TO_GROUP_ACT": ("Strategic developments", "Change to group/activity"),
    "DISR_WEAP": ("Strategic developments", "Disrupted weapons use"),
    "HQ_ESTABLISHED": ("Strategic developments", "Headquarters or base established"),
    "PROPERTY_DISTRUCT": ("Strategic developments", "Looting/property destruction"),
    "NON_VIOL_TERRIT_TRANSFER": ("Strategic developments", "Non-violent transfer of territory"),
    "OTHER": ("Strategic developments", "Other"),
}
_EVENT_TYPE = {sub: event_type for event_type, sub in CODES.values()}
_MODALITY_RANK = {"asserted": 0, "future": 1, "hypothetical": 2, "negated": 3}


@dataclass(frozen=True, slots=True)
class Snippet:
    id: str
    text: str
    label: str  # the task's code, e.g. AIR_STRIKE

    @property
    def sub_event_type(self) -> str | None:
        """The ACLED sub-event type of the gold label, or None for the five non-ACLED ones."""
        pair = CODES.get(self.label)
        return pair[1] if pair else None


def read_set(root: Path, name: str = "case2021-task2") -> list[Snippet]:
    """The labelled snippets of the test set, in file order."""
    path = root / name / FILE
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc}") from exc
    if not rows or [c.strip() for c in rows[0]] != ["id", "EventSnippet", "SubType"]:
        raise InputError(f"{path}: expected the header id, EventSnippet, SubType")
    snippets: list[Snippet] = []
    for number, row in enumerate(rows[1:], start=2):
        if len(row) != 3 or not row[1].strip():
            raise InputError(f"{path}:{number}: expected 3 tab-separated fields with a snippet")
        snippets.append(Snippet(row[0].strip(), row[1].strip(), row[2].strip()))
    return snippets


def main_event(events: Sequence[Event]) -> Event | None:
    """The event a snippet is about: of those with an ACLED type, the most certain one
    (asserted before future, hypothetical and negated), then the earliest in the text."""
    typed = [e for e in events if e.acled is not None]
    if not typed:
        return None
    return min(typed, key=lambda e: (_MODALITY_RANK.get(e.modality, 4), e.evidence.start, e.id))


def f1_scores(pairs: Sequence[tuple[str, str | None]]) -> dict[str, dict[str, float]]:
    """Precision, recall, F1 and support per gold label (a None prediction is a miss)."""
    tp, fp, fn = tally(pairs)
    scores: dict[str, dict[str, float]] = {}
    for label in sorted({g for g, _ in pairs}):
        precision, recall, f1 = prf(tp[label], fp[label], fn[label])
        scores[label] = {
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(f1, 4),
            "support": tp[label] + fn[label],
        }
    return scores


def _summary(pairs: Sequence[tuple[str, str | None]]) -> dict[str, float]:
    scores = f1_scores(pairs)
    total = sum(s["support"] for s in scores.values())
    return {
        "accuracy": round(sum(g == p for g, p in pairs) / len(pairs), 4) if pairs else 0.0,
        "macro_f1": round(sum(s["f1"] for s in scores.values()) / len(scores), 4)
        if scores
        else 0.0,
        "weighted_f1": round(sum(s["f1"] * s["support"] for s in scores.values()) / total, 4)
        if total
        else 0.0,
    }


def evaluate_case2021(name: str, root: Path, pipeline: Pipeline) -> dict[str, object]:
    """Sub-event and event-type F1 of the main event's ACLED type on the snippets."""
    snippets = [s for s in read_set(root, name) if s.sub_event_type is not None]
    pairs: list[tuple[str, str | None]] = []
    failed = 0
    for snippet in snippets:
        result = pipeline.process(Article(text=snippet.text, published=None))
        failed += result.error is not None
        event = main_event(result.events)
        predicted = event.acled.get("sub_event_type") if event and event.acled else None
        pairs.append((str(snippet.sub_event_type), predicted))
    rolled = [(_EVENT_TYPE[g], _EVENT_TYPE.get(p) if p else None) for g, p in pairs]
    sub, types = _summary(pairs), _summary(rolled)
    return {
        "snippets": len(snippets),
        "failed": failed,
        "coverage": round(sum(p is not None for _, p in pairs) / len(pairs), 4) if pairs else 0.0,
        **sub,
        "type_accuracy": types["accuracy"],
        "type_macro_f1": types["macro_f1"],
        "type_weighted_f1": types["weighted_f1"],
        "labels": f1_scores(pairs),
    }
