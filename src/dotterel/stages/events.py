"""Events: triggers coded into PLOVER events with actors, place, date, numbers and evidence.

Needs: every earlier layer. Adds: ``events``. Each trigger in a sentence becomes a
candidate event unless it is background (a noun after "following", "in response
to") or the requested/threatened act inside a REQUEST or THREATEN. Candidates that
restate one happening in one article ("the strike", "the attack") are merged, so an
article codes each happening once.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from datetime import timedelta
from itertools import pairwise

from spacy.language import Language
from spacy.tokens import Token

from dotterel.document import (
    ActorMention,
    Document,
    PlaceMention,
    QuantityMention,
    Sentence,
    TimeMention,
    Tokens,
)
from dotterel.knowledge import Knowledge
from dotterel.records import Actor, Estimate, Event, Evidence, Place, Span, When
from dotterel.stages._phrases import padded_any_of
from dotterel.stages.acled import AcledCoder, AcledFacts
from dotterel.stages.merge import Candidate, merge_events
from dotterel.stages.offices import Offices
from dotterel.stages.roles import (
    CLAUSE_WORDS,
    Clause,
    clause_of,
    clause_stop,
    in_closed_relative,
    modality,
    noun_owner,
    roles,
)
from dotterel.stages.triggers import Trigger, TriggerFinder

__all__ = ["PIPELINE_VERSION", "EventCoder"]

PIPELINE_VERSION = "0.1.0"
# Distinct sport words that make an article a sports report (cues.yaml: sport).
_SPORT_WORDS = 3
# Types that are acts in the world (a strike, a seizure, a protest), not statements or
# measures, which need someone who says or imposes them.
_MATERIAL = frozenset({"ASSAULT", "COERCE", "PROTEST", "MOBILIZE", "RETREAT"})
# Types whose events keep the counts near their trigger (drones, aid, troops, arrests).
_COUNTED = frozenset({"ASSAULT", "AID", "MOBILIZE", "COERCE"})
# Measures a government imposes on its own country when no one else is named.
_SELF_IMPOSED = frozenset({"curfew", "state of emergency", "internet shutdown", None})
_VERBISH = frozenset(
    [
        "is",
        "are",
        "was",
        "were",
        "has",
        "have",
        "had",
        "be",
        "been",
        "will",
        "would",
        "said",
        "says",
        "did",
        "do",
        "does",
        "pressed",
        "launched",
        "held",
        "made",
    ]
)


_VERBAL = frozenset(
    {
        "REQUEST",
        "ACCUSE",
        "REJECT",
        "SUPPORT",
        "THREATEN",
        "SANCTION",
        "AID",
        "AGREE",
        "CONCEDE",
        "COOPERATE",
    }
)
# Types that take their mode from the sentence's words when the trigger brings none.
_MODED = frozenset({"ASSAULT", "MOBILIZE", "AID", "PROTEST", "COERCE"})
# Statements aimed at someone: with no one named, at the side the speaker is facing.
_DIRECTED = frozenset({"THREATEN", "REJECT", "REQUEST", "ACCUSE"})
_NAMED = frozenset({"country", "metonym", "organisation", "person", "group", "franchise"})
# COERCE modes aimed at a crowd: with no one named, at the country's own people.
_CROWD_CONTROL = frozenset({"arrest", "tear gas", "water cannon"})
# Words after a verb that show it has no object: "killed last month", "shot on Friday".
_NOT_AN_OBJECT = frozenset(
    {"last", "on", "in", "during", "at", "by", "earlier", "yesterday", "overnight", "when"}
)
# Request verbs whose object is whom they ask ("urged Kyiv to"), not what ("called for").
_ASKING = frozenset({"urge", "call on", "call upon", "ask", "implore", "press"})
# Addressees that mean the parties already named ("called on all sides to ...").
_THE_PARTIES = frozenset(
    {"sides", "side", "parties", "party", "both", "all", "them", "him", "her", "it", "each"}
)
_TEMPORAL_LINKS = frozenset({"after", "following", "since", "before", "during", "amid"})
_RELATIVE = frozenset({"that", "which", "who"})
_DEFINITE = frozenset({"the", "this", "that", "these", "those"})
# Words that make an agreement's clause a promise to refrain ("agreed not to attack").
_NEGATIVE_TERMS = frozenset({"not", "never", "neither", "nor", "no", "none"})
# Words that end the scope of a request's or threat's infinitive.
_CLAUSE_BREAKS = frozenset(
    {";", ".", "but", "while", "whereas", "although", "though", "say", "said", "says"}
)
# Words before a participle that make it a verb ("was accused of", "had accused of").
_AUXILIARY_LIKE = frozenset(
    {"was", "were", "is", "are", "be", "been", "being", "has", "have", "had", "also", "not",
     "repeatedly", "publicly", "openly", "again", "then", "who", "which", "that"}
)  # fmt: skip
# Prepositions that make a named country a location ("on the island of St Vincent").
_LOCATIVE = frozenset({"in", "on", "at", "of", "near", "over", "across", "from", "to"})
_DEFINITE = frozenset({"the", "this", "that", "these", "those", "its", "their", "his", "her"})


class EventCoder:
    name = "events"

    def __init__(self, knowledge: Knowledge, nlp: Language) -> None:
        self.knowledge = knowledge
        self.cues = knowledge.cues
        self.finder = TriggerFinder(knowledge, nlp)
        self.complement_heads = knowledge.cues.complement_heads
        # Context cues ("in response to") by their last word, the one a backward scan meets.
        self.context: dict[str, list[tuple[str, ...]]] = {}
        for cue in knowledge.cues.context_prepositions:
            words = tuple(cue.split())
            self.context.setdefault(words[-1], []).append(words)
        self.offices = Offices(knowledge)
        self.acled = AcledCoder(knowledge.acled)
        self.modes = [(m, padded_any_of(tuple(ws))) for m, ws in knowledge.modes]
        self.any_mode = padded_any_of(tuple(w for _, ws in knowledge.modes for w in ws))
        self.sport = re.compile(
            r"\b(?:" + "|".join(re.escape(w) for w in knowledge.cues.sport) + r")\b"
        )
        self.restatement = tuple(f" {cue} " for cue in knowledge.cues.restatement)

    def __call__(self, doc: Document) -> Document:
        tokens = doc.tokens
        if tokens is None:
            raise ValueError("events needs the segment stage first")
        if self._about_sport(doc.article.text):
            doc.events = []  # "Bumrah struck to bowl Rizwan": a match report codes nothing
            return doc
        candidates: list[Candidate] = []
        told: set[str] = set()  # events a verb asserts: kept even with no one named
        last_date: When | None = None
        timed = {i for t in doc.times for i in range(t.start, t.end)}
        timed.update(  # "Downing Street" holds no verb "down"
            i for m in doc.actors if m.kind in _NAMED for i in range(m.start, m.end)
        )
        for sentence in doc.sentences:
            anchor = last_date  # "a day later" counts from the last sentence's event
            triggers = [
                self._into_water(tokens, t, sentence)
                for t in self.finder(tokens, sentence)
                # "March 29" is no march; a verb-object pair spans words between, so only
                # its verb counts ("called the strike on Monday a war crime")
                if not any(i in timed for i in _own_tokens(t))
                and not _inside_name(tokens, t, sentence)
                and not _reduced_relative(tokens, t, sentence)
            ]
            kept, context = self._keep(tokens, sentence, triggers)
            # background acts keep their own counts and times ("last month's attack that
            # killed 26"): they are siblings too, though never coded
            siblings = sorted([t for t, _ in kept] + context, key=lambda t: t.start)
            words = " " + tokens.words(sentence.start, sentence.end) + " "
            # The sentence's mode, looked up once for the triggers that bring none of their own
            # (a trigger _code recodes, a riot, gets one).
            moded = any(t.mode is None and t.type in _MODED for t in siblings)
            mode = self._mode(words) if moded else None
            for trigger, absorbed in kept:
                event = self._code(
                    doc, tokens, sentence, words, mode, trigger, anchor, siblings, context
                )
                if trigger.kind == "noun" and event.modality == "hypothetical":
                    continue  # "the ability to land strikes": a noun names no happening here
                if _long_past(event, doc):
                    continue  # "a truck bomb killed 500 people in 2017": background
                absorbed = absorbed or self._inner_referent(tokens, trigger)
                if absorbed is not None:
                    event = self._source_from_noun(event, doc, sentence, absorbed)
                    event = _target_from_referent(
                        event, absorbed, candidates, tokens[absorbed.start].idx
                    )
                if _is_tally(doc, trigger) or _a_warning_not_a_threat(event):
                    continue
                exchange = _in_exchange(tokens, trigger, sentence)
                if exchange and (_named_before(event) or _unnamed_target(event)):
                    # one half of a swap: its other party is the deal's, not whoever was
                    # named last ("a truce mediated by Egypt and Qatar, under which ..."),
                    # nor the people handed over ("the bodies of 900 soldiers")
                    event = dataclasses.replace(event, target=None)
                if (
                    event.target is None
                    and (event.type in _DIRECTED or _withdraws_forces(event) or exchange)
                    and not _unknown_addressee(tokens, trigger, sentence)
                ):
                    event = _against_counterpart(event, candidates)
                anaphoric = _is_anaphoric(tokens, trigger, sentence)
                candidates.append(Candidate(event, sentence.index, anaphoric, trigger.interception))
                if (
                    trigger.kind != "noun"
                    and event.modality == "asserted"
                    and event.type in _MATERIAL
                ):
                    told.add(event.id)  # "a shop was looted": a verb says it happened
                mutual = trigger.mutual or exchange
                if mutual and event.source is not None and event.target is not None:
                    candidates.append(Candidate(_mirror(event), sentence.index, anaphoric))
                for other in self._further_places(doc, trigger, sentence, event):
                    candidates.append(Candidate(other, sentence.index, False))
                    if event.id in told:
                        told.add(other.id)
                if event.date is not None and event.date.span is not None:
                    last_date = event.date
            if anchor is last_date:  # no dated event: a stated day still moves the story
                last_date = _stated_day(doc, sentence) or last_date
        doc.events = [e for e in merge_events(candidates) if e.id in told or not _no_one(e)]
        return doc

    # -- which triggers are events ------------------------------------------

    def _keep(
        self, tokens: Tokens, sentence: Sentence, triggers: list[Trigger]
    ) -> tuple[list[tuple[Trigger, Trigger | None]], list[Trigger]]:
        """The triggers that are events, each with the event noun it took as object, if any
        ("condemned the attack": ACCUSE, with the attack it is about); and those that are
        background."""
        kept: list[tuple[Trigger, Trigger | None]] = []
        seen: list[Trigger] = []
        context: list[Trigger] = []
        for trigger in triggers:
            # A noun, or a participle inside a noun phrase ("after clashes between police
            # and students protesting ..."), after "following", "after" ...: context.
            nominal = trigger.kind == "noun" or tokens.lower[trigger.head].endswith("ing")
            background = (
                (nominal and self._is_background(tokens, trigger, sentence))
                or self._restates(tokens, trigger, sentence)
                or (trigger.kind == "noun" and _in_relative_clause(tokens, trigger, seen, sentence))
                or _tells_of(tokens, trigger, context, seen)
            )
            head = None if background else self._complement_of(tokens, trigger, seen, sentence)
            if background:  # "hit the militants behind last week's bombing": context
                context.append(trigger)
            elif head is not None:
                kept = [(t, trigger if t is head and a is None else a) for t, a in kept]
            else:
                kept.append((trigger, None))
            seen.append(trigger)
        return kept, context

    def _about_sport(self, text: str) -> bool:
        """Three different sport words make an article a sports report."""
        lower = text.lower()
        if sum(word in lower for word in self.cues.sport) < _SPORT_WORDS:
            return False  # fewer sport words even as substrings: the word scan can be skipped
        return len(set(self.sport.findall(lower))) >= _SPORT_WORDS

    def _restates(self, tokens: Tokens, trigger: Trigger, sentence: Sentence) -> bool:
        """ "..., the first time a NATO member has fired on Russian assets": a clause that
        characterises the event before it, not a new one."""
        window = " " + tokens.words(max(sentence.start, trigger.start - 8), trigger.start) + " "
        return any(cue in window for cue in self.restatement)

    def _is_background(self, tokens: Tokens, trigger: Trigger, sentence: Sentence) -> bool:
        """A noun after "following", "in response to"... with no verb between: context."""
        floor = max(sentence.start, trigger.start - 16)
        words = tokens.lower[floor : trigger.start]
        i = trigger.start
        steps = 0
        while i > sentence.start and steps < 12:
            k = i - floor
            for cue in self.context.get(words[k - 1], ()):
                if k >= len(cue) and tuple(words[k - len(cue) : k]) == cue:
                    return True
            word, lower = tokens[i - 1], words[k - 1]
            if word.is_quote:  # "as a 'blatant attack'"
                i -= 1
                continue
            if lower in _VERBISH or (word.is_punct and tokens.texts[i - 1] != "-"):
                return False
            if lower.endswith("ed") and len(lower) > 4 and word.is_lower:
                return False
            i -= 1
            steps += 1
        return False

    def _complement_of(
        self, tokens: Tokens, trigger: Trigger, kept: list[Trigger], sentence: Sentence
    ) -> Trigger | None:
        """The trigger whose object this one is: the act a REQUEST/THREATEN/ACCUSE is
        about, or an event noun after any trigger ("condemned the bombings")."""
        for head in reversed(kept):
            if head.end > trigger.start:
                continue
            if trigger.start - head.end > 8:
                if self._in_scope(tokens, head, trigger):
                    return head  # "called on all sides to preserve ... and to resolve ..."
                continue
            between = tokens[head.end : trigger.start]
            if (
                trigger.kind == "noun"
                and not any(t.lower_ in CLAUSE_WORDS for t in between)
                and len(between) <= 7
                and all(
                    (t.is_alpha or t.is_quote or t.text in {"'s", "’s"})
                    and t.lower_ not in {"with", "after", "while", "by"}
                    for t in between
                )
            ):
                return head
            if head.type == "AGREE" and _negative_term(head, between):
                return head  # "agreed that neither country would threaten ...": a term
            if head.type == "CONSULT" and any(
                t.lower_ in {"discuss", "discussed", "discussing", "about"} for t in between
            ):
                return head  # "will meet ... to discuss sending more troops": the agenda
            if head.type in self.complement_heads and (
                any(t.lower_ in {"to", "of"} for t in between[-3:])
                or (len(between) <= 8 and any(t.lower_ == "that" for t in between))
            ):
                return head
            if (
                head.type != "AGREE"
                and between
                and between[-1].lower_ == "to"
                and (trigger.kind in {"verb", "pair", "phrase"})
                # "met ... and agreed to exchange": the nearer verb governs the infinitive
                and not any(head.end <= k.start and k.end <= trigger.start for k in kept)
            ):
                return head  # "will meet ... to discuss": a purpose, not a second event
        return None

    def _inner_referent(self, tokens: Tokens, trigger: Trigger) -> Trigger | None:
        """ "called the incursion a provocation": the event a verb-object accusation is
        about, named inside it after "the" (an earlier act, whose author is the target)."""
        if trigger.type != "ACCUSE" or trigger.kind != "pair":
            return None
        for k in range(trigger.head + 2, trigger.end):
            if tokens.lower[k - 1] not in _DEFINITE:
                continue
            entry = next(
                (
                    e
                    for e in self.finder.entries.get(tokens.lower[k], ())
                    if e.kind == "noun" and e.type in _MATERIAL
                ),
                None,
            )
            if entry is not None:
                return dataclasses.replace(
                    trigger, start=k, end=k + 1, head=k, type=entry.type, kind="noun"
                )
        return None

    def _into_water(self, tokens: Tokens, trigger: Trigger, sentence: Sentence) -> Trigger:
        """ "fired 11 ballistic missiles into waters around Taiwan": weapons fired into the
        sea hit no one, a test or show of force (MOBILIZE)."""
        if trigger.type != "ASSAULT" or trigger.kind not in {"pair", "verb"}:
            return trigger
        after = " " + tokens.words(trigger.end, min(trigger.end + 4, sentence.end)) + " "
        if not any(f" {cue} " in after for cue in self.cues.into_water):
            return trigger
        return dataclasses.replace(trigger, type="MOBILIZE", cameo="154", mode="military")

    def _in_scope(self, tokens: Tokens, head: Trigger, trigger: Trigger) -> bool:
        """A far trigger still inside the infinitive a REQUEST or THREATEN governs: "to"
        soon after the head, and no clause break ("but", ";", "while") before the trigger."""
        if head.type not in {"REQUEST", "THREATEN"} or head.kind == "noun":
            return False
        lead = tokens.lower[head.end : min(head.end + 8, trigger.start)]
        if "to" not in lead:
            return False
        return not any(word in _CLAUSE_BREAKS for word in tokens.lower[head.end : trigger.start])

    def _pair_subject(
        self,
        tokens: Tokens,
        trigger: Trigger,
        sentence: Sentence,
        clause: Clause,
        source: ActorMention | None,
    ) -> int | None:
        """Where "the two sides", "both leaders" ... start, when such a phrase is the
        subject of the trigger's clause (before it, with no other clause between), or
        what its unresolved pronoun stands for ("both governments said they had ...")."""
        start = clause.start
        if source is not None and source.kind == "pronoun":
            start = sentence.start
        window = " " + tokens.words(start, trigger.start) + " "
        for phrase in self.cues.pair_phrases:
            at = window.find(f" {phrase} ")
            if at >= 0:
                return start + window[:at].count(" ")
        return None

    # -- coding one trigger ---------------------------------------------------

    def _code(
        self,
        doc: Document,
        tokens: Tokens,
        sentence: Sentence,
        words: str,
        sentence_mode: str | None,
        trigger: Trigger,
        last_date: When | None,
        siblings: list[Trigger],
        context: list[Trigger],
    ) -> Event:
        attributions = doc.by_sentence("attributions", sentence.index)
        speakers = {i for a in attributions if a.final for i in range(a.speaker[0], a.speaker[1])}
        actors = doc.by_sentence("actors", sentence.index)
        clause = clause_of(tokens, trigger, sentence)
        source, target = roles(tokens, trigger, sentence, actors, clause)
        if source is None or source.kind == "generic" or source.country is None:
            pair = self._pair_subject(tokens, trigger, sentence, clause, source)
            if pair is not None:  # "The two leaders failed to agree"
                source, target = _last_pair(doc.actors, pair) or (source, target)
        if target is not None and target.start in speakers:
            target = None  # ", Ukraine's SBU said": who reports it is not who was hit
        mood = modality(tokens, trigger, sentence, self.cues, clause)
        place = self._place(doc, trigger, sentence, clause, None, None)
        where = place.country if place is not None else None
        # A speaker is not where the act it speaks of happened ("the junta accused France
        # of massing troops in Benin"): a generic source of a statement takes the story's
        # country.
        source_actor = self._actor(source, doc, where if trigger.type in _MATERIAL else None)
        if (
            trigger.type == "COERCE"
            and trigger.mode == "property"
            and source_actor is not None
            and (
                source_actor.sector == "OPP"
                or (source_actor.sector == "CVL" and self._about_protests(tokens))
            )
        ):  # "students set fire to the broadcaster's headquarters" amid protests: a riot
            trigger = dataclasses.replace(trigger, type="PROTEST", mode="riot", cameo="145")
            target = None
        if (
            trigger.type == "ASSAULT"
            and _crowd(source, self.cues.crowds)
            and _acts_on_something(tokens, trigger, sentence)
        ):
            # "protesters attacked the French embassy": a violent demonstration, aimed at
            # whom they attacked (CONVENTIONS: a protest against a foreign government)
            trigger = dataclasses.replace(trigger, type="PROTEST", mode="riot", cameo="145")
        if target is not None and target.kind == "generic":
            # "in the Russian-held part of the region ... killed a correspondent": people in
            # held ground are the holder's; else unnamed victims are the other party's
            where = _holder(tokens, actors, sentence) or where or _other_party(actors, source)
        target_actor = self._actor(target, doc, where) or _place_as_target(doc, trigger, sentence)
        if trigger.type == "ASSAULT" and target_actor is None:
            target_actor = _hit_where(place, source_actor)
        if (
            trigger.type == "THREATEN"
            and target_actor is not None
            and source_actor is not None
            and target_actor.country == source_actor.country
            and target_actor.sector == "MIL"
        ):
            target_actor = None  # "officials warned that the army would ...": its own force
        if trigger.type == "COERCE" and trigger.mode in _SELF_IMPOSED:
            named = trigger.mode is not None  # a curfew, an emergency, a shutdown
            if named and (source_actor is None or source_actor.country is None):
                # "mobile internet has been cut across the country": by its government
                source_actor = self._state(where or doc.focus_country) or source_actor
            if named or (target_actor is None and source_actor is not None):
                target_actor = source_actor  # imposed on one's own country
        if (
            trigger.type == "COERCE"
            and trigger.mode in _CROWD_CONTROL
            and target_actor is None
            and source_actor is not None
            and source_actor.country is not None
        ):  # "police arrested more than 500 people", "fired tear gas": at their own people
            target_actor = dataclasses.replace(source_actor, canonical=None, sector=None)
        if trigger.type == "PROTEST" and target_actor is None and source_actor is not None:
            target_actor = self._state(source_actor.country)  # rioters defy their own state
        if trigger.type == "RETREAT" and target_actor is not None and target_actor.sector == "CVL":
            target_actor = None  # evacuating civilians: nobody is retreated from
        if place is None:
            place = self._place(doc, trigger, sentence, clause, source_actor, target_actor)
        when = self._date(doc, trigger, sentence, clause, mood, last_date, siblings, context)
        quantities = [
            q
            for q in doc.by_sentence("quantities", sentence.index)
            if _nearest(q, siblings, trigger.type) is trigger
        ]
        fatalities = _estimate(quantities, "killed") if trigger.type == "ASSAULT" else None
        injured = _estimate(quantities, "injured") if trigger.type == "ASSAULT" else None
        mode = trigger.mode or (sentence_mode if trigger.type in _MODED else None)
        evidence = Evidence(sentence.text, sentence.start_char, sentence.end_char)
        attribution = next(
            (a.attribution for a in attributions if a.start <= trigger.start < a.end), None
        )
        trigger_span = tokens.chars(trigger.start, trigger.end)
        event_id = _event_id(doc.article.id, trigger.type, trigger_span.start_char)
        return Event(
            id=event_id,
            article_id=doc.article.id,
            type=trigger.type,
            mode=mode,
            context=[],
            modality=mood,  # type: ignore[arg-type]
            source=source_actor,
            target=target_actor,
            place=place,
            date=when,
            fatalities=fatalities,
            injured=injured,
            quantities=[q.quantity for q in quantities if trigger.type in _COUNTED],
            attribution=attribution,
            acled=self.acled(
                AcledFacts(
                    trigger.type,
                    trigger.lemma,
                    mode,
                    trigger.interception,
                    source_actor,
                    target_actor,
                    words[1:-1],
                    _after(tokens, trigger.start, sentence.end, source_actor),
                )
            ),
            cameo=self.knowledge.cameo.get((trigger.type, mode or ""), trigger.cameo),
            evidence=evidence,
            confidence=_confidence(trigger, source_actor, target_actor, when),
            trigger=Span(trigger_span.start_char, trigger_span.end_char, trigger_span.text),
            article_ref=doc.article.ref,
        )

    def _further_places(
        self, doc: Document, trigger: Trigger, sentence: Sentence, event: Event
    ) -> list[Event]:
        """ "struck bombers at the Olenya air base ... and the Belaya air base ...": an
        attack on places joined by "and" is one event per place (ACLED codes each
        location apart); the toll stays with the first, whose share is unknown."""
        if trigger.type != "ASSAULT" or trigger.kind == "noun" or event.place is None:
            return []
        tokens = doc.tokens
        assert tokens is not None
        stop = clause_stop(tokens, trigger, sentence)
        places = [
            p
            for p in doc.by_sentence("places", sentence.index)
            if trigger.end <= p.start < stop and p.place.precision < 6
        ]
        extra: list[Event] = []
        for previous, current in pairwise(places):
            joined = tokens.lower[previous.end : current.start]
            if "and" not in joined or len(joined) > 6 or current.place.name == event.place.name:
                continue
            if _a_place_of_its_own(current) and current.place.name != previous.place.name:
                extra.append(
                    dataclasses.replace(
                        event,
                        id=_event_id(doc.article.id, event.type + ":place", current.start_char),
                        place=current.place,
                        fatalities=None,
                        injured=None,
                        quantities=[],
                    )
                )
        return extra

    def _about_protests(self, tokens: Tokens) -> bool:
        return not self.cues.protest_story.isdisjoint(tokens.lower)

    def _state(self, iso3: str | None) -> Actor | None:
        """A country's government as an actor, for acts only a state performs."""
        country = self.knowledge.countries.get(iso3 or "")
        if country is None:
            return None
        return Actor(country.name, country.name, country.iso3, "GOV", None, (0, 0))

    def _source_from_noun(
        self, event: Event, doc: Document, sentence: Sentence, noun: Trigger
    ) -> Event:
        """ "were killed in police firing": the act a verb names was carried out by whoever
        owns the event noun it absorbed."""
        if event.source is not None or noun.kind != "noun" or noun.type != event.type:
            return event
        assert doc.tokens is not None
        owner = noun_owner(doc.tokens, noun, doc.by_sentence("actors", sentence.index))
        where = event.place.country if event.place is not None else None
        source = self._actor(owner, doc, where)
        if source is None or (event.target is not None and source.span == event.target.span):
            return event
        return dataclasses.replace(event, source=source)

    def _actor(
        self, mention: ActorMention | None, doc: Document, where: str | None
    ) -> Actor | None:
        """An actor record; a generic actor ("police") takes the event's or article's country."""
        if mention is None:
            return None
        local = where if mention.kind == "generic" else None
        country = mention.country or local or doc.focus_country
        if mention.kind == "unknown":
            # kept as written, not coded to a guessed country; but an armed force no one
            # knows is a local one ("the Special Deterrence Force" in a Tripoli story)
            armed = mention.sector in {"MIL", "REB"}
            country = (where or doc.focus_country) if armed else None
        if mention.kind == "franchise" and doc.focus_country:
            country = doc.focus_country  # Islamic State in a Mozambique story: MOZ
        canonical, wikidata = mention.canonical, mention.wikidata
        if mention.kind == "generic" and country is not None:
            holder = self.offices.holder(mention.text, country, doc.article.published)
            if holder is not None:  # "the president" in a Ukraine story of 2025
                canonical, wikidata = holder
        return Actor(
            name=mention.text,
            canonical=canonical,
            country=country,
            sector=mention.sector,
            wikidata=wikidata,
            span=(mention.start_char, mention.end_char),
        )

    def _place(
        self,
        doc: Document,
        trigger: Trigger,
        sentence: Sentence,
        clause: Clause,
        source: Actor | None,
        target: Actor | None,
    ) -> Place | None:
        tokens = doc.tokens
        assert tokens is not None
        start, stop = clause
        verbal = trigger.type in _VERBAL
        places: list[PlaceMention] = [
            p
            for p in doc.by_sentence("places", sentence.index)
            if _place_fits(p, trigger, verbal)
            and (
                start <= p.start < stop
                or p.start < _first_clause(tokens, sentence)
                or (_where_clause(tokens, start) and start - 10 <= p.start < start)
            )
        ]
        if places:
            best = min(places, key=lambda p: (_distance(p, trigger), p.place.precision))
            specific = [
                p
                for p in places
                if p.place.precision < best.place.precision
                and p.place.country == best.place.country
            ]
            return (specific[0] if specific else best).place
        if _domestic(source, target):
            assert source is not None and source.country is not None
            country = self.knowledge.countries.get(source.country)
            if country is not None:
                return Place(country.name, None, None, None, country.iso3, None, 6, None)
        return None

    def _date(
        self,
        doc: Document,
        trigger: Trigger,
        sentence: Sentence,
        clause: Clause,
        mood: str,
        last_date: When | None,
        siblings: list[Trigger],
        context: list[Trigger],
    ) -> When | None:
        tokens = doc.tokens
        assert tokens is not None
        in_sentence: list[TimeMention] = doc.by_sentence("times", sentence.index)
        times: list[TimeMention] = []
        if in_sentence:
            start, stop = clause
            lead = _first_clause(tokens, sentence)
            times = [
                t
                for t in in_sentence
                if not _is_dateline(t, sentence) and (start <= t.start < stop or t.start < lead)
            ]
        if not times:  # the report's own time: "told Trump on Monday that he hoped..."
            times = [
                t for t in in_sentence if t.end <= trigger.start and not _is_dateline(t, sentence)
            ][-1:]
        # "declared a curfew, a day after he imposed ...": that phrase dates the later clause;
        # "last week's bombing" dates that background act
        times = [
            t
            for t in times
            if not _opens_later_clause(tokens, t, trigger)
            and not _dates_one_of(tokens, t, context)
            and not in_closed_relative(tokens, t.start, trigger, sentence)
        ]
        if mood in {"future", "hypothetical"}:
            # "On Monday the sides agreed to swap prisoners": the day is the agreement's
            times = [t for t in times if not _governed_elsewhere(t, trigger, siblings)]
        if times:
            nearest = min(times, key=lambda t: _distance(t, trigger))
            if nearest.when is not None:
                return nearest.when
            if nearest.relative is not None and last_date is not None:
                offset = nearest.relative
                if _inside_after_clause(tokens, nearest, trigger):
                    offset = -offset  # "X, a day after he imposed Y": Y was the day before
                day = last_date.start + timedelta(days=offset)
                return When(day, day, 1, (nearest.start_char, nearest.end_char))
        published = doc.article.published
        if published is None or mood in {"future", "hypothetical"}:
            return None
        return When(published, published, 1, None)

    def _mode(self, words: str) -> str | None:
        """The first mode with a word in the sentence (``words``: its lower-case words,
        space-padded)."""
        if not self.any_mode.search(words):
            return None  # one scan for the many sentences that name no mode at all
        for mode, padded in self.modes:
            if padded.search(words):
                return mode
        return None


