"""Places: gazetteer matches, disambiguated by the article's countries.

Needs: tokens, sentences, actors. Adds: ``places`` (``PlaceMention``). A name is
kept when it reads as a place (after a locative preposition, as "X, Country", or a
large city); candidates are ranked by the countries the article is about, then by
population, so Tripoli in a Libya story is Libya's capital.
"""

from __future__ import annotations

import calendar
import math
from collections import Counter
from collections.abc import Sequence

from dotterel.document import Document, PlaceMention, Sentence, Tokens
from dotterel.knowledge.gazetteer import Gazetteer, GazetteerEntry, fold
from dotterel.records import Place
from dotterel.stages.actors import governing_preposition

__all__ = ["PlaceTagger"]

LOCATIVE = frozenset(
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
        "to",
        "from",
        "around",
        "toward",
        "towards",
        "within",
        "along",
        "off",
        "of",
    ]
)
# Place-type words that may sit between the preposition and the name: "in the town of X".
_BIG_CITY = 250_000
_TOWN = 20_000
_WEAK = 50_000  # a smaller place outside the article's countries needs more evidence
_REGION_WORDS = frozenset(
    ["region", "province", "oblast", "state", "governorate", "county", "area", "krai"]
)
_SETTLEMENTS = frozenset(["town", "city", "village", "port", "settlement", "camp", "hamlet"])
_OBJECT_VERBS = frozenset(
    ["struck", "hit", "overran", "took", "retook", "besieged", "raided", "seized"]
)
_CALENDAR = frozenset(
    [*calendar.day_name, *calendar.month_name[1:], *calendar.month_abbr[1:], "Sept"]
)
# Words before "of" that make it locative: "the town of Palma", "outskirts of Goma".
_OF_PLACE = frozenset(
    [
        "town",
        "city",
        "village",
        "region",
        "province",
        "district",
        "capital",
        "outskirts",
        "centre",
        "center",
        "heart",
        "port",
        "north",
        "south",
        "east",
        "west",
        "state",
        "county",
        "island",
        "islands",
        "municipality",
        "suburb",
        "suburbs",
        "area",
        "governorate",
        "oblast",
        "part",
        "parts",
    ]
)
_NOT_PLACE_KINDS = frozenset(
    {"person", "organisation", "group", "franchise", "demonym", "pronoun", "generic"}
)
# A country or IGO actor named right before a place, as in "Russia's Kursk area".


