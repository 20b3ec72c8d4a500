"""Actors: named and generic actor mentions, coded to country and sector.

Needs: tokens and sentences. Adds: ``actors`` (``ActorMention``), one per mention,
with pronouns resolved to the last compatible named actor.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from spacy.language import Language
from spacy.matcher import PhraseMatcher

from dotterel.document import ActorMention, Document, Sentence, Tokens
from dotterel.knowledge import ActorEntry, Knowledge

__all__ = ["ActorTagger", "governing_preposition"]

# Closed-class grammar, not world knowledge: which words can stand between a
# preposition and the head of its noun phrase.
PREPOSITIONS = frozenset(
    [
        "in",
        "at",
        "near",
        "outside",
        "inside",
        "on",
        "over",
        "above",
        "across",
        "into",
        "onto",
        "to",
        "from",
        "with",
        "against",
        "by",
        "of",
        "for",
        "toward",
        "towards",
        "around",
        "within",
        "along",
        "between",
        "among",
        "upon",
        "after",
        "before",
        "behind",
        "under",
        "through",
        "throughout",
        "beyond",
        "via",
        "during",
        "amid",
        "despite",
    ]
)
DETERMINERS = frozenset(
    [
        "the",
        "a",
        "an",
        "its",
        "their",
        "his",
        "her",
        "our",
        "your",
        "this",
        "these",
        "those",
        "'s",
        "’s",
        "'",
        "any",
        "all",
        "some",
    ]
)
PERSONAL = {"he": "person", "she": "person", "him": "person", "his": "person", "her": "person"}
IMPERSONAL = {"it": "other", "its": "other"}
PLURAL = {"they": "any", "them": "any", "their": "any"}
_PRONOUNS = frozenset([*PERSONAL, *IMPERSONAL, *PLURAL])
# Words after a demonym that make it a description of a place, not an actor.
LOCATIVE_NOUNS = frozenset(
    [
        "city",
        "town",
        "village",
        "soil",
        "territory",
        "airspace",
        "border",
        "region",
        "province",
        "side",
        "waters",
        "capital",
        "port",
        "coast",
        "island",
        "islands",
        "part",
        "parts",
        "regions",
        "oblast",
        "district",
        "state",
    ]
)
ROLE_WORDS = frozenset(
    [
        "president",
        "prime",
        "minister",
        "premier",
        "chancellor",
        "king",
        "queen",
        "emir",
        "leader",
        "foreign",
        "defence",
        "defense",
        "interior",
        "secretary",
        "general",
        "spokesman",
        "spokeswoman",
        "ambassador",
        "envoy",
        "commander",
        "chief",
        "minister",
        "of",
        "state",
        "house",
        "speaker",
        "crown",
        "prince",
        "sheikh",
        "supreme",
    ]
)
NOT_STANDALONE = frozenset(
    [
        "office",
        "mission",
        "group",
        "units",
        "unit",
        "patrol",
        "drones",
        "missiles",
        "artillery",
        "secretary",
        "general",
        "officer",
        "warplanes",
        "jets",
        "fleet",
        "presidency",
        "authority",
        "delegation",
        "delegations",
    ]
)


def governing_preposition(tokens: Tokens, start: int, floor: int) -> str | None:
    """The preposition heading the noun phrase that starts at ``start``, if any."""
    i = start - 1
    steps = 0
    while i >= floor and steps < 4:
        word = tokens.lower[i]
        if word in PREPOSITIONS:
            if word == "to" and i - 1 >= floor and tokens.lower[i - 1] == "according":
                return "according to"
            return word
        if word in {"'s", "’s"}:  # "in Russia's Kursk area": step over the owner
            i -= 1
            while i >= floor and tokens[i].is_title and steps < 4:
                i -= 1
                steps += 1
            continue
        if word in _CLAUSE_OPENERS:
            return None  # "on tuesday when police opened fire": a new clause, no phrase
        if word in DETERMINERS or (_adjective_like(tokens, i, floor) and steps < 2):
            i -= 1
            steps += 1
            continue
        return None
    return None


_CLAUSE_OPENERS = frozenset(
    ["when", "while", "where", "whereas", "because", "if", "as", "that", "who", "which",
     "but", "then"]
)  # fmt: skip


def _adjective_like(tokens: Tokens, i: int, floor: int) -> bool:
    """A lower-case word that can sit inside a noun phrase ("the northern town"); an -ed
    word only right after a determiner ("the besieged city"), else it is a verb."""
    token = tokens[i]
    if not (token.is_alpha and token.is_lower):
        return False
    if token.lower_.endswith("ed"):
        return i > floor and tokens.lower[i - 1] in DETERMINERS
    return True


class ActorTagger:
    """Matches the knowledge base's actor names and the sector words around them."""

    name = "actors"

    def __init__(self, knowledge: Knowledge, nlp: Language) -> None:
        self.sectors = knowledge.sectors
        self.entries: dict[str, list[ActorEntry]] = {}
        for entry in knowledge.actors:
            self.entries.setdefault(entry.text, []).append(entry)
            if entry.text.endswith(".") and len(entry.text) > 2:  # "U.S." is also written "U.S"
                self.entries.setdefault(entry.text[:-1], []).append(entry)
            if entry.text[:1].islower():  # "al-Shabaab" opens a sentence as "Al-Shabaab"
                self.entries.setdefault(entry.text[:1].upper() + entry.text[1:], []).append(entry)
        self.names = PhraseMatcher(nlp.vocab, attr="ORTH")
        for text in self.entries:
            self.names.add(text, [nlp.make_doc(text)])
        self.verb_forms = {f for forms in knowledge.irregular_verbs.values() for f in forms}
        # Event nouns: "police firing", "army shelling" name who acted, not a kind of thing.
        self.act_nouns = frozenset(
            e.form for e in knowledge.triggers if e.kind == "noun" and " " not in e.form
        )
        self.org_heads = knowledge.org_heads
        self.sector_words = PhraseMatcher(nlp.vocab, attr="LOWER")
        for word in self.sectors:
            self.sector_words.add(word, [nlp.make_doc(word)])

    def __call__(self, doc: Document) -> Document:
        tokens = doc.tokens
        if tokens is None:
            raise ValueError("actors needs the segment stage first")
        sector_spans = self._sector_spans(tokens)
        mentions: list[ActorMention] = []
        for sentence in doc.sentences:
            mentions.extend(self._sentence_mentions(tokens, sentence, sector_spans, doc))
        mentions.sort(key=lambda m: m.start)
        mentions = [m for m in mentions if not _mediator(tokens, m)]
        mentions = _national_titles(tokens, mentions)
        mentions.extend(_surnames(tokens, doc.sentences, mentions))
        mentions.extend(_aliases(tokens, doc.sentences, mentions))
        mentions.sort(key=lambda m: m.start)
        mentions = _possessed(tokens, mentions)
        doc.actors = _resolve_pronouns(tokens, doc.sentences, mentions)
        doc.focus_country = _focus_country(doc.actors)
        return doc

    # -- matching -------------------------------------------------------------

    def _sector_spans(self, tokens: Tokens) -> dict[int, tuple[int, str]]:
        """Start token -> (end token, sector) for the longest sector phrase there."""
        spans: dict[int, tuple[int, str]] = {}
        for match_id, start, end in self.sector_words(tokens.doc):
            word = tokens.vocab.strings[match_id]
            if start not in spans or end > spans[start][0]:
                spans[start] = (end, self.sectors[word])
        return spans

    def _named(self, tokens: Tokens, sentence: Sentence) -> list[tuple[int, int, ActorEntry]]:
        found = []
        for match_id, start, end in tokens.phrase_matches(self.names, sentence.start, sentence.end):
            if _inside_compound(tokens, start):
                continue  # "PORT-AU-PRINCE" holds no African Union
            text = tokens.vocab.strings[match_id]
            found.append((start, end, self._pick(text)))  # PhraseMatcher gives Doc offsets
        found.sort(key=lambda m: (m[0], -(m[1] - m[0])))
        kept: list[tuple[int, int, ActorEntry]] = []
        last_end = -1
        for start, end, entry in found:
            if start >= last_end:
                kept.append((start, end, entry))
                last_end = end
        return kept

    def _pick(self, text: str) -> ActorEntry:
        """One entry for a name shared by several: people and groups before countries."""
        entries = self.entries[text]
        if len(entries) == 1:
            return entries[0]
        return min(entries, key=lambda e: _PICK_ORDER.get(e.kind, 5))

    def _sentence_mentions(
        self,
        tokens: Tokens,
        sentence: Sentence,
        sector_spans: dict[int, tuple[int, str]],
        doc: Document,
    ) -> list[ActorMention]:
        mentions: list[ActorMention] = []
        covered: set[int] = set()
        for start, end, entry in self._named(tokens, sentence):
            mention = self._named_mention(tokens, sentence, start, end, entry, sector_spans)
            if mention is None:
                continue
            if mentions and (
                mention.start < mentions[-1].end or _owned_group(tokens, mentions[-1], mention)
            ):
                mentions[-1] = _union(tokens, mentions[-1], mention)
            else:
                mentions.append(mention)
            covered.update(range(mentions[-1].start, mentions[-1].end))
        mentions.extend(self._role_people(tokens, sentence, covered))
        covered.update(i for m in mentions for i in range(m.start, m.end))
        mentions.extend(self._unknown_bodies(tokens, sentence, covered))
        covered.update(i for m in mentions for i in range(m.start, m.end))
        named_at = {m.start: m for m in mentions}
        generic = self._generic(tokens, sentence, sector_spans, covered, named_at)
        absorbed = {m.start for g in generic for m in mentions if g.start < m.start < g.end}
        return [m for m in mentions if m.start not in absorbed] + generic

    def _named_mention(
        self,
        tokens: Tokens,
        sentence: Sentence,
        start: int,
        end: int,
        entry: ActorEntry,
        sector_spans: dict[int, tuple[int, str]],
    ) -> ActorMention | None:
        sector = entry.sector
        stop = sentence.end
        if entry.kind in {"group", "franchise"}:
            hit = _sector_after(tokens, end, stop, sector_spans, possessive=False)
            if hit is not None and hit[1] in {"REB", "MIL"}:
                end = _extend_group(tokens, hit[0], stop, sector_spans)
        if (
            entry.kind == "demonym"
            and start > sentence.start
            and tokens.lower[start - 1] in (_DIASPORA)
        ):
            entry = replace(entry, country=None)  # "ethnic Albanians" in North Macedonia
        if entry.kind in {"country", "demonym", "metonym"} and _inside_name(
            tokens, start, sentence.start
        ):
            return None  # "Volker Turk", "Jordan Peterson": part of a person's name
        if entry.kind in {"country", "demonym", "metonym", "organisation"}:
            j = end
            if j < stop and tokens.texts[j] in {"'s", "’s", "'"}:
                j += 1
            if (
                entry.kind == "demonym"
                and j < stop
                and tokens.lower[j] in LOCATIVE_NOUNS
                and j not in sector_spans  # "Chinese coast guard", "Iranian border guards"
            ):
                # "Pakistani border posts", "Russian soil": the country's territory, which
                # can be attacked (a target) but does not act (never a source).
                entry = replace(entry, kind="territory")
            hit = _sector_after(tokens, j, stop, sector_spans, possessive=j > end)
            if hit is not None:
                end, sector = hit
                end = _name_after_title(tokens, end, stop)
        if entry.kind == "person":
            start = _role_prefix(tokens, start, sentence.start)
        return self._mention(tokens, sentence, start, end, entry, sector)

    def _mention(
        self,
        tokens: Tokens,
        sentence: Sentence,
        start: int,
        end: int,
        entry: ActorEntry,
        sector: str | None,
    ) -> ActorMention:
        span = tokens.chars(start, end)
        return ActorMention(
            start=start,
            end=end,
            start_char=span.start_char,
            end_char=span.end_char,
            text=span.text,
            canonical=entry.canonical,
            country=entry.country,
            sector=sector,
            wikidata=entry.wikidata,
            kind=entry.kind,
            sentence=sentence.index,
            prep=governing_preposition(tokens, start, sentence.start),
        )

    def _role_people(
        self, tokens: Tokens, sentence: Sentence, covered: set[int]
    ) -> list[ActorMention]:
        """Unknown people named after a capitalised title: "President Daniel Noboa"."""
        found: list[ActorMention] = []
        i = sentence.start
        while i < sentence.end:
            if i in covered or tokens.lower[i] not in ROLE_WORDS or not tokens[i].is_title:
                i += 1
                continue
            j = i
            while j < sentence.end and tokens.lower[j] in ROLE_WORDS and tokens[j].is_title:
                j += 1
            k = j
            while k < sentence.end and tokens[k].is_title and k not in covered:
                k += 1
            if k - j >= 2 and tokens.lower[j - 1] in ROLE_WORDS:
                entry = ActorEntry(
                    tokens.chars(j, k).text, tokens.chars(j, k).text, None, "GOV", None, "person"
                )
                found.append(self._mention(tokens, sentence, i, k, entry, "GOV"))
                covered.update(range(i, k))
            i = max(k, i + 1)
        return found

    def _unknown_bodies(
        self, tokens: Tokens, sentence: Sentence, covered: set[int]
    ) -> list[ActorMention]:
        """ "the Emergency Medicine Centre": capitalised words ending in an organisation's
        head word, unknown to the knowledge base, kept as written with no country code."""
        found: list[ActorMention] = []
        for i in range(sentence.start + 1, sentence.end):
            sector = self.org_heads.get(tokens.texts[i])
            if sector is None or i in covered or not tokens[i].is_title:
                continue
            j = i
            while j - 1 > sentence.start and tokens[j - 1].is_title and j - 1 not in covered:
                j -= 1
            if j == i or tokens.lower[j - 1] not in {"the", "a", "an", "'s", "’s", "by", "of"}:
                continue  # one word alone, or a name inside a longer known one
            entry = ActorEntry(
                tokens.chars(j, i + 1).text,
                tokens.chars(j, i + 1).text,
                None,
                sector,
                None,
                "unknown",
            )
            found.append(self._mention(tokens, sentence, j, i + 1, entry, sector))
            covered.update(range(j, i + 1))
        return found

    def _of_country(
        self,
        tokens: Tokens,
        mention: ActorMention,
        sentence: Sentence,
        named_at: dict[int, ActorMention],
    ) -> ActorMention:
        """ "the emir of Qatar", "the army of Niger": the country after "of" is the actor's."""
        j = mention.end
        if j + 1 < sentence.end and tokens.lower[j] == "of" and j + 1 in named_at:
            owner = named_at[j + 1]
            if owner.kind in {"country", "metonym"} and owner.country:
                span = tokens.chars(mention.start, owner.end)
                return replace(
                    mention,
                    end=owner.end,
                    end_char=span.end_char,
                    text=span.text,
                    canonical=owner.canonical,
                    country=owner.country,
                )
        return mention

    def _modifies_noun(self, tokens: Tokens, end: int, stop: int) -> bool:
        """The sector word is an adjective when a plain noun follows it."""
        if end >= stop:
            return False
        nxt = tokens[end]
        if not (nxt.is_alpha and nxt.is_lower):
            return False
        word = nxt.lower_
        if word.endswith("ed") or word in self.verb_forms or word in PREPOSITIONS:
            return False
        if word in self.act_nouns:
            return False
        return word not in _VERBISH and word not in _FOLLOWERS and word not in self.sectors

    def _generic(
        self,
        tokens: Tokens,
        sentence: Sentence,
        sector_spans: dict[int, tuple[int, str]],
        covered: set[int],
        named_at: dict[int, ActorMention],
    ) -> list[ActorMention]:
        """Sector words standing alone: "the junta", "police", "gunmen"."""
        found: list[ActorMention] = []
        for start in range(sentence.start, sentence.end):
            if start not in sector_spans or start in covered:
                continue
            end, sector = sector_spans[start]
            if end > sentence.end or any(i in covered for i in range(start, end)):
                continue
            word = tokens.chars(start, end).text.lower()
            if word in NOT_STANDALONE or (tokens[start].is_title and start > sentence.start):
                continue
            if self._modifies_noun(tokens, end, sentence.end):
                continue  # "military assistance", "police reinforcements": not an actor
            entry = ActorEntry(tokens.chars(start, end).text, None, None, sector, None, "generic")
            mention = self._mention(tokens, sentence, start, end, entry, sector)
            found.append(self._of_country(tokens, mention, sentence, named_at))
            covered.update(range(start, found[-1].end))
        return found


