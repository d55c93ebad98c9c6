// title: Emergency: buildings of a residential area
// description: The residential area named by id or name (with or without 居委会) and its buildings; an area without buildings gives one row with building_id null.
// param: area string=A01  Area id (310106012001), name (秀苑居委会, 秀苑) or committee name.
MATCH (a:ResidentialArea)
WHERE a.area_id = $area OR a.name = $area OR a.name = $area + '居委会'
   OR a.committee = $area
OPTIONAL MATCH (b:Building)-[:IN_AREA]->(a)
RETURN b.building_id AS building_id, b.address AS address, b.address_key AS address_key,
       a.area_id AS area_id, a.name AS area, b.lat AS lat, b.lon AS lon, b.floors AS floors,
       0.0 AS distance_m
ORDER BY building_id
