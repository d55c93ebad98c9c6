"""Event notices: rules (``rules.py``, ``rules.yaml``) turn dated events into notices in the
responsible officials' inboxes (``inbox.py``); subsystems post events over HTTP
(``intake.py``); ``cli.py`` is ``minqing notices``. See docs/NOTICES.md.

Import from the modules (``from queries.notices.inbox import inbox``): the package does not
re-export names, so ``queries.notices.inbox`` always means the module.
"""