class PlaceTagger:
    name = "places"

    def __init__(
        self,
        gazetteer: Gazetteer,
        capitals: dict[str, str] | None = None,
        demonyms: dict[str, str] | None = None,
    ) -> None:
        self.gazetteer = gazetteer
        self.capitals = capitals or {}  # capital name -> ISO3, for datelines
        self.demonyms = demonyms or {}  # "Russian" -> "Russia": a demonym names a country

    def __call__(self, doc: Document) -> Document:
        tokens = doc.tokens
        if tokens is None:
            raise ValueError("places needs the segment stage first")
        blocked = {
            i for m in doc.actors if m.kind in _NOT_PLACE_KINDS for i in range(m.start, m.end)
        }
        blocked.update(  # "the White House" is a government, not White House, Tennessee
            i
            for m in doc.actors
            if m.kind == "metonym" and not self._is_city(m.text, m.country)
            for i in range(m.start, m.end)
        )
        # Metonyms are place names themselves ("Tripoli"): they do not vote for a country.
        context: Counter[str | None] = Counter(
            m.country for m in doc.actors if m.country and m.kind != "metonym"
        )
        dateline = self._dateline(tokens, doc)
        if dateline is not None:
            doc.focus_country = dateline
            context[dateline] += 3
        mentions: list[PlaceMention] = []
        resolved: dict[str, GazetteerEntry] = {}  # one name, one place, within an article
        found = [(s, hit) for s in doc.sentences for hit in self._names(tokens, s, blocked)]
        for sentence, (start, end, name) in found:
            mention = self._mention(tokens, sentence, start, end, name, context, resolved)
            if mention is not None:
                mentions.append(mention)
                context[mention.place.country] += 1
        if dateline is None:
            doc.focus_country = _focus(mentions) or doc.focus_country
        mentions.extend(self._unlisted(tokens, doc, mentions, blocked))
        mentions = _vague_areas(tokens, doc, mentions)
        mentions.extend(self._capital_references(tokens, doc, mentions, blocked))
        mentions = _facilities(tokens, doc, mentions, blocked)
        mentions.sort(key=lambda m: m.start)
        doc.places = mentions
        return doc

    def _unlisted(
        self, tokens: Tokens, doc: Document, found: list[PlaceMention], blocked: set[int]
    ) -> list[PlaceMention]:
        """A named place the gazetteer lacks, kept by name where the text marks it as one:
        "the town of Nobol", "the southern district of Ain Zara" (in the story's country,
        no point); "in Togoga, a village 25 km west of Mekelle" (likewise); "near Bulo Burte
        in the Hiiraan region" (at the stated region's point and precision)."""
        taken = {i for m in found for i in range(m.start, m.end)} | blocked
        extra: list[PlaceMention] = []
        lower, texts = tokens.lower, tokens.texts
        marks = [
            i
            for i in range(1, len(lower) - 1)
            if (lower[i] in _UNLISTED_PREPS or lower[i] == "of") and texts[i + 1][:1].isupper()
        ]
        for i in marks:
            if i in taken:
                continue
            sentence = doc.sentence_of(i)
            if not sentence.start < i < sentence.end - 1:
                continue
            hit = self._unlisted_at(tokens, doc, sentence, i, taken)
            if hit is not None:
                extra.append(hit)
                taken.update(range(hit.start, hit.end))
        return extra

    def _unlisted_at(
        self, tokens: Tokens, doc: Document, sentence: Sentence, i: int, taken: set[int]
    ) -> PlaceMention | None:
        """The unlisted place named right after token ``i``, if ``i`` marks one."""
        word = tokens.lower[i]
        after_of = word == "of" and tokens.lower[i - 1] in _UNLISTED_KINDS
        if not (after_of or word in _UNLISTED_PREPS):
            return None
        end = _title_run(tokens, i + 1, sentence.end, taken)
        if end == i + 1:
            return None
        area = None
        if not after_of:
            area = self._stated_area(tokens, end, sentence)
            if area is None and not _apposed_kind(tokens, end, sentence.end):
                return None
        span = tokens.chars(i + 1, end)
        chars = (span.start_char, span.end_char)
        if area is None:
            place = Place(span.text, None, None, None, doc.focus_country, None, 1, chars)
        else:  # somewhere in the stated region or country: its point, its precision
            place = Place(
                span.text, None, area.lat, area.lon, area.country, area.admin1,
                area.precision, chars,
            )  # fmt: skip
        prep = "of" if after_of else word
        return PlaceMention(i + 1, end, *chars, span.text, place, sentence.index, prep)

    def _capital_references(
        self, tokens: Tokens, doc: Document, found: list[PlaceMention], blocked: set[int]
    ) -> list[PlaceMention]:
        """ "in the capital", "the Libyan capital": a body reference to a capital resolves
        to that city, the named country's or else the story's."""
        taken = {i for m in found for i in range(m.start, m.end)} | blocked
        by_country = {iso3: name for name, iso3 in self.capitals.items()}
        extra: list[PlaceMention] = []
        for sentence in doc.sentences:
            for i in range(sentence.start + 1, sentence.end):
                if tokens.lower[i] != "capital" or i in taken or not _bare_reference(tokens, i):
                    continue
                start = i - 1 if tokens.lower[i - 1] == "the" else i - 2
                if start < sentence.start or tokens.lower[start] != "the":
                    continue
                country = self._demonym_country(tokens.texts[i - 1]) if start == i - 2 else None
                if start == i - 2 and country is None:
                    continue  # "the rebel capital", "the economic capital": not the seat
                country = country or doc.focus_country
                city = self._capital_entry(by_country.get(country or ""), country)
                if city is None:
                    continue
                span = tokens.span(start, i + 1)
                chars = (span.start_char, span.end_char)
                place = Place(
                    city.name, city.geonames_id, city.lat, city.lon, city.country, city.admin1,
                    1, chars,
                )  # fmt: skip
                prep = governing_preposition(tokens, start, sentence.start)
                mention = PlaceMention(
                    start, i + 1, *chars, span.text, place, sentence.index,
                    prep if prep in LOCATIVE or prep == "through" else None,
                )  # fmt: skip
                extra.append(mention)
        return extra

    def _demonym_country(self, word: str) -> str | None:
        """ "Libyan" -> "LBY"."""
        nation = [c for c in self.gazetteer.candidates(self.demonyms.get(word, "")) if c.country]
        return next((c.country for c in nation if c.precision == 6), None)

    def _capital_entry(self, name: str | None, country: str | None) -> GazetteerEntry | None:
        if name is None:
            return None
        cities = [
            c for c in self.gazetteer.candidates(name) if c.country == country and c.precision == 1
        ]
        return max(cities, key=lambda c: c.population) if cities else None

    def _names(
        self, tokens: Tokens, sentence: Sentence, blocked: set[int]
    ) -> list[tuple[int, int, str]]:
        """Longest gazetteer names in the sentence, left to right, not inside other actors."""
        found = []
        i = sentence.start
        while i < sentence.end:
            word = tokens.texts[i]
            if (
                not word[:1].isupper()
                or i in blocked
                or word in _CALENDAR
                or not (self.gazetteer.may_start(word) or self.gazetteer.may_start(word.title()))
            ):
                i += 1
                continue
            hit = None
            for n in range(min(self.gazetteer.max_words, sentence.end - i), 0, -1):
                last = i + n - 1
                if not (tokens.texts[last][:1].isupper() or tokens.lower[last] in _REGION_WORDS):
                    continue
                text = tokens.text(i, i + n)
                name = text.title() if text.isupper() and len(text) > 3 else text
                if name in self.gazetteer and not any(j in blocked for j in range(i, i + n)):
                    hit = (i, i + n, name)  # "WASHINGTON" in a dateline is Washington
                    break
            if hit is None:
                i += 1
                continue
            found.append(hit)
            i = hit[1]
        return found

    def _mention(
        self,
        tokens: Tokens,
        sentence: Sentence,
        start: int,
        end: int,
        name: str,
        context: Counter[str | None],
        resolved: dict[str, GazetteerEntry],
        anchors: Sequence[tuple[float | None, float | None]] | None = None,
    ) -> PlaceMention | None:
        prep = governing_preposition(tokens, start, sentence.start)
        if prep == "of" and not _of_place(tokens, start, sentence):
            prep = None
        candidates = self.gazetteer.candidates(name)
        town = not any(c.precision >= 4 for c in candidates)  # "Idaho, Maine": a list
        area = self._stated_area(tokens, end, sentence) if town else None
        stated = area.country if area is not None else None
        if area is not None:
            inside = [c for c in candidates if c.country == stated and _within(c, area)]
            same = [c for c in candidates if c.country == stated]
            unlisted = GazetteerEntry(None, name, None, None, stated, None, 0, 1)
            candidates = inside or same or ([unlisted] if area.precision == 6 else candidates)
        if _in_compound(tokens, end, sentence):
            return None  # "the US-run base", "Saudi-led": a modifier, not where
        entry = resolved.get(name) if stated is None else None
        entry = entry or _best(candidates, name, context, anchors)
        if entry is None or not _reads_as_place(tokens, sentence, start, end, prep, entry):
            return None
        if name not in resolved and stated is None and _weak(tokens, end, sentence, entry, context):
            return None
        resolved.setdefault(name, entry)
        span = tokens.chars(start, end)
        place = Place(
            name=span.text,
            geonames_id=entry.geonames_id,
            lat=entry.lat,
            lon=entry.lon,
            country=entry.country,
            admin1=entry.admin1,
            # "near Tillaberi", "outside Kyiv": somewhere around a town, UCDP where_prec 2
            # as is "25 km west of Mekelle"
            precision=2
            if entry.precision == 1
            and (prep in {"near", "outside"} or _distance_from(tokens, start, sentence))
            else entry.precision,
            span=(span.start_char, span.end_char),
        )
        return PlaceMention(
            start=start,
            end=end,
            start_char=span.start_char,
            end_char=span.end_char,
            text=span.text,
            place=place,
            sentence=sentence.index,
            prep=prep if prep in LOCATIVE and not _possessive(tokens, end, sentence) else None,
        )

    def resolve(self, doc: Document, spans: list[tuple[int, int]]) -> list[Place | None]:
        """Places for toponym spans someone else found (character offsets into the text),
        disambiguated by the same article context as the tagger's own matches."""
        context: Counter[str | None] = Counter(
            m.country for m in doc.actors if m.country and m.kind != "metonym"
        )
        context.update(m.place.country for m in doc.places)
        text = doc.article.text
        options = [self._options(" ".join(text[a:b].split())) for a, b in spans]
        # Spatial coherence: places that are the only reading of their name, or regions
        # and countries, anchor the article; towns near an anchor are preferred.
        anchors = [
            (c[0].lat, c[0].lon)
            for c in options
            if c
            and c[0].lat is not None
            and c[0].lon is not None
            and (len(c) == 1 or c[0].precision == 4)
        ]
        resolved: list[Place | None] = []
        for (start, end), candidates in zip(spans, options, strict=True):
            name = " ".join(text[start:end].split())
            entry = _best(candidates, name, context, anchors)
            if entry is None:
                resolved.append(None)
                continue
            resolved.append(
                Place(
                    name,
                    entry.geonames_id,
                    entry.lat,
                    entry.lon,
                    entry.country,
                    entry.admin1,
                    entry.precision,
                    (start, end),
                )
            )
        return resolved

    def _options(self, name: str) -> list[GazetteerEntry]:
        nation = [
            c for c in self.gazetteer.candidates(self.demonyms.get(name, "")) if c.precision == 6
        ]
        return (
            nation
            or self.gazetteer.candidates(name)
            or self.gazetteer.candidates(fold(name))
            or self.gazetteer.candidates(name.title())
        )

    def toponyms(self, doc: Document, countries: dict[str, str]) -> list[PlaceMention]:
        """Every place name in the text, as geoparsing gold sets count them: the place
        mentions, plus countries, demonyms and bodies named as actors ("Russian officials",
        "the EU"), placed at the country's or the area's point. ``countries`` maps ISO3 to
        the country's name."""
        found = [m for m in doc.places if _is_toponym(doc, m)]
        taken = {i for m in found for i in range(m.start, m.end)}
        for m in doc.actors:
            if m.kind in {"pronoun", "generic", "person", "group", "franchise"}:
                continue
            if m.kind == "organisation" and m.sector in {"MIL", "POL"}:
                continue  # a state's named force ("the FSB") names no place
            if any(i in taken for i in range(m.start, m.end)):
                continue
            entry = self._area_of(m.text, countries.get(m.country or "", ""))
            if entry is None:
                continue
            chars = (m.start_char, m.end_char)
            place = Place(
                m.text,
                entry.geonames_id,
                entry.lat,
                entry.lon,
                entry.country,
                entry.admin1,
                entry.precision,
                chars,
            )
            found.append(PlaceMention(m.start, m.end, *chars, m.text, place, m.sentence, m.prep))
        found.sort(key=lambda p: p.start)
        return found

    def _area_of(self, text: str, country_name: str) -> GazetteerEntry | None:
        """The area a name itself denotes ("Europe", "EU"), else the actor's country."""
        for name in (text, country_name):
            wide = [c for c in self.gazetteer.candidates(name) if c.precision >= 6]
            if wide and wide[0].lat is not None:
                return wide[0]
        return None

    def _is_city(self, name: str, country: str | None) -> bool:
        """A metonym that is also a sizeable city of its own country (Moscow, Kyiv)."""
        return any(
            c.country == country and c.population >= _WEAK and c.precision == 1
            for c in self.gazetteer.candidates(name)
        )

    def _dateline(self, tokens: Tokens, doc: Document) -> str | None:
        """ "NIAMEY, Sept 25 —": the dateline city's country is the story's home."""
        if not doc.sentences:
            return None
        first = doc.sentences[0]
        head = tokens.span(first.start, min(first.end, first.start + 12))
        dash = next((t.i for t in head if t.text in {"—", "–", "--"}), None)
        if dash is None:
            return None
        words = []
        for token in tokens[first.start : dash]:
            if token.text == ",":
                break
            words.append(token.text)
        name = " ".join(words).title()
        if name in self.capitals:
            return self.capitals[name]
        folded = "".join(words).lower()  # "PORT-AU-PRINCE" is Port-au-Prince
        for capital, iso3 in self.capitals.items():
            if capital.replace(" ", "").lower() == folded:
                return iso3
        found = [c for c in self.gazetteer.candidates(name) if c.precision == 1]
        return max(found, key=lambda c: c.population).country if found else None

    def _stated_area(self, tokens: Tokens, end: int, sentence: Sentence) -> GazetteerEntry | None:
        """ "Palma in Mozambique's north", "Goma, Congo", "Pokrovsk in the Donetsk region":
        the text says which country or region a town lies in."""
        j = end
        if j >= sentence.end or tokens.texts[j] not in {",", "in"}:
            return None
        j += 1
        if tokens.texts[end] == "," and j < sentence.end and tokens.lower[j] in {"in", "on"}:
            j += 1  # "Argyle, on the Caribbean island of St Vincent"
        if j < sentence.end and tokens.lower[j] == "the":
            j += 1
            j = _past_kind_of(tokens, j, sentence.end)
        for n in (4, 3, 2, 1):
            if j + n > sentence.end:
                continue
            areas = [
                e
                for e in self.gazetteer.candidates(tokens.chars(j, j + n).text)
                if e.precision in (4, 6) and e.country
            ]
            if areas:
                return areas[0]
        return None


