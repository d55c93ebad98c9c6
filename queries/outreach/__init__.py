"""Outreach: campaigns that turn a silent group into SMS or outbound-call messages.

- ``campaigns``: create a campaign, freeze its messages, templates, opt-out, take-up;
- ``channels``: outbox table, webhook to an SMS/call gateway, CSV for a call centre;
- ``sending``: the send loop (quiet hours, daily caps, retries, the crash window);
- ``gateway``: a fake gateway process for the demo and the tests;
- ``cli``: ``minqing campaign ...``.

See docs/OUTREACH.md.
"""
