// Dashboard: ECharts charts of the campaign in the user's area, each with its figures as
// a table and as an Excel download.
import { get } from '../api.js';
import { codes, fmt, h, label, pct, section, table } from '../ui.js';

const E = '/api/v1/evaluation';
const KINDS = codes('mediation_kinds');
const pad = (n) => String(n).padStart(2, '0');
const lastDay = (y, m) => new Date(Date.UTC(y, m, 0)).getUTCDate();

function chartCard(id, title, option, figures) {
  const el = h('div', { class: 'chart', id: `chart-${id}`, 'data-chart': id, role: 'img', 'aria-label': title });
  const card = section(title, el, h('details', null, h('summary', null, '数据表'), figures));
  // drawn once the card is in the page (ECharts needs its size)
  requestAnimationFrame(() => {
    const chart = window.echarts.init(el, null, { locale: 'ZH', renderer: 'canvas' });
    chart.setOption({ animation: false, tooltip: { trigger: 'axis' }, grid: { containLabel: true, left: 8, right: 8 }, ...option });
    window.addEventListener('resize', () => chart.resize());
  });
  return card;
}

async function monthlyStatistics(year) {
  const now = new Date();
  const months = [];
  for (let m = 1; m <= 12; m += 1) {
    if (year === now.getFullYear() && m > now.getMonth() + 1) break;
    months.push(m);
  }
  const answers = await Promise.all(months.map((m) => get('/api/v1/mediation/statistics', {
    date_from: `${year}-${pad(m)}-01`, date_to: `${year}-${pad(m)}-${lastDay(year, m)}` })));
  return months.map((m, i) => ({ month: `${year}-${pad(m)}`, stats: answers[i] }));
}

function byKind(rows) {
  const out = {};
  for (const r of rows) {
    const k = r.mediation_kind;
    out[k] = out[k] || { volume: 0, agreements: 0, failures: 0, overdue: 0 };
    out[k].volume += r.volume;
    out[k].agreements += r.agreements;
    out[k].failures += r.failures;
    out[k].overdue += r.overdue;
  }
  return out;
}

// a share as a percentage for a chart's axis (null stays a gap)
const percent = (v) => (v === null || v === undefined ? null : +(v * 100).toFixed(1));