# What may follow a bare "the capital" that is the city ("in the capital on Friday").
_AFTER_CAPITAL = frozenset(
    ["on", "in", "at", "since", "and", "or", "was", "is", "has", "had", "where", "which",
     "overnight", "after", "before", "early", "late", "last", "this", "for", "from", "to"]
)  # fmt: skip
_DIRECTIONS = frozenset(
    ["eastern", "western", "northern", "southern", "central", "north-eastern",
     "north-western", "south-eastern", "south-western", "northeastern", "northwestern",
     "southeastern", "southwestern"]
)  # fmt: skip
# A named facility: "the Olenya air base", "Al Udeid air base", "Kabul airport".
_FACILITIES = (("air", "base"), ("naval", "base"), ("military", "base"), ("airbase",),
               ("airport",), ("airfield",), ("air", "field"))  # fmt: skip
_FACILITY_FIRST = frozenset(words[0] for words in _FACILITIES)
_COMPOUND_PARTS = frozenset(["run", "led", "held", "backed", "controlled", "operated", "based"])


def _is_toponym(doc: Document, mention: PlaceMention) -> bool:
    """A place name as written, not a reference ("the capital"), a part of a country
    ("eastern Poland", whose country is counted as an actor) or a facility."""
    tokens = doc.tokens
    assert tokens is not None
    last = tokens.lower[mention.end - 1]
    vague = tokens.lower[mention.start] in _DIRECTIONS and mention.place.lat is None
    facility = mention.place.geonames_id is None and last in {"base", "airbase", "airport",
                                                              "airfield", "field"}  # fmt: skip
    return not vague and not facility and last != "capital"


