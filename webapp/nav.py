"""The header's navigation: only the pages the logged-in user's role may open."""

from __future__ import annotations

from flask import g, url_for

from webapp.gate import allowed

# (endpoint, label); the endpoint's blueprint decides who sees the link (webapp/gate.py).
LINKS = (
    ("search.search", "对接 Search"),
    ("programs.program_list", "项目 Programs"),
    ("inbox.officials", "收件箱 Inbox"),
    ("alerts.alert_list", "预警 Alerts"),
    ("campaigns.campaign_list", "外呼 Campaigns"),
    ("emergency.emergency", "应急 Emergency"),
    ("siting.sites", "服务点 Sites"),
    ("elevators.ranking", "加装电梯 Elevators"),
    ("dashboard.dashboard", "大屏 Dashboard"),
    ("console.console", "查询 Console"),
    ("admin.users_page", "管理 Admin"),
)


def nav_links() -> list[dict[str, str]]:
    """The links the current user's role may follow, in header order."""
    role = g.get("user_role")
    return [{"href": url_for(endpoint), "label": label} for endpoint, label in LINKS
            if allowed(endpoint.split(".", 1)[0], role)]


def register(app) -> None:
    """Make ``nav`` available to every template."""
    app.context_processor(lambda: {"nav": nav_links()})
