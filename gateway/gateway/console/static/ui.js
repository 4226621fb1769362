// Small DOM helpers shared by the pages: elements, tables, forms that show the API's
// message next to the field, and words for the API's codes.
import { ApiError, download, get } from './api.js';

export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

// Words for codes come from the API's vocabulary (GET /api/v1/vocabulary): every enumeration
// of the contracts with its Chinese label, loaded once before the first page. No code or
// label is written here.
let VOCABULARY = {};
let ANY = {};
export async function loadVocabulary() {
  VOCABULARY = await get('/api/v1/vocabulary');
  ANY = {};
  for (const words of Object.values(VOCABULARY)) {
    for (const [code, word] of Object.entries(words)) if (!(code in ANY)) ANY[code] = word;
  }
}
// label(code, 'case_statuses') reads that enumeration; label(code) the first that knows it
export const label = (code, enumeration) => (VOCABULARY[enumeration] || {})[code] || ANY[code] || code;
// the names of the vocabulary's enumerations
export const VOCABULARY_NAMES = () => Object.keys(VOCABULARY);
// the codes of an enumeration, in the order a person should see them
export const codes = (enumeration) => Object.keys(VOCABULARY[enumeration] || {});
// [code, label] pairs for a select
export const choices = (enumeration) => Object.entries(VOCABULARY[enumeration] || {});

export function fmt(value) {
  if (value === null || value === undefined || value === '') return '—';
  if (typeof value === 'boolean') return value ? '是' : '否';
  if (typeof value === 'number' && !Number.isInteger(value)) return value.toFixed(2);
  return String(value);
}
export const pct = (v) => (v === null || v === undefined ? '—' : `${(v * 100).toFixed(1)}%`);

export function errorBox(err) {
  return h('p', { class: 'error', role: 'alert' }, err instanceof ApiError
    ? `${err.message}（${err.status}）` : String(err));
}

// columns: [[key or function, heading], ...]
export function table(columns, rows, { caption, exportName, empty = '暂无数据' } = {}) {
  const value = (col, row) => (typeof col[0] === 'function' ? col[0](row) : fmt(row[col[0]]));
  const body = rows.length
    ? rows.map((row) => h('tr', null, columns.map((col) => h('td', { 'data-label': col[1] },
      value(col, row)))))
    : [h('tr', null, h('td', { colspan: columns.length, class: 'muted' }, empty))];
  const t = h('table', { class: 'grid' },
    caption ? h('caption', null, caption) : null,
    h('thead', null, h('tr', null, columns.map((c) => h('th', null, c[1])))),
    h('tbody', null, body));
  if (!exportName) return h('div', { class: 'table-wrap' }, t);
  const text = (col, row) => {
    const v = value(col, row);
    return v instanceof Node ? v.textContent : v;
  };
  const button = h('button', {
    type: 'button', class: 'secondary small', 'data-export': exportName,
    onclick: () => download('POST', '/console/tables.xlsx', {
      body: { title: exportName, columns: columns.map((c) => c[1]),
        rows: rows.map((r) => columns.map((c) => text(c, r))) },
      filename: `${exportName}.xlsx`,
    }).catch((e) => button.after(errorBox(e))),
  }, '下载 Excel');
  return h('div', { class: 'table-wrap' }, t, button);
}

// A form whose fields are [name, label, {type, options, required, value, placeholder}].
// On submit it calls onSubmit(values); an ApiError's field messages go next to the fields.
export function form(fields, onSubmit, { submitLabel = '提交', id } = {}) {
  const status = h('div', { class: 'form-status', role: 'status' });
  const inputs = {};
  const rows = fields.map(([name, text, opts = {}]) => {
    let input;
    if (opts.type === 'select') {
      input = h('select', { name, id: `f-${name}` },
        opts.blank !== false ? h('option', { value: '' }, opts.blank || '—') : null,
        opts.options.map((o) => (Array.isArray(o)
          ? h('option', { value: o[0] }, o[1]) : h('option', { value: o }, label(o)))));
    } else if (opts.type === 'textarea') {
      input = h('textarea', { name, id: `f-${name}`, rows: 3 });
    } else {
      input = h('input', { name, id: `f-${name}`, type: opts.type || 'text',
        placeholder: opts.placeholder, accept: opts.accept });
    }
    if (opts.value !== undefined && opts.type !== 'file') input.value = opts.value;
    inputs[name] = input;
    return h('div', { class: 'field', 'data-field': name },
      h('label', { for: `f-${name}` }, text, opts.required ? h('span', { class: 'req' }, ' *') : null),
      input, h('div', { class: 'field-error', 'data-error-for': name }));
  });
  const el = h('form', { class: 'form', id, novalidate: true }, rows,
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, submitLabel)), status);
  onSubmitted(el, status, () => {
    const values = {};
    for (const [name, input] of Object.entries(inputs)) {
      values[name] = input.type === 'file' ? input.files[0] : input.value.trim();
    }
    return onSubmit(values);
  });
  return el;
}

// On submit: clear the last messages, run send() with the button held, then show the
// message it answers (a success) or the API's messages next to their fields.
export function onSubmitted(formEl, status, send) {
  formEl.addEventListener('submit', async (event) => {
    event.preventDefault();
    formEl.querySelectorAll('.field-error').forEach((e) => { e.textContent = ''; });
    formEl.querySelectorAll('.field.invalid').forEach((e) => e.classList.remove('invalid'));
    status.textContent = '';
    status.className = 'form-status';
    const button = formEl.querySelector('button[type=submit]');
    button.disabled = true;
    try {
      const message = await send();
      if (message) { status.textContent = message; status.classList.add('ok'); }
    } catch (err) {
      showFieldErrors(formEl, err, status);
    } finally {
      button.disabled = false;
    }
  });
}

function flatten(fields, prefix = '') {
  const out = [];
  for (const [k, v] of Object.entries(fields || {})) {
    if (Array.isArray(v) && v.every((m) => typeof m === 'string')) out.push([prefix + k, v.join('；')]);
    else if (v && typeof v === 'object') out.push(...flatten(v, `${prefix}${k}.`));
    else out.push([prefix + k, String(v)]);
  }
  return out;
}

export function showFieldErrors(formEl, err, status) {
  const unplaced = [];
  if (err instanceof ApiError) {
    for (const [path, message] of flatten(err.fields)) {
      // "source_codes.0" belongs to the field source_codes; "parties.0.phone" to party_phone
      const parts = path.split('.');
      const candidates = [path, parts[0], parts.filter((p) => !/^\d+$/.test(p)).join('_'),
        parts[parts.length - 1]];
      const slot = candidates.map((c) => formEl.querySelector(`[data-error-for="${c}"]`))
        .find(Boolean);
      if (slot) {
        slot.textContent = message;
        slot.closest('.field').classList.add('invalid');
      } else unplaced.push(`${path}: ${message}`);
    }
  }
  status.className = 'form-status error';
  status.textContent = [err.message, ...unplaced].join(' ');
}

export const section = (title, ...children) => h('section', { class: 'card' },
  h('h2', null, title), ...children);
