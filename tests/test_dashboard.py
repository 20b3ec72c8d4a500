"""The dashboard in a real Chromium (Debian's, driven by Playwright) over a real server.

The store holds the bundled sample corpus, coded by the real pipeline. Each test saves a
screenshot under test-output/dashboard/ (git-ignored) for a person to look at.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest

from dotterel.api import BackgroundServer, create_app
from dotterel.pipeline import Pipeline
from dotterel.records import Article, Event
from dotterel.settings import Settings
from dotterel.sources import read_paths
from dotterel.store import Store

CHROMIUM = Path("/usr/bin/chromium")
SAMPLES = Path(__file__).resolve().parents[1] / "src" / "dotterel" / "samples" / "articles.jsonl"
SHOTS = Path(__file__).resolve().parents[1] / "test-output" / "dashboard"
TOKEN = "dashboard-token"

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="no /usr/bin/chromium: apt-get install -y chromium (the CI script installs it)",
)

HOSTILE = (
    "Russian forces struck Odesa with drones overnight, killing two people "
    '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">, '
    "Ukrainian officials said on Sunday. <b>Kyiv</b> accused Moscow of terror."
)
HOSTILE_TITLE = '<img src=x onerror="window.__pwned = 3">Odesa <i>strike</i>'


@pytest.fixture(scope="module")
def served(
    tmp_path_factory: pytest.TempPathFactory, pipeline: Pipeline
) -> Iterator[tuple[str, Store]]:
    """A server over the sample corpus, ingested with the real pipeline."""
    url = f"sqlite:///{tmp_path_factory.mktemp('dashboard') / 'samples.db'}"
    store = Store(url)
    articles = [a for a in read_paths([SAMPLES]) if isinstance(a, Article)]
    results = [r for r in pipeline.pipe(articles) if r.ok]
    assert len(results) == 11
    store.add_many((r.article, r.events) for r in results)
    app = create_app(store, Settings(db=url, api_token=TOKEN), pipeline=pipeline)
    with BackgroundServer(app) as server:
        yield server.url, store
    store.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"]
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh page; fails the test on any script error, and saves a screenshot."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    yield tab
    SHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SHOTS / f"{request.node.name}.png"), full_page=True)
    context.close()
    assert errors == []


def located(events: list[Event]) -> list[Event]:
    return [e for e in events if e.place is not None and e.place.lat is not None]


def dated(events: list[Event]) -> list[Event]:
    return [e for e in events if e.date is not None]


def open_dashboard(page: Any, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("body[data-ready]")


def apply_and_wait(page: Any, action: Any) -> None:
    """Run a UI action that reloads the view and wait until the view is redrawn.

    (Waits use selectors and Python polling: the page's Content-Security-Policy forbids
    the eval that Playwright's wait_for_function needs.)"""
    before = page.get_attribute("body", "data-ready")
    action()
    page.wait_for_selector(f'body[data-ready]:not([data-ready="{before}"])')


def wait_until(check: Any, what: str, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def shown(page: Any) -> dict[str, Any]:
    return {
        "markers": page.locator("path.event-marker").count(),
        "rows": page.locator("#events tbody tr").count(),
        "timeline": int(page.get_attribute("#timeline", "data-total")),
        "status": page.text_content("#status"),
    }


def test_the_page_shows_the_sample_corpus(served: tuple[str, Store], page: Any) -> None:
    url, store = served
    events = store.events()
    open_dashboard(page, url)
    assert shown(page) == {
        "markers": len(located(events)),
        "rows": min(50, len(events)),
        "timeline": len(dated(events)),
        "status": f"{len(events)} events match",
    }
    assert len(located(events)) > 20
    # the countries are drawn from the vendored Natural Earth shapes, under the markers
    assert page.locator("path.leaflet-interactive").count() == len(located(events))
    countries = page.locator(".leaflet-overlay-pane path")
    wait_until(lambda: countries.count() > 200, "the country shapes")
    colours = {
        page.get_attribute(f'path.event-marker[data-type="{t}"]', "fill")
        for t in ("ASSAULT", "CONSULT")
    }
    assert len(colours) == 2  # coloured by type
    page.click("#more")
    rows = page.locator("#events tbody tr")
    wait_until(lambda: rows.count() == len(events), "the second page of the table")


def test_a_filter_drives_map_timeline_and_table(served: tuple[str, Store], page: Any) -> None:
    url, store = served
    open_dashboard(page, url)
    assaults = store.events(type="ASSAULT")
    apply_and_wait(page, lambda: page.select_option("#f-type", "ASSAULT"))
    assert shown(page) == {
        "markers": len(located(assaults)),
        "rows": len(assaults),
        "timeline": len(dated(assaults)),
        "status": f"{len(assaults)} events match",
    }
    types = "els => [...new Set(els.map(e => e.dataset.type))]"
    assert page.eval_on_selector_all("path.event-marker", types) == ["ASSAULT"]
    bars = page.locator("#timeline rect.bar")
    assert {bars.nth(i).get_attribute("data-type") for i in range(bars.count())} == {"ASSAULT"}
    assert "type=ASSAULT" in page.url

    ukraine = store.events(type="ASSAULT", country="UKR")
    apply_and_wait(page, lambda: (page.fill("#f-country", "UKR"), page.click("#f-apply")))
    assert shown(page)["rows"] == len(ukraine)
    assert shown(page)["markers"] == len(located(ukraine))
    assert re.search(r"[?&]country=UKR", page.url)

    shared = page.url  # the view is in the URL: opening it again gives the same view
    page.goto("about:blank")
    open_dashboard(page, shared)
    assert page.input_value("#f-type") == "ASSAULT" and page.input_value("#f-country") == "UKR"
    assert shown(page)["rows"] == len(ukraine)

    drones = store.events(text="drone")
    apply_and_wait(page, lambda: page.click("#f-clear"))
    apply_and_wait(page, lambda: (page.fill("#f-text", "drone"), page.press("#f-text", "Enter")))
    assert shown(page)["rows"] == len(drones) and len(drones) > 0


def test_clicking_an_event_shows_its_highlighted_evidence(
    served: tuple[str, Store], page: Any
) -> None:
    url, store = served
    open_dashboard(page, url)
    strike = max(
        located(store.events(type="ASSAULT")),
        key=lambda e: e.fatalities.best if e.fatalities else 0,
    )
    # markers on one spot overlap: send the click to this marker's own element
    page.dispatch_event(f'path.event-marker[data-id="{strike.id}"]', "click")
    page.wait_for_selector(f'#detail[data-event="{strike.id}"]')
    assert page.text_content("#article-text mark.evidence") == strike.evidence.sentence
    article = store.article(strike.article_id)
    assert article is not None
    assert page.text_content("#article-text") == article.text
    claims = page.text_content("#claims")
    assert strike.type in claims
    assert strike.fatalities is not None and str(strike.fatalities.best) in claims
    assert f"event={strike.id}" in page.url

    other = store.events(type="CONSULT")[0]
    page.click(f'#events tbody tr[data-id="{other.id}"]')
    page.wait_for_selector(f'#detail[data-event="{other.id}"]')
    assert page.locator("#events tbody tr.selected").count() == 1
    assert page.get_attribute("#events tbody tr.selected", "data-id") == other.id
    assert page.text_content("#article-text mark.evidence") == other.evidence.sentence


def test_markup_in_an_article_is_shown_as_text_and_never_runs(
    served: tuple[str, Store], page: Any
) -> None:
    url, store = served
    posted = {"text": HOSTILE, "title": HOSTILE_TITLE, "published": "2023-07-23", "id": "hostile"}
    response = httpx.post(
        f"{url}/articles", json=posted, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=60
    )
    assert response.status_code == 200 and response.json()["added"] == 1
    hostile = store.events(text="<script>")
    assert hostile, "the pipeline coded no event from the hostile article"

    open_dashboard(page, f"{url}/?text=%3Cscript%3E")
    assert shown(page)["rows"] == len(hostile)
    page.click(f'#events tbody tr[data-id="{hostile[0].id}"]')
    page.wait_for_selector(f'#detail[data-event="{hostile[0].id}"]')
    if located(hostile):  # its tooltip on the map is text too
        page.hover(f'path.event-marker[data-id="{hostile[0].id}"]', force=True)
        assert "<" not in page.inner_html(".leaflet-tooltip").replace("<div>", "").replace(
            "</div>", ""
        ).replace("<strong>", "").replace("</strong>", "")

    assert page.evaluate("window.__pwned") is None
    assert page.text_content("#article-text") == HOSTILE
    assert "<script>window.__pwned = 1</script>" in page.text_content("#article-text mark.evidence")
    assert HOSTILE_TITLE in page.text_content("#detail-meta")
    assert "<script>window.__pwned = 1</script>" in page.text_content("#events tbody")
    # nothing from the article became an element: only the page's own three scripts
    assert page.locator("script").count() == 3
    assert page.locator("img").count() == 0
    assert page.locator("#article-text b, #detail i, #events b").count() == 0


KHARKIV = [
    "Russian missiles struck Kharkiv on Monday, killing three people, the regional governor said.",
    "A Russian missile attack on Kharkiv on Monday killed five people, Ukraine's interior "
    "ministry said.",
]


def test_incidents_show_every_claim_beside_each_report(
    served: tuple[str, Store], page: Any
) -> None:
    url, store = served
    for n, text in enumerate(KHARKIV):
        posted = {"text": text, "published": "2019-05-21", "id": f"kharkiv-{n}"}
        response = httpx.post(
            f"{url}/articles", json=posted, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=60
        )
        assert response.status_code == 200 and response.json()["added"] == 1

    open_dashboard(page, f"{url}/?view=incidents")
    incidents = store.incidents()
    placed = [i for i in incidents if i.place is not None and i.place.lat is not None]
    assert page.locator("path.incident-marker").count() == len(placed)
    assert page.locator("path.event-marker").count() == 0
    assert shown(page)["rows"] == min(50, len(incidents))
    headers = page.locator("#events thead th").all_text_contents()
    assert headers == ["Date", "Type", "Source", "Target", "Place", "Dead", "Sources", "Evidence"]

    apply_and_wait(
        page,
        lambda: (
            page.fill("#f-since", "2019-05-20"),
            page.fill("#f-until", "2019-05-22"),
            page.click("#f-apply"),
        ),
    )
    (fused,) = store.incidents(since=date(2019, 5, 20), until=date(2019, 5, 22))
    assert fused.sources == 2 and fused.fatalities is not None
    assert (fused.fatalities.low, fused.fatalities.high) == (3, 5)
    assert shown(page)["rows"] == 1 and "view=incidents" in page.url
    page.click(f'#events tbody tr[data-id="{fused.id}"]')
    page.wait_for_selector(f'#detail[data-event="{fused.id}"]')

    assert page.text_content("#detail-meta") == "2 sources · 2 reports"
    claims = page.locator("#claims dd.claim")
    assert sorted(claims.all_text_contents()) == sorted(
        [
            "3 per the regional governor (kharkiv-0)",
            "5 per Ukraine's interior ministry (kharkiv-1)",
        ]
    )
    assert page.locator("#members button").count() == 2
    first = page.get_attribute("#detail", "data-member")
    shown_text = page.text_content("#article-text")
    assert shown_text in KHARKIV
    assert page.text_content("#article-text mark.evidence") == shown_text
    current = page.text_content("#claims dd.claim.current")
    assert ("3 per" in current) == (shown_text == KHARKIV[0])

    page.click("#members button:not(.current)")
    page.wait_for_selector(f'#detail:not([data-member="{first}"])')
    other_text = page.text_content("#article-text")
    assert {shown_text, other_text} == set(KHARKIV)
    assert page.text_content("#claims dd.claim.current") != current
    assert f"incident={fused.id}" in page.url
