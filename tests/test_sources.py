"""Readers without a network: HTML files, CSV/JSONL with a column mapping, gzip, folders
and web archives (WARC written here with warcio)."""

from __future__ import annotations

import csv
import gzip
import io
import json
import shutil
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from dotterel import cli
from dotterel.pipeline import Pipeline
from dotterel.records import Article, Event
from dotterel.sources import Columns, HtmlPage, SourceProblem, read_items, read_paths

WEB = Path(__file__).parent / "data" / "web"
ODESA_FIRST = "Russian forces struck Odesa with missiles and drones on Sunday, killing two people"
KHARKIV = (
    "Russian forces shelled the Ukrainian city of Kharkiv on Sunday, "
    "killing four civilians, regional officials said."
)
GAZA = (
    "An Israeli air strike on the Gaza Strip killed seven people on Tuesday, "
    "Palestinian health officials said."
)


def read_one(path: Path | str, **options: object) -> Article | SourceProblem:
    found = list(read_paths([path], **options))  # type: ignore[arg-type]
    assert len(found) == 1, found
    return found[0]


def article(path: Path | str, **options: object) -> Article:
    found = read_one(path, **options)
    assert isinstance(found, Article), found
    return found


def problem(path: Path | str, **options: object) -> SourceProblem:
    found = read_one(path, **options)
    assert isinstance(found, SourceProblem), found
    return found


def first_assault(pipeline: Pipeline, art: Article) -> Event:
    result = pipeline.process(art)
    assert result.error is None
    return next(e for e in result.events if e.type == "ASSAULT")


# --- HTML pages ---------------------------------------------------------------------------


def test_an_html_page_gives_its_main_text_title_date_outlet_and_url() -> None:
    page = article(WEB / "odesa.html")
    assert page.title == "Missiles and drones hit Odesa, killing two"
    assert page.url == "https://gazette.example/world/odesa-strike"
    assert page.outlet == "Harbour Gazette"
    assert page.published == date(2023, 7, 24)
    assert page.ref == str(WEB / "odesa.html")
    assert page.text.startswith(ODESA_FIRST)
    assert page.text.endswith("a school near the harbour.")
    assert page.text.count("\n") == 2  # three paragraphs, nothing else
    for boilerplate in ("Subscribe", "cookies", "Most read", "gardening", "Reader42", "rights"):
        assert boilerplate not in page.text
    assert "hit Odesa, killing two\n" not in page.text  # the headline is the title, not text


def test_the_page_date_anchors_relative_dates(pipeline: Pipeline) -> None:
    event = first_assault(pipeline, article(WEB / "odesa.html"))
    assert event.source is not None and (event.source.country, event.source.sector) == (
        "RUS",
        "MIL",
    )
    assert event.place is not None and (event.place.name, event.place.country) == ("Odesa", "UKR")
    # published Monday 24 July 2023: "on Sunday" is the 23rd
    assert event.date is not None
    assert (event.date.start, event.date.end, event.date.precision) == (
        date(2023, 7, 23),
        date(2023, 7, 23),
        1,
    )
    assert event.fatalities is not None and event.fatalities.best == 2


def test_published_overrides_the_page_date(pipeline: Pipeline) -> None:
    page = article(WEB / "odesa.html", published=date(2023, 8, 1))
    assert page.published == date(2023, 8, 1)
    event = first_assault(pipeline, page)
    assert event.date is not None and event.date.start == date(2023, 7, 30)  # Sunday before


@pytest.mark.parametrize(
    ("fixture", "published", "outlet", "first_line"),
    [
        pytest.param("kharkiv.html", date(2024, 5, 6), "Eastern Wire", KHARKIV, id="json-ld"),
        pytest.param("gaza.html", date(2024, 1, 10), None, GAZA, id="time-element"),
        pytest.param("undated.html", None, None, None, id="no-date"),
    ],
)
def test_page_dates_come_from_markup_only(
    fixture: str, published: date | None, outlet: str | None, first_line: str | None
) -> None:
    page = article(WEB / fixture)
    assert page.published == published
    assert page.outlet == outlet
    if first_line is not None:
        assert page.text.split("\n")[0] == first_line


def test_the_json_ld_date_resolves_sunday_in_kharkiv(pipeline: Pipeline) -> None:
    event = first_assault(pipeline, article(WEB / "kharkiv.html"))
    assert event.place is not None and (event.place.name, event.place.country) == (
        "Kharkiv",
        "UKR",
    )
    assert event.date is not None and event.date.start == date(2024, 5, 5)
    assert event.fatalities is not None and event.fatalities.best == 4


def test_a_page_of_menus_is_a_problem_not_an_article() -> None:
    found = problem(WEB / "boilerplate.html")
    assert found.ref == str(WEB / "boilerplate.html")
    assert "no article text" in found.message


def test_pages_stay_unextracted_until_asked(tmp_path: Path) -> None:
    items = list(read_items([WEB / "gaza.html"]))
    assert len(items) == 1 and isinstance(items[0], HtmlPage)
    extracted = items[0].to_article()
    assert isinstance(extracted, Article) and extracted.published == date(2024, 1, 10)


