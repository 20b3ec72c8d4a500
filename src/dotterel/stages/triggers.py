"""Trigger finding for the events stage: lexicon phrases and verb-object pairs.

A trigger is the word or phrase that makes a clause an event ("shelled",
"paused intelligence sharing", "talks"). Longer matches win; phrases listed as
exclusions ("negotiating chip") never trigger.
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.language import Language
from spacy.matcher import PhraseMatcher

from dotterel.document import Sentence, Tokens
from dotterel.knowledge import Knowledge, PairRule, TriggerEntry

__all__ = ["Trigger", "TriggerFinder"]

_KIND_RANK = {"pair": 0, "phrase": 1, "verb": 2, "noun": 3}


@dataclass(slots=True, unsafe_hash=True)
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
        self.pasts = frozenset(past for past, _ in knowledge.irregular_verbs.values())
        # Pair rules indexed by the first word of each verb form and of each object form.
        self.pair_verbs: dict[str, list[tuple[tuple[str, ...], int]]] = {}
        self.pair_objects: list[dict[str, list[tuple[str, ...]]]] = []
        for index, rule in enumerate(self.pairs):
            for form in rule.verbs:
                words = tuple(form.split())
                self.pair_verbs.setdefault(words[0], []).append((words, index))
            objects: dict[str, list[tuple[str, ...]]] = {}
            for form in sorted(rule.objects, key=lambda f: -len(f.split())):
                words = tuple(form.split())
                objects.setdefault(words[0], []).append(words)
            self.pair_objects.append(objects)

    def __call__(self, tokens: Tokens, sentence: Sentence) -> list[Trigger]:
        start, end = sentence.start, sentence.end
        excluded = {
            i for _, s, e in tokens.phrase_matches(self.exclusions, start, end) for i in range(s, e)
        }
        found: list[Trigger] = []
        for match_id, s, e in tokens.phrase_matches(self.matcher, start, end):
            form = tokens.vocab.strings[match_id]
            entries = _by_word_class(self.entries[form], tokens, s, sentence.start)
            for entry in entries:
                found.append(_from_entry(entry, s, e))
        found.extend(self._pairs(tokens, sentence))
        found = [t for t in found if not any(i in excluded for i in range(t.start, t.end))]
        return _non_overlapping(found)

    def _pairs(self, tokens: Tokens, sentence: Sentence) -> list[Trigger]:
        words = tokens.lower[sentence.start : sentence.end]
        punct: list[bool] = []  # made for the first verb found: most sentences have none
        found = []
        # The words that may open a pair's verb, picked out in one pass (most words do not).
        openers = [i for i, word in enumerate(words) if word in self.pair_verbs]
        for i in openers:
            if i > 0 and words[i - 1] == "-":
                continue  # "anti-ship missiles": no verb inside a compound
            word = words[i]
            if _plural_noun(words, i, self.pasts):
                continue  # "coast guard ships fired water cannon": not "ships" the verb
            for verb, rule_index in self.pair_verbs[word]:
                if tuple(words[i : i + len(verb)]) != verb:
                    continue
                if not punct:
                    punct = [t.is_punct for t in tokens[sentence.start : sentence.end]]
                rule = self.pairs[rule_index]
                end = self._object_end(words, punct, i + len(verb), rule_index, rule.gap)
                if end is not None:
                    start = sentence.start + i
                    obj = " ".join(words[end[0] : end[1]])
                    found.append(_from_pair(rule, start, sentence.start + end[1], word, obj))
                    continue
                before = self._passive_object(words, punct, i, rule_index, rule.gap)
                if before is not None:  # "weapons were seized": the object comes first
                    obj = " ".join(words[before[0] : before[1]])
                    head = sentence.start + i
                    last = head + len(verb)
                    found.append(
                        _from_pair(rule, sentence.start + before[0], last, word, obj, head)
                    )
        return found

    def _passive_object(
        self, words: list[str], punct: list[bool], verb: int, rule_index: int, gap: int
    ) -> tuple[int, int] | None:
        """(start, end) of the rule's object before a passive verb: "arms were seized",
        "a cache of ammunition has been found" (the nearest object within ``gap`` words
        before the auxiliary)."""
        if words[verb].endswith("ing"):
            return None
        aux = next((k for k in (verb - 1, verb - 2) if k >= 0 and words[k] in _PASSIVE_AUX), None)
        if aux is None:
            return None
        objects = self.pair_objects[rule_index]
        for j in range(aux - 1, max(-1, aux - 2 - gap), -1):
            if punct[j] and words[j] not in _QUOTES:
                return None
            found = _object_at(objects, words, j, aux)
            if found is not None:
                return found
        return None

    def _object_end(
        self, words: list[str], punct: list[bool], begin: int, rule_index: int, gap: int
    ) -> tuple[int, int] | None:
        """(start, end) of the rule's first object noun within ``gap`` words of ``begin``."""
        objects = self.pair_objects[rule_index]
        for j in range(begin, min(begin + gap + 1, len(words))):
            if punct[j] and words[j] not in _QUOTES and words[j] != "-":
                return None  # "a large-scale provocation" keeps its hyphen
            found = _object_at(objects, words, j, len(words))
            if found is not None:
                return found
        return None


