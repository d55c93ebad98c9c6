// title: Graph counts by label
// description: Number of nodes of every label in the graph, largest first.
// mode: read
MATCH (n)
RETURN labels(n)[0] AS label, count(*) AS nodes
ORDER BY nodes DESC, label
