from pathlib import Path

import pytest
import yaml

from socialops.config import NETWORKS, ConfigError, load_config
from socialops.config.loader import DEFAULT_PATH, parse_config

EXAMPLE = DEFAULT_PATH.read_text(encoding="utf-8")


def edited(**changes) -> str:
    """The example configuration with some dotted keys replaced."""
    data = yaml.safe_load(EXAMPLE)
    for dotted, value in changes.items():
        node = data
        *parents, last = dotted.split(".")
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        node[int(last) if last.isdigit() else last] = value
    return yaml.safe_dump(data, allow_unicode=True)


def test_example_configuration_is_valid():
    config = parse_config(EXAMPLE)
    assert config.brand.timezone == "Europe/Paris"
    assert config.brand.locale == "fr"
    assert set(config.networks) == set(NETWORKS)
    assert config.account("x", "maisonlumiere").network == "x"
    assert config.publication.grace_minutes == 120
    assert config.deployment.queues is False


def test_env_var_selects_the_file(tmp_path, monkeypatch):
    path = tmp_path / "brand.yaml"
    path.write_text(edited(**{"brand.name": "Autre Marque"}), encoding="utf-8")
    monkeypatch.setenv("SOCIALOPS_CONFIG", str(path))
    assert load_config().brand.name == "Autre Marque"


def test_airflow_presets_are_accepted_as_schedules():
    assert parse_config(edited(**{"metrics.schedule": "@daily"})).metrics.schedule == "@daily"


def test_a_missing_field_is_named_with_where_to_read_about_it():
    competitor = {"name": "Rival", "accounts": [{"network": "x"}]}
    with pytest.raises(ConfigError) as raised:
        parse_config(edited(competitors=[competitor]))
    assert "competitors[0].accounts[0].handle: missing; add it (see docs/configuration.md)" in str(
        raised.value
    )


def test_missing_file_says_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setenv("SOCIALOPS_CONFIG", str(tmp_path / "nope.yaml"))
    with pytest.raises(ConfigError, match="SOCIALOPS_CONFIG"):
        load_config()


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"accounts.0.network": "twiter"}, r"accounts\[0\]\.network: got 'twiter'"),
        (
            {"brand.timezone": "Europe/Pariss"},
            r"brand\.timezone: unknown time zone 'Europe/Pariss'",
        ),
        ({"brand.locale": "de"}, r"brand\.locale: got 'de'"),
        (
            {"slack.channels.alerts": "alerts"},
            r"slack\.channels\.alerts: 'alerts' is not a Slack channel",
        ),
        (
            {"publication.schedule": "every 5 minutes"},
            r"publication\.schedule: .* is not a 5-field cron",
        ),
        ({"publication.grace_minutes": 0}, r"publication\.grace_minutes"),
        ({"metrics.lookback_days": {"x": 0}}, r"lookback for x must be at least 1 day"),
        ({"campaigns.0.end": "2026-01-01"}, r"campaign noel-2026: end 2026-01-01 is before start"),
        ({"brand.colour": "blue"}, r"brand\.colour: unknown field"),
        ({"metrics.schedule": "30 25 * * *"}, r"metrics\.schedule: '30 25 \* \* \*' is not"),
        ({"publication.pools": {"x": 0}}, r"publication\.pools\.x: got 0; it must be at least 1"),
        ({"publication.pools": {"x": -1}}, r"publication\.pools\.x: got -1; it must be at least"),
        ({"publication.paused": "maybe"}, r"publication\.paused: got 'maybe'; write true or false"),
        ({"publication.grace_minutes": "soon"}, r"grace_minutes: got 'soon'; write a whole number"),
        ({"accounts": []}, r"accounts: needs at least 1 entries, got 0"),
        (
            {"deployment": {"queues": {"x": "x, youtube"}}},
            r"deployment\.queues: x: 'x, youtube' is not a Celery queue name",
        ),
        (
            {"deployment": {"queues": {"twitter": "q"}}},
            r"deployment\.queues: unknown network 'twitter'; expected one of x, youtube",
        ),
        ({"deployment": {"queues": "socialops_x"}}, r"deployment\.queues: got 'socialops_x'"),
    ],
)
def test_invalid_values_are_named(changes, expected):
    with pytest.raises(ConfigError, match=expected):
        parse_config(edited(**changes), source="brand.yaml")


def test_every_problem_is_listed_at_once():
    with pytest.raises(ConfigError) as excinfo:
        parse_config(edited(**{"accounts.0.network": "twiter", "brand.timezone": "Mars/Olympus"}))
    message = str(excinfo.value)
    assert "accounts[0].network" in message and "brand.timezone" in message


def test_duplicate_account_is_refused():
    data = yaml.safe_load(EXAMPLE)
    data["accounts"].append(dict(data["accounts"][0]))
    with pytest.raises(ConfigError, match="account x:maisonlumiere is listed twice"):
        parse_config(yaml.safe_dump(data))


def test_not_yaml_and_not_a_mapping():
    with pytest.raises(ConfigError, match="not valid YAML"):
        parse_config("brand: [unclosed")
    with pytest.raises(ConfigError, match="expected a mapping"):
        parse_config("- just\n- a list\n")


def test_google_sheets_calendar_needs_its_id():
    with pytest.raises(ConfigError, match="spreadsheet_id"):
        parse_config(edited(**{"publication.calendar": {"source": "google_sheets"}}))


def test_unknown_owned_account_lookup_lists_the_known_ones():
    config = parse_config(EXAMPLE)
    with pytest.raises(KeyError, match="x:maisonlumiere"):
        config.account("x", "someone-else")


def test_loader_caches_per_file_version(tmp_path):
    path = tmp_path / "brand.yaml"
    path.write_text(EXAMPLE, encoding="utf-8")
    first = load_config(path)
    assert load_config(path) is first
    path.write_text(edited(**{"brand.name": "Changée"}), encoding="utf-8")
    import os

    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000))
    assert load_config(Path(path)).brand.name == "Changée"
