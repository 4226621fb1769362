// Mediation desk: cases filtered by status, kind (linkage channel), channel, organisation
// and overdue; a case's page with its timeline and only the steps it may take next;
// intake of a referral; coverage of the five linkage channels per county with the gaps.
import { get, getAll, post } from '../api.js';
import { choices, errorBox, fmt, form, h, label, section, table } from '../ui.js';

const M = '/api/v1/mediation';
const STATUSES = choices('case_statuses');
const KINDS = choices('mediation_kinds');
const CATEGORIES = choices('dispute_categories');
const REFERRERS = choices('referrer_kinds');
// what each step asks for besides its date and note (the API's ACTIONS schemas)
const STEP_FIELDS = {
  decline: [['reason', '理由', { required: true, type: 'textarea' }]],
  assign_mediator: [['mediator', '调解员用户名', { required: true }]],
  extend: [['reason', '延期理由', { required: true }], ['days', '延长天数（不填按规定）', { type: 'number' }],
    ['parties_consent', '当事人同意延期', { type: 'select', options: [['false', '否'], ['true', '是']], blank: false }]],
  pause: [['reason', '中止计时的理由（如鉴定）', { required: true }]],
  record_agreement: [['terms', '协议内容', { required: true, type: 'textarea' }],
    ['parties_will_apply', '当事人将申请司法确认', { type: 'select', options: [['false', '否'], ['true', '是']], blank: false }]],
  record_failure: [['reason', '调解不成的原因', { required: true, type: 'textarea' }]],
  request_confirmation: [['court', '受理确认的法院（部门标识）', { required: true }]],
  refuse_confirmation: [['reason', '驳回理由', { required: true }]],
  resume_mediation: [['reason', '恢复调解的理由', { required: true }]],
};
const caseLink = (c) => h('a', { href: `#/mediation/case/${c.id}`, 'data-case': c.id }, `#${c.id}`);
const partiesText = (c) => c.parties.map((p) => `${label(p.role, 'party_roles')}：${p.name}${p.phone ? ` ${p.phone}` : ''}${p.id_number ? ` ${p.id_number}` : ''}`).join('；');

async function listPage(session, params) {
  const organisations = await getAll(`${M}/organisations`);
  const orgName = Object.fromEntries(organisations.map((o) => [o.id, o.name]));
  const select = (name, text, options) => h('label', null, text, h('select', { name },
    h('option', { value: '' }, '全部'), options.map((o) => (Array.isArray(o)
      ? h('option', { value: o[0], selected: String(params[name]) === String(o[0]) }, o[1])
      : h('option', { value: o, selected: params[name] === o }, label(o))))));
  const filters = h('form', { class: 'filters', id: 'case-filters' },
    select('status', '状态', STATUSES), select('mediation_kind', '调解类别（联动渠道）', KINDS),
    select('channel', '来源', choices('channels')),
    select('organisation_id', '调解组织', organisations.map((o) => [o.id, o.name])),
    select('overdue', '超期', [['true', '已超期'], ['false', '未超期']]),
    h('button', { type: 'submit' }, '筛选'));
  filters.addEventListener('submit', (e) => {
    e.preventDefault();
    const q = new URLSearchParams();
    for (const el of filters.querySelectorAll('select')) if (el.value) q.set(el.name, el.value);
    window.location.hash = `#/mediation/list/${q.toString()}`;
  });
  const data = await get(`${M}/cases`, { ...params, per_page: 100 });
  const [coverage] = await Promise.all([get(`${M}/coverage`)]);
  return h('div', null, h('h1', null, '调解工作台'),
    h('div', { class: 'actions' }, session.abilities.includes('refer_case')
      ? h('a', { class: 'button', href: '#/mediation/refer' }, '登记移送案件') : null),
    section('案件', filters, table([[caseLink, '编号'], ['received_on', '收件日期'],
      [(c) => label(c.mediation_kind, 'mediation_kinds'), '类别'], [(c) => label(c.channel, 'channels'), '来源'],
      [(c) => orgName[c.organisation_id] || c.organisation_id, '调解组织'],
      [(c) => label(c.dispute_category, 'dispute_categories'), '纠纷类型'], [(c) => label(c.status, 'case_statuses'), '状态'],
      [(c) => (c.overdue ? h('span', { class: 'tag bad' }, '超期') : '否'), '超期'],
      ['mediation_due_on', '调解期限'], [partiesText, '当事人']], data.items,
    { caption: `共 ${data.total} 件${data.total > data.items.length ? `（显示前 ${data.items.length} 件）` : ''}`,
      exportName: '调解案件', empty: '没有符合条件的案件' })),
    coverageSection(coverage));
}