def _hit_where(place: Place | None, source: Actor | None) -> Actor | None:
    """Whom an attack naming no victim hit, from where it happened: on foreign ground,
    that country ("struck a mall in Dnipro"); insurgents at home, the country's people
    ("gunmen stormed a TV studio in Guayaquil")."""
    if place is None or source is None:
        return None
    if place.country and place.country != source.country:
        sector = None
    elif source.sector == "REB" and source.country == place.country:
        sector = "CVL"
    else:
        return None
    return Actor(place.name, None, place.country, sector, None, place.span or (0, 0))


def _negative_term(head: Trigger, between: list[Token]) -> bool:
    """ "agreed that neither side would use force", "agreed not to attack": a promise to
    refrain is a term of the agreement, no event of its own."""
    if head.kind == "noun" or len(between) > 8:
        return False
    words = [t.lower_ for t in between]
    return ("that" in words or "to" in words) and not _NEGATIVE_TERMS.isdisjoint(words)


def _crowd(mention: ActorMention | None, crowds: frozenset[str]) -> bool:
    """ "Hundreds of protesters", "a mob": a crowd, named by its last word."""
    return mention is not None and mention.text.lower().rsplit(" ", 1)[-1] in crowds


def _acts_on_something(tokens: Tokens, trigger: Trigger, sentence: Sentence) -> bool:
    """ "protesters stormed the embassy": a verb the crowd does to something, not one done
    to the crowd ("died from gunfire", "killed last month", "shot by police")."""
    if trigger.kind == "noun" or trigger.end >= sentence.end:
        return False
    following = tokens.lower[trigger.end : min(trigger.end + 3, sentence.end)]
    return (
        tokens[trigger.end].is_alpha
        and following[0] not in _NOT_AN_OBJECT
        and "by" not in following
    )