def _in_compound(tokens: Tokens, end: int, sentence: Sentence) -> bool:
    return (
        end + 1 < sentence.end
        and tokens.texts[end] == "-"
        and tokens.lower[end + 1] in _COMPOUND_PARTS
        and tokens.lower[end + 1] != "based"  # "a Houston-based firm" still names Houston
    )


def _bare_reference(tokens: Tokens, i: int) -> bool:
    """ "capital" used as the city, not "capital punishment" or "the capital of Mali"."""
    if i + 1 >= len(tokens):
        return True
    following = tokens[i + 1]
    return following.is_punct or following.lower_ in _AFTER_CAPITAL


def _vague_areas(tokens: Tokens, doc: Document, found: list[PlaceMention]) -> list[PlaceMention]:
    """ "over eastern Poland": a part of a country is kept as written, without a point
    (UCDP where_prec 5), in that country."""
    out: list[PlaceMention] = []
    for m in found:
        before = m.start - 1
        sentence = doc.sentences[m.sentence]
        if m.place.precision != 6 or before < sentence.start:
            out.append(m)
            continue
        if tokens.lower[before] not in _DIRECTIONS:
            out.append(m)
            continue
        span = tokens.span(before, m.end)
        chars = (span.start_char, span.end_char)
        place = Place(span.text, None, None, None, m.place.country, None, 5, chars)
        prep = governing_preposition(tokens, before, sentence.start)
        out.append(
            PlaceMention(
                before,
                m.end,
                *chars,
                span.text,
                place,
                m.sentence,
                prep if prep in LOCATIVE else None,
            )
        )
    return out


