"""ACLED types: an event's ACLED event_type and sub_event_type, from the rules in acled.yaml.

ACLED's sub-type depends on more than the PLOVER type: on the weapon (the mode), on
who was hit (an armed side makes a battle, civilians an attack), on the setting (force
used on protesters) and on what the sentence says happened to territory. The rules
are data; this module only checks their conditions, first fit wins.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

from dotterel.knowledge import AcledRule
from dotterel.records import Actor
from dotterel.stages._phrases import any_of

__all__ = ["AcledCoder", "AcledFacts"]


@dataclass(slots=True, unsafe_hash=True)
class AcledFacts:
    """What the rules look at: the event's type, trigger and mode, its actors, and the
    evidence sentence as lower-case words joined by single spaces, whole (``sentence``)
    and from the trigger on (``after``: where an act's object and victims are named)."""

    type: str
    lemma: str
    mode: str | None
    interception: bool
    source: Actor | None
    target: Actor | None
    sentence: str
    after: str


def _sector(actor: Actor | None) -> str:
    if actor is None:
        return "none"
    return actor.sector or "unknown"


def _has(padded: str, phrases: Sequence[str]) -> bool:
    """Whether one of the (space-padded) phrases is in the space-padded text."""
    return any_of(tuple(phrases)).search(padded) is not None


class AcledCoder:
    """Picks the first rule of acled.yaml that fits an event."""

    def __init__(self, rules: Sequence[AcledRule]) -> None:
        # Phrases padded with spaces once, so matching is a plain substring test.
        self.rules = tuple(_padded(rule) for rule in rules)
        # The rules each type can fit, in file order (a rule fits only its own types).
        types = {kind for rule in self.rules for kind in rule.types}
        self.by_type = {kind: tuple(r for r in self.rules if kind in r.types) for kind in types}

    def __call__(self, facts: AcledFacts) -> dict[str, str] | None:
        padded, after = f" {facts.sentence} ", f" {facts.after} "
        for rule in self.by_type.get(facts.type, ()):
            if _fits(rule, facts, padded) and (not rule.after or _has(after, rule.after)):
                return {"event_type": rule.event_type, "sub_event_type": rule.sub_event_type}
        return None


def _pad(phrases: Sequence[str]) -> tuple[str, ...]:
    return tuple(f" {p} " for p in phrases)


def _padded(rule: AcledRule) -> AcledRule:
    return dataclasses.replace(
        rule,
        words=tuple(_pad(group) for group in rule.words),
        unless=_pad(rule.unless),
        after=_pad(rule.after),
    )


def _fits(rule: AcledRule, facts: AcledFacts, padded: str) -> bool:
    if facts.type not in rule.types:
        return False
    if rule.modes and facts.mode not in rule.modes:
        return False
    if rule.flag == "interception" and not facts.interception:
        return False
    if rule.lemmas and facts.lemma not in rule.lemmas:
        return False
    if rule.source_sectors and _sector(facts.source) not in rule.source_sectors:
        return False
    if rule.target_sectors and _sector(facts.target) not in rule.target_sectors:
        return False
    if any(not _has(padded, group) for group in rule.words):
        return False
    return not (rule.unless and _has(padded, rule.unless))
