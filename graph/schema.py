"""The graph's schema in one place: labels and their keys, relationship types, indexes.

Everything that names a label, relationship type or property in generated Cypher takes it
from here (``label()``, ``rel_type()``, ``key_of()``), so a typo fails loudly instead of
silently matching nothing. ``init_schema`` applies it idempotently on either engine.
"""

from __future__ import annotations

from dataclasses import dataclass

from graph.errors import MinqingError

EMBEDDING_DIMENSIONS = 384
EMBEDDING_PROPERTY = "embedding"
SEARCH_TEXT_PROPERTY = "search_text"


@dataclass(frozen=True)
class NodeLabel:
    """A node label, the property that identifies its nodes, and what else is indexed."""

    name: str
    key: str
    description: str
    indexed: tuple[str, ...] = ()
    searchable: bool = False  # carries search_text (full-text) and embedding (vector)


@dataclass(frozen=True)
class RelType:
    """A relationship type between two labels."""

    name: str
    start: str
    end: str
    description: str


NODE_LABELS: tuple[NodeLabel, ...] = (
    NodeLabel("Resident", "resident_id", "A person living or registered in the sub-district.",
              indexed=("id_number", "birth_date", "sex")),
    NodeLabel("Household", "household_id", "A registered household (户)."),
    NodeLabel("Building", "building_id", "A residential building with its address.",
              indexed=("area_id",)),
    NodeLabel("ResidentialArea", "area_id",
              "A residential area (小区) and its neighbourhood committee (居委会)."),
    NodeLabel("Official", "official_id",
              "A neighbourhood-committee or sub-district official responsible for an area."),
    NodeLabel("Organization", "org_id",
              "A party-building unit, enterprise, school or NGO.", indexed=("hsds_id",),
              searchable=True),
    NodeLabel("Venue", "venue_id", "A room or space that can host activities.",
              searchable=True),
    NodeLabel("Volunteer", "volunteer_id", "A registered volunteer or community backbone.",
              searchable=True),
    NodeLabel("ServicePoint", "point_id",
              "A public service point: dining hall, kindergarten, clinic, elderly day care.",
              indexed=("type",), searchable=True),
    NodeLabel("Program", "program_id",
              "A benefit or service residents can book (screening, vaccination, subsidy).",
              searchable=True),
    NodeLabel("Tag", "tag_id", "A characteristic tag computed from the data lake.",
              indexed=("category",)),
    NodeLabel("SilentGroup", "group_id",
              "Residents of one area eligible for a program who have not taken it up; "
              "stored by `minqing programs refresh`.", indexed=("program_id",)),
    NodeLabel("Event", "event_id",
              "A dated event in a resident's life: a registration, application, assessment.",
              indexed=("kind", "date")),
    # HSDS 3.0 directory data (ingest/hsds): keys are prefixed by source ("hsds:<uuid>",
    # "ohana:<id>"); hsds_id is the id the HSDS API and export publish.
    NodeLabel("Service", "service_id",
              "A human service from an HSDS or Ohana directory (what an organization offers).",
              indexed=("hsds_id",), searchable=True),
    NodeLabel("Location", "location_id",
              "An HSDS location where services are delivered: physical (lat/lon, address), "
              "postal or virtual.", indexed=("hsds_id",)),
    NodeLabel("TaxonomyTerm", "term_id",
              "A term of a service taxonomy (HSDS taxonomy_term, Ohana's taxonomy).",
              indexed=("hsds_id",)),
)

REL_TYPES: tuple[RelType, ...] = (
    RelType("MEMBER_OF", "Resident", "Household", "The resident belongs to the household."),
    RelType("LIVES_IN", "Resident", "Building", "Where the resident actually lives."),
    RelType("REGISTERED_AT", "Resident", "Building",
            "The resident's registered (hukou) address, when it is in the sub-district."),
    RelType("HOUSEHOLD_AT", "Household", "Building", "The household's building."),
    RelType("IN_AREA", "Building", "ResidentialArea", "The building's residential area."),
    RelType("RESPONSIBLE_FOR", "Official", "ResidentialArea",
            "The official looks after this area."),
    RelType("HAS_TAG", "Resident", "Tag", "The resident carries this characteristic tag."),
    RelType("IS_VOLUNTEER", "Resident", "Volunteer", "The resident's volunteer record."),
    RelType("OWNS", "Organization", "Venue", "The organization owns or runs the venue."),
    RelType("LOCATED_IN", "Venue", "ResidentialArea", "The venue's residential area."),
    RelType("SERVES", "ServicePoint", "ResidentialArea", "Areas within the point's radius."),
    RelType("BOOKED", "Resident", "Program", "The resident booked the program."),
    RelType("HAD_EVENT", "Resident", "Event", "The event concerns this resident."),
    RelType("SILENT_FOR", "Resident", "SilentGroup",
            "The resident is eligible for the group's program and has not taken it up."),
    RelType("PROVIDES", "Organization", "Service", "The organization provides the service."),
    RelType("AT_LOCATION", "Service", "Location",
            "HSDS service_at_location: the service is delivered at the location."),
    RelType("HAS_LOCATION", "Organization", "Location", "The organization runs the location."),
    RelType("CLASSIFIED_AS", "Service", "TaxonomyTerm", "The service carries the term."),
    RelType("BROADER_TERM", "TaxonomyTerm", "TaxonomyTerm", "The term's parent term."),
)

