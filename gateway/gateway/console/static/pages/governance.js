// Community self-governance (基层自治): assemblies and meetings with their quorum, the
// "四议两公开" steps of a major matter, the party organisation and the other bodies, grids
// and what grid workers find (and what mediation made of it), funding, purchased services
// and rule-of-law culture performances. One list and one form per record, as the API has them.
import { get, patch, post } from '../api.js';
import { choices, errorBox, fmt, form, h, label, section, table } from '../ui.js';

const R = '/api/v1/registry';
const today = () => new Date().toISOString().slice(0, 10);
const yes = (v) => (v ? h('span', { class: 'tag' }, '是') : h('span', { class: 'tag warn' }, '否'));
const int = (v) => (v === '' ? null : Number(v));
const blankToNull = (values) => Object.fromEntries(Object.entries(values)
  .map(([k, v]) => [k, v === '' ? null : v]));

// kind -> its page: title, list columns, form fields, and the body the API takes
export const KINDS = {
  meetings: {
    title: '居（村）民会议和代表会议',
    columns: [['held_on', '日期'], [(m) => label(m.kind, 'meeting_kinds'), '会议'],
      [(m) => `${m.attended}/${m.eligible}`, '到会/应到'], [(m) => yes(m.quorate), '达到法定人数'],
      ['quorum_rule', '依据'], ['agenda', '议题'], [(m) => fmt(m.passed), '决定通过']],
    fields: [['community_code', '社区（村）代码', { required: true }],
      ['kind', '会议类型', { type: 'select', options: choices('meeting_kinds'), required: true }],
      ['held_on', '召开日期', { type: 'date', required: true, value: today() }],
      ['eligible', '应到人数（成年居民/村民、代表或户代表）', { required: true }],
      ['attended', '实到人数', { required: true }],
      ['households', '总户数（按户代表计算时填写）'], ['households_present', '到会户数'],
      ['agenda', '议题', { type: 'textarea', required: true }],
      ['resolutions', '决议', { type: 'textarea' }], ['votes_for', '赞成票数']],
    body: (v) => ({ ...blankToNull(v), eligible: int(v.eligible), attended: int(v.attended),
      households: int(v.households), households_present: int(v.households_present),
      votes_for: int(v.votes_for) }),
  },
  'major-matters': {
    title: '村级重大事项“四议两公开”',
    columns: [['title', '事项'], ['proposed_on', '党组织提议'], ['discussed_on', '两委商议'],
      ['reviewed_on', '党员大会审议'], ['resolved_on', '会议决议'], ['resolution_disclosed_on', '决议公开'],
      ['result_disclosed_on', '结果公开'], [(m) => yes(m.complete), '程序完整'],
      [(m) => m.missing.join('、') || '—', '缺少']],
    fields: [['community_code', '村代码', { required: true }], ['title', '事项', { required: true }],
      ['meeting_id', '作出决议的会议编号'],
      ['proposed_on', '村党组织提议', { type: 'date', required: true }],
      ['discussed_on', '村“两委”会议商议', { type: 'date' }], ['reviewed_on', '党员大会审议', { type: 'date' }],
      ['resolved_on', '村民会议或村民代表会议决议', { type: 'date' }],
      ['resolution_disclosed_on', '决议公开', { type: 'date' }],
      ['result_disclosed_on', '实施结果公开', { type: 'date' }]],
    body: (v) => ({ ...blankToNull(v), meeting_id: int(v.meeting_id) }),
  },
  grids: {
    title: '网格',
    columns: [['id', '编号'], ['name', '网格'], ['worker_name', '网格员'], ['households', '覆盖户数'],
      ['established_on', '设立日期'], ['ended_on', '撤销日期']],
    fields: [['community_code', '社区（村）代码', { required: true }], ['name', '网格名称', { required: true }],
      ['worker_name', '网格员', { required: true }], ['households', '覆盖户数', { required: true }],
      ['established_on', '设立日期', { type: 'date', required: true, value: today() }]],
    body: (v) => ({ ...blankToNull(v), households: int(v.households) }),
  },
  'grid-reports': {
    title: '网格排查（矛盾纠纷、风险隐患）',
    columns: [['found_on', '发现日期'], [(r) => label(r.kind, 'grid_report_kinds'), '类型'], ['place', '地点'],
      ['description', '情况'], [(r) => label(r.status, 'grid_report_statuses'), '办理状态'],
      [(r) => (r.case_id ? h('a', { href: `#/mediation/case/${r.case_id}` }, `#${r.case_id}`) : '—'), '调解案件'],
      [(r) => (r.outcome ? label(r.outcome, 'results') : '—'), '调解结果'], ['closed_on', '结案日期']],
    fields: [['grid_id', '网格编号', { required: true }],
      ['kind', '类型', { type: 'select', options: choices('grid_report_kinds'), required: true }],
      ['found_on', '发现日期', { type: 'date', required: true, value: today() }],
      ['place', '地点', { required: true }],
      ['dispute_category', '纠纷类别（矛盾纠纷转人民调解时必填）', { type: 'select', options: choices('dispute_categories') }],
      ['description', '情况', { type: 'textarea', required: true }]],
    body: (v) => ({ ...blankToNull(v), grid_id: int(v.grid_id) }),
  },
  'funding-lines': {
    title: '工作经费',
    columns: [['id', '编号'], ['year', '年度'], [(f) => label(f.source, 'funding_sources'), '来源'],
      [(f) => fmt(f.budgeted), '预算（元）'], [(f) => fmt(f.spent), '已支出（元）']],
    fields: [['community_code', '社区（村）代码', { required: true }],
      ['year', '年度', { required: true, value: String(new Date().getFullYear()) }],
      ['source', '来源', { type: 'select', options: choices('funding_sources'), required: true }],
      ['budgeted', '预算金额（元）', { required: true }], ['spent', '已支出（元）', { value: '0' }]],
    body: (v) => ({ ...v, year: int(v.year), budgeted: Number(v.budgeted), spent: Number(v.spent || 0) }),
  },
  'purchased-services': {
    title: '政府购买服务',
    columns: [['id', '编号'], ['provider', '承接方'], ['contract_number', '合同编号'], [(s) => fmt(s.amount), '金额（元）'],
      [(s) => `${s.starts_on} 至 ${s.ends_on}`, '服务期限'],
      [(s) => (s.evaluation_result ? label(s.evaluation_result, 'service_evaluations') : '—'), '评估结果'],
      [(s) => fmt(s.paid), '已支付（元）']],
    fields: [['community_code', '社区（村）代码', { required: true }], ['provider', '承接方', { required: true }],
      ['contract_number', '合同编号', { required: true }], ['amount', '合同金额（元）', { required: true }],
      ['starts_on', '开始日期', { type: 'date', required: true }], ['ends_on', '结束日期', { type: 'date', required: true }],
      ['evaluation_result', '评估结果', { type: 'select', options: choices('service_evaluations') }],
      ['paid', '已支付（元）', { value: '0' }]],
    body: (v) => ({ ...blankToNull(v), amount: Number(v.amount), paid: Number(v.paid || 0) }),
  },
  'culture-performances': {
    title: '法治文艺作品巡演',
    columns: [['performed_on', '演出日期'], ['work_title', '作品'], [(p) => label(p.work_kind, 'culture_work_kinds'), '类型'],
      ['troupe', '演出团队'], ['audience', '观众人数']],
    fields: [['community_code', '社区（村）代码', { required: true }], ['work_title', '作品名称', { required: true }],
      ['work_kind', '类型', { type: 'select', options: choices('culture_work_kinds'), required: true }],
      ['troupe', '演出团队', { required: true }],
      ['performed_on', '演出日期', { type: 'date', required: true, value: today() }],
      ['audience', '观众人数', { required: true }]],
    body: (v) => ({ ...v, audience: int(v.audience) }),
  },
};

