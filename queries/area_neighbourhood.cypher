// title: Residents two hops from a residential area
// description: Residents of the area's buildings (area → building → resident), by building.
// param: area_id string  The residential area's id, e.g. A01.
// param: limit int=500  Most rows to return.
MATCH (a:ResidentialArea {area_id: $area_id})<-[:IN_AREA]-(b:Building)<-[:LIVES_IN]-(r:Resident)
RETURN b.building_id AS building_id, count(r) AS residents,
       collect(r.resident_id)[0..5] AS sample
ORDER BY residents DESC, building_id
LIMIT $limit
