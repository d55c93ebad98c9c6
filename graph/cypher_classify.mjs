#!/usr/bin/env node
// Parse Cypher statements with Neo4j's own Cypher parser (the ANTLR grammar and generated
// parser shipped in npm @neo4j-cypher/language-support) and print each parse tree, for the
// analyst console's read-only check (queries/console_guard.py classifies the tree).
//
// A long-running worker: loading the parser costs about a second, parsing one statement
// milliseconds, so the console keeps one process and talks to it line by line.
//
// stdin:  one JSON object per line: {"id": any, "query": str}
// stdout: one JSON object per line: {"id", "tree", "errors": [{message, line, column}]}
//   tree:   {"r": ruleName, "c": [children]} for a parser rule, {"t": text} for a token,
//           {"e": text} for a token the parser could not place (a syntax error);
//           the root is the rule statementsOrCommands (all statements of the text).
//   errors: lexer and parser syntax errors, 1-based positions.
// Exit 2 if the package is not installed. A line that is not the expected JSON gets
// {"id": null, "fatal": message} and the worker goes on.
//
// Why the generated parser and not lintCypherQuery/getDebugTree: the front-end's public
// functions recover from syntax errors silently in some cases (measured: C\u0052EATE (n)
// gives no diagnostic and a tree of bare tokens), and getDebugTree cannot tell a rule from
// a token of the same text. The parser itself reports every error and marks error nodes.
// Its files are imported by path: the package's export map does not list them, and the
// package version is pinned in package.json.

const PACKAGE_DIR = new URL(
  '../node_modules/@neo4j-cypher/language-support/dist/esm/project/language-support/src/generated-parser/',
  import.meta.url,
);

async function loadParser() {
  try {
    const antlr = await import('antlr4ng');
    const { CypherCmdLexer } = await import(new URL('CypherCmdLexer.js', PACKAGE_DIR));
    const { CypherCmdParser } = await import(new URL('CypherCmdParser.js', PACKAGE_DIR));
    return { antlr, CypherCmdLexer, CypherCmdParser };
  } catch (err) {
    if (err?.code === 'ERR_MODULE_NOT_FOUND') {
      process.stderr.write(
        'cypher_classify: @neo4j-cypher/language-support is not installed; run `npm ci` in the repository root.\n',
      );
      process.exit(2);
    }
    throw err;
  }
}

const { antlr, CypherCmdLexer, CypherCmdParser } = await loadParser();

function collector(errors) {
  return {
    syntaxError(recognizer, offendingSymbol, line, column, message) {
      errors.push({ message, line, column: column + 1 });
    },
    reportAmbiguity() {},
    reportAttemptingFullContext() {},
    reportContextSensitivity() {},
  };
}

function toJson(node, ruleNames) {
  if (node instanceof antlr.ErrorNode) return { e: node.getText() };
  if (node instanceof antlr.TerminalNode) return { t: node.getText() };
  const children = [];
  for (let i = 0; i < node.getChildCount(); i++) children.push(toJson(node.getChild(i), ruleNames));
  return { r: ruleNames[node.ruleIndex], c: children };
}

function classify(query) {
  const errors = [];
  const lexer = new CypherCmdLexer(antlr.CharStream.fromString(query));
  lexer.removeErrorListeners();
  lexer.addErrorListener(collector(errors));
  const parser = new CypherCmdParser(new antlr.CommonTokenStream(lexer));
  parser.removeErrorListeners();
  parser.addErrorListener(collector(errors));
  const tree = parser.statementsOrCommands();
  return { tree: toJson(tree, parser.ruleNames), errors };
}

let buffer = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  buffer += chunk;
  let newline;
  while ((newline = buffer.indexOf('\n')) >= 0) {
    const line = buffer.slice(0, newline);
    buffer = buffer.slice(newline + 1);
    if (line.trim()) process.stdout.write(JSON.stringify(answer(line)) + '\n');
  }
});

function answer(line) {
  let request;
  try {
    request = JSON.parse(line);
  } catch (err) {
    return { id: null, fatal: `not JSON: ${err.message}` };
  }
  if (!request || typeof request.query !== 'string') {
    return { id: request?.id ?? null, fatal: 'expected {"id": any, "query": str}' };
  }
  try {
    return { id: request.id, ...classify(request.query) };
  } catch (err) {
    // A crash in the parser must never read as "no errors": the caller refuses.
    return { id: request.id, fatal: `parser crashed: ${err}` };
  }
}
