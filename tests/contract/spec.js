// docs/openapi.yaml compiled for checking answers: every operation with a matcher for its
// path and, per declared status, the media types and an ajv validator of the JSON schema
// (JSON Schema 2020-12, the dialect of OpenAPI 3.1).
'use strict';
const SwaggerParser = require('@apidevtools/swagger-parser');
const Ajv2020 = require('ajv/dist/2020');
const addFormats = require('ajv-formats');

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

function isJson(mediaType) {
  return /^application\/([a-z0-9.+-]*\+)?json$/.test(mediaType);
}

function pathMatcher(template) {
  const escaped = template.split(/(\{[^}]+\})/).map(part => part.startsWith('{') ?
      '[^/]+' : part.replace(/[.*+?^$()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join('')}$`);
}

async function compileSpec(file) {
  const api = await SwaggerParser.dereference(file);
  // strict off: OpenAPI adds keywords of its own (example, discriminator, xml, ...).
  const ajv = new Ajv2020({strict: false, allErrors: true});
  addFormats(ajv);
  const operations = [];
  for (const [path, item] of Object.entries(api.paths || {})) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const responses = {};
      for (const [status, r] of Object.entries(op.responses || {})) {
        const content = r.content || {};
        const types = Object.keys(content);
        const jsonType = types.find(isJson);
        let validate = null;
        if (jsonType && content[jsonType].schema) {
          try {
            validate = ajv.compile(content[jsonType].schema);
          } catch (e) {
            throw new Error(`${method.toUpperCase()} ${path} ${status}: ${e.message}`);
          }
        }
        responses[status] = {types, json: Boolean(jsonType), validate};
      }
      operations.push({
        method: method.toUpperCase(),
        path,
        regex: pathMatcher(path),
        // A literal segment wins over a template ("/applications/preview" over
        // "/applications/{request_id}").
        templates: (path.match(/\{/g) || []).length,
        responses,
      });
    }
  }
  operations.sort((a, b) => a.templates - b.templates);
  return {api, operations, isJson};
}

module.exports = {compileSpec, isJson};
