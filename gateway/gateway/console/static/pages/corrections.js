// The community corrections office: the case list (masked unless the user is the person's
// own correction officer or a leader, as the API decides), a person's file with the steps it
// may take next, intake, and a leave request with its approval.
import { get, post } from '../api.js';
import { choices, errorBox, fmt, form, h, label, section, table } from '../ui.js';

const C = '/api/v1/corrections';
const word = (code, enumeration) => label(code, enumeration);
const STEP_FIELDS = {
  report_in: [['late_reason', '逾期报到原因（逾期时必填）']],
  make_plan: [['plan', '矫正方案', { required: true, type: 'textarea' }]],
  record_assessment: [['grade', '考核结果', { type: 'select', required: true, options: choices('assessment_grades') }]],
  penalise: [['kind', '处罚', { type: 'select', required: true, options: choices('correction_penalties') }],
    ['ground', '事由', { type: 'select', required: true, options: choices('penalty_grounds') }]],
  assign_officer: [['officer', '矫正负责人用户名', { required: true }]],
  terminate: [['reason', '终止原因', { type: 'select', required: true, options: choices('termination_reasons') }],
    ['new_offence', '因重新犯罪', { type: 'select', options: [['false', '否'], ['true', '是']], blank: false }]],
  end_help: [['reason', '结束原因', { type: 'select', required: true, options: choices('help_end_reasons') }]],
};
// a record's kind: a penalty, a reward, a grade, or the reason of an end
const KIND_OF = { penalise: 'correction_penalties', penalty_due: 'correction_penalties',
  reward: 'correction_rewards', record_assessment: 'assessment_grades',
  terminate: 'termination_reasons', end_help: 'help_end_reasons' };
const recordKind = (r) => word(r.kind, KIND_OF[r.action]);
const personLink = (p) => h('a', { href: `#/corrections/person/${p.id}`, 'data-person': p.id }, `#${p.id}`);
const body = (values) => Object.fromEntries(Object.entries(values).filter(([, v]) => v !== '')
  .map(([k, v]) => [k, v === 'true' || v === 'false' ? v === 'true' : v]));

async function listPage() {
  const [persons, counts] = await Promise.all([get(`${C}/persons`, { per_page: 100 }),
    get(`${C}/statistics`, { group_by: 'community' })]);
  const t = counts.total;
  return h('div', null, h('h1', null, '社区矫正与安置帮教'),
    h('div', { class: 'actions' }, h('a', { class: 'button', href: '#/corrections/intake' }, '登记接收')),
    section('人员', table([[personLink, '编号'], ['name', '姓名'], [(p) => word(p.kind, 'person_kinds'), '类别'],
      [(p) => word(p.correction_type, 'correction_types'), '矫正类型'], ['community_code', '社区（村）'],
      [(p) => word(p.status, 'correction_statuses'), '状态'], ['report_due_on', '报到期限'], ['officer', '矫正负责人']],
    persons.items, { caption: `共 ${persons.total} 人`, empty: '暂无人员' })),
    section('统计（仅人数）', h('p', { id: 'corrections-counts' },
      `在矫 ${t.under_correction} 人，待报到 ${t.awaiting_report} 人，漏管 ${t.unreported} 人，`
      + `脱管 ${t.lost_contact} 人，重新犯罪 ${t.reoffended} 人，安置帮教 ${t.in_resettlement} 人`)));
}

function stepForm(p, action) {
  const fields = [...(STEP_FIELDS[action] || []), ['on', '日期（不填为今天）', { type: 'date' }],
    ['notes', '备注', { type: 'textarea' }]];
  return form(fields, async (v) => {
    await post(`${C}/persons/${p.id}/${action.replace(/_/g, '-')}`, body(v));
    window.dispatchEvent(new HashChangeEvent('hashchange'));
    return '已办理';
  }, { submitLabel: `确认：${word(action, 'correction_actions')}`, id: `step-${action}` });
}

function leaveForm(p) {
  return form([
    ['reason', '外出事由', { type: 'select', required: true, options: choices('leave_reasons') }],
    ['destination', '目的地', { required: true }],
    ['leaves_on', '外出日期', { type: 'date', required: true }],
    ['returns_on', '返回日期', { type: 'date', required: true }],
    ['urgent_reason', '不足三日申请的紧急原因'],
  ], async (v) => {
    const leave = await post(`${C}/persons/${p.id}/leaves`, body(v));
    window.dispatchEvent(new HashChangeEvent('hashchange'));
    return `已申请，由${word(leave.approval_level, 'leave_levels')}审批`;
  }, { submitLabel: '提交外出申请', id: 'leave-form' });
}

