// Small DOM helpers shared by the pages: elements, tables, forms that show the API's
// message next to the field, and words for the API's codes.
import { ApiError, download } from './api.js';

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

export const LABELS = {
  county: '县（市、区）', county_city: '县级市', district: '市辖区', development_zone: '开发区',
  town: '镇', township: '乡', street: '街道',
  urban_community: '城市社区', rural_community: '农村社区', village: '行政村',
  active: '在册', inactive: '已撤销',
  convert: '转（村改居）', merge: '并（合并）', federate: '联（联建）',
  people: '人民调解', medical: '医疗纠纷调解', litigation: '诉调对接', police: '警调对接',
  traffic: '交通事故调解', procuratorate: '检调对接',
  application: '群众申请', referral: '部门移送',
  received: '已收件', accepted: '已受理', paused: '中止计时（鉴定）', pause: '中止计时', resume: '恢复计时', declined: '不予受理', mediating: '调解中',
  agreement: '达成协议', failure: '调解不成', confirmation_requested: '已申请司法确认',
  confirmed: '司法确认', confirmation_refused: '确认被驳回', returned: '已退回', closed: '已结案',
  accept: '受理', decline: '不予受理', assign_mediator: '指派调解员', extend: '延长期限',
  record_agreement: '记录调解协议', record_failure: '记录调解不成',
  request_confirmation: '申请司法确认', confirm: '司法确认', refuse_confirmation: '驳回确认',
  resume_mediation: '恢复调解', return_to_referrer: '退回移送部门', close: '结案',
  extend_court_decision: '法院延长审查期限', recompute_deadline: '工作日历变更·期限重算',
  deemed_not_settled: '视为调解不成', flag_for_officer: '待人工审定',
  court: '法院', police_station: '派出所', traffic_police: '交警', hospital: '医院',
  health_authority: '卫健部门',
  neighbourhood: '邻里纠纷', marriage_family: '婚姻家庭', property: '物业与财产', contract: '合同',
  labour: '劳动争议', damages: '损害赔偿', land: '土地', minor_criminal: '轻微刑事', other: '其他',
  criminal: '刑事', administrative: '行政',
  applicant: '申请人', respondent: '被申请人', third_party: '第三人',
  residents_committee: '居民委员会', villagers_committee: '村民委员会',
  lawyer: '律师', notary: '公证员', legal_service_worker: '基层法律服务工作者',
  counselling_station: '法律服务（咨询）室', legal_school: '法治学校', publicity_board: '法治宣传栏',
  library: '法律图书角', park: '法治公园', square: '法治广场', market: '法治集市',
  party: '党务公开', community: '居（村）务公开', financial: '财务公开',
  held: '有效', revoked: '已摘牌', expired: '已到期',
  platform_admin: '平台管理员', civil_affairs_officer: '民政干部', justice_officer: '司法行政干部',
  evaluator: '评审员', inspector: '督查员', mediator: '调解员',
  linked_department_officer: '联动部门干部', viewer: '查看者',
};
export const label = (code) => (code in LABELS ? LABELS[code] : code);

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
  el.addEventListener('submit', async (event) => {
    event.preventDefault();
    el.querySelectorAll('.field-error').forEach((e) => { e.textContent = ''; });
    el.querySelectorAll('.field.invalid').forEach((e) => e.classList.remove('invalid'));
    status.textContent = '';
    status.className = 'form-status';
    const values = {};
    for (const [name, input] of Object.entries(inputs)) {
      values[name] = input.type === 'file' ? input.files[0] : input.value.trim();
    }
    const button = el.querySelector('button[type=submit]');
    button.disabled = true;
    try {
      const message = await onSubmit(values);
      if (message) { status.textContent = message; status.classList.add('ok'); }
    } catch (err) {
      showFieldErrors(el, err, status);
    } finally {
      button.disabled = false;
    }
  });
  return el;
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
