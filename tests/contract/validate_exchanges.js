// Checks the HTTP exchanges an integration test recorded (tests/integration/lib.sh, one
// line each: method, URL, status, Content-Type, body file or "-", tab-separated) against
// docs/openapi.yaml: the path and method are an operation of the document, the status is
// one it declares, a JSON answer is declared as JSON and matches the response schema,
// other answers have a declared media type. Prints every mismatch and exits 1 if any.
// Paths outside the API (the portal's HTML pages, docs/portal.md) are not the document's.
// Usage: node validate_exchanges.js docs/openapi.yaml EXCHANGES_LOG
'use strict';
const fs = require('fs');
const {compileSpec, isJson} = require('./spec.js');

const API_PATHS = /^\/(api\/|network\/v1\/|ocsp|crl\/|ca\/|healthz$|metrics$|terminal\/|cmp$|\.well-known\/cmp$)/;

function check(spec, ex) {
  const url = new URL(ex.url);
  const path = url.pathname;
  const where = `${ex.method} ${path} → ${ex.status}`;
  if (!API_PATHS.test(path)) return null;
  const ops = spec.operations.filter(o => o.regex.test(path));
  if (ops.length === 0) return `${where}: path not in the document`;
  const op = ops.find(o => o.method === ex.method);
  if (!op) return `${where}: method not in the document for ${ops[0].path}`;
  const declared = op.responses[ex.status] || op.responses[`${ex.status[0]}XX`] ||
      op.responses.default;
  if (!declared) {
    return `${where}: status not declared for ${op.method} ${op.path} ` +
        `(declared: ${Object.keys(op.responses).join(', ')})`;
  }
  const type = (ex.contentType || '').split(';')[0].trim().toLowerCase();
  if (ex.body === null) return null;  // the test asked for no body (curl -f on an error)
  const body = fs.readFileSync(ex.body);
  if (isJson(type)) {
    if (!declared.json) {
      return `${where}: answered JSON, the document declares ` +
          `${declared.types.length ? declared.types.join(', ') : 'no content'}`;
    }
    let value;
    try {
      value = JSON.parse(body.toString('utf8'));
    } catch (e) {
      return `${where}: not JSON: ${e.message}`;
    }
    if (declared.validate && !declared.validate(value)) {
      const errors = declared.validate.errors.slice(0, 5).map(
          e => `${e.instancePath || '/'} ${e.message}` +
              (e.params && e.params.additionalProperty ? ` (${e.params.additionalProperty})` : ''));
      return `${where}: body does not match the schema of ${op.path} ${ex.status}: ` +
          `${errors.join('; ')}\n    body: ${body.toString('utf8').slice(0, 300)}`;
    }
    return null;
  }
  if (body.length > 0 && declared.types.length > 0 &&
      !declared.types.some(t => t === type || t === '*/*' ||
                                (t.endsWith('/*') && type.startsWith(t.slice(0, -1))))) {
    return `${where}: Content-Type ${type || '(none)'} not among ${declared.types.join(', ')}`;
  }
  return null;
}

async function main() {
  const [file, log] = process.argv.slice(2);
  const spec = await compileSpec(file);
  const lines = fs.readFileSync(log, 'utf8').split('\n').filter(Boolean);
  const problems = [];
  let checked = 0;
  for (const line of lines) {
    const [method, url, status, contentType, body] = line.split('\t');
    if (status === '000' || !/^[1-5][0-9][0-9]$/.test(status)) continue;  // no HTTP answer
    checked++;
    const problem = check(spec, {method, url, status, contentType,
                                 body: body === '-' ? null : body});
    if (problem) problems.push(problem);
  }
  if (problems.length) {
    console.error(`FAIL: ${problems.length} of ${checked} answers do not match ` +
                  `docs/openapi.yaml:\n  ${[...new Set(problems)].join('\n  ')}`);
    process.exit(1);
  }
  console.log(`ok - ${checked} answers match docs/openapi.yaml`);
}
main().catch(e => {
  console.error(`FAIL: ${e.stack}`);
  process.exit(1);
});