function decideButtons(leave) {
  const out = h('span', { class: 'actions' });
  const decide = (approve) => post(`${C}/leaves/${leave.id}/decision`, { approve })
    .then(() => window.dispatchEvent(new HashChangeEvent('hashchange')))
    .catch((e) => out.replaceChildren(errorBox(e)));
  out.append(h('button', { type: 'button', class: 'small', 'data-approve': leave.id, onclick: () => decide(true) }, '批准'),
    h('button', { type: 'button', class: 'secondary small', 'data-refuse': leave.id, onclick: () => decide(false) }, '不予批准'));
  return out;
}

async function personPage(id) {
  const p = await get(`${C}/persons/${id}`);
  const facts = [['姓名', p.name], ['身份证号', fmt(p.id_number)], ['罪名', p.offence], ['住址', fmt(p.address)],
    ['类别', word(p.kind, 'person_kinds')], ['矫正类型', word(p.correction_type, 'correction_types')],
    ['状态', word(p.status, 'correction_statuses')],
    ['社区（村）', p.community_code], ['矫正负责人', p.officer], ['判决生效（释放）日', p.decided_on],
    ['报到期限', fmt(p.report_due_on)], ['期限依据', fmt(p.report_due_rule)], ['报到日', fmt(p.reported_on)],
    ['逾期天数', fmt(p.days_late)], ['矫正期满', fmt(p.term_ends_on)], ['帮教期满', fmt(p.help_ends_on)],
    ['警告次数', p.warnings], ['矫正方案', fmt(p.plan)]];
  const holder = h('div');
  const steps = p.next_actions.length
    ? h('div', null, h('div', { class: 'actions' }, p.next_actions.map((action) => h('button', {
      type: 'button', class: 'secondary', 'data-action': action,
      onclick: () => holder.replaceChildren(stepForm(p, action)) }, word(action, 'correction_actions')))), holder)
    : h('p', { class: 'muted' }, '已办结，没有可办理的步骤。');
  return h('div', { id: 'person-page', 'data-status': p.status },
    h('h1', null, `人员档案 #${p.id}`), h('p', null, h('a', { href: '#/corrections' }, '← 返回人员列表')),
    p.personal_data_masked ? h('p', { class: 'notice', id: 'masked-notice' }, '个人信息已遮蔽：仅本人的矫正负责人和机构负责人可见。') : null,
    section('档案', table([['k', '项目'], ['v', '内容']], facts.map(([k, v]) => ({ k, v })))),
    section('下一步', steps),
    section('外出请假', table([['id', '编号'], [(l) => word(l.reason, 'leave_reasons'), '事由'], ['destination', '目的地'],
      ['leaves_on', '外出'], ['returns_on', '返回'], ['days', '天数'], [(l) => word(l.approval_level, 'leave_levels'), '审批层级'],
      [(l) => word(l.status, 'leave_statuses'), '状态'], [(l) => (l.status === 'requested' ? decideButtons(l) : fmt(l.decided_by)), '审批']],
    p.leaves, { empty: '没有外出申请' }), p.status === 'under_correction' ? leaveForm(p) : null),
    section('记录', h('ol', { class: 'timeline', id: 'records' }, p.records.map((r) => h('li', null,
      h('strong', null, word(r.action, 'correction_actions')), ` ${r.on}${r.kind ? ` · ${recordKind(r)}` : ''}${r.ground ? ` · ${word(r.ground, 'penalty_grounds')}` : ''} · ${r.recorded_by}`,
      r.notes ? h('div', { class: 'muted' }, r.notes) : null)))));
}

function intakePage() {
  const f = form([
    ['kind', '类别', { type: 'select', required: true, options: choices('person_kinds'), blank: false }],
    ['correction_type', '矫正类型', { type: 'select', options: choices('correction_types') }],
    ['community_code', '居住地社区（村）代码', { required: true }],
    ['officer', '矫正负责人用户名', { required: true }],
    ['name', '姓名', { required: true }], ['id_number', '身份证号'],
    ['offence', '罪名', { required: true }], ['address', '住址'],
    ['decided_on', '判决、裁定生效日（安置帮教：释放日）', { type: 'date', required: true }],
    ['term_ends_on', '矫正期满日', { type: 'date' }],
  ], async (v) => {
    const made = await post(`${C}/persons`, body(v));
    window.location.hash = `#/corrections/person/${made.id}`;
    return '已登记';
  }, { submitLabel: '登记接收', id: 'intake-form' });
  return h('div', null, h('h1', null, '登记接收'), h('p', null, h('a', { href: '#/corrections' }, '← 返回人员列表')), section('接收', f));
}

export async function render({ args }) {
  const [view, arg] = args;
  if (view === 'person' && arg) return personPage(arg);
  if (view === 'intake') return intakePage();
  try { return await listPage(); } catch (err) { return errorBox(err); }
}
