"""Schemathesis against the live server's /openapi.json: no request it makes gets a 5xx."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from dotterel.api import BackgroundServer, create_app
from dotterel.pipeline import Pipeline
from dotterel.settings import Settings
from dotterel.store import Store
from test_api import TOKEN, fill, second_odesa

AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def server_url(tmp_path_factory: pytest.TempPathFactory, pipeline: Pipeline) -> Iterator[str]:
    """A live server over the known events and incidents; writes allowed with the token."""
    path: Path = tmp_path_factory.mktemp("schema") / "events.db"
    store = Store(f"sqlite:///{path}")
    fill(store)
    store.add(*second_odesa())
    settings_ = Settings(db=str(path), api_token=TOKEN, api_max_body=200_000)
    with BackgroundServer(create_app(store, settings_, pipeline=pipeline)) as server:
        yield server.url
    store.close()


# Every operation the API documents; the test fails when one is added without it here.
OPERATIONS = [
    ("GET", "/events"),
    ("GET", "/events/{event_id}"),
    ("GET", "/stats"),
    ("GET", "/incidents"),
    ("GET", "/incidents/{incident_id}"),
    ("POST", "/articles"),
    ("GET", "/articles/{article_id}"),
]


@pytest.fixture(scope="module")
def api_schema(server_url: str) -> Any:
    loaded = schemathesis.openapi.from_url(f"{server_url}/openapi.json")
    documented = {(op.ok().method.upper(), op.ok().path) for op in loaded.get_all_operations()}
    assert documented == set(OPERATIONS)
    return loaded


# (The schemathesis pytest plugin's lazy fixture loader does not run under pytest 9, so
# each operation's Hypothesis strategy is driven here directly.)
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_no_request_gets_a_server_error(
    api_schema: Any, server_url: str, method: str, path: str, mode: GenerationMode
) -> None:
    operation = api_schema[path][method]

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
    def run(case: Any) -> None:
        case.call_and_validate(base_url=server_url, headers=AUTH, checks=[not_a_server_error])

    run()
