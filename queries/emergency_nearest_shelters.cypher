// title: Emergency: nearest shelter venues
// description: Venues with a capacity above zero, ranked by haversine distance to lat, lon, with their residential area.
// param: lat float=31.2712  Latitude of the centre, WGS84 degrees.
// param: lon float=121.4531  Longitude of the centre, WGS84 degrees.
// param: limit int=5  How many venues.
MATCH (v:Venue)
WHERE v.capacity > 0 AND v.lat IS NOT NULL AND v.lon IS NOT NULL
WITH v, sin(radians(v.lat - $lat) / 2) AS s_lat, sin(radians(v.lon - $lon) / 2) AS s_lon
WITH v, 2 * 6371008.8 * asin(sqrt(s_lat * s_lat
        + cos(radians($lat)) * cos(radians(v.lat)) * s_lon * s_lon)) AS distance_m
OPTIONAL MATCH (v)-[:LOCATED_IN]->(a:ResidentialArea)
RETURN v.venue_id AS venue_id, v.name AS name, v.venue_type AS venue_type,
       v.capacity AS capacity, v.opening_hours AS opening_hours, a.name AS area,
       v.lat AS lat, v.lon AS lon, distance_m
ORDER BY distance_m, venue_id
LIMIT $limit
