// title: Emergency: residential area names
// description: Every residential area's id and name, for the form and for naming the known areas in an error.
MATCH (a:ResidentialArea)
RETURN a.area_id AS area_id, a.name AS name
ORDER BY name