function recordPage(kind, code) {
  const spec = KINDS[kind];
  const list = h('div', { id: 'record-list' });
  async function refresh(community) {
    try {
      const page = await get(`${R}/${kind}`, community ? { community_code: community, per_page: 100 } : { per_page: 100 });
      list.replaceChildren(table(spec.columns, page.items, { caption: `共 ${page.total} 条`, exportName: spec.title }));
    } catch (err) { list.replaceChildren(errorBox(err)); }
  }
  const fields = spec.fields.map(([name, text, opts]) => (name === 'community_code' && code
    ? [name, text, { ...opts, value: code }] : [name, text, opts]));
  const f = form(fields, async (v) => {
    const saved = await post(`${R}/${kind}`, spec.body(v));
    await refresh(v.community_code || saved.community_code);
    return kind === 'meetings' && !saved.quorate ? '已登记：未达到法定人数，不计入考评。' : '已登记';
  }, { submitLabel: '登记', id: 'record-form' });
  refresh(code);
  // a grid dissolved: kept with its reports, no longer counted from that day
  const end = kind === 'grids' ? section('撤销网格', form([['id', '网格编号', { required: true }],
    ['ended_on', '撤销日期', { type: 'date', required: true, value: today() }]], async (v) => {
    const saved = await post(`${R}/grids/${int(v.id)}/end`, { ended_on: v.ended_on });
    await refresh(code || saved.community_code);
    return '已撤销';
  }, { submitLabel: '撤销', id: 'grid-end-form' })) : null;
  // the year's money as it is spent; a service evaluated at its end, then paid
  const change = CHANGES[kind] ? section(label(CHANGES[kind].operation, 'operations'),
    changeForm(kind, CHANGES[kind], async (saved) => refresh(code || saved.community_code))) : null;
  return h('div', { id: 'governance-page', 'data-kind': kind }, h('h1', null, spec.title),
    h('p', null, h('a', { href: '#/governance' }, '← 基层自治')), section('登记', f), end,
    change, section('记录', list));
}

