// title: Emergency: affected buildings by id or address
// description: The buildings named by id, exact address or canonical address key ("street|lane|number"), with their area and coordinates.
// param: building_ids list=B01  Building ids, e.g. LF001002.
// param: addresses list=  Addresses as written in the graph, e.g. 临汾路261弄2号.
// param: address_keys list=  Canonical keys from ingest.address.address_key, e.g. 临汾路|261|2.
MATCH (b:Building)
WHERE b.building_id IN $building_ids OR b.address IN $addresses
   OR b.address_key IN $address_keys
OPTIONAL MATCH (b)-[:IN_AREA]->(a:ResidentialArea)
RETURN b.building_id AS building_id, b.address AS address, b.address_key AS address_key,
       a.area_id AS area_id, a.name AS area, b.lat AS lat, b.lon AS lon, b.floors AS floors,
       0.0 AS distance_m
ORDER BY building_id
