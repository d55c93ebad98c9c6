"""A folium map layer of the ranked buildings, coloured by probability, with their reasons."""

from __future__ import annotations

from html import escape

from models.map_assets import OSM_TILES_URL, STATIC_URL, tile_options, use_local_assets


def _colour(p: float) -> str:
    """Red for likely, amber for possible, grey for unlikely.

    >>> _colour(0.6), _colour(0.3), _colour(0.05)
    ('#c0392b', '#e67e22', '#7f8c8d')
    """
    return "#c0392b" if p >= 0.5 else "#e67e22" if p >= 0.2 else "#7f8c8d"


def ranking_layer(buildings: list[dict], name: str = "加装电梯潜力 elevator propensity"):
    """A ``folium.FeatureGroup`` with one circle per ranked building and a popup of reasons."""
    import folium

    layer = folium.FeatureGroup(name=name)
    for b in buildings:
        reasons = "".join(f"<li>{escape(r['feature'])} = {r['value']:g} "
                          f"(+{r['contribution']:g})</li>" for r in b["reasons"])
        popup = (f"<b>#{b['rank']} {escape(b['address'] or b['building_id'])}</b><br>"
                 f"p = {b['probability']:.2f}<ul>{reasons}</ul>")
        folium.CircleMarker(
            location=(b["lat"], b["lon"]), radius=4 + 8 * b["probability"],
            color=_colour(b["probability"]), fill=True, fill_opacity=0.7,
            tooltip=f"#{b['rank']} {b['address'] or b['building_id']}",
            popup=folium.Popup(popup, max_width=320)).add_to(layer)
    return layer


def ranking_map(buildings: list[dict], *, tiles: str | None = OSM_TILES_URL,
                tiles_attribution: str | None = None, assets_url: str = STATIC_URL) -> str:
    """The full map as an HTML document (for an iframe), centred on the buildings.

    Leaflet and the rest load from ``assets_url`` (the vendored copy), tiles from ``tiles``.
    """
    import folium

    if buildings:
        lat = sum(b["lat"] for b in buildings) / len(buildings)
        lon = sum(b["lon"] for b in buildings) / len(buildings)
    else:
        lat, lon = 31.2745, 121.4465  # Linfen Road
    fmap = folium.Map(location=(lat, lon), zoom_start=15,
                      **tile_options(tiles, tiles_attribution))
    use_local_assets(fmap, assets_url)
    ranking_layer(buildings).add_to(fmap)
    folium.LayerControl().add_to(fmap)
    return fmap.get_root().render()
