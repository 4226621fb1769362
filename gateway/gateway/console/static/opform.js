// A form for any write operation of the API, built from the API's own description
// (/api/v1/openapi.json): the operation's path fields and body fields, each with its Chinese
// name and, for a choice, the vocabulary's labels. The API checks role, area and input as
// it does for any client; its messages (Chinese) are shown next to the fields they concern.
import { get, request } from './api.js';
import { choices, h, label, onSubmitted, section, VOCABULARY_NAMES } from './ui.js';

let description = null;
export async function apiDescription() {
  description = description || await get('/api/v1/openapi.json');
  return description;
}

const WRITES = ['post', 'put', 'patch', 'delete'];

// the write operations a role may call (public ones are the residents' pages')
export function writeOperations(spec, role) {
  const out = [];
  for (const [path, methods] of Object.entries(spec.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      if (!WRITES.includes(method) || !op['x-roles'] || !op['x-roles'].includes(role)) continue;
      out.push({ id: op.operationId, method, path, tag: (op.tags || [''])[0], op });
    }
  }
  return out;
}

function resolve(spec, schema) {
  let s = schema || {};
  while (s.$ref) s = spec.components.schemas[s.$ref.split('/').pop()];
  if (s.allOf) s = Object.assign({}, ...s.allOf.map((x) => resolve(spec, x)));
  return s;
}

// the vocabulary enumeration whose codes are exactly a field's choices, for their labels
function enumerationOf(values) {
  const wanted = [...values].sort().join(',');
  return VOCABULARY_NAMES().find((name) => choices(name).map(([c]) => c).sort().join(',') === wanted);
}

const fieldName = (name) => label(name, 'fields');

function input(name, schema, required) {
  const id = `f-${name.replace(/\W/g, '_')}`;
  let el;
  const many = schema.type === 'array' && schema.items && schema.items.enum;
  const values = schema.enum || (many ? schema.items.enum : null);
  if (values) {
    const enumeration = enumerationOf(values);
    el = h('select', { name, id, multiple: many || undefined },
      many ? null : h('option', { value: '' }, '—'),
      values.filter((v) => v !== null).map((v) => h('option', { value: v }, label(v, enumeration))));
  } else if (schema.type === 'boolean') {
    el = h('select', { name, id }, h('option', { value: '' }, '—'),
      h('option', { value: 'true' }, '是'), h('option', { value: 'false' }, '否'));
  } else if (schema.type === 'array' || schema.type === 'object') {
    el = h('textarea', { name, id, rows: 3,
      placeholder: schema.type === 'array' && schema.items && schema.items.type === 'string'
        ? '多个用逗号或空格分开' : 'JSON' });
  } else {
    const type = schema.format === 'date' ? 'date'
      : ['integer', 'number'].includes(schema.type) ? 'number' : 'text';
    el = h('input', { name, id, type, step: schema.type === 'number' ? 'any' : undefined });
  }
  el.dataset.kind = many ? 'many' : schema.type || 'string';
  el.dataset.items = (schema.items && schema.items.type) || '';
  return h('div', { class: 'field', 'data-field': name },
    h('label', { for: id }, fieldName(name.split('.').pop()),
      required ? h('span', { class: 'req' }, ' *') : null),
    el, h('div', { class: 'field-error', 'data-error-for': name }));
}

function value(el) {
  const text = el.value.trim();
  if (el.dataset.kind === 'many') return [...el.selectedOptions].map((o) => o.value);
  if (text === '') return undefined;
  if (el.dataset.kind === 'boolean') return text === 'true';
  if (el.dataset.kind === 'integer') return Number.parseInt(text, 10);
  if (el.dataset.kind === 'number') return Number(text);
  if (el.dataset.kind === 'array' && el.dataset.items === 'string') {
    return text.split(/[\s,，、]+/).filter(Boolean);
  }
  if (el.dataset.kind === 'array' || el.dataset.kind === 'object') {
    try { return JSON.parse(text); } catch (e) { return text; } // the API names the field
  }
  return text;
}

function put(body, path, v) {
  const parts = path.split('.');
  let at = body;
  for (const p of parts.slice(0, -1)) at = at[p] = at[p] || {};
  at[parts[parts.length - 1]] = v;
}

// fields of a body schema; an object field's own fields inline ("applicant.name")
function bodyFields(spec, schema, prefix = '') {
  const s = resolve(spec, schema);
  const required = new Set(s.required || []);
  return Object.entries(s.properties || {}).filter(([, p]) => !p.readOnly).flatMap(([name, p]) => {
    const r = resolve(spec, p);
    if (r.type === 'object' || (r.properties && !r.type)) {
      return bodyFields(spec, r, `${prefix}${name}.`);
    }
    return [input(prefix + name, r, required.has(name))];
  });
}

// The form of one operation; ``preset`` fills fields (a case's id, a community's code).
export async function operationForm(operationId, { preset = {}, onDone } = {}) {
  const spec = await apiDescription();
  const found = Object.entries(spec.paths).flatMap(([path, methods]) => Object.entries(methods)
    .filter(([, op]) => op.operationId === operationId).map(([method, op]) => ({ path, method, op })));
  if (!found.length) throw new Error(`unknown operation ${operationId}`);
  const { path, method, op } = found[0];
  const params = (op.parameters || []).filter((p) => p.in === 'path');
  const schema = op.requestBody && op.requestBody.content['application/json'].schema;
  const fields = [...params.map((p) => input(p.name, p.schema || {}, true)),
    ...(schema ? bodyFields(spec, schema) : [])];
  const status = h('div', { class: 'form-status', role: 'status' });
  const el = h('form', { class: 'form', id: `op-${operationId.replace(/\W/g, '-')}`, novalidate: true },
    fields, h('div', { class: 'actions' }, h('button', { type: 'submit' }, label(operationId, 'operations'))),
    status);
  for (const [name, v] of Object.entries(preset)) {
    const target = el.querySelector(`[name="${name}"]`);
    if (target) target.value = v;
  }
  onSubmitted(el, status, async () => {
    let url = path;
    const body = {};
    for (const control of el.querySelectorAll('input, select, textarea')) {
      const v = value(control);
      if (params.some((p) => p.name === control.name)) {
        url = url.replace(`{${control.name}}`, encodeURIComponent(v === undefined ? '' : v));
      } else if (v !== undefined) put(body, control.name, v);
    }
    const answer = await request(method.toUpperCase(), url, { body: schema ? body : undefined });
    if (onDone) onDone(answer);
    return `已完成：${label(operationId, 'operations')}`
      + (answer && answer.id ? `（编号 ${answer.id}）` : '');
  });
  return section(label(operationId, 'operations'), el);
}
