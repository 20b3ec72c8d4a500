"""The ``dotterel`` command: thin Typer commands, one library call each.

Library errors become one readable line on standard error and a non-zero exit.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from dotterel import evalsets
from dotterel.errors import DotterelError
from dotterel.evaluate import evaluate as run_evaluation
from dotterel.inspect import actor_mentions, place_mentions, time_mentions
from dotterel.pipeline import Pipeline, Result
from dotterel.records import EVENT_TYPES, Article, Event, to_dict
from dotterel.settings import Settings
from dotterel.sources import (
    Columns,
    Fetcher,
    SourceProblem,
    is_url,
    parse_date,
    read_items,
    read_paths,
)

__all__ = ["app"]

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Turn news about armed conflict and diplomacy into coded event data.",
)
err = Console(stderr=True, highlight=False, soft_wrap=True)


class Format(StrEnum):
    table = "table"
    json = "json"
    jsonl = "jsonl"


SettingsFile = Annotated[
    Path | None, typer.Option("--settings", help="TOML settings file ([dotterel] table).")
]
Db = Annotated[str | None, typer.Option("--db", help="Store URL or SQLite file path.")]
Published = Annotated[
    str | None,
    typer.Option("--published", help="Publication date YYYY-MM-DD; anchors relative dates."),
]
FormatOpt = Annotated[Format, typer.Option("--format", help="Output format.")]
Paths = Annotated[
    list[str],
    typer.Argument(
        help="Files (.txt .md .jsonl .csv .html .warc .rss .atom .xml, each also .gz), "
        "folders, or http(s) URLs of pages and feeds."
    ),
]
TextCol = Annotated[str, typer.Option("--text-col", help="CSV column / JSONL field of the text.")]
DateCol = Annotated[
    str, typer.Option("--date-col", help="CSV column / JSONL field of the publication date.")
]
UrlCol = Annotated[str, typer.Option("--url-col", help="CSV column / JSONL field of the URL.")]


class MentionFormat(StrEnum):
    table = "table"
    jsonl = "jsonl"


MentionFormatOpt = Annotated[
    MentionFormat, typer.Option("--format", help="table, or jsonl (one mention a line).")
]


def _fail(message: str, code: int = 1) -> typer.Exit:
    err.print(f"[bold red]error:[/] {escape(message)}")
    return typer.Exit(code)


def _settings(file: Path | None, **flags: Any) -> Settings:
    try:
        return Settings.load(file=file, **flags)
    except DotterelError as exc:
        raise _fail(str(exc)) from exc


def _published(value: str | None) -> date | None:
    try:
        return parse_date(value, "--published")
    except DotterelError as exc:
        raise _fail(str(exc), 2) from exc


def _articles(
    paths: Sequence[str | Path],
    published: date | None,
    problems: list[str],
    columns: Columns | None = None,
    settings: Settings | None = None,
) -> Iterator[Article]:
    settings = settings or Settings()
    with Fetcher(settings.fetch_timeout, settings.fetch_max_bytes) as fetcher:
        yield from _read(read_paths(paths, published, columns, fetcher), problems)


def _read(items: Iterable[Article | SourceProblem], problems: list[str]) -> Iterator[Article]:
    for item in items:
        if isinstance(item, SourceProblem):
            problems.append(f"{item.ref}: {item.message}")
            err.print(f"[yellow]skipped[/] {escape(item.ref)}: {escape(item.message)}")
            continue
        yield item


def _results(
    pipeline: Pipeline, articles: Iterable[Article], problems: list[str]
) -> Iterator[Result]:
    for result in pipeline.pipe(articles):
        if result.error is not None:
            problems.append(str(result.error))
            err.print(f"[yellow]skipped[/] {escape(str(result.error))}")
            continue
        yield result


def _event_row(event: Event) -> dict[str, Any]:
    row = to_dict(event)
    row["article_ref"] = event.article_ref
    return row


def _print_events(events: list[Event], fmt: Format) -> None:
    if fmt is Format.jsonl:
        for event in events:
            sys.stdout.write(json.dumps(_event_row(event), ensure_ascii=False) + "\n")
    elif fmt is Format.json:
        sys.stdout.write(json.dumps([_event_row(e) for e in events], ensure_ascii=False, indent=2))
        sys.stdout.write("\n")
    else:
        Console(width=None if sys.stdout.isatty() else 160).print(_table(events))


def _actor(actor: Any) -> str:
    if actor is None:
        return "—"
    return f"{actor.country or '?'}" + (f"/{actor.sector}" if actor.sector else "")


def _table(events: list[Event]) -> Table:
    table = Table(show_lines=False, title=f"{len(events)} events")
    for name in (
        "type",
        "mode",
        "source",
        "target",
        "place",
        "date",
        "dead",
        "modality",
        "evidence",
    ):
        table.add_column(name, overflow="fold", max_width=60 if name == "evidence" else None)
    for e in events:
        dead = ""
        if e.fatalities is not None:
            dead = str(e.fatalities.best)
            if e.fatalities.high != e.fatalities.best:
                dead += f"–{e.fatalities.high}"
        trigger = e.trigger.text if e.trigger else ""
        table.add_row(
            e.type,
            e.mode or "",
            _actor(e.source),
            _actor(e.target),
            f"{e.place.name} ({e.place.country})" if e.place else "",
            e.date.start.isoformat() if e.date else "",
            dead,
            e.modality,
            _evidence(e.evidence.sentence, trigger),
        )
    return table


def _evidence(sentence: str, trigger: str) -> str:
    short = sentence if len(sentence) <= 160 else sentence[:157] + "…"
    return short.replace("[", "\\[")


@app.command()
def extract(
    paths: Paths,
    published: Published = None,
    fmt: FormatOpt = Format.table,
    settings_file: SettingsFile = None,
    text_col: TextCol = "text",
    date_col: DateCol = "published",
    url_col: UrlCol = "url",
) -> None:
    """Code events from articles and print them (no store)."""
    settings = _settings(settings_file)
    anchor = _published(published)
    problems: list[str] = []
    pipeline = Pipeline(settings)
    columns = Columns(text=text_col, date=date_col, url=url_col)
    articles = _articles(paths, anchor, problems, columns, settings)
    events = [e for r in _results(pipeline, articles, problems) for e in r.events]
    _print_events(events, fmt)
    if problems:
        raise _fail(f"{len(problems)} input(s) skipped")


@app.command()
def ingest(
    paths: Paths,
    db: Db = None,
    published: Published = None,
    settings_file: SettingsFile = None,
    text_col: TextCol = "text",
    date_col: DateCol = "published",
    url_col: UrlCol = "url",
    batch_size: Annotated[
        int, typer.Option("--batch-size", min=1, help="Articles stored and fused per transaction.")
    ] = 500,
) -> None:
    """Code events from articles, store them and fuse them into incidents; an article
    already stored is skipped."""
    from dotterel.store import Store

    settings = _settings(settings_file, db=db)
    anchor = _published(published)
    problems: list[str] = []
    pipeline = Pipeline(settings)
    columns = Columns(text=text_col, date=date_col, url=url_col)
    try:
        with Store(settings.db) as store:
            articles = _articles(paths, anchor, problems, columns, settings)
            results = _results(pipeline, articles, problems)
            pairs = ((r.article, r.events) for r in results)
            added, present = store.add_many(pairs, batch_size=batch_size)
            store.fuse_pending(batch_size=batch_size)
            counts = store.counts()
    except DotterelError as exc:
        raise _fail(str(exc)) from exc
    err.print(
        f"stored {added} new article(s), {present} already present; "
        f"store holds {counts['articles']} articles, {counts['events']} events, "
        f"{counts['incidents']} incidents"
    )
    if problems:
        raise _fail(f"{len(problems)} input(s) skipped")


@app.command()
def events(
    db: Db = None,
    type: Annotated[str | None, typer.Option("--type", help="PLOVER type, e.g. ASSAULT.")] = None,
    country: Annotated[
        str | None, typer.Option("--country", help="ISO3 of source, target or place.")
    ] = None,
    since: Annotated[str | None, typer.Option("--since", help="Earliest date YYYY-MM-DD.")] = None,
    limit: Annotated[int | None, typer.Option("--limit", help="At most this many events.")] = None,
    fmt: FormatOpt = Format.table,
    settings_file: SettingsFile = None,
) -> None:
    """List stored events, filtered."""
    from dotterel.store import Store

    settings = _settings(settings_file, db=db)
    if type is not None and type.upper() not in EVENT_TYPES:
        raise _fail(f"--type {type!r} is not a PLOVER type; use one of {', '.join(EVENT_TYPES)}", 2)
    try:
        start = parse_date(since, "--since")
        with Store(settings.db, create=False) as store:
            found = store.events(type=type, country=country, since=start, limit=limit)
    except DotterelError as exc:
        raise _fail(str(exc)) from exc
    _print_events(found, fmt)


def _mention_rows(
    paths: Sequence[str],
    published: str | None,
    fmt: MentionFormat,
    settings_file: Path | None,
    rows_of: Callable[[Result], Sequence[Any]],
    columns: Sequence[str],
    what: str,
) -> None:
    """The shared body of ``places``, ``times`` and ``actors``: one row per mention."""
    settings = _settings(settings_file)
    anchor = _published(published)
    problems: list[str] = []
    pipeline = Pipeline(settings)
    rows: list[dict[str, Any]] = []
    articles = _articles(paths, anchor, problems, settings=settings)
    for result in _results(pipeline, articles, problems):
        found = [to_dict(row) for row in rows_of(result)]
        if fmt is MentionFormat.jsonl:
            for row in found:
                sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
        else:
            rows.extend(found)
    if fmt is MentionFormat.table:
        table = Table(title=f"{len(rows)} {what} mentions")
        for name in ("article", "text", "at", *columns):
            table.add_column(name, overflow="fold")
        for row in rows:
            cells = [row["article_ref"], row["text"], f"{row['start']}–{row['end']}"]
            cells += ["" if row[c] is None else str(row[c]) for c in columns]
            table.add_row(*(escape(c) for c in cells))
        Console(width=None if sys.stdout.isatty() else 160).print(table)
    if problems:
        raise _fail(f"{len(problems)} input(s) skipped")


@app.command()
def places(
    paths: Paths,
    published: Published = None,
    fmt: MentionFormatOpt = MentionFormat.table,
    settings_file: SettingsFile = None,
) -> None:
    """List every place mention and the GeoNames place it resolved to."""
    columns = ("name", "country", "admin1", "lat", "lon", "geonames_id", "precision")
    _mention_rows(paths, published, fmt, settings_file, place_mentions, columns, "place")


@app.command()
def times(
    paths: Paths,
    published: Published = None,
    fmt: MentionFormatOpt = MentionFormat.table,
    settings_file: SettingsFile = None,
) -> None:
    """List every time expression and its TIMEX3-style value (resolved against --published)."""
    _mention_rows(
        paths, published, fmt, settings_file, time_mentions, ("value", "precision"), "time"
    )


@app.command()
def actors(
    paths: Paths,
    published: Published = None,
    fmt: MentionFormatOpt = MentionFormat.table,
    settings_file: SettingsFile = None,
) -> None:
    """List every actor mention and how it was coded (country, sector, Wikidata)."""
    columns = ("kind", "canonical", "country", "sector", "wikidata")
    _mention_rows(paths, published, fmt, settings_file, actor_mentions, columns, "actor")


@app.command()
def evaluate(
    gold: Annotated[
        Path | None, typer.Argument(help="Gold JSONL file (shared/gold/CONVENTIONS.md).")
    ] = None,
    set_name: Annotated[
        str | None,
        typer.Option("--set", help=f"A public evaluation set instead: {', '.join(evalsets.SETS)}."),
    ] = None,
    eval_root: Annotated[
        Path,
        typer.Option(
            "--eval-root",
            envvar="DOTTEREL_EVAL_ROOT",
            help="Folder holding the public evaluation sets.",
        ),
    ] = Path("../shared/eval"),
    fmt: Annotated[Format, typer.Option("--format", help="table or json.")] = Format.table,
    settings_file: SettingsFile = None,
) -> None:
    """Score the pipeline against a gold file (event P/R/F1, field accuracy) or a public set."""
    if (gold is None) == (set_name is None):
        raise _fail("give either a GOLD file or --set NAME, not both and not neither", 2)
    settings = _settings(settings_file)
    if set_name is not None:
        _evaluate_set(set_name, eval_root, settings, fmt)
        return
    assert gold is not None
    try:
        report = run_evaluation(gold, Pipeline(settings)).as_dict()
    except DotterelError as exc:
        raise _fail(str(exc)) from exc
    if fmt is not Format.table:
        sys.stdout.write(json.dumps(report, indent=2) + "\n")
        return
    table = Table(title=f"{report['gold']}: {report['articles']} articles")
    for name in ("measure", "value"):
        table.add_column(name)
    for name in ("events", "types"):
        s = report[name]
        table.add_row(
            f"{name} (type, source, target)" if name == "events" else "types only",
            f"P {s['precision']:.3f}  R {s['recall']:.3f}  F1 {s['f1']:.3f}  "
            f"(tp {s['tp']}, fp {s['fp']}, fn {s['fn']})",
        )
    for name in ("date", "place", "fatalities", "modality"):
        table.add_row(
            f"{name} accuracy on {report['matched']} matched", f"{report[f'{name}_accuracy']:.3f}"
        )
    Console(width=None if sys.stdout.isatty() else 160).print(table)


def _evaluate_set(name: str, root: Path, settings: Settings, fmt: Format) -> None:
    try:
        scorer = evalsets.resolve(name, root)
    except DotterelError as exc:
        raise _fail(str(exc), 2) from exc
    try:
        report = scorer(name, root, Pipeline(settings))
    except DotterelError as exc:
        raise _fail(str(exc)) from exc
    if fmt is not Format.table:
        sys.stdout.write(json.dumps(report, indent=2, default=str) + "\n")
        return
    table = Table(title=f"{name} ({root / name})")
    for column in ("measure", "value"):
        table.add_column(column)
    for key, value in _flat(report):
        table.add_row(
            escape(key), escape(f"{value:.4f}" if isinstance(value, float) else str(value))
        )
    Console(width=None if sys.stdout.isatty() else 160).print(table)


def _flat(report: dict[str, object], prefix: str = "") -> Iterator[tuple[str, object]]:
    for key, value in report.items():
        if isinstance(value, dict):
            yield from _flat(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value


@app.command()
def serve(
    db: Db = None,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option("--workers", help="Server processes.", min=1)] = 1,
    settings_file: SettingsFile = None,
) -> None:
    """Serve the HTTP API and the dashboard (http://HOST:PORT/, API docs at /docs)."""
    from dotterel.api import serve as run_server

    settings = _settings(settings_file, db=db)
    err.print(f"dotterel: dashboard at http://{host}:{port}/, API docs at /docs")
    try:
        run_server(settings, host, port, workers)
    except DotterelError as exc:
        raise _fail(str(exc)) from exc


# --- sources at scale: watch feeds, batch on Dask ----------------------------------------


def _log_line(line: str) -> None:
    err.print(f"{datetime.now():%H:%M:%S} {escape(line)}")


def _signal_line(line: str) -> None:
    """From a signal handler: straight to the file descriptor, never through rich's
    buffer, which the interrupted code may be in the middle of writing."""
    os.write(sys.stderr.fileno(), f"{datetime.now():%H:%M:%S} {line}\n".encode())


@app.command()
def watch(
    feeds: Annotated[list[str], typer.Argument(help="RSS or Atom feed URLs (http/https).")],
    every: Annotated[str, typer.Option("--every", help="Poll interval: 30s, 15m, 1h.")] = "15m",
    db: Db = None,
    state: Annotated[
        Path | None,
        typer.Option(
            "--state", help="File of seen items and feed validators (default: beside --db)."
        ),
    ] = None,
    once: Annotated[bool, typer.Option("--once", help="Poll each feed once, then stop.")] = False,
    settings_file: SettingsFile = None,
) -> None:
    """Poll feeds; fetch, code and store each new item. Ctrl-C stops after the current article."""
    from dotterel.store import Store
    from dotterel.watch import Watcher, WatchState, parse_interval, state_path_for, stop_on_signals

    settings = _settings(settings_file, db=db)
    not_urls = [feed for feed in feeds if not is_url(feed)]
    if not_urls:
        raise _fail(f"not an http(s) feed URL: {', '.join(not_urls)}", 2)
    try:
        interval = parse_interval(every)
    except DotterelError as exc:
        raise _fail(str(exc), 2) from exc
    stop = threading.Event()
    try:
        with (
            Store(settings.db) as store,
            WatchState(state or state_path_for(settings.db, settings.cache_path)) as seen,
            Fetcher(settings.fetch_timeout, settings.fetch_max_bytes) as fetcher,
        ):
            watcher = Watcher(Pipeline(settings), store, fetcher, seen, interval, _log_line, stop)
            with stop_on_signals(stop, _signal_line):
                _log_line(f"watching {len(feeds)} feed(s) every {every} into {store.url}")
                watcher.run(feeds, once=once)
            counts = seen.counts()
    except DotterelError as exc:
        raise _fail(str(exc)) from exc
    _log_line(
        f"stopped; items stored {counts['stored']}, given up {counts['failed']}, "
        f"to retry {counts['retry']} (state in {seen.path})"
    )


@app.command()
def batch(
    paths: Paths,
    out: Annotated[
        Path | None, typer.Option("--out", help="Folder for Parquet (events/, articles/).")
    ] = None,
    db: Db = None,
    workers: Annotated[
        int | None,
        typer.Option("--workers", min=1, help="LocalCluster worker processes (default: cores)."),
    ] = None,
    scheduler: Annotated[
        str | None, typer.Option("--scheduler", help="Dask scheduler tcp://HOST:PORT to use.")
    ] = None,
    report: Annotated[
        Path | None,
        typer.Option("--report", help="Failed articles as JSONL (default: OUT/failed.jsonl)."),
    ] = None,
    chunk_size: Annotated[
        int, typer.Option("--chunk-size", min=1, help="Articles per task.")
    ] = 200,
    published: Published = None,
    text_col: TextCol = "text",
    date_col: DateCol = "published",
    url_col: UrlCol = "url",
    settings_file: SettingsFile = None,
) -> None:
    """Code many articles on Dask workers into Parquet and/or the store; reruns resume."""
    from dotterel.batch import open_client, run_batch

    if out is None and db is None:
        raise _fail("give --out DIR (Parquet) or --db URL (the store), or both", 2)
    if workers is not None and scheduler is not None:
        raise _fail("give --workers (a LocalCluster) or --scheduler (a cluster), not both", 2)
    settings = _settings(settings_file, db=db)
    anchor = _published(published)
    columns = Columns(text=text_col, date=date_col, url=url_col)
    failures = report or (out / "failed.jsonl" if out else Path("batch-failed.jsonl"))
    try:
        with (
            Fetcher(settings.fetch_timeout, settings.fetch_max_bytes) as fetcher,
            open_client(workers, scheduler) as client,
            _batch_progress() as progress,
        ):
            summary = run_batch(
                read_items(paths, anchor, columns, fetcher),
                settings,
                client,
                out=out,
                db=settings.db if db is not None else None,
                report=failures,
                chunk_size=chunk_size,
                on_progress=progress,
            )
    except (DotterelError, OSError) as exc:
        raise _fail(str(exc)) from exc
    err.print(
        f"coded {summary.done} article(s), {summary.events} event(s) in {summary.seconds:.1f} s "
        f"({summary.rate:.1f} articles/s); {summary.skipped} done before, "
        f"{summary.duplicates} repeated, {summary.failed} failed (listed in {failures})"
    )


@contextmanager
def _batch_progress() -> Iterator[Callable[[Any], None]]:
    """A progress bar on standard error; yields the callback that moves it."""
    columns = (
        SpinnerColumn(),
        BarColumn(),
        TextColumn("{task.completed} articles"),
        TextColumn("{task.fields[rate]:.1f} articles/s"),
        TextColumn("{task.fields[failed]} failed"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err, transient=False) as bar:
        task = bar.add_task("batch", total=None, rate=0.0, failed=0)

        def update(progress: Any) -> None:
            bar.update(task, completed=progress.done, rate=progress.rate, failed=progress.failed)

        yield update


# --- incidents, claims and exports (issue 5) -------------------------------------------


class ExportFormat(StrEnum):
    acled_csv = "acled-csv"
    cameo_tsv = "cameo-tsv"
    geojson = "geojson"
    parquet = "parquet"
    jsonl = "jsonl"


TypeFilter = Annotated[str | None, typer.Option("--type", help="PLOVER type, e.g. ASSAULT.")]
CountryFilter = Annotated[
    str | None, typer.Option("--country", help="ISO3 of source, target or place.")
]
SinceFilter = Annotated[str | None, typer.Option("--since", help="Earliest date YYYY-MM-DD.")]
UntilFilter = Annotated[str | None, typer.Option("--until", help="Latest date YYYY-MM-DD.")]
BBoxFilter = Annotated[
    str | None,
    typer.Option("--bbox", help="WEST,SOUTH,EAST,NORTH in degrees (place inside the box)."),
]
TextFilter = Annotated[
    str | None, typer.Option("--text", help="Words in a member event's evidence sentence.")
]
LimitOpt = Annotated[int | None, typer.Option("--limit", min=0, help="At most this many.")]


def _incident_filters(
    type: str | None,
    country: str | None,
    since: str | None,
    until: str | None,
    bbox: str | None,
    text: str | None,
) -> dict[str, Any]:
    """The keyword filters of Store.incidents, or a usage error (exit code 2)."""
    if type is not None and type.upper() not in EVENT_TYPES:
        raise _fail(f"--type {type!r} is not a PLOVER type; use one of {', '.join(EVENT_TYPES)}", 2)
    box: tuple[float, float, float, float] | None = None
    if bbox is not None:
        parts = bbox.split(",")
        try:
            west, south, east, north = (float(p) for p in parts)
        except ValueError:
            raise _fail(f"--bbox {bbox!r}: give four numbers WEST,SOUTH,EAST,NORTH", 2) from None
        box = (west, south, east, north)
    try:
        return {
            "type": type,
            "country": country,
            "since": parse_date(since, "--since"),
            "until": parse_date(until, "--until"),
            "bbox": box,
            "text": text,
        }
    except DotterelError as exc:
        raise _fail(str(exc), 2) from exc


def _dead(estimate: Any) -> str:
    if estimate is None:
        return ""
    if estimate.high != estimate.best:
        return f"{estimate.best}–{estimate.high}"
    return str(estimate.best)


def _incident_table(found: Sequence[Any]) -> Table:
    table = Table(title=f"{len(found)} incidents")
    for name in ("id", "type", "mode", "source", "target", "place", "date", "dead", "hurt"):
        table.add_column(name, overflow="fold")
    table.add_column("sources", justify="right")
    table.add_column("events", justify="right")
    for i in found:
        when = ""
        if i.date is not None:
            when = i.date.start.isoformat()
            if i.date.end != i.date.start:
                when += f"…{i.date.end.isoformat()}"
        place = f"{i.place.name} ({i.place.country or '—'})" if i.place else ""
        table.add_row(
            i.id,
            i.type,
            i.mode or "",
            _actor(i.source),
            _actor(i.target),
            escape(place),
            when,
            _dead(i.fatalities),
            _dead(i.injured),
            str(i.sources),
            str(len(i.events)),
        )
    return table


def _print_rows(rows: list[dict[str, Any]], fmt: Format, table: Callable[[], Table]) -> None:
    if fmt is Format.jsonl:
        for row in rows:
            sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
    elif fmt is Format.json:
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
    else:
        Console(width=None if sys.stdout.isatty() else 160).print(table())


@app.command()
def incidents(
    db: Db = None,
    type: TypeFilter = None,
    country: CountryFilter = None,
    since: SinceFilter = None,
    until: UntilFilter = None,
    bbox: BBoxFilter = None,
    text: TextFilter = None,
    limit: LimitOpt = None,
    fmt: FormatOpt = Format.table,
    settings_file: SettingsFile = None,
) -> None:
    """List incidents: one per happening, fused across articles, with merged figures."""
    from dotterel.store import Store

    settings = _settings(settings_file, db=db)
    filters = _incident_filters(type, country, since, until, bbox, text)
    try:
        with Store(settings.db, create=False) as store:
            found = store.incidents(**filters, limit=limit)
    except (DotterelError, ValueError) as exc:
        raise _fail(str(exc)) from exc
    _print_rows([i.to_dict() for i in found], fmt, lambda: _incident_table(found))


@app.command()
def claims(
    incident_id: Annotated[str, typer.Argument(help="An incident id (see dotterel incidents).")],
    db: Db = None,
    fmt: FormatOpt = Format.table,
    settings_file: SettingsFile = None,
) -> None:
    """Show every source's figures for one incident: value, article, claimant."""
    from dotterel.store import Store

    settings = _settings(settings_file, db=db)
    try:
        with Store(settings.db, create=False) as store:
            found = store.claims(incident_id)
            outlets = {c.article: store.article(c.article) for c in found}
    except DotterelError as exc:
        raise _fail(str(exc)) from exc

    def table() -> Table:
        shown = Table(title=f"{len(found)} claims for {incident_id}")
        for name in ("field", "value", "claimant", "outlet", "article", "event"):
            shown.add_column(name, overflow="fold")
        for c in found:
            article = outlets.get(c.article)
            value = str(c.value) if c.high is None else f"{c.value}–{c.high}"
            shown.add_row(
                c.field,
                value,
                escape(c.claimant or ""),
                escape(article.outlet or "" if article else ""),
                escape(article.ref or c.article if article else c.article),
                c.event,
            )
        return shown

    _print_rows([to_dict(c) for c in found], fmt, table)


@app.command()
def export(
    fmt: Annotated[ExportFormat, typer.Option("--format", help="Export format.")],
    out: Annotated[
        Path | None, typer.Option("--out", help="File to write (default: standard output).")
    ] = None,
    db: Db = None,
    type: TypeFilter = None,
    country: CountryFilter = None,
    since: SinceFilter = None,
    until: UntilFilter = None,
    bbox: BBoxFilter = None,
    text: TextFilter = None,
    settings_file: SettingsFile = None,
) -> None:
    """Export incidents as ACLED-style CSV, CAMEO TSV, GeoJSON, Parquet or JSONL."""
    from dotterel.export import Exporter
    from dotterel.store import Store

    settings = _settings(settings_file, db=db)
    filters = _incident_filters(type, country, since, until, bbox, text)
    if fmt is ExportFormat.parquet and out is None:
        raise _fail("parquet is binary: give a file with --out PATH", 2)
    try:
        with Store(settings.db, create=False) as store:
            rows = store.iter_incidents(**filters)
            count = Exporter().write(rows, fmt.value, out if out is not None else sys.stdout)
    except (DotterelError, ValueError) as exc:
        raise _fail(str(exc)) from exc
    if out is not None:
        err.print(f"wrote {count} incident(s) to {escape(str(out))}")
