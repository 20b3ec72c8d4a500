"""Incidents out, in the formats analysts load: ACLED-style CSV, GDELT-like CAMEO TSV,
GeoJSON, Parquet and JSONL.

One row (feature, line) per incident: each happening once, whatever the number of
articles that told it. Writers take any iterable of incidents and stream it.

* ``acled-csv``: ACLED's column names (``event_id_cnty``, ``event_date``, ``year``,
  ``time_precision``, ``event_type``, ``sub_event_type``, ``actor1``, ``actor2``,
  ``country``, ``admin1``, ``location``, ``latitude``, ``longitude``, ``geo_precision``,
  ``source``, ``notes``, ``fatalities``, ``tags``). Precisions are ACLED's: time 1 day,
  2 week, 3 month or vaguer; geo 1 the town, 2 near it or a district, 3 a region or
  vaguer. ``fatalities`` is the conservative figure; ``tags`` keep the range and the
  number of sources.
* ``cameo-tsv``: GDELT 2.0 event columns (``GLOBALEVENTID``, ``SQLDATE``, actor codes,
  ``EventCode``, ``QuadClass``, ``NumSources``, ``ActionGeo_*``) with a header row.
* ``geojson``: a FeatureCollection; each feature's properties are the incident record.
* ``parquet``: one flat column per field; lists (events, articles, outlets) and claims
  (a list of structs) stay nested. Readable by pandas, polars and DuckDB.
* ``jsonl``: one incident record a line.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO

from dotterel.errors import DotterelError
from dotterel.fusion import Regions
from dotterel.knowledge import load_countries
from dotterel.records import Incident

__all__ = [
    "ACLED_COLUMNS",
    "CAMEO_COLUMNS",
    "FORMATS",
    "TEXT_FORMATS",
    "ExportError",
    "Exporter",
    "parquet_schema",
]

FORMATS: tuple[str, ...] = ("acled-csv", "cameo-tsv", "geojson", "parquet", "jsonl")
TEXT_FORMATS: frozenset[str] = frozenset({"acled-csv", "cameo-tsv", "geojson", "jsonl"})

ACLED_COLUMNS: tuple[str, ...] = (
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "event_type",
    "sub_event_type",
    "actor1",
    "actor2",
    "country",
    "admin1",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "notes",
    "fatalities",
    "tags",
)

CAMEO_COLUMNS: tuple[str, ...] = (
    "GLOBALEVENTID",
    "SQLDATE",
    "MonthYear",
    "Year",
    "Actor1Code",
    "Actor1Name",
    "Actor1CountryCode",
    "Actor2Code",
    "Actor2Name",
    "Actor2CountryCode",
    "IsRootEvent",
    "EventCode",
    "EventBaseCode",
    "EventRootCode",
    "QuadClass",
    "NumMentions",
    "NumSources",
    "NumArticles",
    "ActionGeo_Type",
    "ActionGeo_FullName",
    "ActionGeo_CountryCode",
    "ActionGeo_ADM1Code",
    "ActionGeo_Lat",
    "ActionGeo_Long",
    "ActionGeo_FeatureID",
)

_PARQUET_BATCH = 10_000


class ExportError(DotterelError):
    """An export cannot be written (wrong destination for the format, unwritable file)."""


def _acled_time(precision: int) -> int:
    return 1 if precision == 1 else 2 if precision <= 3 else 3


def _acled_geo(precision: int) -> int:
    return 1 if precision == 1 else 2 if precision <= 3 else 3


def _quad_class(root: int) -> int:
    """GDELT's QuadClass of a CAMEO root code: verbal/material cooperation/conflict."""
    if root <= 5:
        return 1
    if root <= 8:
        return 2
    return 3 if root <= 13 else 4


def _cell(value: Any) -> str:
    return "" if value is None else str(value)