_LABELS = {label.name: label for label in NODE_LABELS}
_RELS = {rel.name: rel for rel in REL_TYPES}


class SchemaError(MinqingError):
    """A label, relationship type or property that the schema does not declare."""


def label(name: str) -> str:
    """Return ``name`` if it is a declared node label, else raise SchemaError."""
    if name not in _LABELS:
        raise SchemaError(f"Unknown node label {name!r}; declared: {', '.join(_LABELS)}")
    return name


def rel_type(name: str) -> str:
    """Return ``name`` if it is a declared relationship type, else raise SchemaError."""
    if name not in _RELS:
        raise SchemaError(f"Unknown relationship type {name!r}; declared: {', '.join(_RELS)}")
    return name


def key_of(label_name: str) -> str:
    """Return the identifying property of a node label."""
    return _LABELS[label(label_name)].key


def node_label(name: str) -> NodeLabel:
    """Return the declaration of a node label."""
    return _LABELS[label(name)]


def relationship(name: str) -> RelType:
    """Return the declaration of a relationship type."""
    return _RELS[rel_type(name)]


def searchable_labels() -> list[str]:
    """Labels that carry search text and an embedding."""
    return [lab.name for lab in NODE_LABELS if lab.searchable]


def fulltext_index_name(label_name: str) -> str:
    """Name of the full-text index on a searchable label (the same on both engines)."""
    return f"{label(label_name)}[{SEARCH_TEXT_PROPERTY}]"


def vector_index_name(label_name: str) -> str:
    """Name of the vector index on a searchable label (the same on both engines)."""
    return f"{label(label_name)}[{EMBEDDING_PROPERTY}]"


# -- DDL per engine --------------------------------------------------------------------------
# ArcadeDB names an index "<Type>[<property>]" and cannot rename it; Neo4j lets us choose the
# name, so Neo4j's indexes get the same names and the query procedures take one name on both.


def arcadedb_ddl() -> list[str]:
    """SQL statements that create the schema on ArcadeDB; each one is idempotent."""
    statements = []
    for lab in NODE_LABELS:
        statements.append(f"CREATE VERTEX TYPE {lab.name} IF NOT EXISTS")
        statements.append(f"CREATE PROPERTY {lab.name}.{lab.key} IF NOT EXISTS STRING")
        statements.append(f"CREATE INDEX IF NOT EXISTS ON {lab.name} ({lab.key}) UNIQUE")
        for prop in lab.indexed:
            statements.append(f"CREATE PROPERTY {lab.name}.{prop} IF NOT EXISTS STRING")
            statements.append(f"CREATE INDEX IF NOT EXISTS ON {lab.name} ({prop}) NOTUNIQUE")
        if lab.searchable:
            statements += [
                f"CREATE PROPERTY {lab.name}.{SEARCH_TEXT_PROPERTY} IF NOT EXISTS STRING",
                f"CREATE INDEX IF NOT EXISTS ON {lab.name} ({SEARCH_TEXT_PROPERTY}) FULL_TEXT",
                f"CREATE PROPERTY {lab.name}.{EMBEDDING_PROPERTY} IF NOT EXISTS ARRAY_OF_FLOATS",
                f"CREATE INDEX IF NOT EXISTS ON {lab.name} ({EMBEDDING_PROPERTY}) LSM_VECTOR "
                f'METADATA {{"dimensions": {EMBEDDING_DIMENSIONS}, "similarity": "COSINE"}}',
            ]
    for rel in REL_TYPES:
        statements.append(f"CREATE EDGE TYPE {rel.name} IF NOT EXISTS")
    return statements


def neo4j_ddl() -> list[str]:
    """Cypher DDL statements that create the schema on Neo4j 5; each one is idempotent."""
    statements = []
    for lab in NODE_LABELS:
        statements.append(
            f"CREATE CONSTRAINT {lab.name.lower()}_{lab.key} IF NOT EXISTS "
            f"FOR (n:{lab.name}) REQUIRE n.{lab.key} IS UNIQUE")
        for prop in lab.indexed:
            statements.append(
                f"CREATE INDEX {lab.name.lower()}_{prop} IF NOT EXISTS "
                f"FOR (n:{lab.name}) ON (n.{prop})")
        if lab.searchable:
            statements.append(
                f"CREATE FULLTEXT INDEX `{fulltext_index_name(lab.name)}` IF NOT EXISTS "
                f"FOR (n:{lab.name}) ON EACH [n.{SEARCH_TEXT_PROPERTY}]")
            statements.append(
                f"CREATE VECTOR INDEX `{vector_index_name(lab.name)}` IF NOT EXISTS "
                f"FOR (n:{lab.name}) ON (n.{EMBEDDING_PROPERTY}) OPTIONS {{indexConfig: {{"
                f"`vector.dimensions`: {EMBEDDING_DIMENSIONS}, "
                f"`vector.similarity_function`: 'cosine'}}}}")
    return statements


def init_schema(graph) -> int:
    """Apply the schema to ``graph`` (idempotent); return the number of statements run."""
    from graph.backend import ARCADEDB

    statements = arcadedb_ddl() if graph.engine == ARCADEDB else neo4j_ddl()
    graph.run_index_ddl(statements)
    return len(statements)
