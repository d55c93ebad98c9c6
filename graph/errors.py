"""The exception hierarchy every Minqing layer raises and the CLI and web app translate."""


class MinqingError(Exception):
    """Root of every error Minqing raises on purpose; its message is meant for a person."""


class ConfigError(MinqingError):
    """A setting has a value Minqing cannot use; the message names the setting."""


class GraphUnavailable(MinqingError):
    """The graph server cannot be reached, refused our credentials, or failed to start."""


class QueryError(MinqingError):
    """A Cypher statement failed, was refused, or exceeded a limit."""


class StorageError(MinqingError):
    """A disk Minqing or its graph server writes to is full or read-only; names the folder."""


class IngestError(MinqingError):
    """An ingest run cannot go on (a missing file, a bad mapping)."""


class NotFound(MinqingError):
    """A named thing (query, resident, page) does not exist."""


class Forbidden(MinqingError):
    """The current user may not see or do this."""