class Exporter:
    """Writes incidents in one of ``FORMATS``; country and region names from knowledge."""

    def __init__(self, regions: Regions | None = None) -> None:
        self.regions = regions or Regions.load()
        self.countries = {iso3: c.name for iso3, c in load_countries().items()}

    def write(self, incidents: Iterable[Incident], fmt: str, out: Path | TextIO) -> int:
        """Write ``incidents`` as ``fmt`` to a path or an open text stream; returns the count.

        Parquet needs a path. A path's folder must exist; the file is replaced.
        """
        if fmt not in FORMATS:
            raise ExportError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
        if fmt == "parquet":
            if not isinstance(out, Path):
                raise ExportError("parquet is binary: give a file with --out PATH")
            return self._guarded(out, lambda: self.parquet(incidents, out))
        writer: Callable[[Iterable[Incident], TextIO], int] = {
            "acled-csv": self.acled_csv,
            "cameo-tsv": self.cameo_tsv,
            "geojson": self.geojson,
            "jsonl": self.jsonl,
        }[fmt]
        if not isinstance(out, Path):
            return writer(incidents, out)

        def to_file() -> int:
            with out.open("w", encoding="utf-8", newline="") as handle:
                return writer(incidents, handle)

        return self._guarded(out, to_file)

    @staticmethod
    def _guarded(path: Path, write: Callable[[], int]) -> int:
        try:
            return write()
        except OSError as exc:
            raise ExportError(
                f"cannot write {path}: {exc.strerror or exc}; check the folder exists and "
                "that you can write to it"
            ) from exc

    # --- rows -----------------------------------------------------------------------

    def admin1_name(self, incident: Incident) -> str | None:
        place = incident.place
        if place is None or place.country is None:
            return None
        if place.precision == 4:
            return place.admin1 or place.name
        if place.admin1 is None:
            return None
        return self.regions.codes.get((place.country, place.admin1), place.admin1)

    def acled_row(self, incident: Incident) -> dict[str, str]:
        place, when, deaths = incident.place, incident.date, incident.fatalities
        acled = incident.acled or {}
        tags = []
        if deaths is not None and deaths.high != deaths.low:
            tags.append(f"fatalities low={deaths.low} high={deaths.high}")
        tags.append(f"sources={incident.sources}")
        row = {
            "event_id_cnty": incident.id,
            "event_date": when.start.isoformat() if when else None,
            "year": when.start.year if when else None,
            "time_precision": _acled_time(when.precision) if when else None,
            "event_type": acled.get("event_type"),
            "sub_event_type": acled.get("sub_event_type"),
            "actor1": _actor_name(incident.source),
            "actor2": _actor_name(incident.target),
            "country": self.countries.get(place.country or "") if place else None,
            "admin1": self.admin1_name(incident),
            "location": place.name if place else None,
            "latitude": place.lat if place else None,
            "longitude": place.lon if place else None,
            "geo_precision": _acled_geo(place.precision) if place else None,
            "source": "; ".join(incident.outlets),
            "notes": incident.evidence.sentence if incident.evidence else None,
            "fatalities": deaths.best if deaths else 0,
            "tags": "; ".join(tags),
        }
        return {k: _cell(v) for k, v in row.items()}

    def cameo_row(self, incident: Incident) -> dict[str, str]:
        place, when = incident.place, incident.date
        code = incident.cameo or ""
        root = int(code[:2]) if code[:2].isdigit() else None
        row = {
            "GLOBALEVENTID": incident.id,
            "SQLDATE": when.start.strftime("%Y%m%d") if when else None,
            "MonthYear": when.start.strftime("%Y%m") if when else None,
            "Year": when.start.year if when else None,
            "Actor1Code": _actor_code(incident.source),
            "Actor1Name": _actor_name(incident.source),
            "Actor1CountryCode": incident.source.country if incident.source else None,
            "Actor2Code": _actor_code(incident.target),
            "Actor2Name": _actor_name(incident.target),
            "Actor2CountryCode": incident.target.country if incident.target else None,
            "IsRootEvent": 1,
            "EventCode": code or None,
            "EventBaseCode": code[:3] or None,
            "EventRootCode": code[:2] or None,
            "QuadClass": _quad_class(root) if root is not None else None,
            "NumMentions": len(incident.events),
            "NumSources": incident.sources,
            "NumArticles": len(incident.articles),
            "ActionGeo_Type": _gdelt_geo_type(place.precision) if place else 0,
            "ActionGeo_FullName": place.name if place else None,
            "ActionGeo_CountryCode": place.country if place else None,
            "ActionGeo_ADM1Code": self.admin1_name(incident),
            "ActionGeo_Lat": place.lat if place else None,
            "ActionGeo_Long": place.lon if place else None,
            "ActionGeo_FeatureID": place.geonames_id if place else None,
        }
        return {k: _cell(v) for k, v in row.items()}

    # --- formats --------------------------------------------------------------------

    def acled_csv(self, incidents: Iterable[Incident], stream: TextIO) -> int:
        writer = csv.DictWriter(stream, fieldnames=ACLED_COLUMNS, lineterminator="\n")
        writer.writeheader()
        count = 0
        for incident in incidents:
            writer.writerow(self.acled_row(incident))
            count += 1
        return count

    def cameo_tsv(self, incidents: Iterable[Incident], stream: TextIO) -> int:
        writer = csv.DictWriter(
            stream,
            fieldnames=CAMEO_COLUMNS,
            delimiter="\t",
            lineterminator="\n",
            quoting=csv.QUOTE_MINIMAL,
        )
        writer.writeheader()
        count = 0
        for incident in incidents:
            writer.writerow(self.cameo_row(incident))
            count += 1
        return count

    def geojson(self, incidents: Iterable[Incident], stream: TextIO) -> int:
        stream.write('{"type": "FeatureCollection", "features": [')
        count = 0
        for incident in incidents:
            stream.write(",\n" if count else "\n")
            stream.write(json.dumps(_feature(incident), ensure_ascii=False))
            count += 1
        stream.write("\n]}\n")
        return count

    def jsonl(self, incidents: Iterable[Incident], stream: TextIO) -> int:
        count = 0
        for incident in incidents:
            stream.write(json.dumps(incident.to_dict(), ensure_ascii=False) + "\n")
            count += 1
        return count

    def parquet(self, incidents: Iterable[Incident], path: Path) -> int:
        import pyarrow as pa
        import pyarrow.parquet as pq

        schema = parquet_schema()
        count = 0
        with pq.ParquetWriter(path, schema) as writer:
            for batch in _batches(incidents, _PARQUET_BATCH):
                rows = [self.flat_row(i) for i in batch]
                writer.write_table(pa.Table.from_pylist(rows, schema=schema))
                count += len(rows)
            if count == 0:
                writer.write_table(schema.empty_table())
        return count

    def flat_row(self, incident: Incident) -> dict[str, Any]:
        """The Parquet row: one column per field, lists and claims nested."""
        place, when = incident.place, incident.date
        deaths, hurt = incident.fatalities, incident.injured
        acled = incident.acled or {}
        return {
            "id": incident.id,
            "type": incident.type,
            "mode": incident.mode,
            "source_name": _actor_name(incident.source),
            "source_country": incident.source.country if incident.source else None,
            "target_name": _actor_name(incident.target),
            "target_country": incident.target.country if incident.target else None,
            "place_name": place.name if place else None,
            "place_country": place.country if place else None,
            "admin1": self.admin1_name(incident),
            "lat": place.lat if place else None,
            "lon": place.lon if place else None,
            "geonames_id": place.geonames_id if place else None,
            "where_precision": place.precision if place else None,
            "date_start": when.start if when else None,
            "date_end": when.end if when else None,
            "date_precision": when.precision if when else None,
            "fatalities_low": deaths.low if deaths else None,
            "fatalities_best": deaths.best if deaths else None,
            "fatalities_high": deaths.high if deaths else None,
            "injured_low": hurt.low if hurt else None,
            "injured_best": hurt.best if hurt else None,
            "injured_high": hurt.high if hurt else None,
            "sources": incident.sources,
            "acled_event_type": acled.get("event_type"),
            "acled_sub_event_type": acled.get("sub_event_type"),
            "cameo": incident.cameo,
            "evidence": incident.evidence.sentence if incident.evidence else None,
            "events": incident.events,
            "articles": incident.articles,
            "outlets": incident.outlets,
            "claims": [
                {
                    "field": c.field,
                    "value": c.value,
                    "high": c.high,
                    "article": c.article,
                    "claimant": c.claimant,
                    "event": c.event,
                }
                for c in incident.claims
            ],
        }


