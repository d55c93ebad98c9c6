// title: Emergency: vulnerable residents of some buildings
// description: Residents who actually live (LIVES_IN) in the buildings and live alone, are disabled, bedridden (care level 5-6), 80 or older, or mobility-limited (60+, disabled or care-assessed) on an upper floor without an elevator; with reasons, emergency contact and household members.
// param: building_ids list=B01,B03  Building ids.
// param: born_by_80 string=1946-12-31  Birth date on or before which a resident is 80+ on the reference date.
// param: born_by_60 string=1966-12-31  Birth date on or before which a resident is 60+ on the reference date.
// param: upper_floor_min int=4  Lowest floor counted as an upper floor (the tag catalogue's 4).
UNWIND $building_ids AS building_id
MATCH (b:Building {building_id: building_id})<-[:LIVES_IN]-(r:Resident)
OPTIONAL MATCH (r)-[:HAS_TAG]->(t:Tag)
WHERE t.tag_id IN ['lone_elderly', 'disabled', 'ltc_severe']
// The fixture graph flags an elevator as has_elevator; the real ingest keeps
// elevator_as_built plus an elevator_status of "installed" for a retrofit.
WITH b, r, collect(t.tag_id) AS tags,
     coalesce(b.has_elevator, b.elevator_as_built = true OR b.elevator_status = 'installed',
              false) AS has_elevator
// Tags and properties both count: the fixture carries only the tags, and a tag may lag
// a property changed since the last tag run.
WITH b, r, has_elevator,
     'lone_elderly' IN tags OR coalesce(r.register_kind = 'lives_alone', false) AS living_alone,
     'disabled' IN tags OR coalesce(r.disabled, false) AS disabled,
     'ltc_severe' IN tags OR coalesce(r.ltc_level >= 5, false) AS bedridden,
     coalesce(r.birth_date <= $born_by_80, false) AS aged_80_plus,
     coalesce(r.birth_date <= $born_by_60, false) AS aged_60_plus,
     coalesce(r.ltc_level >= 1, false) AS care_assessed
WITH b, r, living_alone, disabled, bedridden, aged_80_plus,
     NOT has_elevator AND coalesce(r.floor >= $upper_floor_min, false)
       AND (aged_60_plus OR disabled OR care_assessed) AS upper_floor_no_elevator
WHERE living_alone OR disabled OR bedridden OR aged_80_plus OR upper_floor_no_elevator
OPTIONAL MATCH (r)-[:MEMBER_OF]->(:Household)<-[:MEMBER_OF]-(m:Resident)
WHERE m <> r
OPTIONAL MATCH (m)-[:LIVES_IN]->(mb:Building)
WITH b, r, living_alone, disabled, bedridden, aged_80_plus, upper_floor_no_elevator,
     collect(CASE WHEN m IS NULL THEN NULL ELSE
       {resident_id: m.resident_id, name: m.name, relation: m.relation, phone: m.phone,
        building_id: mb.building_id} END) AS household
RETURN r.resident_id AS resident_id, r.name AS name, r.sex AS sex,
       r.birth_date AS birth_date, b.building_id AS building_id, b.address AS address,
       r.floor AS floor, r.room AS room, r.phone AS phone,
       r.emergency_contact AS emergency_contact, r.emergency_phone AS emergency_phone,
       r.disability_grade AS disability_grade, r.disability_type AS disability_type,
       r.ltc_level AS ltc_level, r.care_mode AS care_mode,
       living_alone, disabled, bedridden, aged_80_plus, upper_floor_no_elevator, household
ORDER BY address, floor DESC, resident_id
