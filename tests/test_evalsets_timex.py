"""Date normalisation on the public TIMEX3 sets: floors, and the reader and scorer."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from dotterel.errors import InputError
from dotterel.evalsets.timex import (
    TimexDoc,
    evaluate_timex,
    normalise,
    read_set,
    resolvable,
)
from dotterel.pipeline import Pipeline

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT.parent / "shared" / "eval"
BASELINE: dict[str, dict[str, float]] = {
    name: floors
    for name, floors in json.loads(
        (Path(__file__).parent / "baselines" / "timex.json").read_text()
    ).items()
    if not name.startswith("_")
}
MEASURES = [(name, m) for name, floors in BASELINE.items() for m in floors if m != "max_failed"]

Report = Callable[[str], dict[str, object]]


@pytest.fixture(scope="module")
def report(pipeline: Pipeline) -> Report:
    """``report(name)``: the set's scores, computed once per module."""
    done: dict[str, dict[str, object]] = {}

    def get(name: str) -> dict[str, object]:
        if not (EVAL / name).is_dir():
            pytest.skip(f"set {name!r} not found at {EVAL / name} (it lives in shared/eval)")
        if name not in done:
            done[name] = evaluate_timex(name, EVAL, pipeline)
        return done[name]

    return get


@pytest.mark.parametrize(("name", "measure"), MEASURES)
def test_timex_score_holds_its_floor(report: Report, name: str, measure: str) -> None:
    value = report(name)[measure]
    assert isinstance(value, float)
    assert value >= BASELINE[name][measure], (
        f"{name} {measure} = {value} fell below its pinned floor {BASELINE[name][measure]}"
    )


@pytest.mark.parametrize("name", sorted(BASELINE))
def test_no_more_documents_fail_than_pinned(report: Report, name: str) -> None:
    scores = report(name)
    assert isinstance(scores["failed"], int) and isinstance(scores["documents"], int)
    assert scores["documents"] > 0
    assert scores["failed"] <= BASELINE[name]["max_failed"]


# The reader and the scorer, on small documents written here in each set's format.

TIMEML = """<?xml version="1.0" ?>
<TimeML>
<DOCID>T1</DOCID>
<DCT><TIMEX3 tid="t0" type="DATE" value="2013-03-22" functionInDocument="CREATION_TIME">
March 22, 2013</TIMEX3></DCT>
<TEXT>
Officials met <TIMEX3 tid="t1" type="DATE" value="2013-03-22">Friday</TIMEX3>. \
Sales <EVENT eid="e1">rose</EVENT> in <TIMEX3 tid="t2" type="DATE" value="2012-Q3">the \
third quarter</TIMEX3>. The talks lasted <TIMEX3 tid="t3" type="DURATION" value="P2D">two \
days</TIMEX3>. He is in charge <TIMEX3 tid="t4" type="DATE" value="PRESENT_REF">now</TIMEX3>.
</TEXT>
</TimeML>
"""

MEANTIME = """<?xml version="1.0" ?>
<Document doc_id="1" doc_name="one" lang="en">
<token t_id="1" sentence="0" number="0">Talks</token>
<token t_id="2" sentence="0" number="1">resume</token>
<token t_id="3" sentence="1" number="2">March</token>
<token t_id="4" sentence="1" number="3">01</token>
<token t_id="5" sentence="1" number="4">,</token>
<token t_id="6" sentence="1" number="5">2008</token>
<token t_id="7" sentence="2" number="6">They</token>
<token t_id="8" sentence="2" number="7">met</token>
<token t_id="9" sentence="2" number="8">in</token>
<token t_id="10" sentence="2" number="9">February</token>
<token t_id="11" sentence="2" number="10">.</token>
<token t_id="12" sentence="3" number="11">It</token>
<token t_id="13" sentence="3" number="12">rained</token>
<token t_id="14" sentence="3" number="13">in</token>
<token t_id="15" sentence="3" number="14">2005</token>
<token t_id="16" sentence="3" number="15">.</token>
<Markables>
<TIMEX3 m_id="20" type="DATE" value="2008-03-01" functionInDocument="CREATION_TIME">
<token_anchor t_id="3"/><token_anchor t_id="4"/><token_anchor t_id="5"/><token_anchor t_id="6"/>
</TIMEX3>
<TIMEX3 m_id="21" type="DATE" value="2008-02" functionInDocument="NONE">
<token_anchor t_id="10"/>
</TIMEX3>
<TIMEX3 m_id="22" type="DATE" value="2058" functionInDocument="NONE"/>
</Markables>
</Document>
"""


