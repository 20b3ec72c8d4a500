"""The mypyc build of the stages: used only while it matches its sources, and coding
exactly what the sources code."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from importlib.machinery import EXTENSION_SUFFIXES
from importlib.resources import files
from pathlib import Path

import pytest

import dotterel.stages
from dotterel.compiled import COMPILED, MANIFEST, NATIVE, PURE_ENV, build_state, source_digests

SAMPLES = Path(str(files("dotterel") / "samples" / "articles.jsonl"))


def _has_c_compiler() -> bool:
    compiler = (sysconfig.get_config_var("CC") or "").split()
    return bool(compiler) and shutil.which(compiler[0]) is not None


def _python(code: str, *args: str, pure: bool) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != PURE_ENV}
    if pure:
        env[PURE_ENV] = "1"
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )


def _package(folder: Path, *, built: bool = True) -> Path:
    """A stand-in stages folder: two sources, and a build of them when ``built``."""
    folder.mkdir()
    (folder / "__init__.py").write_text("")
    (folder / "alpha.py").write_text("X = 1\n")
    (folder / "beta.py").write_text("Y = 2\n")
    if built:
        (folder / f"{NATIVE}{EXTENSION_SUFFIXES[0]}").write_bytes(b"")
        (folder / MANIFEST).write_text(json.dumps(source_digests(folder)))
    return folder


def test_a_build_that_matches_its_sources_is_used(tmp_path: Path) -> None:
    assert build_state(_package(tmp_path / "stages")) == COMPILED


def test_an_edited_source_sets_the_build_aside(tmp_path: Path) -> None:
    folder = _package(tmp_path / "stages")
    (folder / "beta.py").write_text("Y = 3\n")
    assert build_state(folder) == "stale"


def test_a_module_added_after_the_build_sets_it_aside(tmp_path: Path) -> None:
    folder = _package(tmp_path / "stages")
    (folder / "gamma.py").write_text("Z = 4\n")
    assert build_state(folder) == "stale"


def test_no_native_library_means_the_sources_run(tmp_path: Path) -> None:
    folder = _package(tmp_path / "stages")
    next(folder.glob(f"{NATIVE}*")).unlink()
    assert build_state(folder) == "not built"
    assert build_state(_package(tmp_path / "bare", built=False)) == "not built"


def test_the_environment_can_ask_for_the_sources(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(PURE_ENV, "1")
    assert build_state(_package(tmp_path / "stages")) == "asked"


@pytest.mark.skipif(not _has_c_compiler(), reason="no C compiler: the stages run as Python")
def test_the_installed_stages_are_compiled() -> None:
    import dotterel.stages.events as events

    assert dotterel.stages.BUILD == COMPILED, (
        f"stages build is {dotterel.stages.BUILD!r}: run `make install` to rebuild"
    )
    assert events.__file__ is not None
    assert events.__file__.endswith(tuple(EXTENSION_SUFFIXES))


def test_asking_for_the_sources_imports_every_stage_from_its_py_file() -> None:
    code = (
        "import dotterel.stages as s, dotterel.stages.events as e, dotterel.stages.roles as r;"
        "print(s.BUILD, e.__file__.endswith('.py'), r.__file__.endswith('.py'))"
    )
    assert _python(code, pure=True).stdout.split() == ["asked", "True", "True"]


def test_compiled_and_source_stages_code_the_samples_alike() -> None:
    code = (
        "import sys; from dotterel.cli import app;"
        "sys.argv = ['dotterel', 'extract', sys.argv[1], '--format', 'jsonl']; app()"
    )
    compiled = _python(code, str(SAMPLES), pure=False).stdout
    source = _python(code, str(SAMPLES), pure=True).stdout
    events = [json.loads(line) for line in compiled.splitlines()]
    assert len(events) > 20
    assert {event["type"] for event in events} >= {"ASSAULT", "CONSULT"}
    assert compiled == source