# Words that may follow an actor noun without making it an adjective.
_FOLLOWERS = frozenset(
    [
        "who",
        "which",
        "that",
        "also",
        "later",
        "then",
        "reportedly",
        "allegedly",
        "had",
        "has",
        "have",
        "were",
        "was",
        "are",
        "is",
        "would",
        "will",
        "could",
        "said",
        "says",
        "say",
        "told",
        "claimed",
        "began",
        "started",
        "continued",
    ]
)
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
        "does",
        "do",
        "can",
        "could",
        "may",
        "might",
        "must",
        "shall",
        "should",
        "and",
        "or",
        "but",
    ]
)


def _sector_after(
    tokens: Tokens,
    j: int,
    stop: int,
    sector_spans: dict[int, tuple[int, str]],
    possessive: bool,
) -> tuple[int, str] | None:
    """A sector phrase at ``j`` or after up to two modifiers: "Russia's Defence Ministry".

    Modifiers are capitalised ("SBU", "Defence"), or any adjective after a possessive
    ("Kyiv's elite troops"); a verb or preposition ends the search.
    """
    for k in range(j, min(j + 3, stop)):
        if k in sector_spans and sector_spans[k][0] <= stop:
            return sector_spans[k]
        word = tokens[k]
        if not word.is_alpha or word.lower_ in PREPOSITIONS or word.lower_ in _VERBISH:
            return None
        if not (word.is_title or word.is_upper or possessive):
            return None
    return None


