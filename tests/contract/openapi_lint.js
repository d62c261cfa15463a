// docs/openapi.yaml is a valid OpenAPI 3.1 document (docs/architecture.md, "API contract"):
// @apidevtools/swagger-parser validates it against the OpenAPI meta-schema and resolves
// every $ref; then the checks the meta-schema cannot make:
// - no key without a value: in a YAML flow mapping `{description: a, b}` silently makes
//   "b" a key of its own, so an unquoted comma in a description is an error here;
// - every response schema compiles with ajv (JSON Schema 2020-12, as OpenAPI 3.1 uses),
//   so the integration tests' exchange validation (validate_exchanges.js) can use it;
// - every JSON response declares a schema.
// Usage: node openapi_lint.js docs/openapi.yaml
'use strict';
const fs = require('fs');
const yaml = require('js-yaml');
const SwaggerParser = require('@apidevtools/swagger-parser');
const {compileSpec} = require('./spec.js');

async function main() {
  const file = process.argv[2];
  const problems = [];
  const raw = yaml.load(fs.readFileSync(file, 'utf8'));
  (function walk(node, where) {
    if (Array.isArray(node)) {
      node.forEach((v, i) => walk(v, `${where}/${i}`));
    } else if (node !== null && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) {
        if (v === null) problems.push(`${where}/${k}: key without a value (unquoted comma?)`);
        walk(v, `${where}/${k}`);
      }
    }
  })(raw, '');
  try {
    await SwaggerParser.validate(file);
  } catch (e) {
    problems.push(e.message);
  }
  if (problems.length === 0) {
    try {
      const spec = await compileSpec(file);
      for (const op of spec.operations) {
        for (const [status, r] of Object.entries(op.responses)) {
          if (r.json && !r.validate) {
            problems.push(`${op.method} ${op.path} ${status}: JSON without a schema`);
          }
        }
      }
      console.log(`ok - ${file}: OpenAPI ${raw.openapi}, ${spec.operations.length} operations`);
    } catch (e) {
      problems.push(e.message);
    }
  }
  if (problems.length) {
    console.error(`${file} is not a valid contract:\n  ${problems.join('\n  ')}`);
    process.exit(1);
  }
}
main();
