// The legal services desk: legal aid (list, an application with every step and its legal
// basis), the 12348 line (call entry, statistics), government legal advisers with their
// opinions and coverage by level, lawyers' visits in communities with their totals.
// Personal data is shown exactly as the API masks it.
import { get, post } from '../api.js';
import { choices, errorBox, fmt, form, h, label, section, table } from '../ui.js';

const M = '/api/v1/mediation';
const L = '/api/v1/legal-services';
const REASON = [['reason', '理由', { required: true, type: 'textarea' }]];
const STEP_FIELDS = {
  request_materials: [['missing', '需补充的全部材料（一次性告知）', { required: true, type: 'textarea' }],
    ['supply_by', '补充期限（不填按规定）', { type: 'date' }]],
  refuse: REASON, terminate: REASON, object: REASON, dismiss_objection: REASON,
  assign: [['provider', '承办人', { required: true }],
    ['provider_kind', '承办人类别', { type: 'select', blank: false, options: choices('provider_kinds') }]],
  close: [['outcome', '结果（援助事项）', { type: 'select', options: choices('legal_aid_outcomes') }],
    ['note', '说明', { type: 'textarea' }]],
};
const clean = (values) => Object.fromEntries(Object.entries(values).filter(([, v]) => v !== ''));
const nav = () => h('p', { class: 'actions', id: 'legal-nav' }, [['legal', '法律援助'], ['legal/hotline', '12348 热线'],
  ['legal/advisers', '政府法律顾问'], ['legal/visits', '律师进社区']].map(([href, text]) => h('a', { class: 'button secondary', href: `#/${href}` }, text)));

async function aidList() {
  const aid = await get(`${M}/legal-aid`, { per_page: 100 });
  return h('div', null, h('h1', null, '法律援助与公共法律服务'), nav(),
    section('法律援助申请', table([[(a) => h('a', { href: `#/legal/aid/${a.id}`, 'data-aid': a.id }, `#${a.id}`), '编号'],
      ['received_on', '收件日期'], ['community_code', '社区（村）'],
      [(a) => `${a.applicant.name}${a.applicant.phone ? ` ${a.applicant.phone}` : ''}`, '申请人'],
      ['matter', '事项'], [(a) => (a.case_id ? `调解案件 #${a.case_id}` : '—'), '来源'],
      [(a) => label(a.status, 'legal_aid_statuses'), '状态'], [(a) => (a.overdue ? h('span', { class: 'tag bad' }, '超期') : '否'), '超期']],
    aid.items, { caption: `共 ${aid.total} 件`, exportName: '法律援助申请' })));
}

async function aidPage(id) {
  const a = await get(`${M}/legal-aid/${id}`);
  const facts = [['状态', label(a.status, 'legal_aid_statuses')], ['社区（村）', a.community_code], ['事项', a.matter],
    ['申请人', `${a.applicant.name} ${fmt(a.applicant.phone)} ${fmt(a.applicant.id_number)}`],
    ['收件', a.received_on], ['需补充材料', fmt(a.missing_materials)], ['不予援助理由', fmt(a.refusal_reason)],
    ['终止理由', fmt(a.termination_reason)], ['异议', fmt(a.objection_reason)], ['承办人', fmt(a.provider)],
    ['救济途径', fmt(a.objection_route)], ['结果', a.outcome ? label(a.outcome, 'legal_aid_results') : '—'], ['说明', fmt(a.outcome_note)]];
  const holder = h('div');
  const steps = h('div', { id: 'aid-steps' }, a.next_actions.length
    ? h('div', { class: 'actions' }, a.next_actions.map((action) => h('button', {
      type: 'button', class: 'secondary', 'data-action': action,
      onclick: () => holder.replaceChildren(stepForm(a, action)) }, label(action, 'legal_aid_actions'))))
    : h('p', { class: 'muted' }, '已结案，没有可办理的步骤。'), holder);
  return h('div', { id: 'aid-page', 'data-status': a.status }, h('h1', null, `法律援助申请 #${a.id}`), nav(),
    a.personal_data_masked ? h('p', { class: 'notice' }, '申请人个人信息已按规定遮蔽。') : null,
    section('申请信息', table([['k', '项目'], ['v', '内容']], facts.map(([k, v]) => ({ k, v })))),
    section('期限与依据', table([[(d) => label(d.deadline, 'legal_aid_deadlines'), '期限'], ['due_on', '届满日'],
      [(d) => (d.running ? '进行中' : '—'), '状态'], ['rule', '依据']], a.deadlines, { empty: '暂无期限' })),
    section('下一步', steps));
}