_DIASPORA = frozenset(["ethnic", "diaspora"])
# Which entry a name shared by several stands for: people and groups before countries.
_PICK_ORDER = {
    "person": 0,
    "group": 1,
    "franchise": 1,
    "organisation": 2,
    "country": 3,
    "metonym": 4,
}
_NAME_PARTICLES = frozenset(
    [
        "da",
        "de",
        "del",
        "della",
        "di",
        "do",
        "dos",
        "das",
        "du",
        "al",
        "el",
        "la",
        "van",
        "von",
        "bin",
        "ibn",
        "abu",
    ]
)


def _inside_name(tokens: Tokens, start: int, floor: int) -> bool:
    """Part of a longer proper name: after a given name ("Volker Turk") or a name
    particle ("Mocimboa da Praia"), a country or capital names no actor."""
    if start <= floor:
        return False
    before = tokens[start - 1]
    if before.lower_ in _NAME_PARTICLES and start - 2 >= floor:
        return tokens[start - 2].is_title and tokens[start - 2].is_alpha
    if not (before.is_title and before.is_alpha) or start - 1 == floor:
        return False
    return before.lower_ not in ROLE_WORDS and before.lower_ not in DETERMINERS


def _owned_group(tokens: Tokens, owner: ActorMention, group: ActorMention) -> bool:
    """ "Sudan's paramilitary Rapid Support Forces", "Russia's notorious Wagner group":
    a country's possessive and up to two lower-case modifiers before a named armed group
    are all one mention, the group's."""
    if owner.kind not in {"country", "metonym"} or group.kind not in {"group", "franchise"}:
        return False
    mark = next(
        (j for j in range(owner.start, group.start) if tokens.texts[j] in {"'s", "’s"}), None
    )  # "Somalia's militant" may already be one mention, a sector word taken in
    if mark is None or mark > owner.end or owner.end > group.start:
        return False
    between = tokens.lower[max(owner.end, mark + 1) : group.start]
    return len(between) <= 2 and all(
        word.isalpha() and word.islower() and word not in PREPOSITIONS and word not in _VERBISH
        for word in between
    )


