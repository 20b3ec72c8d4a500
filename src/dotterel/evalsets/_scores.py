"""Counting shared by the scorers: per-label true/false positives and misses, and P/R/F1."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

__all__ = ["Tally", "prf", "tally"]

Tally = tuple[Counter[str], Counter[str], Counter[str]]


def tally(pairs: Iterable[tuple[str, str | None]]) -> Tally:
    """(true positives, false positives, misses) per label from (gold, predicted) pairs;
    a None prediction is a miss of the gold label and no false positive."""
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    for gold, predicted in pairs:
        if predicted == gold:
            tp[gold] += 1
            continue
        fn[gold] += 1
        if predicted is not None:
            fp[predicted] += 1
    return tp, fp, fn


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    """Precision, recall and F1 (0.0 where undefined), unrounded."""
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1
