"""Admin pages for the rules Minqing acts on: the program catalogue and the notice rules.

Both are data files kept under version control (``queries/programs/catalogue.yaml``,
``queries/notices/rules.yaml``): a change to who is eligible or who is notified is a change
to whom officials contact, so it goes through review like code. These pages show what is in
force — each rule with the Cypher it compiles to, the stored silent group's size, the notices
each rule sent — refresh one program's silent group on demand, and check a draft file before
it is proposed: the same validation as at start-up, the programs and rules it adds, removes
or changes, and for changed programs how many residents the new rule would make silent.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml
from flask import Blueprint, flash, g, redirect, render_template, request, url_for

from graph.errors import MinqingError, NotFound
from queries import audit
from webapp.graph_handle import get_graph
from webapp.pages import page
from webapp.workflow import workflow_store

bp = Blueprint("admin_catalogue", __name__)

# Stored silent groups per program, in one read (a summary per program would be 120 reads).
GROUP_SIZES = """
MATCH (g:SilentGroup)
RETURN g.program_id AS program_id, sum(g.size) AS size,
       max(g.refreshed_at) AS refreshed_at, max(g.as_of) AS as_of
"""
MAX_DRAFT_CHARS = 200_000
# Counting a draft rule's silent group reads the residents it selects; a few programs keep
# the check interactive on the 83 k district.
MAX_PREVIEWS = 5


def _source(path: Path) -> str:
    """The file's path relative to the repository, for the page."""
    try:
        return str(path.resolve().relative_to(Path(__file__).resolve().parents[1]))
    except ValueError:
        return str(path)


def _programs_context() -> dict:
    from queries.programs import load_programs
    from queries.programs.catalogue import CATALOGUE
    from queries.programs.silent import silent_group_query

    sizes = {row["program_id"]: row for row in get_graph().read(GROUP_SIZES).rows}
    rows = []
    for program in load_programs().values():
        cypher, params = silent_group_query(program, dt.date.today(), ids_only=True)
        stored = sizes.get(program.program_id, {})
        rows.append({**program.to_json(), "eligibility_yaml": _yaml(program.eligibility),
                     "cypher": cypher, "params": params, "silent_size": stored.get("size"),
                     "refreshed_at": stored.get("refreshed_at"), "as_of": stored.get("as_of")})
    return {"source": _source(CATALOGUE), "programs": rows, "draft": None,
            "max_draft_chars": MAX_DRAFT_CHARS}


def _rules_context() -> dict:
    from queries.notices.rules import RULES_PATH, load_rules

    with workflow_store() as conn:
        sent = {row["rule_id"]: dict(row) for row in conn.execute(
            "SELECT rule_id, COUNT(*) AS notices, MAX(created_at) AS last_sent "
            "FROM notices GROUP BY rule_id")} if _has_table(conn, "notices") else {}
    rows = [{**rule.to_json(), "cypher": rule.cypher, "params": rule.params,
             "notices": sent.get(rule.rule_id, {}).get("notices", 0),
             "last_sent": sent.get(rule.rule_id, {}).get("last_sent")}
            for rule in load_rules()]
    return {"source": _source(RULES_PATH), "rules": rows, "draft": None,
            "max_draft_chars": MAX_DRAFT_CHARS}


def _has_table(conn, name: str) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                        (name,)).fetchone() is not None


def _yaml(value) -> str:
    return yaml.safe_dump(value, allow_unicode=True, sort_keys=False).strip()


@page(bp, "/admin/programs", "admin_programs.html")
def programs_admin():
    """The program catalogue in force: rules, compiled Cypher, stored silent groups."""
    return _programs_context()


@page(bp, "/admin/rules", "admin_rules.html")
def rules_admin():
    """The notice rules in force: event, conditions, recipients, Cypher, notices sent."""
    return _rules_context()