def _union(tokens: Tokens, a: ActorMention, b: ActorMention) -> ActorMention:
    """Two mentions of one actor that grew into each other ("US President" + "President
    Joe Biden"): one mention over both, coded as the more specific (a person or group)."""
    specific, other = (b, a) if b.kind in {"person", "group", "franchise"} else (a, b)
    start, end = min(a.start, b.start), max(a.end, b.end)
    span = tokens.chars(start, end)
    return replace(
        specific,
        start=start,
        end=end,
        start_char=span.start_char,
        end_char=span.end_char,
        text=span.text,
        country=specific.country or other.country,
        sector=specific.sector or other.sector,
        prep=a.prep if a.start <= b.start else b.prep,
    )


def _extend_group(
    tokens: Tokens, end: int, stop: int, sector_spans: dict[int, tuple[int, str]]
) -> int:
    """ "al-Shabaab militant group": take a second sector word too."""
    if end < stop and end in sector_spans and sector_spans[end][1] in {"REB", "MIL"}:
        return sector_spans[end][0]
    return end


def _name_after_title(tokens: Tokens, end: int, stop: int) -> int:
    """A title followed by a name takes the name: "British Prime Minister Keir Starmer"."""
    if tokens.lower[end - 1] not in ROLE_WORDS:
        return end
    k = end
    while k < stop and tokens[k].is_title and tokens[k].is_alpha:
        k += 1
    return k if k - end >= 2 else end