def _facilities(
    tokens: Tokens, doc: Document, found: list[PlaceMention], blocked: set[int]
) -> list[PlaceMention]:
    """ "at the Olenya air base in the Murmansk region": a named base or airport is the
    most specific place. A town's name ("Engels air base") gives it the town's point;
    else it takes the point of the place it is said to lie in (or none), and that
    place's country or the story's. Returns ``found`` with the facilities in."""
    ends = {m.end: m for m in found}
    taken = {i for m in found for i in range(m.start, m.end)}
    out = list(found)
    for sentence in doc.sentences:
        for i in range(sentence.start + 1, sentence.end):
            size = _facility_word(tokens, i, sentence.end)
            if size == 0 or not tokens[i - 1].is_title:
                continue
            town = ends.get(i)
            start = town.start if town is not None else _name_start(tokens, i, sentence.start)
            if town is None and any(k in taken or k in blocked for k in range(start, i)):
                continue
            end = i + size
            anchor = town or next(
                (m for m in found if m.sentence == sentence.index and end < m.start <= end + 3),
                None,
            )
            if town is not None:
                out.remove(town)
            prep = _prep_before(tokens, start, sentence.start)
            out.append(_facility(tokens, doc, start, end, anchor, sentence.index, prep))
    return out


def _facility(
    tokens: Tokens,
    doc: Document,
    start: int,
    end: int,
    anchor: PlaceMention | None,
    sentence: int,
    prep: str | None,
) -> PlaceMention:
    span = tokens.span(start, end)
    chars = (span.start_char, span.end_char)
    located = anchor is not None and anchor.place.precision <= 4
    place = Place(
        span.text, None,
        anchor.place.lat if located and anchor else None,
        anchor.place.lon if located and anchor else None,
        anchor.place.country if anchor else doc.focus_country,
        anchor.place.admin1 if anchor else None,
        anchor.place.precision if located and anchor else 1,
        chars,
    )  # fmt: skip
    return PlaceMention(start, end, *chars, span.text, place, sentence, prep)


