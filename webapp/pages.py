"""Register a view once and serve it as an HTML page and as its ``.json`` twin."""

from __future__ import annotations

from functools import wraps

from flask import Blueprint, jsonify, render_template


def page(bp: Blueprint, rule: str, template: str, json_rule: str | None = None, **options):
    """Route ``rule`` (HTML via ``template``) and ``rule + '.json'`` to one view.

    The view returns a dict: the template's context, and the JSON document as it is.
    """
    json_rule = json_rule or (rule.rstrip("/") + ".json")

    def decorator(view):
        @wraps(view)
        def html_view(**kwargs):
            return render_template(template, **view(**kwargs))

        def json_view(**kwargs):
            return jsonify({"ok": True, **view(**kwargs)})

        bp.add_url_rule(rule, view.__name__, html_view, **options)
        bp.add_url_rule(json_rule, view.__name__ + "_json", json_view, **options)
        return view

    return decorator
