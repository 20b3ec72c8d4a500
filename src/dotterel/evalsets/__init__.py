"""Public evaluation sets, by name: which scorer reads which folder of ``shared/eval``.

``SETS`` maps a set name to the ``module:function`` that scores the pipeline on it;
the module is imported only when its set is run. Every scorer has the signature
``(name: str, root: Path, pipeline: Pipeline) -> dict[str, object]`` and reads
``root / name``, where ``root`` is the folder holding the sets (``../shared/eval``).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from dotterel.errors import DotterelError, InputError

if TYPE_CHECKING:
    from dotterel.pipeline import Pipeline

__all__ = ["SETS", "Scorer", "resolve", "run_set"]

Scorer = Callable[[str, Path, "Pipeline"], dict[str, object]]

SETS: dict[str, str] = {
    "geowebnews": "dotterel.evalsets.geo:evaluate_geo",
    "lgl": "dotterel.evalsets.geo:evaluate_geo",
    "geovirus": "dotterel.evalsets.geo:evaluate_geo",
    "tempeval3-platinum": "dotterel.evalsets.timex:evaluate_timex",
    "timebank-tbaq": "dotterel.evalsets.timex:evaluate_timex",
    "meantime-en": "dotterel.evalsets.timex:evaluate_timex",
    "plover-gsr-cameo": "dotterel.evalsets.plover:evaluate_plover",
    "case2021-task2": "dotterel.evalsets.case2021:evaluate_case2021",
    "petrarch2-unittest": "dotterel.evalsets.petrarch:evaluate_petrarch",
    "india-police-events": "dotterel.evalsets.india_police:evaluate_india_police",
}


def resolve(name: str, root: Path) -> Scorer:
    """The scorer of set ``name``, once its folder ``root / name`` is known to exist."""
    target = SETS.get(name)
    if target is None:
        raise InputError(f"unknown evaluation set {name!r}; known sets: {', '.join(sorted(SETS))}")
    folder = root / name
    if not folder.is_dir():
        raise InputError(
            f"evaluation set {name!r} not found: no folder {folder}; "
            "point --eval-root (or DOTTEREL_EVAL_ROOT) at the folder holding the sets"
        )
    module_name, _, function_name = target.partition(":")
    try:
        module = importlib.import_module(module_name)
        scorer: Scorer = getattr(module, function_name)
    except (ImportError, AttributeError) as exc:
        raise DotterelError(
            f"the scorer of {name!r} ({target}) cannot be loaded: {exc}; reinstall dotterel"
        ) from exc
    return scorer


def run_set(name: str, root: Path, pipeline: Pipeline) -> dict[str, object]:
    """Score ``pipeline`` on the public set ``name`` read from ``root / name``."""
    return resolve(name, root)(name, root, pipeline)
