"""One settings object: defaults < settings file < environment < flags.

Every setting is declared once in ``SETTINGS`` with its default and help text; that
table drives validation, the environment variable names and the docs.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dotterel.errors import SettingsError

__all__ = ["SETTINGS", "Setting", "Settings", "default_cache_dir"]

ENV_PREFIX = "DOTTEREL_"


def default_cache_dir() -> Path:
    """Where derived indexes (the gazetteer) are cached: $XDG_CACHE_HOME/dotterel."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "dotterel"


@dataclass(frozen=True, slots=True)
class Setting:
    """One declared setting: its name, default and the help shown in the docs."""

    name: str
    default: Any
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("db", "sqlite:///dotterel.db", "Store URL (SQLAlchemy), or a path to a SQLite file."),
    Setting(
        "cache_dir", "", "Folder for the gazetteer index; empty means $XDG_CACHE_HOME/dotterel."
    ),
    Setting(
        "min_population",
        1000,
        "Smallest GeoNames place (by population) the gazetteer matches; 0 keeps all.",
    ),
    Setting("tokenizer_cache", 1_000_000, "spaCy tokenizer cache size (entries)."),
    Setting("max_chars", 1_000_000, "Longest article text accepted, in characters."),
    Setting("fetch_timeout", 10.0, "Seconds one page or feed request may take in all."),
    Setting("fetch_max_bytes", 5_000_000, "Largest page or feed body fetched, in bytes."),
    Setting("api_token", "", "Bearer token POST /articles needs; empty refuses every write."),
    Setting("api_read_auth", False, "Whether the API's read endpoints need the token too."),
    Setting("api_max_body", 10_000_000, "Largest request body the API accepts, in bytes."),
)

_TYPES: dict[str, type] = {s.name: type(s.default) for s in SETTINGS}


@dataclass(frozen=True, slots=True)
class Settings:
    """The resolved settings; pass it down, never read a global."""

    db: str = "sqlite:///dotterel.db"
    cache_dir: str = ""
    min_population: int = 1000
    tokenizer_cache: int = 1_000_000
    max_chars: int = 1_000_000
    fetch_timeout: float = 10.0
    fetch_max_bytes: int = 5_000_000
    api_token: str = dataclasses.field(default="", repr=False)
    api_read_auth: bool = False
    api_max_body: int = 10_000_000

    @property
    def cache_path(self) -> Path:
        return Path(self.cache_dir) if self.cache_dir else default_cache_dir()

    @classmethod
    def load(
        cls,
        file: Path | None = None,
        env: Mapping[str, str] | None = None,
        **flags: Any,
    ) -> Settings:
        """Layer defaults < ``file`` (TOML) < ``env`` (DOTTEREL_*) < ``flags`` (None ignored)."""
        values: dict[str, Any] = {s.name: s.default for s in SETTINGS}
        if file is not None:
            values.update(_from_file(file))
        values.update(_from_env(os.environ if env is None else env))
        values.update({k: v for k, v in flags.items() if v is not None})
        unknown = set(values) - set(_TYPES)
        if unknown:
            raise SettingsError(f"unknown setting(s): {', '.join(sorted(unknown))}")
        return cls(**{k: _coerce(k, v) for k, v in values.items()})

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **changes)


def _from_file(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise SettingsError(f"settings file not found: {path}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"settings file {path} is not valid TOML: {exc}") from exc
    section = data.get("dotterel", data)
    if not isinstance(section, dict):
        raise SettingsError(f"settings file {path}: [dotterel] must be a table")
    return dict(section)


def _from_env(env: Mapping[str, str]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for name in _TYPES:
        key = ENV_PREFIX + name.upper()
        if key in env:
            found[name] = env[key]
    return found


def _coerce(name: str, value: Any) -> Any:
    wanted = _TYPES[name]
    if isinstance(value, wanted):
        return value
    if wanted is bool:
        return _boolean(name, value)
    try:
        return wanted(value)
    except (TypeError, ValueError) as exc:
        raise SettingsError(f"setting {name!r} must be {wanted.__name__}, got {value!r}") from exc


def _boolean(name: str, value: Any) -> bool:
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off", ""):
        return False
    raise SettingsError(f"setting {name!r} must be true or false, got {value!r}")
