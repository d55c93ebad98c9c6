"""The folium map of a service type: points, service areas, demand, gaps, overlaps, a proposal.

Each part is its own layer the reader switches on and off: the service points of the type
(a popup lists capacity, residents in scope by target group and utilisation), their service
areas (circles of the service radius; with a detour factor the circle is the straight-line
reach of that walking distance, an isochrone approximation), demand by building, uncovered
demand, buildings in the scope of two or more points (overlaps) and, when given, a proposal's
new sites with the buildings assigned to them. The HTML loads Leaflet and the rest from our
vendored copy (``models.map_assets``; ``assets_url``) and only the tiles from a tile server;
nothing is fetched in Python.
"""

from __future__ import annotations

import html
import math
from typing import Sequence

from models.map_assets import OSM_TILES_URL, STATIC_URL, tile_options, use_local_assets
from models.siting.coverage import Coverage
from models.siting.demand import DemandPoint, describe_group
from models.siting.locate import Proposal

GROUP_NAMES = {"seniors_80_plus": "80岁以上 80+", "children_0_6": "0-6岁儿童 children 0-6",
               "all_residents": "全部居民 all residents"}


def _popup(lines: Sequence[str]) -> str:
    return "<br>".join(lines)


def _centre(points: Sequence[tuple[float, float]]) -> tuple[float, float]:
    if not points:
        return (31.2745, 121.4465)  # Linfen Road sub-district
    return (sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points))


def coverage_map(coverage: Coverage, demand: Sequence[DemandPoint], *,
                 proposal: Proposal | None = None, detour_factor: float = 1.0,
                 tiles: str | None = OSM_TILES_URL, tiles_attribution: str | None = None,
                 assets_url: str = STATIC_URL):
    """Draw the coverage of one service type (and a proposal) as a folium Map.

    ``tiles`` is a tile URL template (None: no tiles); ``assets_url`` is where the vendored
    Leaflet and friends are served (the web app's static folder, or a standalone map's folder).
    """
    import folium

    centre = _centre([(d.lat, d.lon) for d in demand])
    fmap = folium.Map(location=centre, zoom_start=15, control_scale=True,
                      **tile_options(tiles, tiles_attribution))
    use_local_assets(fmap, assets_url)
    label = f"{coverage.service_type} ({describe_group(coverage.group)})"
    points_layer = folium.FeatureGroup(name=f"服务点 service points: {label}")
    areas_layer = folium.FeatureGroup(name="服务范围 service areas")
    for pc in coverage.points:
        site = pc.site
        lines = [f"<b>{html.escape(site.name or site.site_id)}</b> ({html.escape(site.site_id)})",
                 html.escape(site.address or ""),
                 f"容量 capacity: {site.capacity if site.capacity else '—'}",
                 f"服务半径 radius: {pc.radius_m:.0f} m"]
        lines += [f"范围内 in scope, {html.escape(GROUP_NAMES.get(g, g))}: {n}"
                  for g, n in pc.in_scope_by_group.items()]
        lines.append(f"利用率 utilisation: "
                     f"{'—' if pc.utilisation is None else f'{pc.utilisation:.2f}'} "
                     f"({describe_group(coverage.group)} per place)")
        lines.append(f"与其他点重叠 shared with another point: {pc.duplicated_share:.0%}")
        folium.Marker((site.lat, site.lon), tooltip=html.escape(site.name or site.site_id),
                      popup=folium.Popup(_popup(lines), max_width=320),
                      icon=folium.Icon(color="blue", icon="circle-info", prefix="fa")).add_to(points_layer)
        folium.Circle((site.lat, site.lon), radius=pc.radius_m / detour_factor, weight=1,
                      color="#2563eb", fill=True, fill_opacity=0.08).add_to(areas_layer)
    demand_layer = folium.FeatureGroup(name=f"需求 demand by building: "
                                            f"{describe_group(coverage.group)}")
    biggest = max((d.weight for d in demand), default=0) or 1
    for d in demand:
        if d.weight <= 0:
            continue
        folium.CircleMarker((d.lat, d.lon), radius=2 + 8 * math.sqrt(d.weight / biggest),
                            weight=0, fill=True, fill_color="#7c3aed", fill_opacity=0.6,
                            tooltip=f"{html.escape(d.address or d.building_id)}: "
                                    f"{d.weight}").add_to(demand_layer)
    uncovered_layer = folium.FeatureGroup(name=f"未覆盖 uncovered demand "
                                               f"({len(coverage.uncovered)} buildings)")
    for d in coverage.uncovered:
        folium.CircleMarker((d.lat, d.lon), radius=4 + 6 * math.sqrt(d.weight / biggest),
                            color="#dc2626", weight=2, fill=True, fill_opacity=0.5,
                            tooltip=f"未覆盖 uncovered: {html.escape(d.address or d.building_id)}"
                                    f" ({d.weight})").add_to(uncovered_layer)
    overlap_layer = folium.FeatureGroup(name="重叠 overlaps (2+ points reach)", show=False)
    by_id = {d.building_id: d for d in demand}
    for building_id, point_ids in coverage.covered_by.items():
        d = by_id.get(building_id)
        if d is not None and len(point_ids) > 1 and d.weight > 0:
            folium.CircleMarker((d.lat, d.lon), radius=3, color="#f59e0b", weight=1,
                                fill=True, fill_opacity=0.7,
                                tooltip=f"{html.escape(d.address or building_id)}: "
                                        f"{', '.join(point_ids)}").add_to(overlap_layer)
    for layer in (areas_layer, demand_layer, uncovered_layer, overlap_layer, points_layer):
        layer.add_to(fmap)
    if proposal is not None:
        _proposal_layer(proposal, demand, detour_factor).add_to(fmap)
    folium.LayerControl(collapsed=False).add_to(fmap)
    return fmap


def _proposal_layer(proposal: Proposal, demand: Sequence[DemandPoint], detour_factor: float):
    import folium

    layer = folium.FeatureGroup(name=f"方案 proposal: {proposal.model}, "
                                     f"{len(proposal.new_sites)} new sites")
    by_id = {d.building_id: d for d in demand}
    sites = {s.site_id: s for s in proposal.new_sites}
    for building_id, site_id in proposal.assignment.items():
        site, d = sites.get(site_id), by_id.get(building_id)
        if site is not None and d is not None:
            folium.PolyLine([(d.lat, d.lon), (site.lat, site.lon)], weight=1,
                            color="#16a34a", opacity=0.5).add_to(layer)
    for site in proposal.new_sites:
        lines = [f"<b>新址 new site: {html.escape(site.name or site.site_id)}</b> "
                 f"({html.escape(site.site_id)})",
                 f"分配需求 assigned demand: {site.assigned_demand:g} in "
                 f"{site.assigned_buildings} buildings",
                 f"容量 capacity: {site.capacity or '—'}"]
        folium.Marker((site.lat, site.lon), tooltip=html.escape(site.name or site.site_id),
                      popup=folium.Popup(_popup(lines), max_width=320),
                      icon=folium.Icon(color="green", icon="star", prefix="fa")).add_to(layer)
        if proposal.service_radius_m:
            folium.Circle((site.lat, site.lon), radius=proposal.service_radius_m / detour_factor,
                          color="#16a34a", weight=2, fill=False, dash_array="6").add_to(layer)
    return layer


def map_html(fmap) -> str:
    """Return the map as one standalone HTML document."""
    return fmap.get_root().render()