def _unknown_addressee(tokens: Tokens, trigger: Trigger, sentence: Sentence) -> bool:
    """ "called on Western allies to send ...": the request names whom it asks, a party
    with no code; nobody else is meant."""
    if trigger.type != "REQUEST" or trigger.kind == "noun" or trigger.lemma not in _ASKING:
        return False
    words = tokens.lower[trigger.end : min(trigger.end + 7, sentence.end)]
    if "to" not in words:
        return False
    between = tokens[trigger.end : trigger.end + words.index("to")]
    return (
        bool(between)
        and all(t.is_alpha for t in between)
        and _THE_PARTIES.isdisjoint(t.lower_ for t in between)
    )


def _tells_of(
    tokens: Tokens, trigger: Trigger, context: list[Trigger], seen: list[Trigger]
) -> bool:
    """ "behind last month's attack on tourists that killed 26 people": a relative clause
    on a background event noun tells of that event, no new one."""
    if not context or trigger.start < 2 or tokens.lower[trigger.start - 1] not in _RELATIVE:
        return False
    if tokens.lower[trigger.start - 2] == "of":
        return False  # "attacks, one of which killed 14 people on Saturday": one told anew
    noun = context[-1]
    later = [t for t in seen if t.start > noun.start]
    return not later and 0 <= trigger.start - noun.end <= 8