def write(root: Path, relative: str, text: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_timeml_tags_are_stripped_and_their_offsets_kept(tmp_path: Path) -> None:
    write(tmp_path, "tempeval3-platinum/te3-platinum/T1.tml", TIMEML)
    (doc,) = read_set("tempeval3-platinum", tmp_path)
    assert isinstance(doc, TimexDoc)
    assert str(doc.published) == "2013-03-22"
    assert "<" not in doc.text and "Sales rose in the third quarter." in doc.text
    spans = {doc.text[t.start : t.end]: (t.type, t.value) for t in doc.timexes}
    assert spans == {
        "Friday": ("DATE", "2013-03-22"),
        "the third quarter": ("DATE", "2012-Q3"),
        "two days": ("DURATION", "P2D"),
        "now": ("DATE", "PRESENT_REF"),
    }


def test_meantime_tokens_are_joined_into_text(tmp_path: Path) -> None:
    write(tmp_path, "meantime-en/intra-doc_annotation/corpus_x/one.xml", MEANTIME)
    (doc,) = read_set("meantime-en", tmp_path)
    assert isinstance(doc, TimexDoc)
    assert doc.text == "Talks resume\nMarch 01, 2008\nThey met in February.\nIt rained in 2005."
    assert [(doc.text[t.start : t.end], t.dct) for t in doc.timexes] == [
        ("March 01, 2008", True),
        ("February", False),
    ]
    # Only the first sentences carry markables: "in 2005" lies outside them.
    assert doc.annotated_end == doc.text.index("They met in February.") + len(
        "They met in February."
    )


def test_dates_are_scored_by_value_with_unresolvable_ones_apart(
    tmp_path: Path, pipeline: Pipeline
) -> None:
    write(tmp_path, "tempeval3-platinum/te3-platinum/T1.tml", TIMEML)
    scores = evaluate_timex("tempeval3-platinum", tmp_path, pipeline)
    assert scores["documents"] == 1 and scores["failed"] == 0
    assert (scores["gold_dates"], scores["gold_dates_resolvable"]) == (3, 2)
    assert scores["value_accuracy"] == 1.0  # "now" is PRESENT_REF, as TIMEX3 writes it
    assert scores["value_accuracy_resolvable"] == 1.0
    assert scores["span_recall"] == 1.0


def test_meantime_counts_mentions_only_where_it_annotates(
    tmp_path: Path, pipeline: Pipeline
) -> None:
    write(tmp_path, "meantime-en/intra-doc_annotation/corpus_x/one.xml", MEANTIME)
    scores = evaluate_timex("meantime-en", tmp_path, pipeline)
    assert (scores["gold_dates"], scores["value_accuracy"]) == (1, 1.0)
    assert (scores["predicted"], scores["span_precision"]) == (2, 1.0)  # not "in 2005"


def test_an_unreadable_document_is_counted_as_failed(tmp_path: Path, pipeline: Pipeline) -> None:
    write(tmp_path, "tempeval3-platinum/te3-platinum/T1.tml", TIMEML)
    write(tmp_path, "tempeval3-platinum/te3-platinum/T2.tml", "<TimeML><TEXT>cut off")
    scores = evaluate_timex("tempeval3-platinum", tmp_path, pipeline)
    assert (scores["documents"], scores["failed"]) == (2, 1)


def test_a_repeated_document_is_scored_once(tmp_path: Path, pipeline: Pipeline) -> None:
    write(tmp_path, "tempeval3-platinum/te3-platinum/T1.tml", TIMEML)
    write(tmp_path, "tempeval3-platinum/te3-platinum/T2.tml", TIMEML)
    scores = evaluate_timex("tempeval3-platinum", tmp_path, pipeline)
    assert (scores["documents"], scores["duplicates"], scores["gold_dates"]) == (1, 1, 3)


def test_an_unknown_set_is_an_input_error(tmp_path: Path, pipeline: Pipeline) -> None:
    with pytest.raises(InputError, match="unknown TIMEX3 set"):
        evaluate_timex("timebank", tmp_path, pipeline)


@pytest.mark.parametrize(
    ("value", "plain", "is_resolvable"),
    [
        ("1998-01-08", "1998-01-08", True),
        ("1998-W9", "1998-W09", True),
        ("1998-W02-WE", "1998-W02-WE", True),
        ("1998-Q3", "1998-Q3", True),
        ("1998-SU", "1998-SU", True),
        ("199X", "199", True),
        ("19XX", "19", True),
        (" 1998 ", "1998", True),
        ("PRESENT_REF", "PRESENT_REF", False),
        ("XXXX-WI", "XXXX-WI", False),
        ("1998-XX-XX", "1998-XX-XX", False),
    ],
)
def test_gold_values_are_normalised(value: str, plain: str, is_resolvable: bool) -> None:
    assert (normalise(value), resolvable(value)) == (plain, is_resolvable)
