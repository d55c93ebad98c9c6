// title: Residents carrying a tag
// description: Residents with a characteristic tag, with their building and area.
// param: tag_id string  The tag, e.g. lone_elderly.
// param: limit int=1000  Most rows to return.
MATCH (t:Tag {tag_id: $tag_id})<-[:HAS_TAG]-(r:Resident)
OPTIONAL MATCH (r)-[:LIVES_IN]->(b:Building)-[:IN_AREA]->(a:ResidentialArea)
RETURN r.resident_id AS resident_id, r.name AS name, b.building_id AS building_id,
       a.name AS area
ORDER BY area, building_id, resident_id
LIMIT $limit