# Lower-case particles inside Arabic and Romance names: "Ain al-Asad", "Dar es Salaam".
_NAME_PARTICLES = frozenset(["al", "el", "ad", "as", "ash", "ar", "at", "an", "es", "de", "la"])


# "the X of NAME" marks an unlisted place; so do these prepositions when what follows
# says so (", a village", "in the Hiiraan region").
_UNLISTED_KINDS = _SETTLEMENTS | {"district", "neighbourhood", "neighborhood", "suburb", "quarter"}
_UNLISTED_PREPS = frozenset(["in", "near", "at", "outside"])
_APPOSED_KINDS = _UNLISTED_KINDS | {"region", "province", "area"}


def _title_run(tokens: Tokens, start: int, stop: int, taken: set[int]) -> int:
    """The end of the capitalised name starting at ``start`` ("Bulo Burte"), or
    ``start`` if none starts there (or a month, or a word already taken)."""
    j = start
    while j < stop and tokens[j].is_title and j not in taken and tokens.texts[j] not in _CALENDAR:
        j += 1
    return j


def _apposed_kind(tokens: Tokens, end: int, stop: int) -> bool:
    """ "Togoga, a village about 25 km west of Mekelle": the name is said to be a place."""
    k = end + 2
    if k + 1 >= stop or tokens.texts[end] != "," or tokens.lower[end + 1] not in {"a", "an"}:
        return False
    while k < stop - 1 and tokens[k].is_alpha and tokens.lower[k] not in _APPOSED_KINDS:
        if tokens[k].is_title or k > end + 4:
            return False
        k += 1  # "a small village", "a border town"
    return tokens.lower[k] in _APPOSED_KINDS


