"""Batch coding on Dask distributed: a LocalCluster by default, any cluster by address.

Example::

    with open_client(workers=2) as client:
        summary = run_batch(read_items(paths), settings, client,
                            out=Path("out"), report=Path("out/failed.jsonl"))

Workers build one Pipeline each (``PipelinePlugin``); chunks of articles travel to
them and their events come back to be written as Parquet parts and/or into the
store. A rerun skips what is already written, so a crashed run resumes.
"""

from __future__ import annotations

from dotterel.batch._parquet import ARTICLE_SCHEMA, EVENT_SCHEMA, ParquetOutput, event_row
from dotterel.batch._run import BatchSummary, Progress, open_client, run_batch
from dotterel.batch._workers import Outcome, PipelinePlugin, code_chunk, code_item, item_key

__all__ = [
    "ARTICLE_SCHEMA",
    "EVENT_SCHEMA",
    "BatchSummary",
    "Outcome",
    "ParquetOutput",
    "PipelinePlugin",
    "Progress",
    "code_chunk",
    "code_item",
    "event_row",
    "item_key",
    "open_client",
    "run_batch",
]
