"""Who did it to whom, and how sure the text is: roles and modality for one trigger.

Works on a sentence's tokens and actor mentions, with no parser: the clause around
the trigger is cut at clause words ("which", "while", "; "), the subject is the first
actor of the clause not inside a prepositional phrase, the object the first actor
after the trigger. Passive voice ("were shot dead by gunmen") and interceptions
("shot down Russian drones") swap the roles.
"""

from __future__ import annotations

from typing import NamedTuple

from dotterel.document import ActorMention, Sentence, Tokens
from dotterel.knowledge import Cues
from dotterel.stages._phrases import padded_any_of
from dotterel.stages.triggers import Trigger

__all__ = ["Clause", "clause_of", "clause_start", "clause_stop", "modality", "noun_owner", "roles"]

CLAUSE_WORDS = frozenset(
    [
        "which",
        "who",
        "whom",
        "where",
        "when",
        "while",
        "whereas",
        "after",
        "before",
        "as",
        "because",
        "although",
        "though",
        "since",
        "but",
        "that",
        "following",
        "said",
        "says",
        "say",
        "told",
        ";",
        "—",
    ]
)
SPEECH_VERBS = frozenset({"said", "says", "say", "told"})
# Types whose object is often a reported clause: "warned that any Israeli retaliation".
SPEECH_TYPES = frozenset({"THREATEN", "ACCUSE", "REQUEST", "REJECT", "SUPPORT"})
_STOP_WORDS = frozenset(
    ["which", "who", "whom", "where", "while", "whereas", "that", "following", ";", "—"]
)
_NOT_VERB_AFTER_TO = frozenset(
    [
        "the",
        "a",
        "an",
        "its",
        "their",
        "his",
        "her",
        "this",
        "that",
        "these",
        "those",
        "any",
        "all",
        "some",
    ]
)
AUXILIARIES = frozenset(["was", "were", "been", "being", "is", "are", "be", "got", "get"])
LOCATIVE = frozenset(
    [
        "in",
        "at",
        "near",
        "outside",
        "inside",
        "over",
        "above",
        "across",
        "into",
        "from",
        "around",
        "within",
        "along",
        "through",
        "throughout",
        "under",
    ]
)
TARGET_PREPS = frozenset(
    {
        None,
        "on",
        "against",
        "at",
        "with",
        "to",
        "toward",
        "towards",
        "of",
        "between",
        "for",
        "upon",
        "into",
    }
)
POSSESSIVES = frozenset({"his", "her", "its", "their"})


def clause_start(tokens: Tokens, trigger: Trigger, sentence: Sentence) -> int:
    """First token of the clause holding the trigger."""
    i = trigger.start
    while i > sentence.start:
        word = tokens.lower[i - 1]
        if word in CLAUSE_WORDS and not _closed_relative(tokens, i - 1, trigger.start, sentence):
            return i
        if word == "and" and i - 2 >= sentence.start and tokens.texts[i - 2] == ",":
            return i
        i -= 1
    return sentence.start


_RELATIVE_PRONOUNS = frozenset({"which", "who"})


def _closed_relative(tokens: Tokens, at: int, trigger: int, sentence: Sentence) -> bool:
    """ "Russia's Africa Corps, which replaced the Wagner group in Mali, carried out ...":
    a relative clause between commas, closed before the trigger, is skipped over."""
    return (
        tokens.lower[at] in _RELATIVE_PRONOUNS
        and at > sentence.start
        and tokens.texts[at - 1] == ","
        and "," in tokens.texts[at + 1 : trigger]
        and not _opens_clause(tokens, at + 1, trigger)
    )


def in_closed_relative(tokens: Tokens, at: int, trigger: Trigger, sentence: Sentence) -> bool:
    """ "Kenya's army, which leads the African Union mission, carried out ...": the
    token ``at`` (the mission) is inside a closed relative clause, no part of the act."""
    lower = tokens.lower
    for k in range(at - 1, sentence.start, -1):
        word = lower[k]
        if word == ",":
            return False
        if word in _RELATIVE_PRONOUNS:
            return _closed_relative(tokens, k, trigger.start, sentence)
    return False


