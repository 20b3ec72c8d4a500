"""Settings: defaults < settings file < environment < flags, and readable errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from dotterel.errors import SettingsError
from dotterel.settings import SETTINGS, Settings


@pytest.fixture
def settings_file(tmp_path: Path) -> Path:
    path = tmp_path / "dotterel.toml"
    path.write_text(
        '[dotterel]\ndb = "sqlite:///from-file.db"\nmin_population = 5000\nmax_chars = 2000\n',
        encoding="utf-8",
    )
    return path


def test_defaults_come_from_the_settings_table() -> None:
    loaded = Settings.load(env={})
    for setting in SETTINGS:
        assert getattr(loaded, setting.name) == setting.default
    assert loaded == Settings()


def test_every_setting_has_help() -> None:
    assert all(setting.help.strip() for setting in SETTINGS)


def test_file_overrides_defaults(settings_file: Path) -> None:
    loaded = Settings.load(settings_file, env={})
    assert (loaded.db, loaded.min_population, loaded.max_chars) == (
        "sqlite:///from-file.db",
        5000,
        2000,
    )
    assert loaded.tokenizer_cache == Settings().tokenizer_cache


def test_a_file_without_a_section_is_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "flat.toml"
    path.write_text("min_population = 0\n", encoding="utf-8")
    assert Settings.load(path, env={}).min_population == 0


def test_environment_overrides_file(settings_file: Path) -> None:
    env = {"DOTTEREL_DB": "sqlite:///from-env.db", "DOTTEREL_MIN_POPULATION": "15000"}
    loaded = Settings.load(settings_file, env=env)
    assert (loaded.db, loaded.min_population, loaded.max_chars) == (
        "sqlite:///from-env.db",
        15000,
        2000,
    )


def test_flags_override_environment(settings_file: Path) -> None:
    env = {"DOTTEREL_DB": "sqlite:///from-env.db", "DOTTEREL_MIN_POPULATION": "15000"}
    loaded = Settings.load(settings_file, env=env, db="sqlite:///from-flag.db", min_population=None)
    assert (loaded.db, loaded.min_population, loaded.max_chars) == (
        "sqlite:///from-flag.db",
        15000,
        2000,
    )


def test_process_environment_is_read_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOTTEREL_DB", "postgresql+psycopg://db.example/events")
    monkeypatch.setenv("DOTTEREL_CACHE_DIR", "/srv/dotterel-cache")
    loaded = Settings.load()
    assert loaded.db == "postgresql+psycopg://db.example/events"
    assert loaded.cache_path == Path("/srv/dotterel-cache")


def test_empty_cache_dir_means_the_user_cache(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert Settings().cache_path == tmp_path / "dotterel"


@pytest.mark.parametrize(
    ("env", "flags"),
    [
        ({"DOTTEREL_MIN_POPULATION": "a thousand"}, {}),
        ({"DOTTEREL_MAX_CHARS": "1e6x"}, {}),
        ({}, {"tokenizer_cache": "big"}),
        ({}, {"colour": "blue"}),
    ],
    ids=["bad-env-int", "bad-env-max-chars", "bad-flag-int", "unknown-flag"],
)
def test_bad_values_raise_settings_error(env: dict[str, str], flags: dict[str, object]) -> None:
    with pytest.raises(SettingsError):
        Settings.load(env=env, **flags)


@pytest.mark.parametrize(
    "content",
    [
        '[dotterel]\nmin_population = "many"\n',
        "[dotterel]\nthreads = 4\n",
        "db = = 1\n",
        "dotterel = 3\n",
    ],
    ids=["bad-type", "unknown-name", "not-toml", "section-not-a-table"],
)
def test_bad_settings_files_raise_settings_error(tmp_path: Path, content: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(SettingsError):
        Settings.load(path, env={})


def test_missing_settings_file_raises_settings_error(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="not found"):
        Settings.load(tmp_path / "absent.toml", env={})
