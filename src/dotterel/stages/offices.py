"""Offices: who held a role ("the president", "the foreign minister") in a country on a day.

Built from the terms of office in ``people.yaml``, so a role word in a story resolves to
the person by the story's country and publication date.
"""

from __future__ import annotations

from datetime import date

from dotterel.knowledge import Knowledge

__all__ = ["Offices"]

_DETERMINERS = ("the ", "its ", "his ", "her ", "their ", "a ")


class Offices:
    """(country, role) -> terms of office: (start, end, canonical name, Wikidata QID)."""

    def __init__(self, knowledge: Knowledge) -> None:
        self.terms: dict[tuple[str, str], list[tuple[date | None, date | None, str, str | None]]]
        self.terms = {}
        seen: set[tuple[str, str, str, date | None]] = set()
        for entry in knowledge.actors:
            if entry.kind != "person" or not entry.country or not entry.canonical:
                continue
            for role in entry.roles:
                key = (entry.country, role.role.lower(), entry.canonical, role.start)
                if key in seen:
                    continue
                seen.add(key)
                self.terms.setdefault((entry.country, role.role.lower()), []).append(
                    (role.start, role.end, entry.canonical, entry.wikidata)
                )

    def holder(self, text: str, country: str, on: date | None) -> tuple[str, str | None] | None:
        """The one person holding the role named by ``text`` in ``country`` on ``on``."""
        if on is None:
            return None
        role = text.lower()
        for determiner in _DETERMINERS:
            role = role.removeprefix(determiner)
        holders = [
            (name, qid)
            for start, end, name, qid in self.terms.get((country, role), [])
            if (start is None or start <= on) and (end is None or on <= end)
        ]
        return holders[0] if len({h[0] for h in holders}) == 1 else None
