"""Whether the pipeline stages run compiled, and the fallback to their sources.

``setup.py`` compiles the modules of ``dotterel.stages`` with mypyc into one native
library and records, in ``_compiled.json``, the SHA-256 of each source it compiled. A
compiled build is used only while it matches the sources beside it. When a source has
changed since the build (an edit not yet rebuilt), when the native library is missing
(no C compiler at install time), or when ``DOTTEREL_PURE_PYTHON=1`` is set, every stage
module is imported from its ``.py`` file instead: all of them together, because
compiled modules call one another directly and a half-compiled set would keep running
the old code of the modules it calls.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import os
import sys
from collections.abc import Sequence
from importlib.abc import MetaPathFinder
from importlib.machinery import EXTENSION_SUFFIXES, ModuleSpec
from pathlib import Path
from types import ModuleType

__all__ = ["COMPILED", "MANIFEST", "NATIVE", "PURE_ENV", "build_state", "prefer_sources"]

MANIFEST = "_compiled.json"
NATIVE = "_native__mypyc"  # the native library mypyc builds for the group
PURE_ENV = "DOTTEREL_PURE_PYTHON"
COMPILED = "compiled"

log = logging.getLogger(__name__)


def source_digests(folder: Path) -> dict[str, str]:
    """SHA-256 of every module source in ``folder`` but the package's ``__init__``."""
    return {
        path.stem: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.glob("*.py"))
        if path.name != "__init__.py"
    }


def build_state(folder: Path) -> str:
    """``compiled``, or why the sources run instead: ``asked`` (the environment says
    so), ``not built`` (no native library or no manifest) or ``stale`` (a source changed
    after the build)."""
    if os.environ.get(PURE_ENV) == "1":
        return "asked"
    manifest = folder / MANIFEST
    if not manifest.is_file() or not any(
        (folder / f"{NATIVE}{suffix}").is_file() for suffix in EXTENSION_SUFFIXES
    ):
        return "not built"
    try:
        built = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "not built"
    return COMPILED if built == source_digests(folder) else "stale"


class _Sources(MetaPathFinder):
    """Finds the modules of one package in their ``.py`` files, ahead of any extension
    module of the same name."""

    def __init__(self, package: str, folder: Path) -> None:
        self.package = package
        self.folder = folder

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        package, _, name = fullname.rpartition(".")
        source = self.folder / f"{name}.py"
        if package != self.package or not source.is_file():
            return None
        return importlib.util.spec_from_file_location(fullname, source)


def prefer_sources(package: str, folder: Path) -> str:
    """Call from the package's ``__init__``: unless the compiled build matches the
    sources, import the package's modules from source. Returns the build state."""
    state = build_state(folder)
    if state != COMPILED and not any(
        isinstance(finder, _Sources) and finder.package == package for finder in sys.meta_path
    ):
        sys.meta_path.insert(0, _Sources(package, folder))
    if state == "stale":
        log.warning(
            "%s: the compiled build is older than the sources; running them as Python "
            "(slower). Rebuild with `make install` or `pip install -e .`.",
            package,
        )
    return state