def parquet_schema() -> Any:
    """The Arrow schema of the Parquet export."""
    import pyarrow as pa

    text, integer, real = pa.string(), pa.int64(), pa.float64()
    claim = pa.struct(
        [
            ("field", text),
            ("value", integer),
            ("high", integer),
            ("article", text),
            ("claimant", text),
            ("event", text),
        ]
    )
    columns: list[tuple[str, Any]] = [
        ("id", text),
        ("type", text),
        ("mode", text),
        ("source_name", text),
        ("source_country", text),
        ("target_name", text),
        ("target_country", text),
        ("place_name", text),
        ("place_country", text),
        ("admin1", text),
        ("lat", real),
        ("lon", real),
        ("geonames_id", integer),
        ("where_precision", integer),
        ("date_start", pa.date32()),
        ("date_end", pa.date32()),
        ("date_precision", integer),
        ("fatalities_low", integer),
        ("fatalities_best", integer),
        ("fatalities_high", integer),
        ("injured_low", integer),
        ("injured_best", integer),
        ("injured_high", integer),
        ("sources", integer),
        ("acled_event_type", text),
        ("acled_sub_event_type", text),
        ("cameo", text),
        ("evidence", text),
        ("events", pa.list_(text)),
        ("articles", pa.list_(text)),
        ("outlets", pa.list_(text)),
        ("claims", pa.list_(claim)),
    ]
    return pa.schema(columns)


def _feature(incident: Incident) -> dict[str, Any]:
    place = incident.place
    point = place is not None and place.lat is not None and place.lon is not None
    geometry = {"type": "Point", "coordinates": [place.lon, place.lat]} if point and place else None
    return {
        "type": "Feature",
        "id": incident.id,
        "geometry": geometry,
        "properties": incident.to_dict(),
    }


def _actor_name(actor: Any) -> str | None:
    if actor is None:
        return None
    return str(actor.canonical or actor.name)


def _actor_code(actor: Any) -> str | None:
    """CAMEO-style actor code: country code then sector (``RUSMIL``)."""
    if actor is None or actor.country is None:
        return None
    return str(actor.country) + str(actor.sector or "")


def _gdelt_geo_type(precision: int) -> int:
    """GDELT ActionGeo_Type: 1 country, 4 world city (or a point at sea), 5 world state."""
    if precision in (5, 6):
        return 1
    return 5 if precision == 4 else 4


def _batches(items: Iterable[Incident], size: int) -> Iterator[list[Incident]]:
    batch: list[Incident] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
