"""Event records as flat rows, GeoJSON features and CSV text."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from typing import Any

__all__ = ["COLUMNS", "INCIDENT_COLUMNS", "csv_text", "feature", "flat", "flat_incident"]

COLUMNS: tuple[str, ...] = (
    "id",
    "article_id",
    "article_ref",
    "type",
    "mode",
    "modality",
    "context",
    "source_name",
    "source_country",
    "source_sector",
    "target_name",
    "target_country",
    "target_sector",
    "place_name",
    "place_country",
    "admin1",
    "lat",
    "lon",
    "where_precision",
    "date_start",
    "date_end",
    "date_precision",
    "fatalities_low",
    "fatalities_best",
    "fatalities_high",
    "injured_best",
    "acled_event_type",
    "acled_sub_event_type",
    "cameo",
    "attribution",
    "evidence",
    "evidence_start",
    "evidence_end",
    "confidence",
)


def _get(record: dict[str, Any], *path: str) -> Any:
    value: Any = record
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def flat(record: dict[str, Any]) -> dict[str, Any]:
    """One event record as a flat row with the ``COLUMNS`` keys."""
    row: dict[str, Any] = {
        "id": record["id"],
        "article_id": record["article_id"],
        "article_ref": record.get("article_ref"),
        "type": record["type"],
        "mode": record.get("mode"),
        "modality": record["modality"],
        "context": ";".join(record.get("context") or []),
        "place_name": _get(record, "place", "name"),
        "place_country": _get(record, "place", "country"),
        "admin1": _get(record, "place", "admin1"),
        "lat": _get(record, "place", "lat"),
        "lon": _get(record, "place", "lon"),
        "where_precision": _get(record, "place", "precision"),
        "date_start": _get(record, "date", "start"),
        "date_end": _get(record, "date", "end"),
        "date_precision": _get(record, "date", "precision"),
        "fatalities_low": _get(record, "fatalities", "low"),
        "fatalities_best": _get(record, "fatalities", "best"),
        "fatalities_high": _get(record, "fatalities", "high"),
        "injured_best": _get(record, "injured", "best"),
        "acled_event_type": _get(record, "acled", "event_type"),
        "acled_sub_event_type": _get(record, "acled", "sub_event_type"),
        "cameo": record.get("cameo"),
        "attribution": _get(record, "attribution", "name"),
        "evidence": _get(record, "evidence", "sentence"),
        "evidence_start": _get(record, "evidence", "start"),
        "evidence_end": _get(record, "evidence", "end"),
        "confidence": record.get("confidence"),
    }
    for role in ("source", "target"):
        row[f"{role}_name"] = _get(record, role, "name")
        row[f"{role}_country"] = _get(record, role, "country")
        row[f"{role}_sector"] = _get(record, role, "sector")
    return {name: row[name] for name in COLUMNS}


INCIDENT_COLUMNS: tuple[str, ...] = (
    "id",
    "type",
    "mode",
    "source_name",
    "source_country",
    "source_sector",
    "target_name",
    "target_country",
    "target_sector",
    "place_name",
    "place_country",
    "admin1",
    "lat",
    "lon",
    "where_precision",
    "date_start",
    "date_end",
    "date_precision",
    "fatalities_low",
    "fatalities_best",
    "fatalities_high",
    "injured_best",
    "sources",
    "events",
    "claims",
    "outlets",
    "acled_event_type",
    "acled_sub_event_type",
    "cameo",
    "evidence",
)


def flat_incident(record: dict[str, Any]) -> dict[str, Any]:
    """One incident record as a flat row with the ``INCIDENT_COLUMNS`` keys."""
    row = flat({**record, "article_id": None, "modality": None})
    row.update(
        sources=record.get("sources"),
        events=len(record.get("events") or []),
        claims=len(record.get("claims") or []),
        outlets=";".join(record.get("outlets") or []),
    )
    return {name: row.get(name) for name in INCIDENT_COLUMNS}


def feature(
    record: dict[str, Any], flatten: Callable[[dict[str, Any]], dict[str, Any]] = flat
) -> dict[str, Any]:
    """One record as a GeoJSON Feature (geometry null when it has no coordinates)."""
    row = flatten(record)
    lat, lon = row["lat"], row["lon"]
    geometry = None if lat is None or lon is None else {"type": "Point", "coordinates": [lon, lat]}
    return {"type": "Feature", "id": row["id"], "geometry": geometry, "properties": row}


def csv_text(
    records: Iterable[dict[str, Any]],
    flatten: Callable[[dict[str, Any]], dict[str, Any]] = flat,
    columns: tuple[str, ...] = COLUMNS,
) -> str:
    """The records as CSV with a header row (empty cells for nulls)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    for record in records:
        writer.writerow(flatten(record))
    return out.getvalue()