def _draft_text() -> str:
    """The draft from the form (pasted text or an uploaded file), size-checked."""
    upload = request.files.get("file")
    text = (upload.read(MAX_DRAFT_CHARS + 1).decode("utf-8", errors="replace")
            if upload and upload.filename else request.form.get("text", ""))
    if len(text) > MAX_DRAFT_CHARS:
        raise MinqingError(f"The draft is longer than {MAX_DRAFT_CHARS:,} characters; "
                           "check it from the shell instead")
    if not text.strip():
        raise MinqingError("Paste the draft file's text or choose a file")
    return text


def _diff(current: dict, draft: dict) -> dict:
    """Ids added, removed and changed between two ``{id: comparable}`` mappings."""
    return {"added": sorted(set(draft) - set(current)),
            "removed": sorted(set(current) - set(draft)),
            "changed": sorted(k for k in set(draft) & set(current) if draft[k] != current[k])}


@bp.route("/admin/programs/check", methods=["POST"])
def programs_check():
    """Validate a draft catalogue and show what it would change, without applying it."""
    from queries.programs import load_programs
    from queries.programs.catalogue import known_tag_ids, parse_programs
    from queries.programs.silent import silent_group_query

    context = _programs_context()
    try:
        text = _draft_text()
        try:
            document = yaml.safe_load(text)
        except yaml.YAMLError as e:
            raise MinqingError(f"draft: not valid YAML: {e}") from None
        entries = document.get("programs") if isinstance(document, dict) else None
        draft = parse_programs(entries, known_tag_ids(), source="draft")
        current = load_programs()
        diff = _diff({k: p.to_json() for k, p in current.items()},
                     {k: p.to_json() for k, p in draft.items()})
        previews = []
        for program_id in (diff["added"] + diff["changed"])[:MAX_PREVIEWS]:
            cypher, params = silent_group_query(draft[program_id], dt.date.today(),
                                                ids_only=True)
            new = len(get_graph().read(cypher, params, max_rows=10_000_000).rows)
            previews.append({"program_id": program_id, "silent_now": new,
                             "stored": next((p["silent_size"] for p in context["programs"]
                                             if p["program_id"] == program_id), None)})
        context["draft"] = {"ok": True, "programs": len(draft), **diff, "previews": previews,
                            "previews_cut": len(diff["added"] + diff["changed"]) > MAX_PREVIEWS}
    except MinqingError as e:
        context["draft"] = {"ok": False, "error": str(e)}
    return render_template("admin_programs.html", **context), \
        200 if context["draft"]["ok"] else 400


@bp.route("/admin/rules/check", methods=["POST"])
def rules_check():
    """Validate draft notice rules and show what they would change, without applying them."""
    from queries.notices.rules import load_rules, parse_rules

    context = _rules_context()
    try:
        draft = parse_rules(_draft_text(), source="draft")
        diff = _diff({r.rule_id: (r.to_json(), r.cypher, r.params) for r in load_rules()},
                     {r.rule_id: (r.to_json(), r.cypher, r.params) for r in draft})
        context["draft"] = {"ok": True, "rules": len(draft), **diff}
    except MinqingError as e:
        context["draft"] = {"ok": False, "error": str(e)}
    return render_template("admin_rules.html", **context), \
        200 if context["draft"]["ok"] else 400


@bp.route("/admin/programs/<program_id>/refresh", methods=["POST"])
def program_refresh(program_id):
    """Re-evaluate one program's silent group now (as of today) and store it."""
    from queries.programs import load_programs
    from queries.programs.silent import refresh_silent_groups

    program = load_programs().get(program_id)
    if program is None:
        raise NotFound(f"No program {program_id!r}")
    sizes = refresh_silent_groups(get_graph(), [program], dt.date.today())
    with workflow_store() as conn:
        audit.record(conn, g.user_name, "silent_group_refresh", f"program:{program_id}",
                     size=sizes[program_id])
    flash(f"{program.name}: silent group refreshed, {sizes[program_id]:,} residents", "ok")
    return redirect(url_for("admin_catalogue.programs_admin") + f"#{program_id}")