def _own_tokens(trigger: Trigger) -> range:
    """The tokens that make a trigger what it is: a pair's verb, or all of a word/phrase."""
    if trigger.kind == "pair":
        return range(trigger.head, trigger.head + 1)
    return range(trigger.start, trigger.end)


def _after(tokens: Tokens, start: int, end: int, source: Actor | None) -> str:
    """The sentence from the trigger on, in lower case, without the source's own words
    ("were killed in police firing": the police fired, they were not hit)."""
    if source is None or source.span[1] <= tokens[start].idx:
        return tokens.words(start, end)  # no source, or it stands before the trigger
    low, high = source.span
    return " ".join(tokens.lower[i] for i in range(start, end) if not low <= tokens[i].idx < high)


def _distance(mention: PlaceMention | TimeMention, trigger: Trigger) -> int:
    if mention.end <= trigger.start:
        return trigger.start - mention.end
    return max(0, mention.start - trigger.end)


def _domestic(source: Actor | None, target: Actor | None) -> bool:
    """Both sides named in the text and of one country: a domestic event."""
    if source is None or target is None or not (source.canonical and target.canonical):
        return False
    return source.country is not None and source.country == target.country


def _other_party(actors: list[ActorMention], source: ActorMention | None) -> str | None:
    """The country of a named actor in the sentence other than the source's: the likely
    nationality of unnamed victims ("one of which killed 14 people" after "Kyiv's")."""
    if source is None or source.country is None or len(source.country) != 3:
        return None  # an organisation's "the authorities" are the story's, not a party's
    for m in actors:
        if m.kind in {"generic", "pronoun", "franchise"}:
            continue  # a franchise's country is the story's, not its home's
        if m.country and m.country != source.country:
            return m.country
    return None


