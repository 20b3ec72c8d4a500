"""Trigger finding for the events stage: lexicon phrases and verb-object pairs.

A trigger is the word or phrase that makes a clause an event ("shelled",
"paused intelligence sharing", "talks"). Longer matches win; phrases listed as
exclusions ("negotiating chip") never trigger.
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from dotterel.document import Sentence
from dotterel.knowledge import Knowledge, PairRule, TriggerEntry

__all__ = ["Trigger", "TriggerFinder"]

_KIND_RANK = {"pair": 0, "phrase": 1, "verb": 2, "noun": 3}


@dataclass(frozen=True, slots=True)
class Trigger:
    """A trigger found in a sentence: token range and the lexicon entry it matched."""

    start: int
    end: int
    type: str
    cameo: str
    mode: str | None
    kind: str
    lemma: str
    interception: bool
    symmetric: bool
    head: int
    mutual: bool = False  # the token whose form decides voice and modality (the verb, or the noun)


class TriggerFinder:
    def __init__(self, knowledge: Knowledge, nlp: Language) -> None:
        self.entries: dict[str, list[TriggerEntry]] = {}
        for entry in knowledge.triggers:
            self.entries.setdefault(entry.form, []).append(entry)
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        for form in self.entries:
            self.matcher.add(form, [nlp.make_doc(form)])
        self.exclusions = PhraseMatcher(nlp.vocab, attr="LOWER")
        for phrase in knowledge.exclusions:
            self.exclusions.add(phrase, [nlp.make_doc(phrase)])
        self.pairs = knowledge.pairs

    def __call__(self, tokens: Doc, sentence: Sentence) -> list[Trigger]:
        span = tokens[sentence.start : sentence.end]
        # PhraseMatcher on a Span reports Doc token offsets.
        excluded = {i for _, s, e in self.exclusions(span) for i in range(s, e)}
        found: list[Trigger] = []
        for match_id, s, e in self.matcher(span):
            form = tokens.vocab.strings[match_id]
            entries = _by_word_class(self.entries[form], tokens, s, sentence.start)
            for entry in entries:
                found.append(_from_entry(entry, s, e))
        found.extend(self._pairs(tokens, sentence))
        found = [t for t in found if not any(i in excluded for i in range(t.start, t.end))]
        return _non_overlapping(found)

    def _pairs(self, tokens: Doc, sentence: Sentence) -> list[Trigger]:
        found = []
        for rule in self.pairs:
            for i in range(sentence.start, sentence.end):
                if i > sentence.start and tokens[i - 1].text == "-":
                    continue  # "anti-ship missiles": no verb inside a compound
                verb_end = _match_any(tokens, i, sentence.end, rule.verbs)
                if verb_end is None:
                    continue
                for j in range(verb_end, min(verb_end + rule.gap + 1, sentence.end)):
                    if tokens[j].is_punct:
                        break
                    object_end = _match_any(tokens, j, sentence.end, rule.objects)
                    if object_end is not None:
                        found.append(
                            _from_pair(
                                rule,
                                i,
                                object_end,
                                tokens[i].lower_,
                                tokens[j:object_end].text.lower(),
                            )
                        )
                        break
        return found


_NOUN_MARKERS = frozenset(
    [
        "the",
        "a",
        "an",
        "its",
        "their",
        "his",
        "her",
        "our",
        "this",
        "these",
        "those",
        "such",
        "any",
        "no",
        "some",
        "many",
        "several",
        "big",
        "high",
        "heavy",
        "new",
        "further",
        "more",
        "major",
        "fresh",
        "fierce",
        "deadly",
        "massive",
        "large",
        "first",
        "second",
        "latest",
        "renewed",
        "repeated",
        "recent",
    ]
)
_BEFORE_VERB = frozenset(
    [
        "and",
        "also",
        "then",
        "it",
        "they",
        "he",
        "she",
        "who",
        "which",
        "that",
        "to",
        "not",
        "later",
        "had",
        "has",
        "have",
        "was",
        "were",
        "is",
        "are",
        "been",
        "will",
        "would",
        "could",
        "may",
        "might",
        "reportedly",
        "allegedly",
        "repeatedly",
        "never",
        "still",
        "again",
        "jointly",
        "separately",
    ]
)


def _by_word_class(
    entries: list[TriggerEntry], tokens: Doc, start: int, floor: int
) -> list[TriggerEntry]:
    """ "strikes" is a verb in "Russia strikes Kyiv", a noun in "big strikes": decide once."""
    kinds = {e.kind for e in entries}
    if not {"verb", "noun"} <= kinds:
        return entries
    before = tokens[start - 1] if start > floor else None
    nounish = before is not None and (
        before.lower_ in _NOUN_MARKERS
        or before.like_num
        or (before.is_lower and before.is_alpha and before.lower_ not in _BEFORE_VERB)
    )
    drop = "verb" if nounish else "noun"
    return [e for e in entries if e.kind != drop]


def _match_any(tokens: Doc, i: int, stop: int, forms: frozenset[str]) -> int | None:
    """End of the longest form (up to three words) starting at ``i``."""
    for n in (3, 2, 1):
        if i + n <= stop and " ".join(t.lower_ for t in tokens[i : i + n]) in forms:
            return i + n
    return None


def _from_entry(entry: TriggerEntry, start: int, end: int) -> Trigger:
    head = start if entry.kind in {"verb", "phrase"} else end - 1
    return Trigger(
        start=start,
        end=end,
        type=entry.type,
        cameo=entry.cameo,
        mode=entry.mode,
        kind=entry.kind,
        lemma=entry.lemma,
        interception=entry.interception,
        symmetric=entry.symmetric,
        head=head,
        mutual=entry.mutual,
    )


_OBJECT_MODES = frozenset({"SANCTION", "COOPERATE", "AGREE"})


def _from_pair(rule: PairRule, start: int, end: int, verb: str, obj: str) -> Trigger:
    """A verb-object trigger; for halting, resuming or signing, the object is the mode."""
    mode = rule.mode or (obj if rule.type in _OBJECT_MODES else None)
    return Trigger(
        start=start,
        end=end,
        type=rule.type,
        cameo=rule.cameo,
        mode=mode,
        kind="pair",
        lemma=verb,
        interception=False,
        symmetric=False,
        head=start,
        mutual=rule.mutual,
    )


def _non_overlapping(found: list[Trigger]) -> list[Trigger]:
    """Longest first, then pairs and phrases before bare words; then text order."""
    found.sort(key=lambda t: (-(t.end - t.start), _KIND_RANK[t.kind], t.start))
    kept: list[Trigger] = []
    for trigger in found:
        if all(trigger.end <= k.start or trigger.start >= k.end for k in kept):
            kept.append(trigger)
    kept.sort(key=lambda t: t.start)
    return kept
