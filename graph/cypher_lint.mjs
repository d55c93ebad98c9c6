#!/usr/bin/env node
// Lint Cypher queries with Neo4j's own Cypher front-end
// (npm package @neo4j-cypher/language-support, function lintCypherQuery).
//
// stdin:  JSON list of {"name": str, "query": str}
// stdout: JSON list of {"name", "errors": [{message, line, column}], "warnings": [...]}
//         line and column are 1-based, like Neo4j's own error messages.
// Exit 0 whenever linting ran, even if queries have errors; 2 if the package
// is not installed; 3 if stdin is not the expected JSON.
// One process lints every query: loading the front-end costs about a second,
// each query afterwards only milliseconds.

const PACKAGE = '@neo4j-cypher/language-support';

// Signatures (as Neo4j 5's SHOW PROCEDURES reports them) of the procedures our
// queries call. Knowing them lets the front-end check argument count/types and
// YIELD columns. Procedures missing here are still accepted (reported as
// warnings below), because the schema is deliberately partial.
const PROCEDURES = [
  {
    name: 'db.index.vector.queryNodes',
    signature:
      'db.index.vector.queryNodes(indexName :: STRING, numberOfNearestNeighbours :: INTEGER, query :: ANY) :: (node :: NODE, score :: FLOAT)',
    argumentDescription: [
      arg('indexName', 'STRING'),
      arg('numberOfNearestNeighbours', 'INTEGER'),
      arg('query', 'ANY'),
    ],
    returnDescription: [arg('node', 'NODE'), arg('score', 'FLOAT')],
  },
  {
    name: 'db.index.fulltext.queryNodes',
    signature:
      'db.index.fulltext.queryNodes(indexName :: STRING, queryString :: STRING, options = {} :: MAP) :: (node :: NODE, score :: FLOAT)',
    argumentDescription: [
      arg('indexName', 'STRING'),
      arg('queryString', 'STRING'),
      { ...arg('options', 'MAP'), default: 'DefaultParameterValue{value={}, type=MAP}' },
    ],
    returnDescription: [arg('node', 'NODE'), arg('score', 'FLOAT')],
  },
].map((p) => ({
  description: '',
  mode: 'READ',
  worksOnSystem: false,
  admin: false,
  option: { deprecated: false },
  ...p,
}));

function arg(name, type) {
  return { name, type, description: '', isDeprecated: false };
}

const registry = Object.fromEntries(PROCEDURES.map((p) => [p.name, p]));

// Only `procedures` is set. Leaving out labels/relationshipTypes/propertyKeys
// and functions switches those "not present in the database" checks off: the
// linter has no live database, and built-in functions are still checked by
// the semantic analysis itself.
const DB_SCHEMA = {
  procedures: { 'CYPHER 5': registry, 'CYPHER 25': registry },
};

// LSP DiagnosticSeverity: 1 Error, 2 Warning, 3 Information, 4 Hint.
const SEVERITY_ERROR = 1;

const UNKNOWN_PROCEDURE = /^Procedure \S+ is not present in the database\./;

async function loadLinter() {
  try {
    return await import(PACKAGE);
  } catch (err) {
    if (err?.code === 'ERR_MODULE_NOT_FOUND') {
      process.stderr.write(
        `cypher_lint: ${PACKAGE} is not installed; run \`npm ci\` in the repository root.\n`,
      );
      process.exit(2);
    }
    throw err;
  }
}

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

function parseInput(text) {
  let items;
  try {
    items = JSON.parse(text);
  } catch (err) {
    fail(`stdin is not JSON: ${err.message}`);
  }
  const valid =
    Array.isArray(items) &&
    items.every(
      (i) => i && typeof i.name === 'string' && typeof i.query === 'string',
    );
  if (!valid) fail('stdin must be a JSON list of {"name": str, "query": str}');
  return items;
}

function fail(message) {
  process.stderr.write(`cypher_lint: ${message}\n`);
  process.exit(3);
}

function toIssue(d) {
  return {
    message: d.message,
    line: d.range.start.line + 1,
    column: d.range.start.character + 1,
  };
}

function lintOne(linter, { name, query }) {
  const errors = [];
  const warnings = [];
  let diagnostics;
  try {
    diagnostics = linter.lintCypherQuery(query, DB_SCHEMA).diagnostics;
  } catch (err) {
    // A crash in the front-end must not pass silently as "no errors".
    errors.push({ message: `linter crashed: ${err}`, line: 1, column: 1 });
    return { name, errors, warnings };
  }
  for (const d of diagnostics) {
    // Without parameter values every $param is an error ("Parameter $x is
    // not defined."); parameters are supplied at run time, so drop those.
    if (!linter.isNotParamError(d)) continue;
    // Missing severity is treated as an error so nothing slips through.
    const isError =
      (d.severity ?? SEVERITY_ERROR) === SEVERITY_ERROR &&
      !UNKNOWN_PROCEDURE.test(d.message);
    (isError ? errors : warnings).push(toIssue(d));
  }
  return { name, errors, warnings };
}

const linter = await loadLinter();
const items = parseInput(await readStdin());
const results = items.map((item) => lintOne(linter, item));
process.stdout.write(JSON.stringify(results) + '\n');