export async function render() {
  const year = new Date().getFullYear();
  const period = String(year);
  // the evaluation's figures come from one aggregate over every community of the area
  const [overview, registryCoverage, mediationCoverage, months] = await Promise.all([
    get(`${E}/overview`, { period }),
    get('/api/v1/registry/coverage'),
    get('/api/v1/mediation/coverage').catch(() => null),
    monthlyStatistics(year).catch(() => null),
  ]);
  const cards = [];
  const areaName = Object.fromEntries(overview.areas.map((a) => [a.code, a.name]));
  const named = (code) => areaName[code] || code;
  const areaWord = label(overview.area_level, 'division_levels');

  // the area as a whole: communities, evaluated, passed
  const totals = [
    { what: '社区（村）', count: overview.communities },
    { what: '已评价', count: overview.evaluated },
    { what: '达标', count: overview.passed },
    { what: '否决', count: overview.vetoed },
  ];
  cards.push(chartCard('totals', `${period}年度创建评价总体情况`, {
    xAxis: { type: 'category', data: totals.map((r) => r.what) },
    yAxis: { type: 'value', minInterval: 1 },
    series: [{ type: 'bar', name: '数量', data: totals.map((r) => r.count) }],
  }, h('div', null, table([['what', '项目'], ['count', '数量']], totals, { exportName: `${period}年度总体情况` }),
    h('p', { id: 'overview-rates' }, `达标率 ${pct(overview.pass_rate)}；评价覆盖率 ${pct(overview.coverage)}；平均分 ${fmt(overview.average_score)}`))));

  // score distribution (every evaluated community of the area, counted by the database)
  const bands = overview.distribution.map((b) => ({ ...b, range: `${fmt(b.low)}-${fmt(b.high)}` }));
  cards.push(chartCard('score-distribution', `${period}年度得分分布`, {
    xAxis: { type: 'category', data: bands.map((b) => b.range), name: '得分率%' },
    yAxis: { type: 'value', name: '社区（村）数', minInterval: 1 },
    series: [{ type: 'bar', name: '社区（村）数', data: bands.map((b) => b.count) }],
  }, table([['range', '得分率分段（含下限，末段含100）'], ['count', '社区（村）数']], bands,
    { exportName: `${period}年度得分分布`, caption: `共 ${overview.evaluated} 个已评价社区（村）` })));

  // pass rate and coverage by county (or by town inside one county)
  const areas = overview.areas.map((a) => ({ ...a, label: a.name || a.code }));
  cards.push(chartCard('pass-rate', `${period}年度各${areaWord}达标率`, {
    xAxis: { type: 'category', data: areas.map((a) => a.label) },
    yAxis: { type: 'value', max: 100, name: '%' },
    series: [{ type: 'bar', name: '达标率', data: areas.map((a) => percent(a.pass_rate)) }],
  }, table([['label', areaWord], ['communities', '社区（村）'], ['evaluated', '已评价'], ['passed', '达标'],
    ['vetoed', '否决'], [(a) => pct(a.pass_rate), '达标率'], ['average_score', '平均分']],
  areas, { exportName: `${period}年度各${areaWord}达标率` })));
  cards.push(chartCard('evaluation-coverage', `${period}年度各${areaWord}评价覆盖率`, {
    xAxis: { type: 'category', data: areas.map((a) => a.label) },
    yAxis: { type: 'value', max: 100, name: '%' },
    series: [{ type: 'bar', name: '覆盖率', data: areas.map((a) => percent(a.coverage)) }],
  }, table([['label', areaWord], ['communities', '社区（村）'], ['evaluated', '已评价'],
    [(a) => pct(a.coverage), '覆盖率']], areas, { exportName: `${period}年度各${areaWord}评价覆盖率` })));

  // legal advisers and linkage channels
  cards.push(chartCard('adviser-coverage', '法律顾问覆盖率（按县）', {
    xAxis: { type: 'category', data: registryCoverage.counties.map((c) => c.county_name) },
    yAxis: { type: 'value', max: 100, name: '%' },
    series: [{ type: 'bar', name: '覆盖率', data: registryCoverage.counties.map((c) => +((c.adviser_share || 0) * 100).toFixed(1)) }],
  }, table([['county_name', '县（市、区）'], ['communities', '社区（村）'], ['with_adviser', '有法律顾问'],
    [(c) => pct(c.adviser_share), '覆盖率'], ['culture_venues', '法治文化场所']], registryCoverage.counties,
  { exportName: '法律顾问覆盖率' })));
  if (mediationCoverage) {
    const kinds = mediationCoverage.linkage_kinds;
    cards.push(chartCard('channel-coverage', '五类联动调解组织（按县）', {
      legend: { top: 0 },
      xAxis: { type: 'category', data: mediationCoverage.counties.map((c) => named(c.county_code)) },
      yAxis: { type: 'value', name: '组织数', minInterval: 1 },
      series: kinds.map((k) => ({ type: 'bar', stack: 'kinds', name: label(k),
        data: mediationCoverage.counties.map((c) => c.organisations[k] || 0) })),
    }, table([[(c) => named(c.county_code), '县（市、区）'], ...kinds.map((k) => [(c) => c.organisations[k] || 0, label(k)]),
      [(c) => (c.complete ? '全覆盖' : `缺 ${c.lacking.map(label).join('、')}`), '缺口']],
    mediationCoverage.counties, { exportName: '五类联动调解覆盖' })));
  }

  // mediation by channel and month
  if (months) {
    const perMonth = months.map(({ month, stats }) => ({ month, kinds: byKind(stats.rows), total: stats.total }));
    cards.push(chartCard('mediation-volume', `${year}年调解量（按类别、月份）`, {
      legend: { top: 0 },
      xAxis: { type: 'category', data: perMonth.map((m) => m.month) },
      yAxis: [{ type: 'value', name: '件', minInterval: 1 }, { type: 'value', name: '成功率%', max: 100 }],
      series: [...KINDS.map((k) => ({ type: 'bar', stack: 'volume', name: label(k),
        data: perMonth.map((m) => (m.kinds[k] ? m.kinds[k].volume : 0)) })),
      { type: 'line', name: '成功率', yAxisIndex: 1,
        data: perMonth.map((m) => (m.total.success_rate === null ? null : +(m.total.success_rate * 100).toFixed(1))) },
      { type: 'line', name: '超期', data: perMonth.map((m) => m.total.overdue) }],
    }, table([['month', '月份'], ...KINDS.map((k) => [(m) => (m.kinds[k] ? m.kinds[k].volume : 0), label(k)]),
      [(m) => m.total.volume, '合计'], [(m) => pct(m.total.success_rate), '成功率'], [(m) => m.total.overdue, '超期']],
    perMonth, { exportName: `${year}年调解量按月` })));
    const year_ = byKind(months.flatMap((m) => m.stats.rows));
    const kindRows = KINDS.map((k) => ({ kind: label(k), ...(year_[k] || { volume: 0, agreements: 0, failures: 0, overdue: 0 }) }))
      .map((r) => ({ ...r, rate: r.agreements + r.failures ? r.agreements / (r.agreements + r.failures) : null }));
    cards.push(chartCard('mediation-channels', `${year}年各类调解成功率与超期`, {
      legend: { top: 0 },
      xAxis: { type: 'category', data: kindRows.map((r) => r.kind) },
      yAxis: [{ type: 'value', name: '件', minInterval: 1 }, { type: 'value', name: '%', max: 100 }],
      series: [{ type: 'bar', name: '受理量', data: kindRows.map((r) => r.volume) },
        { type: 'bar', name: '超期', data: kindRows.map((r) => r.overdue) },
        { type: 'line', name: '成功率', yAxisIndex: 1, data: kindRows.map((r) => (r.rate === null ? null : +(r.rate * 100).toFixed(1))) }],
    }, table([['kind', '类别'], ['volume', '件数'], ['agreements', '达成协议'], ['failures', '调解不成'],
      [(r) => pct(r.rate), '成功率'], ['overdue', '超期']], kindRows, { exportName: `${year}年各类调解` })));
  }

  // titles held, revoked, due for re-evaluation
  const titleRows = [
    { what: '有效', count: overview.titles.held },
    { what: '已摘牌', count: overview.titles.revoked },
    { what: '90天内到期复评', count: overview.titles.due_soon },
  ];
  cards.push(chartCard('titles', '称号：有效、摘牌、待复评', {
    tooltip: { trigger: 'item' },
    xAxis: { type: 'category', data: titleRows.map((r) => r.what) },
    yAxis: { type: 'value', minInterval: 1 },
    series: [{ type: 'bar', name: '称号数', data: titleRows.map((r) => r.count) }],
  }, table([['what', '情况'], ['count', '数量']], titleRows, { exportName: '称号情况' })));

  return h('div', { id: 'dashboard' }, h('h1', null, '总览'), h('div', { class: 'charts' }, cards));
}
