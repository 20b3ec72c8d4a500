"""Batch coding on Dask distributed: a LocalCluster by default, any cluster by address.

Example::

    with open_client(workers=2) as client:
        summary = run_batch(read_items(paths), settings, client,
                            out=Path("out"), report=Path("out/failed.jsonl"))

Workers build one Pipeline each (``PipelinePlugin``); chunks of articles travel to
them, and they write the events themselves as Parquet parts and/or into the store
(the client fuses the stored articles into incidents at the end). A rerun skips what
is already written, so a crashed run resumes.
"""

from __future__ import annotations

from dotterel.batch._parquet import (
    ARTICLE_SCHEMA,
    EVENT_SCHEMA,
    Coded,
    ParquetOutput,
    event_row,
    write_parts,
)
from dotterel.batch._run import BatchSummary, Progress, open_client, run_batch
from dotterel.batch._workers import Job, Outcome, PipelinePlugin, code_chunk, item_key, run_chunk

__all__ = [
    "ARTICLE_SCHEMA",
    "EVENT_SCHEMA",
    "BatchSummary",
    "Coded",
    "Job",
    "Outcome",
    "ParquetOutput",
    "PipelinePlugin",
    "Progress",
    "code_chunk",
    "event_row",
    "item_key",
    "open_client",
    "run_batch",
    "run_chunk",
    "write_parts",
]
