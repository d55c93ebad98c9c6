// title: Emergency: buildings without an address key
// description: Buildings loaded without address_key (the fixture graph, hand-made data), so an address in another spelling can still be matched by the key of their address.
MATCH (b:Building)
WHERE b.address_key IS NULL AND b.address IS NOT NULL
RETURN b.building_id AS building_id, b.address AS address
ORDER BY building_id