_DISTANCE_UNITS = frozenset(["km", "kilometres", "kilometers", "miles", "mi"])
_COMPASS = frozenset(
    ["north", "south", "east", "west", "northeast", "northwest", "southeast", "southwest",
     "north-east", "north-west", "south-east", "south-west"]
)  # fmt: skip


def _distance_from(tokens: Tokens, start: int, sentence: Sentence) -> bool:
    """ "about 25 km west of Mekelle": the town is a reference point, not the place."""
    i = start - 1
    return (
        i - 2 >= sentence.start
        and tokens.lower[i] == "of"
        and tokens.lower[i - 1] in _COMPASS
        and tokens.lower[i - 2] in _DISTANCE_UNITS
    )


def _past_kind_of(tokens: Tokens, start: int, stop: int) -> int:
    """After "the": past "(Caribbean) island of" to the name, else ``start``."""
    for k in range(start, min(start + 3, stop - 1)):
        if tokens.lower[k] in {"island", "region", "province", "state"}:
            return k + 2 if tokens.lower[k + 1] == "of" else start
    return start


def _name_start(tokens: Tokens, end: int, floor: int) -> int:
    """Where the capitalised name ending before ``end`` starts, over "al-" particles."""
    start = end
    k = end - 1
    while k >= floor and end - k <= 6:
        word = tokens[k]
        if word.is_title:
            start = k
        elif not (word.text == "-" or word.lower_ in _NAME_PARTICLES):
            break
        k -= 1
    return start


def _facility_word(tokens: Tokens, i: int, stop: int) -> int:
    """How many tokens of a facility word start at ``i`` ("air base": 2), else 0."""
    if tokens.lower[i] not in _FACILITY_FIRST:
        return 0
    for words in _FACILITIES:
        if i + len(words) <= stop and tuple(tokens.lower[i : i + len(words)]) == words:
            return len(words)
    return 0


def _prep_before(tokens: Tokens, start: int, floor: int) -> str | None:
    """The preposition before a facility name, over "the" and compounds ("at the US-run")."""
    i = start - 1
    while i >= floor and start - i <= 6:
        word = tokens.lower[i]
        if word in LOCATIVE:
            return word
        name_like = tokens[i].is_title or tokens[i].is_upper
        if not (word in {"the", "a", "-"} or word in _COMPOUND_PARTS or name_like):
            return None
        i -= 1
    return None


def _within(town: GazetteerEntry, area: GazetteerEntry) -> bool:
    """A town can lie in a stated region if it is within about 300 km of its centroid."""
    if area.precision != 4 or area.lat is None or area.lon is None:
        return True
    if town.lat is None or town.lon is None:
        return False
    return abs(town.lat - area.lat) < 3.0 and abs(town.lon - area.lon) < 4.5


def _of_place(tokens: Tokens, start: int, sentence: Sentence) -> bool:
    """ "of" is locative only after a place word: "the town of Palma", not "two of its"."""
    i = start - 1
    while i > sentence.start and tokens.lower[i] != "of":
        i -= 1
    return i > sentence.start and tokens.lower[i - 1] in _OF_PLACE


