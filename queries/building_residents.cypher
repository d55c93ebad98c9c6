// title: Residents of a building
// description: Everyone who actually lives in a building, with household and age band.
// param: building_id string  The building's id, e.g. B0001.
MATCH (b:Building {building_id: $building_id})<-[:LIVES_IN]-(r:Resident)
OPTIONAL MATCH (r)-[:MEMBER_OF]->(h:Household)
RETURN r.resident_id AS resident_id, r.name AS name, r.birth_date AS birth_date,
       r.floor AS floor, h.household_id AS household_id
ORDER BY floor, household_id, resident_id