def _role_prefix(tokens: Tokens, start: int, floor: int) -> int:
    """Extend a person mention left over its title: "British Prime Minister Keir Starmer"."""
    i = start
    while i - 1 >= floor and tokens[i - 1].is_title and tokens.lower[i - 1] in ROLE_WORDS:
        i -= 1
    return i


_ALIAS_CUES = (("known", "as"), ("known", "locally", "as"), ("locally", "known", "as"),
               ("also", "known", "as"), ("also", "called"))  # fmt: skip
_ALIAS_FIRST = frozenset(cue[0] for cue in _ALIAS_CUES)


def _aliases(
    tokens: Tokens, sentences: list[Sentence], mentions: list[ActorMention]
) -> list[ActorMention]:
    """ "the Special Deterrence Force, known as Rada": the alias names the same actor,
    there and wherever the article uses it again."""
    by_end = {m.end: m for m in mentions}
    taken = {i for m in mentions for i in range(m.start, m.end)}
    names: dict[tuple[str, ...], ActorMention] = {}
    for sentence in sentences:
        for i in range(sentence.start + 1, sentence.end):
            if tokens.lower[i] not in _ALIAS_FIRST:
                continue  # no cue starts here
            cue = next((c for c in _ALIAS_CUES if tuple(tokens.lower[i : i + len(c)]) == c), None)
            if cue is None:
                continue
            before = i - 1 if tokens.texts[i - 1] == "," else i
            owner = by_end.get(before)
            j = k = i + len(cue)
            while k < sentence.end and tokens[k].is_title and k not in taken:
                k += 1
            if owner is not None and k > j and owner.kind not in {"pronoun", "person"}:
                names.setdefault(tuple(tokens.texts[j:k]), owner)
    for m in mentions:  # "Bangladesh Nationalist Party" ... "the BNP"
        initials = _initials(tokens, m)
        if initials is not None and m.kind in {"organisation", "group", "unknown"}:
            names.setdefault((initials,), m)
    found: list[ActorMention] = []
    firsts = {words[0] for words in names}
    for sentence in sentences:
        for i in range(sentence.start, sentence.end):
            if tokens.texts[i] not in firsts:
                continue  # no alias starts here
            for words, owner in names.items():
                end = i + len(words)
                if tuple(tokens.texts[i:end]) != words or any(k in taken for k in range(i, end)):
                    continue
                found.append(_named_again(owner, tokens, i, end, sentence))
                taken.update(range(i, end))
    return found