def _plural_noun(words: list[str], i: int, pasts: frozenset[str]) -> bool:
    """Whether a pair verb's "-s" form is the plural noun of the same spelling ("ships",
    "supplies", "arms"): after a determiner or a number ("the ships", "two ships"), or
    before a verb of its own ("coast guard ships fired"). Not after any noun: "a
    protester throws a petrol bomb" is the verb."""
    if not words[i].endswith("s"):
        return False
    before = words[i - 1] if i > 0 else ""
    if before in _NOUN_MARKERS or before.isdigit():
        return True
    after = words[i + 1] if i + 1 < len(words) else ""
    return after in _AUXILIARIES or after in pasts or (after.endswith("ed") and len(after) > 4)


def _object_at(
    objects: dict[str, list[tuple[str, ...]]], words: list[str], j: int, limit: int
) -> tuple[int, int] | None:
    """(start, end) of the longest object form starting at word ``j`` and ending by
    ``limit``, if any (forms are listed longest first)."""
    for form in objects.get(words[j], ()):
        end = j + len(form)
        if end <= limit and tuple(words[j:end]) == form:
            return j, end
    return None


_QUOTES = frozenset({"'", '"', "‘", "’", "“", "”"})
_PASSIVE_AUX = frozenset({"was", "were", "been", "be", "is", "are", "being"})
_ARTICLES = frozenset(["a", "an", "the", "this", "its", "their", "his", "her"])
_NOUN_MARKERS = frozenset(
    [
        "'s",  # "last month's attack", "Russia's strikes": a possessive, so a noun
        "’s",
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
# Words that follow a subject noun: "ships were", "supplies have".
_AUXILIARIES = frozenset(["was", "were", "is", "are", "has", "have", "had", "will", "would"])
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
    entries: list[TriggerEntry], tokens: Tokens, start: int, floor: int
) -> list[TriggerEntry]:
    """ "strikes" is a verb in "Russia strikes Kyiv", a noun in "big strikes": decide once."""
    kinds = {e.kind for e in entries}
    before = tokens[start - 1] if start > floor else None
    if before is not None and before.lower_ in _ARTICLES and "verb" in kinds:
        return [e for e in entries if e.kind != "verb"]  # "a storm": never a verb
    if not {"verb", "noun"} <= kinds:
        return entries
    nounish = before is not None and (
        before.lower_ in _NOUN_MARKERS
        or before.like_num
        or (before.is_lower and before.is_alpha and before.lower_ not in _BEFORE_VERB)
        or (before.is_title and before.i > floor)  # "American strikes", not "Russia strikes"
    )
    drop = "verb" if nounish else "noun"
    return [e for e in entries if e.kind != drop]


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


def _from_pair(
    rule: PairRule, start: int, end: int, verb: str, obj: str, head: int | None = None
) -> Trigger:
    """A verb-object trigger; for halting, resuming or signing, the object is the mode.
    ``head`` is the verb's token when the object comes first ("weapons were seized")."""
    mode = rule.mode or (obj if rule.type in _OBJECT_MODES else None)
    return Trigger(
        start=start,
        end=end,
        type=rule.type,
        cameo=rule.cameo,
        mode=mode,
        kind="pair",
        lemma=verb,
        interception=rule.interception,
        symmetric=False,
        head=start if head is None else head,
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