def _holder(tokens: Tokens, actors: list[ActorMention], sentence: Sentence) -> str | None:
    """The country of a demonym in "Russian-held", "Israeli-occupied" in the sentence."""
    for m in actors:
        if (
            m.kind == "demonym"
            and m.end + 1 < sentence.end
            and tokens.texts[m.end] == "-"
            and tokens.lower[m.end + 1] in {"held", "occupied", "controlled", "annexed"}
        ):
            return m.country
    return None


def _place_fits(p: PlaceMention, trigger: Trigger, verbal: bool) -> bool:
    """A place tells where an event happened when a locative preposition introduces it,
    or, for an attack, it is the object ("shelled Kherson"). Statements, requests, aid
    and sanctions happen where the text says "in" or "at" ("speaking in Phnom Penh"),
    never where their target is ("suspended aid to Rwanda")."""
    if verbal:
        return p.prep in {"in", "at"}
    if p.prep is not None:
        return True
    return trigger.type in {"ASSAULT", "COERCE"} and trigger.end <= p.start <= trigger.end + 2


def _place_as_target(doc: Document, trigger: Trigger, sentence: Sentence) -> Actor | None:
    """ "attacked Klintsy": an attack on a named place targets that place's country."""
    if trigger.type not in {"ASSAULT", "COERCE"} or trigger.kind == "noun":
        return None
    for p in doc.by_sentence("places", sentence.index):
        if trigger.end <= p.start <= trigger.end + 2 and p.prep in {None, "on", "at"}:
            country = p.place.country
            return Actor(p.text, p.place.name, country, None, None, (p.start_char, p.end_char))
    return None