_PREFIXES = frozenset(["anti", "pro", "non", "ex", "post", "pre", "mid", "trans"])


def _inside_compound(tokens: Tokens, start: int) -> bool:
    """A name glued to a word before it by a hyphen ("PORT-AU-PRINCE"), other than a
    prefix ("anti-US")."""
    if start < 2 or tokens.texts[start - 1] != "-" or tokens[start - 2].whitespace_:
        return False
    if tokens[start - 1].whitespace_:
        return False
    return tokens.lower[start - 2] not in _PREFIXES


# "UAE-mediated", "Qatari-brokered": a go-between is no party to the act (CONVENTIONS).
_MEDIATING = frozenset(["mediated", "brokered", "hosted", "sponsored", "facilitated"])


def _mediator(tokens: Tokens, mention: ActorMention) -> bool:
    end = mention.end
    return (
        end + 1 < len(tokens) and tokens.texts[end] == "-" and tokens.lower[end + 1] in _MEDIATING
    )


def _initials(tokens: Tokens, mention: ActorMention) -> str | None:
    """The acronym of a name of three or more capitalised words ("BNP"), if any."""
    if mention.end - mention.start < 3:
        return None  # fewer than three words
    words = [t for t in tokens[mention.start : mention.end] if t.is_alpha]
    if len(words) < 3 or not all(t.is_title for t in words):
        return None
    return "".join(t.text[0] for t in words)


