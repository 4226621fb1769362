// A community's whole file on its unit page: bodies and elections, the registry's records,
// legal advisers, this year's evaluation result explained, titles and mediation cases.
// Each part is asked of the API that keeps it, and shown only to a role that may read it
// (the session's abilities, worked out from the API's own access rules).
import { ApiError, get } from '../api.js';
import { errorBox, fmt, h, label, section, table } from '../ui.js';
import { explanationSections } from './evaluation.js';
import { KINDS } from './governance.js';

const R = '/api/v1/registry';
const E = '/api/v1/evaluation';
const M = '/api/v1/mediation';
// a community's records are a few dozen a kind; more than a page links to the full list
const PAGE = 100;

function part(id, title, ...children) {
  const el = section(title, ...children);
  el.setAttribute('data-part', id);
  return el;
}

// a part that could not be read says so, and the rest of the file still shows
async function guarded(id, title, build) {
  try { return await build(); } catch (err) { return part(id, title, errorBox(err)); }
}

const listed = (page, columns, opts = {}) => table(columns, page.items,
  { caption: `共 ${page.total} 条${page.total > page.items.length ? `（显示前 ${page.items.length} 条）` : ''}`, ...opts });

async function bodies(code) {
  const page = await get(`${R}/governance-bodies`, { community_code: code, per_page: PAGE });
  const elections = await Promise.all(page.items.map((b) => get(`${R}/governance-bodies/${b.id}/elections`)));
  const held = page.items.flatMap((b, i) => elections[i].items.map((e) => ({ ...e, body: label(b.kind, 'body_kinds') })));
  return part('bodies', '党组织、自治组织与换届选举',
    listed(page, [[(b) => label(b.kind, 'body_kinds'), '组织'], ['secretary_name', '书记'], ['term_started_on', '本届开始'],
      ['term_ends_on', '届满'], [(b) => (b.due_for_election ? h('span', { class: 'tag warn' }, '应换届') : '否'), '应换届'],
      [(b) => b.members.map((m) => `${m.name}（${m.role}）`).join('、'), '成员']]),
    h('h3', null, '历次选举'),
    table([['body', '组织'], ['held_on', '日期'], ['eligible_voters', '选民数'], ['votes_cast', '投票数'],
      [(e) => label(e.result, 'election_results'), '结果']], held, { empty: '尚无选举记录' }));
}

async function advisers(code) {
  const page = await get(`${R}/legal-advisers`, { community_code: code, per_page: PAGE });
  return part('advisers', '法律顾问', listed(page, [['adviser_name', '姓名'], [(a) => label(a.adviser_kind, 'adviser_kinds'), '类别'],
    ['organisation', '所在机构'], ['assigned_on', '聘任日期'], ['removed_on', '解聘日期']]));
}

// the registry's records of the community: the self-governance kinds as their own pages
// show them, then conventions, education places and disclosures; the county's venues
const OTHER_RECORDS = {
  conventions: { title: '居民公约、村规民约', columns: [['title', '名称'], ['adopted_on', '通过日期'], ['revised_on', '修订日期']] },
  'education-places': { title: '法治宣传教育阵地', columns: [['name', '名称'], [(p) => label(p.kind, 'education_place_kinds'), '类型']] },
  disclosures: { title: '公开（党务、居（村）务、财务）', columns: [[(d) => label(d.kind, 'disclosure_kinds'), '类型'],
    ['period', '期间'], ['disclosed_on', '公开日期'], ['on_time', '按时']] },
};

async function records(unit) {
  const kinds = { ...KINDS, ...OTHER_RECORDS };
  const pages = await Promise.all(Object.keys(kinds).map((kind) => get(`${R}/${kind}`, { community_code: unit.code, per_page: PAGE })));
  const venues = await get(`${R}/culture-venues`, { county_code: unit.county_code, per_page: PAGE });
  const specs = Object.entries(kinds);
  // the kinds with records in full; those without, named in one line
  const none = specs.filter((_s, i) => !pages[i].total).map(([, spec]) => spec.title);
  return part('records', '登记的工作记录',
    ...specs.flatMap(([kind, spec], i) => (pages[i].total ? [h('h3', { 'data-record': kind }, spec.title),
      listed(pages[i], spec.columns)] : [])),
    none.length ? h('p', { class: 'muted', id: 'records-none' }, `尚无记录：${none.join('、')}`) : null,
    h('h3', { 'data-record': 'culture-venues' }, '本县法治文化场所'),
    listed(venues, [['name', '名称'], [(v) => label(v.kind, 'culture_venue_kinds'), '类型'], ['opened_on', '启用日期']], { empty: '无' }));
}

async function result(code, period) {
  try {
    const explained = await get(`${E}/results/${code}`, { period });
    return part('result', `${period}年度评价结果`, h('p', null, h('a', { href: `#/evaluation/community/${code}/${period}` }, '在创建评价中查看')),
      ...explanationSections(explained, code, period));
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return part('result', `${period}年度评价结果`, h('p', { class: 'muted' }, '尚无评价结果'));
    throw err;
  }
}

async function titles(code) {
  const page = await get(`${E}/titles`, { community_code: code, per_page: PAGE });
  return part('titles', '称号', listed(page, [[(t) => label(t.title, 'awarded_titles'), '称号'], [(t) => label(t.level, 'title_levels'), '级别'],
    ['awarded_on', '命名日期'], ['re_evaluation_due_on', '复核'], [(t) => label(t.status, 'title_statuses'), '状态']], { empty: '无' }));
}

async function cases(code) {
  const [page, overdue] = await Promise.all([get(`${M}/cases`, { community_code: code, per_page: 20 }),
    get(`${M}/cases`, { community_code: code, overdue: true, per_page: 1 })]);
  return part('cases', '矛盾纠纷调解', h('p', { id: 'case-counts' }, `共 ${page.total} 件，其中超期 ${overdue.total} 件`),
    listed(page, [[(c) => h('a', { href: `#/mediation/case/${c.id}` }, `#${c.id}`), '案件'],
      [(c) => label(c.dispute_category, 'dispute_categories'), '纠纷类型'], [(c) => label(c.status, 'case_statuses'), '状态'],
      ['received_on', '收件日期'], [(c) => fmt(c.result && label(c.result, 'results')), '结果']], { empty: '无' }));
}

export async function communityFile(session, unit) {
  const may = (ability) => session.abilities.includes(ability);
  const period = String(new Date().getFullYear());
  const parts = [
    may('read_bodies') && guarded('bodies', '党组织、自治组织与换届选举', () => bodies(unit.code)),
    may('read_records') && guarded('records', '登记的工作记录', () => records(unit)),
    may('read_advisers') && guarded('advisers', '法律顾问', () => advisers(unit.code)),
    may('read_results') && guarded('result', `${period}年度评价结果`, () => result(unit.code, period)),
    may('read_titles') && guarded('titles', '称号', () => titles(unit.code)),
    may('read_cases') && guarded('cases', '矛盾纠纷调解', () => cases(unit.code)),
  ].filter(Boolean);
  return Promise.all(parts);
}