export function coverageSection(coverage) {
  return section('五类联动调解覆盖（按县）', h('p', null,
    `全部覆盖的县：${coverage.complete_counties} / ${coverage.counties.length}`,
    coverage.coverage !== null ? `（${(coverage.coverage * 100).toFixed(1)}%，目标 ${(coverage.target * 100).toFixed(0)}%）` : ''),
  table([['county_code', '县（市、区）'],
    ...coverage.linkage_kinds.map((k) => [(c) => (c.organisations[k]
      ? String(c.organisations[k]) : h('span', { class: 'tag bad' }, '缺')), label(k)]),
    [(c) => (c.complete ? '已全覆盖' : h('span', { class: 'tag warn' }, `缺 ${c.lacking.map(label).join('、')}`)), '缺口']],
  coverage.counties, { exportName: '联动调解覆盖', empty: '暂无调解组织' }));
}

async function casePage(session, id) {
  const [c, timeline] = await Promise.all([get(`${M}/cases/${id}`), get(`${M}/cases/${id}/timeline`)]);
  const facts = [
    ['状态', label(c.status, 'case_statuses')], ['类别', label(c.mediation_kind, 'mediation_kinds')], ['来源', label(c.channel, 'channels')],
    ['移送部门', fmt(c.referrer_department)], ['移送文号', fmt(c.referrer_reference)],
    ['纠纷类型', label(c.dispute_category, 'dispute_categories')], ['标的（元）', fmt(c.amount_claimed)], ['社区（村）', c.community_code],
    ['收件', c.received_on], ['调解期限', fmt(c.mediation_due_on)], ['调解员', fmt(c.mediator)],
    ['协议', fmt(c.agreement_terms)], ['确认期限', fmt(c.confirmation_due_on)],
    ['确认法院', fmt(c.confirmation_court)], ['超期', c.overdue ? '是' : '否'],
    ['当事人', partiesText(c)], ['说明', c.description],
  ];
  const steps = h('div', { id: 'next-steps' });
  const canWork = session.abilities.includes('work_case');
  if (!canWork) steps.append(h('p', { class: 'muted' }, '您的角色只能查看案件。'));
  else if (!c.next_actions.length) steps.append(h('p', { class: 'muted' }, '案件已办结，没有可办理的步骤。'));
  else {
    const holder = h('div');
    steps.append(h('div', { class: 'actions' }, c.next_actions.map((action) => h('button', {
      type: 'button', class: 'secondary', 'data-action': action,
      onclick: () => holder.replaceChildren(stepForm(c, action)),
    }, label(action, 'case_actions')))), holder);
  }
  return h('div', { id: 'case-page', 'data-status': c.status },
    h('h1', null, `调解案件 #${c.id}`), h('p', null, h('a', { href: '#/mediation' }, '← 返回案件列表')),
    c.personal_data_masked ? h('p', { class: 'notice' }, '当事人个人信息已按规定遮蔽。') : null,
    section('案件信息', table([['k', '项目'], ['v', '内容']], facts.map(([k, v]) => ({ k, v })))),
    section('下一步', steps),
    section('办理经过', h('ol', { class: 'timeline', id: 'timeline' }, timeline.steps.map((s) => h('li', null,
      h('strong', null, label(s.action, 'case_actions')), ` ${s.on} · ${label(s.from_status || '', 'case_statuses')} → ${label(s.to_status, 'case_statuses')} · ${s.actor}（${label(s.actor_role, 'roles')}）`,
      s.note ? h('div', { class: 'muted' }, s.note) : null)))));
}

