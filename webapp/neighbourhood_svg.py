"""Draw a record's 1–2 hop neighbourhood as server-rendered SVG from a networkx layout."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape

WIDTH, HEIGHT, MARGIN = 900, 560, 60
COLOURS = {"Resident": "#d1495b", "Household": "#edae49", "Building": "#00798c",
           "ResidentialArea": "#30638e", "Tag": "#8d6a9f", "Event": "#6c757d",
           "Program": "#2a9d8f", "SilentGroup": "#e76f51", "Volunteer": "#55a630",
           "Official": "#003d5b"}


def lay_out(neighbourhood: dict[str, Any], seed: int = 7) -> dict[str, Any]:
    """Add ``x`` and ``y`` (SVG pixels) to each node: a spring layout with the centre fixed.

    The seed makes a record's drawing the same on every visit.
    """
    import networkx as nx

    graph = nx.Graph()
    for node in neighbourhood["nodes"]:
        graph.add_node(node["id"])
    for edge in neighbourhood["edges"]:
        graph.add_edge(edge["source"], edge["target"])
    centre = next(n["id"] for n in neighbourhood["nodes"] if n["hop"] == 0)
    if len(graph) == 1:
        positions = {centre: (0.0, 0.0)}
    else:
        positions = nx.spring_layout(graph, pos={centre: (0.0, 0.0)}, fixed=[centre],
                                     seed=seed, k=1.5 / len(graph) ** 0.5)
    xs = [p[0] for p in positions.values()]
    ys = [p[1] for p in positions.values()]
    # Scale symmetrically around the fixed centre so it stays in the middle of the picture.
    span_x = max(max(abs(x) for x in xs), 1e-9)
    span_y = max(max(abs(y) for y in ys), 1e-9)
    for node in neighbourhood["nodes"]:
        x, y = positions[node["id"]]
        node["x"] = round(WIDTH / 2 + x / span_x * (WIDTH / 2 - MARGIN), 1)
        node["y"] = round(HEIGHT / 2 + y / span_y * (HEIGHT / 2 - MARGIN), 1)
    return neighbourhood


def render_svg(neighbourhood: dict[str, Any]) -> Markup:
    """Return the laid-out neighbourhood as an ``<svg>`` element; every text is escaped."""
    at = {n["id"]: n for n in neighbourhood["nodes"]}
    parts = [f'<svg class="neighbourhood" xmlns="http://www.w3.org/2000/svg" '
             f'viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" role="img" '
             f'aria-label="neighbourhood graph">',
             '<defs><marker id="arrow" viewBox="0 0 10 10" refX="18" refY="5" '
             'markerWidth="6" markerHeight="6" orient="auto-start-reverse">'
             '<path d="M 0 0 L 10 5 L 0 10 z" fill="#999"/></marker></defs>']
    for edge in neighbourhood["edges"]:
        a, b = at[edge["source"]], at[edge["target"]]
        parts.append(f'<line class="edge" x1="{a["x"]}" y1="{a["y"]}" x2="{b["x"]}" '
                     f'y2="{b["y"]}" stroke="#bbb" marker-end="url(#arrow)">'
                     f'<title>{escape(edge["type"])}</title></line>')
    for node in neighbourhood["nodes"]:
        radius = 14 if node["hop"] == 0 else (9 if node["hop"] == 1 else 6)
        caption = node["caption"] or node["key"]
        parts.append(f'<g class="node" data-label="{escape(node["label"])}">'
                     f'<circle cx="{node["x"]}" cy="{node["y"]}" r="{radius}" '
                     f'fill="{COLOURS.get(node["label"], "#888")}">'
                     f'<title>{escape(node["label"])} {escape(node["key"])}</title></circle>'
                     f'<text x="{node["x"] + radius + 3}" y="{node["y"] + 4}" '
                     f'font-size="{13 if node["hop"] < 2 else 11}">{escape(caption)}</text></g>')
    parts.append("</svg>")
    return Markup("".join(parts))