def _weak(
    tokens: Tokens,
    end: int,
    sentence: Sentence,
    entry: GazetteerEntry,
    context: Counter[str | None],
) -> bool:
    """A small place in a country the article never names, or the first word of a longer
    capitalised name the gazetteer lacks ("Bulo" of "Bulo Burte"): not trusted."""
    if entry.precision >= 4 or context.get(entry.country, 0) > 0:
        return False  # regions, countries and seas are named on purpose
    partial = end < sentence.end and tokens[end].is_title and tokens[end].is_alpha
    return partial or entry.population < _WEAK


def _near(entry: GazetteerEntry, anchors: Sequence[tuple[float | None, float | None]]) -> bool:
    if entry.lat is None or entry.lon is None:
        return False
    return any(
        lat is not None
        and lon is not None
        and abs(entry.lat - lat) < 3.0
        and abs(entry.lon - lon) < 3.0 / max(0.2, math.cos(math.radians(lat)))
        for lat, lon in anchors
    )


def _best(
    candidates: list[GazetteerEntry],
    name: str,
    context: Counter[str | None],
    anchors: Sequence[tuple[float | None, float | None]] | None = None,
) -> GazetteerEntry | None:
    """The likeliest candidate: countries the article names first, then population,
    then nearness to the article's unambiguous places."""
    if not candidates:
        return None

    def score(entry: GazetteerEntry) -> float:
        near = 2.0 if anchors and entry.precision < 4 and _near(entry, anchors) else 0.0
        return near + _score(entry)

    def _score(entry: GazetteerEntry) -> float:
        exact = 1.0 if entry.name == name else 0.0
        size = math.log10(entry.population + 10)
        seen = 2.5 if context.get(entry.country, 0) else 0.0
        # A country, sea or continent called this (by name or alias: they are listed only
        # under their own names) outranks any town of the name: "America", "Atlantic".
        area = 6.0 if entry.precision >= 6 else 0.0
        return seen + size + exact + area

    return max(candidates, key=score)


def _focus(mentions: list[PlaceMention]) -> str | None:
    """Where the story happens: the country of most named towns and cities."""
    counts = Counter(m.place.country for m in mentions if m.place.precision < 6 and m.prep)
    if not counts:
        return None
    best, n = counts.most_common(1)[0]
    return best if n >= 2 else None


def _possessive(tokens: Tokens, end: int, sentence: Sentence) -> bool:
    """ "in Kyiv's relations": a name in the possessive names an actor, not where."""
    if end >= sentence.end or tokens.texts[end] not in {"'s", "’s"}:
        return False
    following = tokens.lower[end + 1] if end + 1 < sentence.end else ""
    return following not in _PLACE_NOUNS


_PLACE_NOUNS = frozenset(
    [
        "region",
        "province",
        "oblast",
        "area",
        "district",
        "state",
        "county",
        "city",
        "town",
        "village",
        "border",
        "coast",
        "north",
        "south",
        "east",
        "west",
        "northern",
        "southern",
        "eastern",
        "western",
        "central",
        "capital",
    ]
)


def _reads_as_place(
    tokens: Tokens,
    sentence: Sentence,
    start: int,
    end: int,
    prep: str | None,
    entry: GazetteerEntry,
) -> bool:
    if prep in LOCATIVE:
        return True
    if entry.precision == 6:
        return False
    before = tokens[start - 1] if start > sentence.start else None
    if (
        before is not None
        and before.is_lower
        and (before.lower_.endswith("ed") or before.lower_ in _OBJECT_VERBS)
    ):
        return True  # "shelled Kherson", "struck Kharkiv": the place is the object
    if end < sentence.end - 1 and tokens.texts[end] == "," and tokens.texts[end + 1][:1].isupper():
        return True  # "Vyshneve, outside Kyiv" or "Goma, Congo"
    if end < sentence.end and tokens.texts[end] in {"'s", "’s"}:
        return entry.population >= _BIG_CITY
    sentence_initial = start == sentence.start
    if entry.population >= _BIG_CITY and not (sentence_initial and tokens[start].is_stop):
        return True
    # A town on its own mid-sentence, not glued to other capitalised words ("Joe Franklin").
    alone = (
        not sentence_initial
        and not tokens[start - 1].is_title
        and (end >= sentence.end or not tokens[end].is_title)
    )
    return alone and entry.population >= _TOWN