def _opens_clause(tokens: Tokens, start: int, trigger: int) -> bool:
    """A second clause word or a saying verb between the relative pronoun and the trigger:
    the comma need not close the relative clause ("who said, after talks, that ...")."""
    return any(w in CLAUSE_WORDS or w in SPEECH_VERBS for w in tokens.lower[start:trigger])


def _is_passive(tokens: Tokens, trigger: Trigger, floor: int) -> bool:
    if trigger.kind not in {"verb", "pair", "phrase"}:
        return False
    long_phrase = trigger.kind == "phrase" and trigger.end - trigger.start > 1
    if long_phrase and tokens.lower[trigger.start] in AUXILIARIES:
        return True  # the phrase holds its own auxiliary: "were shot down"
    if tokens.lower[trigger.head].endswith("ing"):
        return False  # "were attacking": progressive, not passive
    for j in range(trigger.head - 1, max(floor, trigger.head - 3) - 1, -1):
        if tokens.lower[j] in AUXILIARIES:
            return True
        if not tokens[j].is_alpha or tokens.lower[j] not in {
            "not",
            "also",
            "reportedly",
            "allegedly",
            "being",
            "been",
        }:
            return False
    return False


def _agent(tokens: Tokens, trigger: Trigger, actors: list[ActorMention]) -> ActorMention | None:
    """The actor after "by" in a passive clause: "were shot dead by gunmen"."""
    for m in actors:
        if m.start >= trigger.end and m.prep == "by":
            return m
    return None


# What may stand before a subject: nothing, "of" ("the leaders of Italy"), or a word that
# also opens a clause ("hours after Kyiv's military launched ...").
_SUBJECT_PREPS = frozenset({None, "of", "after", "before", "since", "until"})
# Prepositions of time: an actor in a fronted time phrase is not the subject (_fronted).
_TEMPORAL = frozenset({"before", "after", "since", "during", "until", "amid", "following"})


def _usable_source(m: ActorMention) -> bool:
    """Not inside a prepositional phrase ("during a massive Russian attack on Ukraine"):
    a subject has no preposition before it."""
    return m.prep in _SUBJECT_PREPS and m.kind != "territory"


def _fronted(tokens: Tokens, m: ActorMention, trigger: Trigger) -> bool:
    """ "Hours before Macron's announcement, the junta banned": an actor inside a fronted
    time phrase, cut off from the verb by a comma."""
    return m.prep in _TEMPORAL and "," in tokens.texts[m.end : trigger.start]


def _usable_target(m: ActorMention) -> bool:
    return m.prep in TARGET_PREPS and m.text.lower() not in POSSESSIVES


def _subject(
    tokens: Tokens, actors: list[ActorMention], trigger: Trigger, start: int, floor: int
) -> ActorMention | None:
    """The first actor of the clause before the trigger. A clause without one borrows:
    a conjoined verb (", and agreed") the sentence's subject, a relative clause
    ("militants, who ...") the actor just before it."""
    in_clause = [
        m
        for m in actors
        if start <= m.start < trigger.start
        and _usable_source(m)
        and not _fronted(tokens, m, trigger)
    ]
    if in_clause:
        return in_clause[0]

    earlier = [
        m
        for m in actors
        if floor <= m.start < start and m.prep not in LOCATIVE and m.kind != "territory"
    ]
    conjoined = start > floor and tokens.lower[start - 1] in {"and", "but", "or"}
    # "rebels backed by Rwanda seized the airport after days of fighting, killing 40":
    # a participle after a comma shares the sentence's subject, not the nearest actor
    participle = (
        trigger.start > floor
        and tokens.texts[trigger.start - 1] == ","
        and tokens.lower[trigger.head].endswith("ing")
    )
    if conjoined or participle:
        subjects = [m for m in earlier if m.prep is None]
        if subjects:
            return subjects[0]
    return earlier[-1] if earlier else None


_NOT_IN_NOUN_PHRASE = frozenset(
    [
        "the",
        "a",
        "an",
        "this",
        "that",
        "on",
        "against",
        "at",
        "with",
        "by",
        "in",
        "to",
        "of",
        "for",
        "from",
        "is",
        "are",
        "was",
        "were",
        "has",
        "have",
        "had",
        "will",
        "would",
        "said",
    ]
)