def _is_tally(doc: Document, trigger: Trigger) -> bool:
    """ "more than 100 attacks since mid-October": a running total, not one happening."""
    return any(
        q.end == trigger.end and q.quantity.unit == "attack" and q.quantity.value > 1
        for q in doc.quantities
    )


def _no_one(event: Event) -> bool:
    """No actor on either side, no count and nothing to place it: too little to code. A
    statement or measure needs someone who makes it, wherever it is placed ("flights were
    suspended at Vnukovo airport")."""
    if event.source is None and event.target is None and event.type in _VERBAL:
        return True
    return (
        event.source is None
        and event.target is None
        and event.fatalities is None
        and event.injured is None
        and not event.quantities
        and (event.place is None or event.place.precision >= 6)
    )


def _in_exchange(tokens: Tokens, trigger: Trigger, sentence: Sentence) -> bool:
    """ "Hamas will release 33 hostages in exchange for Palestinian prisoners": a release
    with its other half, which the other party makes."""
    if trigger.type != "CONCEDE" or trigger.mode != "release":
        return False
    words = " ".join(tokens.lower[trigger.end : min(trigger.end + 8, sentence.end)])
    return " in exchange for " in f" {words} " or " in return for " in f" {words} "


def _named_before(event: Event) -> bool:
    """The event's target stands before its trigger (a fallback, not its object)."""
    return (
        event.target is not None
        and event.trigger is not None
        and event.target.span[0] < event.trigger.start
    )


