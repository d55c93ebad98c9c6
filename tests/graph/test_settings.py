"""Settings: layering, types, and that every setting is documented."""

from pathlib import Path

import pytest

from graph.errors import ConfigError
from graph.settings import SETTINGS, load_settings

README = Path(__file__).resolve().parents[2] / "README.md"


def test_defaults_then_file_then_environment_then_code(tmp_path):
    config = tmp_path / "minqing.toml"
    config.write_text("jvm_heap_mb = 3000\nweb_port = 9000\nmax_returned_rows = 7\n")
    settings = load_settings({"max_returned_rows": 9},
                             environ={"MINQING_CONFIG_FILE": str(config),
                                      "MINQING_WEB_PORT": "9100"})
    assert settings.jvm_heap_mb == 3000      # from the file
    assert settings.web_port == 9100         # the environment beats the file
    assert settings.max_returned_rows == 9   # code beats both
    assert settings.query_time_limit_ms == 10_000  # the default


def test_wrong_type_names_the_variable():
    with pytest.raises(ConfigError, match="MINQING_JVM_HEAP_MB"):
        load_settings(environ={"MINQING_JVM_HEAP_MB": "lots"})


def test_unknown_setting_in_file_is_refused(tmp_path):
    config = tmp_path / "minqing.toml"
    config.write_text("jvm_heap = 1\n")
    with pytest.raises(ConfigError, match="Unknown setting 'jvm_heap'"):
        load_settings(environ={"MINQING_CONFIG_FILE": str(config)})


def test_engine_follows_graph_uri():
    embedded = load_settings(environ={})
    assert embedded.is_embedded and embedded.database == "minqing"
    neo = load_settings(environ={"MINQING_GRAPH_URI": "bolt://db:7687"})
    assert not neo.is_embedded and neo.database == "neo4j"


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.name)
def test_every_setting_is_documented(setting):
    assert setting.help
    assert setting.env_var in README.read_text(encoding="utf-8")
