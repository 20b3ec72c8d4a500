"""The document the pipeline stages annotate, one layer per stage.

A ``Document`` starts with an ``Article``; ``segment`` adds tokens and sentences,
``actors`` adds actor mentions, ``places`` place mentions, ``times`` time mentions,
``quantities`` counts and attributions, and ``events`` the coded events.
Mentions carry token indices (for the stages) and character offsets (for users).
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span, Token

from dotterel.records import Article, Attribution, Event, Place, Quantity, When

__all__ = [
    "ActorMention",
    "AttributionMention",
    "CharSpan",
    "Document",
    "PlaceMention",
    "QuantityMention",
    "Sentence",
    "TimeMention",
    "Tokens",
]


class CharSpan(NamedTuple):
    """Where a token range lies in the article text, and its text."""

    start_char: int
    end_char: int
    text: str


class Tokens(list[Token]):
    """The article's tokens as a plain list, with the spaCy ``Doc`` they come from.

    ``doc[i]`` makes a new Token object on every call, and the stages look at tokens
    millions of times per thousand articles; this list is made once. ``tokens[i]`` is a
    Token, ``tokens[a:b]`` a list of them; ``span(a, b)`` is the spaCy Span, ``text(a, b)``
    its text without making one; ``texts`` and ``lower`` hold every token's text and its
    lower-case form.
    """

    def __init__(self, doc: Doc, text: str | None = None) -> None:
        """``text`` is the string ``doc`` was made from (``Doc.text`` rebuilds it on every
        call); pass it when you have it."""
        super().__init__(doc)
        self.doc = doc
        self._text = doc.text if text is None else text
        self.texts: list[str] = [t.text for t in self]
        self.lower: list[str] = list(map(str.lower, self.texts))
        # Each token's first character in the text, read in one pass over the Doc's C
        # array rather than one ``Token.idx`` call per look-up.
        self.starts: list[int] = doc.to_array("IDX").tolist() if len(doc) else []
        self._phrases: dict[PhraseMatcher, tuple[list[int], list[tuple[int, int, int]]]] = {}

    @property
    def vocab(self) -> Any:
        return self.doc.vocab

    def span(self, start: int, end: int) -> Span:
        return self.doc[start:end]

    def phrase_matches(
        self, matcher: PhraseMatcher, start: int, end: int
    ) -> list[tuple[int, int, int]]:
        """``matcher(doc[start:end])``, in the same order, from one run of the matcher over
        the whole Doc (kept for the next sentence) instead of one run per sentence."""
        found = self._phrases.get(matcher)
        if found is None:
            matches = matcher(self.doc)
            found = self._phrases[matcher] = ([m[1] for m in matches], matches)
        starts, matches = found
        first, last = bisect_left(starts, start), bisect_left(starts, end)
        return [m for m in matches[first:last] if m[2] <= end]

    def chars(self, start: int, end: int) -> CharSpan:
        """``start_char``, ``end_char`` and ``text`` of ``doc[start:end]``, without making
        the Span (which costs more than the three look-ups)."""
        if not 0 <= start < end <= len(self):
            span = self.doc[start:end]
            return CharSpan(span.start_char, span.end_char, span.text)
        first = self.starts[start]
        stop = self.starts[end - 1] + len(self.texts[end - 1])
        return CharSpan(first, stop, self._text[first:stop])

    def text(self, start: int, end: int) -> str:
        """The article text of tokens ``start:end`` (``doc[start:end].text``, without
        making a Span)."""
        return self._text[self.starts[start] : self.starts[end - 1] + len(self.texts[end - 1])]

    def words(self, start: int, end: int) -> str:
        """Tokens ``start:end`` in lower case, joined by single spaces."""
        return " ".join(self.lower[start:end])

    def char_span(self, start: int, end: int, alignment_mode: str = "strict") -> Span | None:
        return self.doc.char_span(start, end, alignment_mode=alignment_mode)


# The annotation records below are made by the tens of thousands per thousand articles.
# A frozen dataclass sets each field through object.__setattr__, which made building them
# a twentieth of the pipeline's time; they are plain slotted dataclasses instead, hashed
# and compared by value as before, and no stage ever assigns to one (dataclasses.replace
# makes a new record). The same holds for Trigger, Candidate, AcledFacts and the times
# stage's contexts.
@dataclass(slots=True, unsafe_hash=True)
class Sentence:
    index: int
    start: int  # first token
    end: int  # one past the last token
    start_char: int
    end_char: int
    text: str


@dataclass(slots=True, unsafe_hash=True)
class ActorMention:
    start: int
    end: int
    start_char: int
    end_char: int
    text: str
    canonical: str | None
    country: str | None
    sector: str | None
    wikidata: str | None
    kind: str  # country|demonym|metonym|organisation|person|group|generic|pronoun|territory
    sentence: int
    prep: str | None = None  # the preposition governing the mention's noun phrase, if any


@dataclass(slots=True, unsafe_hash=True)
class PlaceMention:
    start: int
    end: int
    start_char: int
    end_char: int
    text: str
    place: Place
    sentence: int
    prep: str | None = None


@dataclass(slots=True, unsafe_hash=True)
class TimeMention:
    start: int
    end: int
    start_char: int
    end_char: int
    text: str
    when: When | None  # None when the expression is relative and no anchor is known
    value: str | None  # TIMEX3-style value: 2025-03-08, 2025-W10, 2025-03, 2025
    sentence: int
    relative: int | None = None  # day offset from the previous event ("hours later" = 0)


@dataclass(slots=True, unsafe_hash=True)
class QuantityMention:
    start: int
    end: int
    quantity: Quantity
    sentence: int


@dataclass(slots=True, unsafe_hash=True)
class AttributionMention:
    attribution: Attribution
    sentence: int
    start: int  # token range of the attributed clause
    end: int
    speaker: tuple[int, int] = (0, 0)  # token range of who reports it
    final: bool = False  # ", X said." closes the sentence: it covers what came before


@dataclass(slots=True)
class Document:
    """An article and the annotation layers the stages add."""

    article: Article
    tokens: Tokens | None = None
    sentences: list[Sentence] = field(default_factory=list)
    actors: list[ActorMention] = field(default_factory=list)
    places: list[PlaceMention] = field(default_factory=list)
    times: list[TimeMention] = field(default_factory=list)
    quantities: list[QuantityMention] = field(default_factory=list)
    attributions: list[AttributionMention] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    focus_country: str | None = None
    _buckets: dict[str, dict[int, list[Any]]] = field(default_factory=dict, repr=False)

    def by_sentence(self, layer: str, index: int) -> list[Any]:
        """The mentions of one layer ("actors", "places", ...) in one sentence; indexed on
        first use, so call it only once the layer is complete."""
        buckets = self._buckets.get(layer)
        if buckets is None:
            buckets = {}
            for mention in getattr(self, layer):
                buckets.setdefault(mention.sentence, []).append(mention)
            self._buckets[layer] = buckets
        return buckets.get(index, [])

    def sentence_of(self, token: int) -> Sentence:
        for sentence in self.sentences:
            if sentence.start <= token < sentence.end:
                return sentence
        raise IndexError(f"token {token} is outside every sentence")