def _unnamed_target(event: Event) -> bool:
    return event.target is not None and event.target.canonical is None


def _mirror(event: Event) -> Event:
    """The other side of an exchange: "agreed to swap prisoners" is two releases."""
    return dataclasses.replace(
        event,
        id=_event_id(
            event.article_id,
            event.type + ":mirror",
            event.evidence.start if event.trigger is None else event.trigger.start,
        ),
        source=event.target,
        target=event.source,
    )


def _long_past(event: Event, doc: Document) -> bool:
    published = doc.article.published
    when = event.date
    if published is None or when is None or when.span is None:
        return False
    return (published - when.end).days > 365


def _target_from_referent(
    event: Event, absorbed: Trigger, earlier: list[Candidate], noun_char: int
) -> Event:
    """ "Qatar condemned the attack": the target is whoever carried out that attack. A verb
    ("threatened to strike Lebanon") names its own target: no earlier event is meant, nor
    does one when the target stands before the noun ("accused Azerbaijan of shelling")."""
    if absorbed.kind != "noun":
        return event
    head_end = event.trigger.end if event.trigger is not None else noun_char
    if event.target is not None and head_end <= event.target.span[0] < noun_char:
        return event
    for candidate in reversed(earlier):
        previous = candidate.event
        if previous.type != absorbed.type or previous.modality != "asserted":
            continue
        source = previous.source
        if source is not None and (event.source is None or source.country != event.source.country):
            return dataclasses.replace(event, target=source)
        return event
    return event


def _withdraws_forces(event: Event) -> bool:
    """A troop withdrawal is from the adversary or host (CONVENTIONS), an evacuation of
    civilians from no one."""
    source = event.source
    return (
        event.type == "RETREAT"
        and event.mode != "evacuation"
        and source is not None
        and source.sector in {"MIL", "REB"}
    )


def _a_place_of_its_own(current: PlaceMention) -> bool:
    """A coordinated place is a place of its own, not the area the one before lies in
    ("Olenya in the Murmansk region and Belaya" yes; "in Kherson and the region" no)."""
    return current.place.precision <= 4 and current.prep in {None, "at", "in", "on", "of"}


def _a_warning_not_a_threat(event: Event) -> bool:
    """ "The UN refugee agency warned that camps were overflowing": an aid agency or a
    rights group warns of harm; a party to a conflict threatens."""
    source = event.source
    return (
        event.type == "THREATEN"
        and source is not None
        and source.sector in {"IGO", "NGO"}
        and source.country is not None
    )


def _against_counterpart(event: Event, earlier: list[Candidate]) -> Event:
    """ "Naqvi warned that every provocation would get a befitting reply": a threat,
    rejection, demand or accusation naming no one is aimed at the party the speaker's
    side last dealt with in the article; an outsider's ("the UN mission called on all
    sides") at the parties to the last act told."""
    if event.source is None or event.source.country is None:
        return event
    own = event.source.country
    last_act: Actor | None = None
    for candidate in reversed(earlier):
        previous = candidate.event
        source, target = previous.source, previous.target
        if source is None or target is None or source.country is None:
            continue
        if source.country == own and target.country is not None:
            return dataclasses.replace(event, target=target)
        if target.country == own:
            return dataclasses.replace(event, target=source)
        if last_act is None and previous.type in _MATERIAL and target.country is not None:
            last_act = target
    if last_act is not None and len(own) != 3:  # an organisation, party to nothing
        return dataclasses.replace(event, target=last_act)
    return event


def _nearest(q: QuantityMention, triggers: list[Trigger], kind: str) -> Trigger | None:
    """The trigger of that type a count belongs to: the closest one in its sentence."""
    same = [t for t in triggers if t.type == kind]
    if not same:
        return None
    return min(same, key=lambda t: t.start - q.end if q.end <= t.start else max(0, q.start - t.end))


def _last_pair(actors: list[ActorMention], before: int) -> tuple[ActorMention, ActorMention] | None:
    """The last two named actors of different countries before token ``before``, in text
    order: who "the two sides" are."""
    named: list[ActorMention] = []
    for m in reversed(actors):
        if m.end > before or m.kind not in _NAMED or m.country is None or m.prep in _LOCATIVE:
            continue
        if named and m.country == named[0].country:
            continue
        named.insert(0, m)
        if len(named) == 2:
            return named[0], named[1]
    return None


def _in_relative_clause(
    tokens: Tokens, trigger: Trigger, seen: list[Trigger], sentence: Sentence
) -> bool:
    """ "the militants, who have lost ground to an army offensive": an event noun inside a
    relative clause that describes an actor, with no event verb of its own, is context."""
    for i in range(trigger.start - 1, max(sentence.start, trigger.start - 15) - 1, -1):
        if any(t.start <= i < t.end for t in seen):
            return False
        if (
            tokens.lower[i] in {"who", "whose"}
            and i > sentence.start
            and tokens.texts[i - 1] == ","
        ):
            return True
        if tokens.texts[i] in {";", ":"}:
            return False
    return False


