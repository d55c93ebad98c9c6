// title: Graph counts by relationship type
// description: Number of relationships of every type, largest first.
MATCH ()-[r]->()
RETURN type(r) AS relationship, count(*) AS relationships
ORDER BY relationships DESC, relationship