function stepForm(a, action) {
  const fields = [...(STEP_FIELDS[action] || []), ['on', '办理日期（默认今天）', { type: 'date' }]];
  return form(fields, async (values) => {
    await post(`${M}/legal-aid/${a.id}/${action.replace(/_/g, '-')}`, clean(values));
    window.dispatchEvent(new HashChangeEvent('hashchange'));
    return '已办理';
  }, { id: `aid-step-${action}`, submitLabel: label(action, 'legal_aid_actions') });
}

async function hotlinePage() {
  const today = new Date().toISOString().slice(0, 10);
  const year = today.slice(0, 4);
  const [calls, stats] = await Promise.all([get(`${M}/hotline-consultations`, { per_page: 100 }),
    get(`${M}/hotline-consultations/statistics`, { date_from: `${year}-01-01`, date_to: today })]);
  const entry = form([['community_code', '社区（村）代码', { required: true }],
    ['consulted_on', '日期', { type: 'date', value: today, required: true }],
    ['topic', '主题', { type: 'select', options: choices('hotline_topics'), required: true }],
    ['summary', '咨询概要', { type: 'textarea', required: true }], ['caller_phone', '来电号码'],
    ['answered_by', '接听人', { required: true }]], async (values) => {
    await post(`${M}/hotline-consultations`, clean(values));
    window.dispatchEvent(new HashChangeEvent('hashchange'));
    return '已登记';
  }, { id: 'hotline-form', submitLabel: '登记来电' });
  return h('div', null, h('h1', null, '12348 法律服务热线'), nav(), section('登记来电', entry),
    section(`本年统计（共 ${stats.total} 次）`, table([[(r) => label(r.topic, 'hotline_topics'), '主题'], ['county_code', '县（市、区）'],
      ['month', '月份'], ['consultations', '次数']], stats.rows, { exportName: '12348热线统计' })),
    section('来电记录', table([['consulted_on', '日期'], ['community_code', '社区（村）'], [(c) => label(c.topic, 'hotline_topics'), '主题'],
      ['summary', '概要'], ['caller_phone', '来电号码'], ['answered_by', '接听人']], calls.items,
    { caption: `共 ${calls.total} 次`, exportName: '12348热线咨询' })));
}