def _reduced_relative(tokens: Tokens, trigger: Trigger, sentence: Sentence) -> bool:
    """ "sanctions on four companies accused of shipping Iranian oil": a participle right
    after a noun, its object gone, describes the noun; no one accuses anyone here."""
    i = trigger.head
    if trigger.kind != "verb" or i <= sentence.start or i + 1 >= sentence.end:
        return False
    if not tokens.lower[i].endswith("ed") or tokens.lower[i + 1] != "of":
        return False
    before = tokens[i - 1]
    return before.is_alpha and before.is_lower and before.lower_ not in _AUXILIARY_LIKE


def _inside_name(tokens: Tokens, trigger: Trigger, sentence: Sentence) -> bool:
    """ "the Rapid Support Forces": a capitalised trigger word between capitalised words
    mid-sentence is part of a name, not a verb or an event noun."""
    i = trigger.head
    if i <= sentence.start or not tokens[i].is_title or trigger.end - trigger.start > 1:
        return False
    words = [t for t in tokens.span(sentence.start, sentence.end) if t.is_alpha]
    if sum(t.is_title for t in words) * 10 >= len(words) * 7:
        return False  # a headline in title case: every word is capitalised
    before = tokens[i - 1]
    after = tokens[i + 1] if i + 1 < sentence.end else None
    return (before.is_title or before.is_upper) or (
        after is not None and (after.is_title or after.is_upper)
    )


def _opens_later_clause(tokens: Tokens, time: TimeMention, trigger: Trigger) -> bool:
    return (
        time.relative is not None
        and time.start >= trigger.end
        and tokens.lower[time.end - 1] in {"after", "before"}
    )


def _inside_after_clause(tokens: Tokens, time: TimeMention, trigger: Trigger) -> bool:
    """ "a day after he imposed a state of emergency": the trigger is the verb of the clause
    the time phrase introduces, not the main clause it dates."""
    if tokens.lower[time.end - 1] not in {"after", "before"} or trigger.start < time.end:
        return False
    between = tokens.texts[time.end : trigger.start]
    return len(between) <= 6 and not any(t in {",", ";"} for t in between)


def _stated_day(doc: Document, sentence: Sentence) -> When | None:
    """ "Macron said yesterday that ...": the last day a sentence states, the anchor for
    "hours before his announcement" in the next one."""
    days = [
        t.when
        for t in doc.by_sentence("times", sentence.index)
        if t.when is not None
        and t.when.precision == 1
        and t.when.span is not None
        and not _is_dateline(t, sentence)
    ]
    return days[-1] if days else None


def _dates_one_of(tokens: Tokens, time: TimeMention, context: list[Trigger]) -> bool:
    """The time stands right before or after a background act's noun: it is that act's,
    unless it says when the act told happened ("told reporters after Thursday's talks")."""
    if time.start > 0 and tokens.lower[time.start - 1] in _TEMPORAL_LINKS:
        return False
    return any(0 <= c.start - time.end <= 2 or 0 <= time.start - c.end <= 1 for c in context)


def _governed_elsewhere(time: TimeMention, trigger: Trigger, siblings: list[Trigger]) -> bool:
    """A time before this trigger, with another trigger before this one too, belongs to
    that one ("On Monday the sides agreed to swap", "agreed on Sunday to restore")."""
    return time.end <= trigger.start and any(
        s is not trigger and s.end <= trigger.start and (time.end <= s.start or s.end <= time.start)
        for s in siblings
    )


def _where_clause(tokens: Tokens, start: int) -> bool:
    """ "in Russia's Kursk area, where Moscow's forces...": the place is before "where"."""
    return start > 0 and tokens.lower[start - 1] == "where"


def _first_clause(tokens: Tokens, sentence: Sentence) -> int:
    """End of a sentence-initial adverbial ("On Thursday, ...", "In Kursk, ..."), else start."""
    for i in range(sentence.start, min(sentence.start + 12, sentence.end)):
        if tokens.texts[i] == ",":
            first = tokens.lower[sentence.start]
            return (
                i
                if first
                in {
                    "on",
                    "in",
                    "at",
                    "early",
                    "late",
                    "last",
                    "overnight",
                    "near",
                    "earlier",
                    "later",
                    "yesterday",
                }
                else sentence.start
            )
    return sentence.start


def _is_anaphoric(tokens: Tokens, trigger: Trigger, sentence: Sentence) -> bool:
    """ "the strike", "carried out the attack": a definite event noun restates an earlier one."""
    if trigger.kind == "noun":
        noun = trigger.start
    elif trigger.kind == "pair":
        noun = trigger.end - 1
    else:
        return False
    window = tokens[max(sentence.start, noun - 3) : noun]
    return any(t.lower_ in _DEFINITE for t in window)


def _is_dateline(time: TimeMention, sentence: Sentence) -> bool:
    """ "MAPUTO, March 29 —": the dateline restates publication, not an event's date."""
    head = sentence.text[: time.end_char - sentence.start_char + 4]
    return (
        sentence.index == 0
        and ("—" in head[-4:] or " - " in head[-4:])
        and (time.start_char - sentence.start_char < 40)
    )


def _estimate(quantities: list[QuantityMention], role: str) -> Estimate | None:
    counted = [
        q.quantity
        for q in quantities
        if q.quantity.role == role and q.quantity.qualifier != "vague"
    ]
    if not counted:
        return None
    lows = [q.value for q in counted]
    highs = [q.high or q.value for q in counted]
    claimants = [q.claimed_by for q in counted if q.claimed_by]
    return Estimate(low=min(lows), best=min(lows), high=max(highs), claimed_by=claimants)


def _confidence(
    trigger: Trigger, source: Actor | None, target: Actor | None, when: When | None
) -> float:
    score = 0.4
    score += 0.15 if trigger.kind in {"verb", "pair", "phrase"} else 0.05
    score += 0.15 if source is not None and source.country else 0.0
    score += 0.15 if target is not None and target.country else 0.0
    score += 0.1 if when is not None and when.span is not None else 0.0
    return round(min(score, 0.95), 2)


def _event_id(article_id: str, kind: str, trigger_start: int) -> str:
    key = f"{article_id}:{PIPELINE_VERSION}:{kind}:{trigger_start}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]