function stepForm(c, action) {
  const fields = [...(STEP_FIELDS[action] || []),
    ['on', '日期（不填为今天）', { type: 'date' }], ['note', '备注', { type: 'textarea' }]];
  return form(fields, async (v) => {
    const body = {};
    for (const [k, val] of Object.entries(v)) {
      if (val === '') continue;
      if (k === 'days') body[k] = Number(val);
      else if (val === 'true' || val === 'false') body[k] = val === 'true';
      else body[k] = val;
    }
    await post(`${M}/cases/${c.id}/${action.replace(/_/g, '-')}`, body);
    window.dispatchEvent(new HashChangeEvent('hashchange'));
    return '已办理';
  }, { submitLabel: `确认：${label(action, 'case_actions')}`, id: `step-${action}` });
}

async function referPage() {
  const organisations = await getAll(`${M}/organisations`);
  const f = form([
    ['organisation_id', '调解组织', { type: 'select', required: true, options: organisations.map((o) => [o.id, `${o.name}（${label(o.kind, 'mediation_kinds')}）`]) }],
    ['referrer_kind', '移送部门类别', { type: 'select', required: true, options: REFERRERS }],
    ['referrer_department', '移送部门标识（联动部门干部不填）'],
    ['referrer_reference', '移送文号', { required: true }],
    ['community_code', '纠纷发生地社区（村）代码', { required: true }],
    ['dispute_category', '纠纷类型', { type: 'select', required: true, options: CATEGORIES }],
    ['amount_claimed', '标的金额（元）', { type: 'number' }],
    ['description', '纠纷概要', { type: 'textarea', required: true }],
    ['applicant_name', '申请人姓名', { required: true }],
    ['applicant_phone', '申请人电话'],
    ['applicant_id_number', '申请人身份证号'],
    ['respondent_name', '被申请人姓名'],
    ['received_on', '收件日期', { type: 'date' }],
  ], async (v) => {
    const parties = [{ role: 'applicant', name: v.applicant_name, phone: v.applicant_phone || null, id_number: v.applicant_id_number || null }];
    if (v.respondent_name) parties.push({ role: 'respondent', name: v.respondent_name });
    const body = { organisation_id: Number(v.organisation_id) || null, referrer_kind: v.referrer_kind,
      referrer_reference: v.referrer_reference, community_code: v.community_code,
      dispute_category: v.dispute_category, description: v.description, parties };
    if (v.referrer_department) body.referrer_department = v.referrer_department;
    if (v.amount_claimed) body.amount_claimed = Number(v.amount_claimed);
    if (v.received_on) body.received_on = v.received_on;
    let created;
    try {
      created = await post(`${M}/referrals`, body);
    } catch (err) {
      // a party's message goes by that party's box: parties.0.phone → applicant_phone
      const parties = err.fields && err.fields.parties;
      if (parties && typeof parties === 'object' && !Array.isArray(parties)) {
        for (const [i, errs] of Object.entries(parties)) {
          const who = i === '0' ? 'applicant' : 'respondent';
          if (errs && typeof errs === 'object' && !Array.isArray(errs)) {
            for (const [k, m] of Object.entries(errs)) err.fields[`${who}_${k}`] = m;
          }
        }
        delete err.fields.parties;
      }
      throw err;
    }
    window.location.hash = `#/mediation/case/${created.id}`;
    return '已登记';
  }, { submitLabel: '登记移送', id: 'referral-form' });
  return h('div', null, h('h1', null, '登记移送案件'), h('p', null, h('a', { href: '#/mediation' }, '← 返回案件列表')), section('移送', f));
}

export async function render({ session, args }) {
  const [view, arg] = args;
  if (view === 'case' && arg) return casePage(session, arg);
  if (view === 'refer') return referPage();
  const params = Object.fromEntries(new URLSearchParams(view === 'list' ? arg || '' : ''));
  try { return await listPage(session, params); } catch (err) { return errorBox(err); }
}