# --- CSV and JSONL with a column mapping -------------------------------------------------

MAPPED = Columns(text="body", date="day", url="link")


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


CSV_ROWS = [
    {"id": "k1", "body": KHARKIV, "day": "2024-05-06", "link": "https://w.example/k", "title": "K"},
    {"id": "g1", "body": GAZA, "day": "2024-01-10T12:00:00Z", "link": "", "title": ""},
    {"id": "bad", "body": GAZA + " Again.", "day": "10/01/2024", "link": "", "title": ""},
    {"id": "empty", "body": "  ", "day": "", "link": "", "title": ""},
]


def test_csv_rows_are_articles_through_the_column_mapping(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "wire.csv", CSV_ROWS)
    found = list(read_paths([path], columns=MAPPED))
    assert found[0] == Article(
        text=KHARKIV,
        ref="k1",
        url="https://w.example/k",
        title="K",
        published=date(2024, 5, 6),
    )
    assert found[1] == Article(text=GAZA, ref="g1", published=date(2024, 1, 10))
    assert found[2] == SourceProblem(
        f"{path}:4", "day: '10/01/2024' is not a date (expected YYYY-MM-DD)"
    )
    assert found[3] == SourceProblem(f"{path}:5", "missing or empty 'body'")
    assert len(found) == 4


def test_a_csv_without_the_text_column_is_one_clear_problem(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "wire.csv", CSV_ROWS)
    (found,) = read_paths([path])
    assert isinstance(found, SourceProblem) and found.ref == str(path)
    assert found.message.startswith("no column 'text' (columns: id, body, day, link, title)")
    assert "--text-col" in found.message


def test_a_mapped_date_column_that_is_missing_is_named(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "wire.csv", CSV_ROWS)
    (found,) = read_paths([path], columns=Columns(text="body", date="when"))
    assert found == SourceProblem(str(path), "no column 'when' given by --date-col")


def test_jsonl_fields_follow_the_mapping_and_published_wins(tmp_path: Path) -> None:
    path = tmp_path / "lines.jsonl"
    rows = [{"body": KHARKIV, "day": "2024-05-06", "link": "https://w.example/k", "id": 7}]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    (found,) = read_paths([path], columns=MAPPED)
    assert found == Article(
        text=KHARKIV, ref="7", url="https://w.example/k", published=date(2024, 5, 6)
    )
    (forced,) = read_paths([path], published=date(2024, 5, 8), columns=MAPPED)
    assert isinstance(forced, Article) and forced.published == date(2024, 5, 8)


# --- gzip and folders -------------------------------------------------------------------------


def gzip_copy(path: Path, into: Path) -> Path:
    target = into / (path.name + ".gz")
    target.write_bytes(gzip.compress(path.read_bytes()))
    return target


@pytest.mark.parametrize("name", ["story.txt", "lines.jsonl", "wire.csv", "odesa.html"])
def test_a_gzipped_file_reads_as_the_plain_one(tmp_path: Path, name: str) -> None:
    plain = tmp_path / name
    if name == "story.txt":
        plain.write_text(KHARKIV, encoding="utf-8")
    elif name == "lines.jsonl":
        plain.write_text(json.dumps({"id": "g", "text": GAZA}) + "\n", encoding="utf-8")
    elif name == "wire.csv":
        write_csv(plain, [{"text": GAZA, "published": "2024-01-10"}])
    else:
        shutil.copy(WEB / name, plain)
    zipped_dir = tmp_path / "zipped"
    zipped_dir.mkdir()
    zipped = gzip_copy(plain, zipped_dir)
    expected = article(plain)
    got = article(zipped)
    assert (got.id, got.text, got.title, got.published, got.url) == (
        expected.id,
        expected.text,
        expected.title,
        expected.published,
        expected.url,
    )
    assert got.id == expected.id


def test_a_gz_file_that_is_not_gzip_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "story.txt.gz"
    path.write_text(KHARKIV, encoding="utf-8")
    assert problem(path) == SourceProblem(str(path), "not a gzip file (its name ends in .gz)")