// kind -> the change its record takes later (PATCH): the id, then the fields it changes,
// labelled as the API names them; a blank field is left as it is
const CHANGES = {
  'funding-lines': { operation: 'registry.update_funding_line_patch', id: 'funding_line_id',
    fields: [['budgeted'], ['spent']], numbers: ['budgeted', 'spent'] },
  'purchased-services': { operation: 'registry.update_purchased_service_patch',
    id: 'purchased_service_id',
    fields: [['evaluation_result', { type: 'select', options: choices('service_evaluations') }],
      ['paid']],
    numbers: ['paid'] },
};

function changeForm(kind, spec, refreshed) {
  const fieldName = (name) => label(name, 'fields');
  const fields = [[spec.id, fieldName(spec.id), { required: true }],
    ...spec.fields.map(([name, opts]) => [name, fieldName(name), opts])];
  return form(fields, async (v) => {
    const changes = {};
    for (const [name] of spec.fields) {
      if (v[name] !== '') changes[name] = spec.numbers.includes(name) ? Number(v[name]) : v[name];
    }
    const saved = await patch(`${R}/${kind}/${int(v[spec.id])}`, changes);
    await refreshed(saved);
    return '已保存';
  }, { submitLabel: '保存', id: `${kind}-change-form` });
}

async function bodiesPage(code) {
  const list = h('div', { id: 'body-list' });
  const history = h('div', { id: 'election-list' });
  async function refresh() {
    const page = await get(`${R}/governance-bodies`, code ? { community_code: code, per_page: 100 } : { per_page: 100 });
    list.replaceChildren(table([['id', '编号'], ['community_code', '社区（村）'], [(b) => label(b.kind, 'body_kinds'), '组织'],
      ['secretary_name', '书记'], [(b) => fmt(b.secretary_chairs_committee), '一肩挑'],
      ['term_started_on', '本届开始'], ['term_ends_on', '届满'], ['ended_on', '撤销日期'],
      [(b) => h('button', { type: 'button', class: 'secondary small', 'data-elections': b.id,
        onclick: () => showElections(b.id) }, '历次选举'), '选举']], page.items));
  }
  async function showElections(id) {
    const page = await get(`${R}/governance-bodies/${id}/elections`);
    history.replaceChildren(table([['held_on', '日期'], ['eligible_voters', '选民数'], ['votes_cast', '投票数'],
      [(e) => label(e.result, 'election_results'), '结果']], page.items, { caption: `组织 #${id} 的历次选举` }));
  }
  const add = form([['community_code', '社区（村）代码', { required: true, value: code || '' }],
    ['kind', '组织', { type: 'select', options: choices('body_kinds'), required: true }],
    ['term_started_on', '本届开始日期', { type: 'date' }], ['secretary_name', '党组织书记'],
    ['secretary_chairs_committee', '书记兼任居（村）委会主任（一肩挑）', { type: 'select', options: [['true', '是'], ['false', '否']] }]],
  async (v) => {
    await post(`${R}/governance-bodies`, { ...blankToNull(v), members: [],
      secretary_chairs_committee: v.secretary_chairs_committee === '' ? null : v.secretary_chairs_committee === 'true' });
    await refresh();
    return '已登记';
  }, { submitLabel: '登记', id: 'body-form' });
  const edit = form([['id', '组织编号', { required: true }], ['term_started_on', '本届开始日期（补录）', { type: 'date' }],
    ['secretary_name', '党组织书记'],
    ['secretary_chairs_committee', '书记兼任居（村）委会主任（一肩挑）', { type: 'select', options: [['true', '是'], ['false', '否']] }],
    ['ended_on', '撤销日期（填写即撤销）', { type: 'date' }]],
  async (v) => {
    if (v.ended_on) await post(`${R}/governance-bodies/${v.id}/end`, { ended_on: v.ended_on });
    else {
      const changes = {};
      if (v.term_started_on) changes.term_started_on = v.term_started_on;
      if (v.secretary_name) changes.secretary_name = v.secretary_name;
      if (v.secretary_chairs_committee) changes.secretary_chairs_committee = v.secretary_chairs_committee === 'true';
      await patch(`${R}/governance-bodies/${v.id}`, changes);
    }
    await refresh();
    return '已保存';
  }, { submitLabel: '保存', id: 'body-edit-form' });
  await refresh();
  return h('div', { id: 'governance-page', 'data-kind': 'bodies' }, h('h1', null, '党组织与自治组织'),
    h('p', null, h('a', { href: '#/governance' }, '← 基层自治')),
    section('组织', list, history), section('登记组织', add), section('修改、补录任期或撤销', edit));
}

function indexPage() {
  const links = [['bodies', '党组织与自治组织'], ...Object.entries(KINDS).map(([k, s]) => [k, s.title])];
  const search = h('form', { class: 'inline', id: 'governance-search' },
    h('input', { name: 'code', placeholder: '12位社区（村）代码（可选）', 'aria-label': '社区（村）代码' }));
  return h('div', null, h('h1', null, '基层自治'),
    section('社区（村）', search, h('p', { class: 'muted' }, '填写代码后点下列记录，只看该社区（村）的记录。')),
    section('记录', h('ul', { class: 'links' }, links.map(([k, text]) => h('li', null,
      h('a', { href: `#/governance/${k}`, 'data-record': k, onclick: (e) => {
        const code = search.code.value.trim();
        if (code) { e.preventDefault(); window.location.hash = `#/governance/${k}/${code}`; }
      } }, text))))));
}

export async function render({ args }) {
  const [kind, code] = args;
  if (kind === 'bodies') return bodiesPage(code);
  if (KINDS[kind]) return recordPage(kind, code);
  return indexPage();
}
