"""Geocoding on public gold sets: GeoWebNews, LGL and GeoVirus.

Two figures each, as the geoparsing community reports them: *resolution* (the gold
toponym spans are given; we only choose the place) and *end to end* (from raw text:
we must find the names too). Accuracy is the share of gold toponyms with coordinates
placed within 161 km (100 miles); median error is in km, an unplaced toponym counting
as half the Earth's circumference.
"""

from __future__ import annotations

import math
import statistics
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from dotterel.errors import InputError
from dotterel.pipeline import Pipeline
from dotterel.records import Article, Place

__all__ = ["GeoDoc", "Toponym", "evaluate_geo", "read_set"]

WITHIN_KM = 161.0
WORST_KM = 20_037.5  # half the Earth's circumference: what an unplaced name costs
FILES = {"geowebnews": "GWN.xml", "lgl": "lgl.xml", "geovirus": "GeoVirus.xml"}


@dataclass(frozen=True, slots=True)
class Toponym:
    start: int
    end: int
    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class GeoDoc:
    text: str
    toponyms: list[Toponym]


def _float(node: ET.Element | None) -> float | None:
    if node is None or node.text is None or not node.text.strip():
        return None
    try:
        return float(node.text)
    except ValueError:
        return None


def _int(node: ET.Element | None) -> int:
    if node is None or node.text is None:
        raise InputError("a toponym has no start or end offset")
    return int(node.text)


def _geowebnews(root: ET.Element) -> Iterator[GeoDoc]:
    for article in root.iter("article"):
        text = article.findtext("text") or ""
        toponyms = []
        for t in article.iter("toponym"):
            lat, lon = _float(t.find("latitude")), _float(t.find("longitude"))
            if lat is not None and lon is not None:
                toponyms.append(Toponym(_int(t.find("start")), _int(t.find("end")), lat, lon))
        yield GeoDoc(text, toponyms)


def _lgl(root: ET.Element) -> Iterator[GeoDoc]:
    for article in root.iter("article"):
        text = article.findtext("text") or ""
        toponyms = []
        for t in article.iter("toponym"):
            tag = t.find("gaztag")
            if tag is None:
                continue
            lat, lon = _float(tag.find("lat")), _float(tag.find("lon"))
            if lat is not None and lon is not None:
                toponyms.append(Toponym(_int(t.find("start")), _int(t.find("end")), lat, lon))
        yield GeoDoc(text, toponyms)


def _geovirus(root: ET.Element) -> Iterator[GeoDoc]:
    for article in root.iter("article"):
        text = article.findtext("text") or ""
        toponyms = []
        for loc in article.iter("location"):
            lat, lon = _float(loc.find("lat")), _float(loc.find("lon"))
            if lat is not None and lon is not None:
                # GeoVirus offsets are one past the parsed text's (see its SOURCE.md).
                start, end = _int(loc.find("start")) - 1, _int(loc.find("end")) - 1
                toponyms.append(Toponym(start, end, lat, lon))
        yield GeoDoc(text, toponyms)


READERS = {"geowebnews": _geowebnews, "lgl": _lgl, "geovirus": _geovirus}


def read_set(name: str, root: Path) -> list[GeoDoc]:
    """Every article of a geocoding gold set, with its toponyms that have coordinates."""
    if name not in FILES:
        raise InputError(f"unknown geocoding set {name!r}; use one of {', '.join(FILES)}")
    path = root / name / FILES[name]
    try:
        tree = ET.parse(path)
    except (OSError, ET.ParseError) as exc:
        raise InputError(f"cannot read {path}: {exc}") from exc
    return list(READERS[name](tree.getroot()))


def km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(a)))


def _error(gold: Toponym, place: Place | None) -> float:
    if place is None or place.lat is None or place.lon is None:
        return WORST_KM
    return km(gold.lat, gold.lon, place.lat, place.lon)


def _summary(errors: list[float], prefix: str) -> dict[str, object]:
    if not errors:
        return {f"{prefix}_accuracy_161km": 0.0, f"{prefix}_median_km": WORST_KM}
    hits = sum(1 for e in errors if e <= WITHIN_KM)
    return {
        f"{prefix}_accuracy_161km": round(hits / len(errors), 4),
        f"{prefix}_median_km": round(statistics.median(errors), 1),
    }


def evaluate_geo(name: str, root: Path, pipeline: Pipeline) -> dict[str, object]:
    """Resolution (gold spans given) and end-to-end geocoding scores on one set."""
    resolution: list[float] = []
    end_to_end: list[float] = []
    predicted = matched = failed = 0
    docs = read_set(name, root)
    for doc in docs:
        article = Article(text=doc.text)
        result = pipeline.process(article)
        if result.error is not None:
            failed += 1
        spans = [(t.start, t.end) for t in doc.toponyms]
        places = pipeline.resolve_places(article, spans, result)
        resolution.extend(_error(t, p) for t, p in zip(doc.toponyms, places, strict=True))
        found = pipeline.toponyms(result)
        predicted += len(found)
        for gold in doc.toponyms:
            hit = next(
                (m for m in found if m.start_char < gold.end and gold.start < m.end_char), None
            )
            end_to_end.append(_error(gold, hit.place if hit else None))
        matched += sum(
            1
            for m in found
            if any(m.start_char < t.end and t.start < m.end_char for t in doc.toponyms)
        )
    return {
        "set": name,
        "documents": len(docs),
        "failed": failed,
        "gold_toponyms": len(resolution),
        **_summary(resolution, "resolution"),
        **_summary(end_to_end, "end_to_end"),
        "end_to_end_precision": round(matched / predicted, 4) if predicted else 0.0,
    }