def noun_owner(tokens: Tokens, trigger: Trigger, actors: list[ActorMention]) -> ActorMention | None:
    """The actor that modifies a noun trigger: "a US drone strike", "Russian missile attacks".

    Only modifiers may stand between: no determiner, preposition or verb-like word.
    """
    for m in reversed(actors):
        if m.end > trigger.start:
            continue
        if trigger.start - m.end > 4:
            return None
        between = tokens[m.end : trigger.start]
        if all(
            (t.is_alpha or t.text in {"'s", "’s", "-"})
            and t.lower_ not in _NOT_IN_NOUN_PHRASE
            and not (t.is_lower and t.lower_.endswith(("ed", "es")))
            for t in between
        ):
            return m
        return None
    return None


def _same(a: ActorMention | None, b: ActorMention | None) -> bool:
    if a is None or b is None:
        return False
    if a.start == b.start:
        return True
    return (a.kind == "pronoun" or b.kind == "pronoun") and a.country == b.country


def _first_after(
    tokens: Tokens,
    actors: list[ActorMention],
    trigger: Trigger,
    stop: int,
    source: ActorMention | None,
) -> ActorMention | None:
    """The first actor after the verb: inside a verb-object trigger ("banned French
    aircraft"), else after it; not the source again ("reaffirming what he called
    America's commitment to Israel's security": Israel)."""
    begin = trigger.head + 1 if trigger.kind == "pair" else trigger.end
    stop = _object_end(tokens, max(begin, trigger.end), stop)
    for m in actors:
        if begin <= m.start < stop and _usable_target(m) and not _own_side(tokens, source, m):
            return m
    return None


def _own_side(tokens: Tokens, source: ActorMention | None, m: ActorMention) -> bool:
    """The source named again: the same mention, a pronoun for it, or its country as the
    owner of what follows ("America's commitment")."""
    if source is None or _same(source, m):
        return source is not None
    owner = m.end < len(tokens) and tokens.texts[m.end] in {"'s", "’s"}
    return owner and m.country is not None and m.country == source.country


# Words that open a subordinate clause: who is named after them is not the object
# ("lodged a protest after a Chinese ship fired at a Philippine boat").
_SUBORDINATORS = frozenset(
    ["after", "before", "because", "when", "since", "until", "although", "though", "unless"]
)


_OBJECT_ENDS = _SUBORDINATORS | {"in", "and"}


def _object_end(tokens: Tokens, start: int, stop: int) -> int:
    """Where the trigger's object can end: before a subordinate clause, or before a second
    verb joined by "and" ("stood with its ally and called the Chinese action ...")."""
    lower = tokens.lower
    for j in range(start, stop):
        word = lower[j]
        if word not in _OBJECT_ENDS:
            continue
        if word in _SUBORDINATORS or (word == "in" and lower[j + 1 : j + 2] == ["exchange"]):
            return j  # "... in exchange for prisoners": the other side's half
        if word == "and" and j + 1 < stop and _past_verb(tokens, j + 1):
            return j
    return stop


def _past_verb(tokens: Tokens, i: int) -> bool:
    word = tokens[i]
    return (
        word.is_lower
        and word.is_alpha
        and (word.lower_.endswith("ed") or word.lower_ in SPEECH_VERBS)
    )


def _coordinated(
    tokens: Tokens, subject: ActorMention, actors: list[ActorMention]
) -> ActorMention | None:
    """The other party of "A and B": "Russian and Ukrainian delegations met" (B for A), or
    "US and Guyanese forces held joint exercises" (A for B, when B owns the noun)."""
    for m in actors:
        near = m.start > subject.start and m.start - subject.end <= 2
        if near and any(t.lower_ in {"and", "&"} for t in tokens[subject.end : m.start]):
            return m
    for m in actors:
        near = m.end <= subject.start and subject.start - m.end <= 2
        if near and any(t.lower_ in {"and", "&"} for t in tokens[m.end : subject.start]):
            return m
    return None