async function advisersPage() {
  const [advisers, opinions, coverage] = await Promise.all([get(`${L}/government-advisers`, { per_page: 100 }),
    get(`${L}/adviser-opinions`, { per_page: 100 }), get(`${L}/government-advisers/coverage`)]);
  const register = form([['government_code', '政府区划代码（市、县、镇）', { required: true }],
    ['government_body', '服务的政府机关', { required: true }], ['adviser_name', '法律顾问', { required: true }],
    ['adviser_kind', '类别', { type: 'select', blank: false, options: choices('government_adviser_kinds') }],
    ['firm', '所在律所'], ['term_start', '聘期起', { type: 'date', required: true }],
    ['term_end', '聘期止', { type: 'date', required: true }]], async (values) => {
    await post(`${L}/government-advisers`, clean(values));
    window.dispatchEvent(new HashChangeEvent('hashchange'));
    return '已登记';
  }, { id: 'adviser-form', submitLabel: '登记法律顾问' });
  const opinion = form([['adviser_id', '法律顾问', { type: 'select', required: true,
    options: advisers.items.map((x) => [String(x.id), `${x.adviser_name}（${x.government_body}）`]) }],
  ['matter', '事项', { required: true }], ['given_on', '出具日期', { type: 'date', required: true }],
  ['kind', '类别', { type: 'select', required: true, options: choices('opinion_kinds') }]], async ({ adviser_id: id, ...values }) => {
    await post(`${L}/government-advisers/${id}/opinions`, clean(values));
    window.dispatchEvent(new HashChangeEvent('hashchange'));
    return '已登记';
  }, { id: 'opinion-form', submitLabel: '登记法律意见' });
  return h('div', null, h('h1', null, '三级政府法律顾问'), nav(),
    section('覆盖情况（聘期内）', table([[(c) => label(c.level, 'government_levels'), '层级'], ['governments', '政府数'],
      ['with_adviser', '已聘'], [(c) => (c.coverage === null ? '—' : `${(c.coverage * 100).toFixed(1)}%`), '覆盖率'],
      [(c) => (c.without.length ? h('span', { class: 'tag warn' }, c.without.join('、')) : '无'), '未聘法律顾问']],
    coverage.levels, { exportName: '政府法律顾问覆盖' })),
    section('法律顾问', table([['government_body', '政府机关'], [(x) => label(x.level, 'government_levels'), '层级'], ['adviser_name', '法律顾问'],
      [(x) => label(x.adviser_kind, 'government_adviser_kinds'), '类别'], ['term_start', '聘期起'], ['term_end', '聘期止'], ['opinions', '意见数']],
    advisers.items, { caption: `共 ${advisers.total} 个`, exportName: '政府法律顾问' }), register),
    section('法律意见', table([['given_on', '日期'], ['government_code', '政府'], [(o) => label(o.kind, 'opinion_kinds'), '类别'],
      ['matter', '事项']], opinions.items, { caption: `共 ${opinions.total} 件` }), opinion));
}

async function visitsPage() {
  const today = new Date().toISOString().slice(0, 10);
  const from = `${today.slice(0, 4)}-01-01`;
  const [visits, totals] = await Promise.all([get(`${L}/community-visits`, { per_page: 100 }),
    get(`${L}/community-visits/totals`, { date_from: from, date_to: today })]);
  const entry = form([['community_code', '社区（村）代码', { required: true }], ['lawyer', '律师', { required: true }],
    ['visited_on', '日期', { type: 'date', value: today, required: true }], ['hours', '时长（小时）', { type: 'number', required: true }],
    ['topic', '主题', { required: true }], ['residents_served', '服务群众（人次）', { type: 'number', required: true }]],
  async (values) => {
    await post(`${L}/community-visits`, { ...clean(values), hours: Number(values.hours),
      residents_served: Number(values.residents_served) });
    window.dispatchEvent(new HashChangeEvent('hashchange'));
    return '已登记';
  }, { id: 'visit-form', submitLabel: '登记服务' });
  const cols = [['code', '区划'], ['visits', '次数'], ['hours', '时长'], ['residents_served', '服务人次'], ['lawyers', '律师人数']];
  return h('div', null, h('h1', null, '律师进社区'), nav(), section('登记服务', entry),
    section('按社区合计（本年）', table([...cols, [(r) => fmt(r.legal_adviser), '社区法律顾问']], totals.communities,
      { exportName: '律师进社区按社区' })),
    section('按县合计（本年）', table(cols, totals.counties, { exportName: '律师进社区按县' })),
    section('服务记录', table([['visited_on', '日期'], ['community_code', '社区（村）'], ['lawyer', '律师'], ['hours', '时长'],
      ['topic', '主题'], ['residents_served', '服务人次'], [(v) => fmt(v.community_adviser), '社区法律顾问']],
    visits.items, { caption: `共 ${visits.total} 次` })));
}

export async function render({ args }) {
  const [view, arg] = args;
  try {
    if (view === 'aid' && arg) return await aidPage(arg);
    if (view === 'hotline') return await hotlinePage();
    if (view === 'advisers') return await advisersPage();
    if (view === 'visits') return await visitsPage();
    return await aidList();
  } catch (err) { return errorBox(err); }
}
