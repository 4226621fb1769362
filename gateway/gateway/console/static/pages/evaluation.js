// Evaluation: rankings by county and town, a community's score explained indicator by
// indicator, spot-check draws (committed, revealed, redrawn) and how anyone checks them,
// vetoes, titles.
import { get, getAll, post } from '../api.js';
import { errorBox, fmt, form, h, label, section, table } from '../ui.js';

const E = '/api/v1/evaluation';
const R = '/api/v1/registry';
// each department's decision, with the text it rests on on hover
const decisions = (t) => h('span', null, (t.decisions || []).map((d) => h('span', { title: d.citation },
  `${d.decided_on} ${label(d.department, 'title_departments')}${label(d.outcome, 'title_decision_outcomes')}${d.in_effect ? '' : '（待另一部门）'}；`)));
const thisYear = () => String(new Date().getFullYear());
const communityLink = (code, name, period) => h('a', { href: `#/evaluation/community/${code}/${period}`, 'data-community': code }, name || code);

function periodPicker(period, onChange) {
  const years = Array.from({ length: 6 }, (_, i) => String(Number(thisYear()) - i));
  const select = h('select', { name: 'period', 'aria-label': '评价年度' },
    years.map((y) => h('option', { value: y, selected: y === period }, `${y}年度`)));
  select.addEventListener('change', () => onChange(select.value));
  return select;
}

async function overview(session, period, countyCode, townCode) {
  const counties = await getAll(`${R}/counties`);
  const towns = countyCode ? await getAll(`${R}/towns`, { county_code: countyCode }) : [];
  const go = (p, c, t) => { window.location.hash = `#/evaluation/rank/${p}/${c || ''}/${t || ''}`; };
  const countySel = h('select', { name: 'county_code' }, h('option', { value: '' }, '全部县（市、区）'),
    counties.map((c) => h('option', { value: c.code, selected: c.code === countyCode }, c.name)));
  const townSel = h('select', { name: 'town_code' }, h('option', { value: '' }, '全部乡镇'),
    towns.map((t) => h('option', { value: t.code, selected: t.code === townCode }, t.name)));
  countySel.addEventListener('change', () => go(period, countySel.value, ''));
  townSel.addEventListener('change', () => go(period, countyCode, townSel.value));
  const [ranking, draws, vetoes, titles] = await Promise.all([
    get(`${E}/rankings`, { period, county_code: countyCode, town_code: townCode, per_page: 100 }),
    get(`${E}/spot-checks`, { period, per_page: 20 }),
    get(`${E}/vetoes`, { period, per_page: 100 }),
    get(`${E}/titles`, { county_code: countyCode, per_page: 100 }),
  ]);
  const drawSection = section('抽查', table([['id', '编号'], [(d) => label(d.status, 'draw_statuses'), '状态'],
    [(d) => (d.sample ? Object.values(d.sample).flat().length : '—'), '抽中数'],
    [(d) => h('a', { href: `#/evaluation/draw/${d.id}` }, '查看与复核'), '']], draws.items, { empty: '本年度尚无抽查' }),
  session.abilities.includes('draw_spot_check') ? drawForm(period) : null);
  return h('div', null, h('h1', null, '创建评价'),
    h('div', { class: 'filters' }, periodPicker(period, (p) => go(p, countyCode, townCode)), countySel, townSel),
    section('排名', table([['rank', '名次'], [(r) => communityLink(r.community_code, r.name, period), '社区（村）'],
      [(r) => r.town_name || r.town_code, '乡镇'], ['score', '得分'], [(r) => label(r.stage, 'campaign_stages'), '阶段'],
      [(r) => (r.vetoed ? h('span', { class: 'tag bad' }, '否决') : r.passed ? '达标' : '未达标'), '结论']],
    ranking.items, { caption: `共 ${ranking.total} 个社区（村）`, exportName: `${period}年度排名`, empty: '尚无评价结果' })),
    drawSection,
    section('一票否决', table([[(v) => communityLink(v.community_code, v.community_code, v.period), '社区（村）'],
      ['veto_item', '否决事项'], [(v) => label(v.status, 'veto_statuses'), '状态'], ['reason', '理由'], ['origin', '来源'], ['recorded_by', '记录人']], vetoes.items,
    { exportName: `${period}年度一票否决`, empty: '无' })),
    section('称号及其历史', table([[(t) => communityLink(t.community_code, t.community_code, t.period), '社区（村）'],
      ['level', '级别'], ['awarded_on', '命名'], ['valid_until', '有效至'], ['re_evaluation_due_on', '复核'],
      [(t) => label(t.status, 'title_statuses'), '状态'], [decisions, '两部门决定'],
      [(t) => t.history.map((c) => `${c.on} ${label(c.action, 'title_actions')}${c.reason ? `（${c.reason}）` : ''}`).join('；'), '历史']],
    titles.items, { exportName: '称号', empty: '无' })));
}

function drawForm(period) {
  return form([
    ['per_county', '每县抽取数', { type: 'number' }],
  ], async (v) => {
    const body = { period };
    if (v.per_county) body.per_county = Number(v.per_county);
    const draw = await post(`${E}/spot-checks`, body);
    window.location.hash = `#/evaluation/draw/${draw.id}`;
    return '已承诺';
  }, { submitLabel: '承诺抽查（先公布种子哈希与名单摘要）', id: 'draw-form' });
}