def _national_titles(tokens: Tokens, mentions: list[ActorMention]) -> list[ActorMention]:
    """ "US House Speaker Nancy Pelosi", "Sudan's Foreign Minister Ali Youssef": a person
    not in the knowledge base, titled right after a country, is that country's."""
    out: list[ActorMention] = []
    for m in mentions:
        previous = out[-1] if out else None
        if (
            m.kind == "person"
            and m.country is None
            and previous is not None
            and previous.kind in {"country", "demonym"}
            and previous.country is not None
            and m.start - previous.end <= 1
            and (m.start == previous.end or tokens.texts[previous.end] in {"'s", "’s"})
        ):
            m = replace(m, country=previous.country)
        out.append(m)
    return out


def _named_again(
    actor: ActorMention, tokens: Tokens, start: int, end: int, sentence: Sentence
) -> ActorMention:
    """``actor`` mentioned again at tokens ``start:end`` (a surname, an alias, a pronoun)."""
    span = tokens.chars(start, end)
    return replace(
        actor,
        start=start,
        end=end,
        start_char=span.start_char,
        end_char=span.end_char,
        text=span.text,
        sentence=sentence.index,
        prep=governing_preposition(tokens, start, sentence.start),
    )


def _surnames(
    tokens: Tokens, sentences: list[Sentence], mentions: list[ActorMention]
) -> list[ActorMention]:
    """Later bare surnames of people named in full: "President Hassan Sheikh Mohamud" ...
    "Mohamud vowed"."""
    people: dict[str, ActorMention] = {}
    for m in mentions:
        if m.kind == "person" and m.end - m.start >= 2 and tokens[m.end - 1].is_title:
            people.setdefault(tokens.texts[m.end - 1], m)
    taken = {i for m in mentions for i in range(m.start, m.end)}
    found: list[ActorMention] = []
    for sentence in sentences:
        for i in range(sentence.start, sentence.end):
            person = people.get(tokens.texts[i])
            if person is None or i in taken or i < person.end:
                continue
            found.append(_named_again(person, tokens, i, i + 1, sentence))
    return found


def _resolve_pronouns(
    tokens: Tokens, sentences: list[Sentence], mentions: list[ActorMention]
) -> list[ActorMention]:
    """Add pronoun mentions, each coded as the last compatible named actor before it."""
    starts = {m.start for m in mentions}
    named = [m for m in mentions if m.country or m.kind == "generic"]
    resolved: list[ActorMention] = list(mentions)
    for sentence in sentences:
        for i in range(sentence.start, sentence.end):
            word = tokens.lower[i]
            if word not in _PRONOUNS:
                continue
            wants = PERSONAL.get(word) or IMPERSONAL.get(word) or PLURAL.get(word)
            if wants is None or i in starts:
                continue
            if word in {"his", "her", "its", "their"} and _modifies_actor(i, starts, tokens):
                continue
            antecedent = _antecedent(named, i, wants, sentence.index, _reports(tokens, i))
            if antecedent is None:
                continue
            again = _named_again(antecedent, tokens, i, i + 1, sentence)
            resolved.append(replace(again, kind="pronoun"))
    resolved.sort(key=lambda m: m.start)
    return resolved


def _modifies_actor(i: int, starts: set[int], tokens: Tokens) -> bool:
    """A possessive pronoun before an actor mention is part of it: "his European partners"."""
    return any(j in starts for j in range(i + 1, min(i + 3, len(tokens))))