def clause_stop(tokens: Tokens, trigger: Trigger, sentence: Sentence, reach: bool = False) -> int:
    """One past the clause holding the trigger: before "which", ", and", or a "to"-purpose.
    With ``reach``, a "that"-clause right after the trigger belongs to it (for targets)."""
    j = trigger.end
    while j < sentence.end:
        word = tokens.lower[j]
        if reach and word == "that" and j == trigger.end:
            j += 1
            continue
        if word in _STOP_WORDS or (word == "and" and tokens.texts[j - 1] == ","):
            return j
        if word == "to" and j + 1 < sentence.end and j > trigger.end:
            following = tokens[j + 1]
            if (
                following.is_lower
                and following.is_alpha
                and following.lower_ not in (_NOT_VERB_AFTER_TO)
            ):
                return j
        j += 1
    return sentence.end


class Clause(NamedTuple):
    """The clause holding a trigger: its first token and one past its last (``clause_start``
    and ``clause_stop``), found once per trigger for the rules that look at it."""

    start: int
    stop: int


def clause_of(tokens: Tokens, trigger: Trigger, sentence: Sentence) -> Clause:
    return Clause(clause_start(tokens, trigger, sentence), clause_stop(tokens, trigger, sentence))


def _between_pair(
    tokens: Tokens, trigger: Trigger, actors: list[ActorMention], stop: int
) -> tuple[ActorMention, ActorMention] | None:
    """ "a truce between Israel and Iran": the two parties, in order."""
    if trigger.end >= stop or tokens.lower[trigger.end] != "between":
        return None
    after = [m for m in actors if trigger.end < m.start < stop and m.prep in {"between", None}]
    if len(after) >= 2 and after[0].country != after[1].country:
        return after[0], after[1]
    return None


def roles(
    tokens: Tokens,
    trigger: Trigger,
    sentence: Sentence,
    actors: list[ActorMention],
    clause: Clause,
) -> tuple[ActorMention | None, ActorMention | None]:
    """(source, target) mentions for a trigger, or None where the text names no one."""
    start, stop = clause
    if trigger.type in SPEECH_TYPES:
        stop = clause_stop(tokens, trigger, sentence, reach=True)
    if _is_passive(tokens, trigger, start):
        agent = _agent(tokens, trigger, actors)
        reported = start > sentence.start and tokens.lower[start - 1] in SPEECH_VERBS
        # "Russian officials said the convoy was hit": the speaker is not the one hit, the
        # patient is named inside the reported clause or not at all
        floor = start if reported else sentence.start
        patient = _subject(tokens, actors, trigger, start, floor)
        if _same(agent, patient):
            patient = None
        if trigger.interception:  # "drones were shot down by Israel": Israel defends
            return patient, agent
        return agent, patient
    source = noun_owner(tokens, trigger, actors) if trigger.kind == "noun" else None
    if source is None:
        source = _subject(tokens, actors, trigger, start, sentence.start)
    target = _first_after(tokens, actors, trigger, stop, source)
    pair = _between_pair(tokens, trigger, actors, stop)
    if (trigger.symmetric or trigger.mutual) and pair is not None:
        return pair
    if (trigger.symmetric or trigger.mutual) and source is not None:
        partner = _coordinated(tokens, source, actors)
        if partner is not None:  # "US and Guyanese forces held joint exercises": first named
            source, target = (
                (partner, source) if partner.start < source.start else (source, partner)
            )
    if target is None and source is not None and source.country is not None:
        # "the US and Britain appealed": the partner joins the act, unless acts are joint
        joint = trigger.type in {"AGREE", "CONSULT", "COOPERATE"}
        partner = None if joint else _coordinated(tokens, source, actors)
        before = [
            m
            for m in actors
            if m.end <= trigger.start
            and _usable_target(m)
            and not in_closed_relative(tokens, m.start, trigger, sentence)
            and m.kind not in {"pronoun", "generic"}
            and m.country != source.country
            and m is not partner
        ]
        target = before[-1] if before else None
    if trigger.interception:
        return target, source
    if _same(source, target):
        target = None
    return source, target