async function drawPage(session, id) {
  const d = await get(`${E}/spot-checks/${id}`);
  const reload = async () => { page.replaceWith(await drawPage(session, id)); };
  const rows = Object.keys(d.eligible).map((county) => ({ county,
    eligible: d.eligible[county].length, sample: d.sample ? (d.sample[county] || []).join('、') : '待揭晓' }));
  const mayDraw = session.abilities.includes('draw_spot_check') && d.status !== 'superseded';
  const reveal = mayDraw && d.status === 'committed' ? form([], async () => {
    await post(`${E}/spot-checks/${id}/reveal`);
    await reload();
  }, { submitLabel: '揭晓种子并抽取', id: 'reveal-form' }) : null;
  const redraw = mayDraw ? form([['reason', '重抽理由（公开）', { type: 'textarea', required: true }]], async (v) => {
    const next = await post(`${E}/spot-checks/${id}/redraws`, { reason: v.reason });
    window.location.hash = `#/evaluation/draw/${next.id}`;
    return '已重抽';
  }, { submitLabel: '重抽', id: 'redraw-form' }) : null;
  const publicUrl = `${window.location.origin}${E}/public/draws/${d.id}`;
  const page = h('div', { id: 'draw-page' }, h('h1', null, `抽查 #${d.id}（${d.period}年度）`),
    h('p', null, h('a', { href: '#/evaluation' }, '← 返回')),
    section('承诺与揭晓',
      h('p', null, '状态：', h('strong', { id: 'draw-status' }, label(d.status, 'draw_statuses'))),
      h('p', null, '种子哈希（承诺时公布）：', h('code', { id: 'draw-seed-hash' }, d.seed_hash)),
      h('p', null, '名单摘要：', h('code', { id: 'draw-digest' }, d.eligible_digest)),
      h('p', null, '种子：', h('code', { id: 'draw-seed' }, d.seed || '待揭晓')),
      h('p', { id: 'draw-method' }, d.method), h('p', { class: 'muted' }, d.method_description),
      h('p', { class: 'muted' }, `承诺人 ${d.committed_by}，${d.committed_at}`,
        d.revealed_at ? `；揭晓人 ${d.revealed_by}，${d.revealed_at}` : ''),
      d.superseded_at ? h('p', { id: 'draw-superseded' }, `已于 ${d.superseded_at} 由 ${d.superseded_by} 重抽作废，理由：${d.superseded_reason}`) : null,
      h('p', null, '任何人无需账号即可复核：', h('code', null, publicUrl), '；离线：', h('code', null, `fazhi-draw verify ${publicUrl}`)),
      reveal),
    section('抽中名单', table([['county', '县（市、区）'], ['eligible', '可抽数'], ['sample', '抽中']], rows, { exportName: `抽查${d.id}` })),
    d.history.length > 1 ? section('重抽记录', table([['id', '编号'], [(x) => label(x.status, 'draw_statuses'), '状态'],
      ['committed_at', '承诺时间'], ['superseded_by', '重抽人'], ['superseded_reason', '理由']], d.history)) : null,
    redraw ? section('重抽', redraw) : null);
  return page;
}

async function communityPage(code, period) {
  let result;
  try { result = await get(`${E}/results/${code}`, { period }); } catch (err) {
    return h('div', null, h('h1', null, code), errorBox(err));
  }
  return h('div', { id: 'explanation' }, h('h1', null, `${result.name || code} ${period}年度得分`),
    h('p', null, h('a', { href: `#/evaluation/rank/${period}/${result.county_code || ''}/${result.town_code || ''}` }, '← 返回排名')),
    ...explanationSections(result, code, period));
}

// a result and its explanation, indicator by indicator (also on the unit page)
export function explanationSections(result, code, period) {
  const verdict = result.vetoed ? '一票否决' : result.passed ? '达标' : '未达标';
  return [section('结论', h('p', { class: 'score' }, h('strong', { id: 'score' }, fmt(result.score)), ` / ${fmt(result.max_score)} 分，`,
    `达标线 ${fmt(result.pass_threshold)}，${label(result.stage, 'campaign_stages')}阶段，`, h('strong', null, verdict)),
  h('p', { class: 'muted' }, `指标体系 ${result.scheme_key} 第${result.scheme_version}版，计算于 ${result.computed_at}`)),
  section('分类得分', table([['name', '类别'], ['points', '得分'], ['max_points', '满分']], result.categories)),
  section('逐项说明', table([['category', '类别'], ['name', '指标'], ['value', '数值'], ['points', '得分'],
    ['max_points', '满分'], ['source', '依据'], ['note', '说明']], result.indicators,
  { exportName: `${code}-${period}得分说明` })),
  result.vetoes.length ? section('否决', table([['veto_item', '事项'], ['reason', '理由'], ['origin', '来源']], result.vetoes)) : null];
}

export async function render({ session, args }) {
  const [view, a, b, c] = args;
  if (view === 'community' && a) return communityPage(a, b || thisYear());
  if (view === 'draw' && a) return drawPage(session, a);
  if (view === 'rank') return overview(session, a || thisYear(), b || '', c || '');
  return overview(session, thisYear(), '', '');
}