def test_a_truncated_gzip_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "lines.jsonl.gz"
    data = gzip.compress((json.dumps({"text": GAZA}) + "\n").encode() * 50)
    path.write_bytes(data[: len(data) // 2])
    found = list(read_paths([path]))
    assert isinstance(found[-1], SourceProblem)
    assert "damaged or truncated gzip" in found[-1].message


def test_a_folder_reads_every_known_kind_in_name_order(tmp_path: Path) -> None:
    (tmp_path / "a-story.txt").write_text(KHARKIV, encoding="utf-8")
    (tmp_path / "b-lines.jsonl").write_text(json.dumps({"id": "gz", "text": GAZA}) + "\n")
    gzip_copy(tmp_path / "b-lines.jsonl", tmp_path)
    (tmp_path / "b-lines.jsonl").unlink()
    sub = tmp_path / "c-pages"
    sub.mkdir()
    shutil.copy(WEB / "odesa.html", sub / "odesa.html")
    (tmp_path / "d-report.pdf").write_bytes(b"%PDF-1.4")
    (tmp_path / "e-sitemap.xml").write_text("<urlset/>")
    refs = [a.ref for a in read_paths([tmp_path]) if isinstance(a, Article)]
    assert refs == [str(tmp_path / "a-story.txt"), "gz", str(sub / "odesa.html")]


def test_unknown_and_missing_inputs_are_problems(tmp_path: Path) -> None:
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    assert problem(pdf).message.startswith("unknown file type")
    assert problem(tmp_path / "nope.txt").message == "no such file or folder"
    empty = tmp_path / "empty"
    empty.mkdir()
    assert "holds no file" in problem(empty).message


# --- web archives -------------------------------------------------------------------------


def _http(status: str, content_type: str) -> StatusAndHeaders:
    return StatusAndHeaders(status, [("Content-Type", content_type)], protocol="HTTP/1.1")


def write_warc(path: Path, gzipped: bool) -> None:
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=gzipped)
        odesa = (WEB / "odesa.html").read_bytes()
        gaza = (WEB / "gaza.html").read_bytes()
        records = [
            writer.create_warc_record(
                "https://gazette.example/world/odesa-strike",
                "request",
                payload=io.BytesIO(b""),
                http_headers=StatusAndHeaders(
                    "GET /world/odesa-strike HTTP/1.1", [], is_http_request=True
                ),
            ),
            writer.create_warc_record(
                "https://gazette.example/world/odesa-strike",
                "response",
                payload=io.BytesIO(odesa),
                http_headers=_http("200 OK", "text/html; charset=utf-8"),
            ),
            writer.create_warc_record(
                "https://gazette.example/gone",
                "response",
                payload=io.BytesIO(b"<html><body>Not found</body></html>"),
                http_headers=_http("404 Not Found", "text/html"),
            ),
            writer.create_warc_record(
                "https://gazette.example/old",
                "response",
                payload=io.BytesIO(b""),
                http_headers=_http("301 Moved Permanently", "text/html"),
            ),
            writer.create_warc_record(
                "https://gazette.example/logo.png",
                "response",
                payload=io.BytesIO(b"\x89PNG\r\n"),
                http_headers=_http("200 OK", "image/png"),
            ),
            writer.create_warc_record(
                "https://coastal.example/gaza",
                "resource",
                payload=io.BytesIO(gaza),
                warc_content_type="text/html",
            ),
        ]
        for record in records:
            writer.write_record(record)


@pytest.mark.parametrize("name", ["crawl.warc", "crawl.warc.gz"])
def test_a_warc_yields_its_html_pages_only(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    write_warc(path, gzipped=name.endswith(".gz"))
    found = list(read_paths([path]))
    assert [a.ref for a in found] == [
        "https://gazette.example/world/odesa-strike",
        "https://coastal.example/gaza",
    ]
    odesa, gaza = found
    assert isinstance(odesa, Article) and isinstance(gaza, Article)
    assert odesa.text.startswith(ODESA_FIRST)
    assert (odesa.title, odesa.published, odesa.outlet) == (
        "Missiles and drones hit Odesa, killing two",
        date(2023, 7, 24),
        "Harbour Gazette",
    )
    assert odesa.url == "https://gazette.example/world/odesa-strike"
    assert (gaza.text.split("\n")[0], gaza.published, gaza.outlet) == (
        GAZA,
        date(2024, 1, 10),
        "coastal.example",
    )


def test_a_file_named_warc_that_is_not_one_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "crawl.warc"
    path.write_text("<html><body>A saved page</body></html>\n", encoding="utf-8")
    found = problem(path)
    assert found.message.startswith("not a WARC file, or damaged: Unknown archive format")


# --- the command line ---------------------------------------------------------------------


def test_extract_reads_a_csv_through_the_column_options(tmp_path: Path, cache_dir: Path) -> None:
    path = write_csv(tmp_path / "wire.csv", CSV_ROWS[:2])
    result = CliRunner().invoke(
        cli.app,
        [
            "extract",
            str(path),
            "--text-col",
            "body",
            "--date-col",
            "day",
            "--url-col",
            "link",
            "--format",
            "jsonl",
        ],
        env={"DOTTEREL_CACHE_DIR": str(cache_dir)},
    )
    assert result.exit_code == 0, result.output
    events = [json.loads(line) for line in result.stdout.splitlines()]
    assaults = {e["article_ref"]: e for e in events if e["type"] == "ASSAULT"}
    assert set(assaults) == {"k1", "g1"}
    kharkiv, gaza = assaults["k1"], assaults["g1"]
    assert (kharkiv["source"]["country"], kharkiv["place"]["name"]) == ("RUS", "Kharkiv")
    assert (kharkiv["date"]["start"], kharkiv["fatalities"]["best"]) == ("2024-05-05", 4)
    assert (gaza["source"]["country"], gaza["place"]["country"]) == ("ISR", "PSE")
    assert (gaza["date"]["start"], gaza["fatalities"]["best"]) == ("2024-01-09", 7)
