// title: Emergency: buildings within a radius of a point
// description: Buildings whose coordinates lie within radius_m metres (haversine) of lat, lon; a bounding box keeps the trigonometry to the buildings near the point.
// param: lat float=31.2712  Latitude of the point, WGS84 degrees.
// param: lon float=121.4531  Longitude of the point, WGS84 degrees.
// param: radius_m float=300  Radius in metres.
WITH $radius_m / 111320.0 AS dlat_deg,
     $radius_m / (111320.0 * cos(radians($lat))) AS dlon_deg
MATCH (b:Building)
WHERE b.lat >= $lat - dlat_deg AND b.lat <= $lat + dlat_deg
  AND b.lon >= $lon - dlon_deg AND b.lon <= $lon + dlon_deg
WITH b, sin(radians(b.lat - $lat) / 2) AS s_lat, sin(radians(b.lon - $lon) / 2) AS s_lon
WITH b, 2 * 6371008.8 * asin(sqrt(s_lat * s_lat
        + cos(radians($lat)) * cos(radians(b.lat)) * s_lon * s_lon)) AS distance_m
WHERE distance_m <= $radius_m
OPTIONAL MATCH (b)-[:IN_AREA]->(a:ResidentialArea)
RETURN b.building_id AS building_id, b.address AS address, b.address_key AS address_key,
       a.area_id AS area_id, a.name AS area, b.lat AS lat, b.lon AS lon, b.floors AS floors,
       distance_m
ORDER BY distance_m, building_id