def _reports(tokens: Tokens, i: int) -> int | None:
    """ "Brazil's army said last week that it had sent": where the verb of saying is that
    a pronoun soon follows, with no punctuation between."""
    for k in range(i - 1, max(-1, i - 5), -1):
        if tokens.lower[k] in _SAYING:
            return k
        if tokens[k].is_punct:
            return None
    return None


def _antecedent(
    named: list[ActorMention], before: int, wants: str, sentence: int, saying: int | None = None
) -> ActorMention | None:
    """The sentence's first compatible actor outside a prepositional phrase (its subject:
    "Starmer told Trump that he hoped" is Starmer), else the last one before. After a
    verb of saying, the nearest such actor: the speaker ("US and Guyanese forces held
    exercises, and Brazil's army said it had sent ...") when it stands right before
    that verb (``saying``)."""
    here = [
        m
        for m in named
        if m.sentence == sentence and m.start < before and m.prep is None and _fits(m, wants)
    ]
    speaker = [m for m in here if saying is not None and saying - 2 <= m.end <= saying]
    if speaker:
        return speaker[-1]
    if here:
        return here[0]
    previous = [
        m for m in named if m.sentence == sentence - 1 and m.prep is None and _fits(m, wants)
    ]
    if previous and not any(m.sentence == sentence and m.start < before for m in named):
        return previous[0]  # "Xi met Putin. He praised...": the last sentence's subject
    for mention in reversed(named):
        if mention.start >= before or mention.sentence < sentence - 1:
            continue
        if _fits(mention, wants):
            return mention
    return None


def _fits(mention: ActorMention, wants: str) -> bool:
    if wants == "person":
        return mention.kind == "person"
    if wants == "other":
        return mention.kind != "person"
    return True


def _focus_country(mentions: list[ActorMention]) -> str | None:
    """The country the article is mostly about: the most-mentioned, first-mentioned on ties."""
    counts = Counter(m.country for m in mentions if m.country and len(m.country) == 3)
    if not counts:
        return None
    best = max(counts.values())
    for mention in mentions:
        if mention.country and counts.get(mention.country) == best:
            return mention.country
    return None


_POSSESSIVE_PRONOUNS = frozenset({"its", "their"})
_SAYING = frozenset({"said", "says", "say", "claimed", "claims", "announced", "added", "stated"})
# "... said its forces ...": the speaker owns what it reports on.
_REPORTING = frozenset({"said", "says", "say", "claimed", "claims", "announced", "that"})
_COUNT_WORDS = frozenset(
    {"some", "many", "several", "dozens", "hundreds", "thousands", "scores", "all", "most"}
)


def _reported(tokens: Tokens, i: int) -> bool:
    """A reporting word at ``i``, or before a count of the owner's ("said two of its
    soldiers", "said dozens of their fighters")."""
    if tokens.lower[i] == "of" and i >= 2:
        k = i - 1
        if tokens.lower[k] in _COUNT_WORDS or tokens[k].like_num:
            k -= 1
            if k >= 1 and tokens.lower[k] == "least" and tokens.lower[k - 1] == "at":
                k -= 2
            i = k
    return i >= 0 and tokens.lower[i] in _REPORTING


def _possessed(tokens: Tokens, mentions: list[ActorMention]) -> list[ActorMention]:
    """ "Russia's defence ministry said its forces struck ...": a sector word after "said
    its" or "that their" belongs to the nearest named actor before it (same sentence or
    the one before), the speaker."""
    out: list[ActorMention] = []
    for m in mentions:
        if (
            m.kind == "generic"
            and m.country is None
            and m.start > 1
            and tokens.lower[m.start - 1] in _POSSESSIVE_PRONOUNS
            and _reported(tokens, m.start - 2)
        ):
            owner = next(
                (
                    o
                    for o in reversed(out)
                    if o.country is not None
                    and o.kind != "pronoun"
                    and m.sentence - o.sentence <= 1
                ),
                None,
            )
            if owner is not None:  # "Hezbollah said its fighters": Hezbollah's, by name
                m = replace(
                    m, country=owner.country, canonical=owner.canonical, wikidata=owner.wikidata
                )
        out.append(m)
    return out