def _window(tokens: Tokens, start: int, end: int) -> str:
    return " " + tokens.words(start, end) + " "


def _has(window: str, cues: tuple[str, ...]) -> bool:
    return padded_any_of(cues).search(window) is not None


_DENIAL = frozenset({"denied", "deny", "denies", "denying"})


def _after_denial(tokens: Tokens, trigger: Trigger, start: int, cues: Cues) -> bool:
    """ "denied targeting civilians and accused the army of ...": a past verb after "and"
    or "but" that follows a denial is the subject's second act, and what was denied
    ends at the conjunction (unlike "had not attacked and killed", which shares "not")."""
    head = trigger.head
    if not tokens.lower[head].endswith("ed"):
        return False
    floor = max(start, head - 8)
    for j in range(head - 1, floor - 1, -1):
        if tokens.lower[j] in {"and", "but"}:
            denial = any(word in _DENIAL for word in tokens.lower[floor:j])
            return denial and not _has(_window(tokens, j + 1, head), cues.negation)
    return False


_BE = ("is", "are", "was", "were", "been", "be", "as")


def _called_untrue(after: str) -> bool:
    """ "... were untrue", "dismissed as false": a predicate, not "false reporting"."""
    if " untrue " not in after and " false " not in after:
        return False  # most clauses hold neither word
    return any(f" {be} {word} " in after for be in _BE for word in ("untrue", "false"))


def _committed(tokens: Tokens, to: int, floor: int, cues: Cues) -> bool:
    """A commitment verb ("agreed", "plans") a few words before the infinitive's "to",
    with a time or adverb between ("agreed on Sunday to", "plans eventually to")."""
    words = tokens.lower[max(floor, to - 5) : to]
    return any(f"{word} to" in cues.future for word in words)


def _denied(tokens: Tokens, trigger: Trigger, start: int) -> bool:
    """ "denied launching any missile": a denial within six words, no comma between."""
    gerund = tokens.lower[trigger.start].endswith("ing")
    for j in range(trigger.start - 1, max(start, trigger.start - 6) - 1, -1):
        if gerund and tokens.lower[j] in {"and", "or"}:
            continue  # "denied shelling the town and killing civilians": both denied
        if tokens[j].is_punct or tokens.lower[j] in {"and", "but"}:
            return False  # "denied the attack and demanded ...": a second verb, asserted
        if tokens.lower[j] in _DENIAL:
            return True
    return False


def modality(
    tokens: Tokens, trigger: Trigger, sentence: Sentence, cues: Cues, clause: Clause
) -> str:
    """asserted, negated, future or hypothetical, from cue words around the trigger."""
    start, stop = clause
    near = _window(tokens, max(start, trigger.head - 4), trigger.head)
    before = _window(tokens, start, trigger.head)
    after = _window(tokens, trigger.end, stop)
    if trigger.type == "THREATEN":
        return "negated" if _has(near, ("not", "n't", "never")) else "asserted"
    if _has(near, cues.negation) and not _after_denial(tokens, trigger, start, cues):
        return "negated"
    if _denied(tokens, trigger, start):
        return "negated"
    if (
        start >= sentence.start + 2
        and tokens.lower[start - 1] == "that"
        and tokens.lower[start - 2] in {"denied", "deny", "denies", "denying"}
    ):
        return "negated"  # "denied that its forces had attacked Klintsy"
    if _called_untrue(after):
        return "negated"  # "reports that it had negotiated ... were untrue", not "false reporting"
    if _has(before, ("if", "unless")) or _has(after, ("if", "unless")):
        return "hypothetical"
    if _has(near, cues.hypothetical):
        return "hypothetical"
    if _has(near, cues.future) or _has(
        after, ("next week", "next month", "coming months", "coming weeks", "coming days")
    ):
        return "future"
    if trigger.start > sentence.start and tokens.lower[trigger.start - 1] == "to":
        if _committed(tokens, trigger.start - 1, start, cues):
            return "future"  # "agreed on Sunday to restore relations": a time between
        return "hypothetical"  # an infinitive no cue commits to: "intended to demonstrate"
    return "asserted"
