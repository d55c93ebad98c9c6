"""Event notices: rules (``rules.py``, ``rules.yaml``) turn dated events into notices in the
responsible officials' inboxes (``inbox.py``); subsystems post events over HTTP
(``intake.py``); ``cli.py`` is ``minqing notices``. See docs/NOTICES.md."""

from queries.notices.inbox import acknowledge, inbox, process_events
from queries.notices.rules import RuleError, load_rules

__all__ = ["acknowledge", "inbox", "process_events", "RuleError", "load_rules"]
