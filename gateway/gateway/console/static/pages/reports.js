// Report forms: the statistical returns (统计报表) of justice and civil affairs, each an Excel
// workbook in the layout offices file upward, and the mediation statistics by kind. The
// returns this user may read come with the session, from the API's own access rules.
import { download, getAll } from '../api.js';
import { form, h, section } from '../ui.js';

function lastMonth() {
  const now = new Date();
  const last = new Date(now.getFullYear(), now.getMonth() - 1, 1);
  return `${last.getFullYear()}-${String(last.getMonth() + 1).padStart(2, '0')}`;
}

function areaChoice(session, counties, name) {
  return [name, '统计区域', { type: 'select',
    blank: session.user.area && counties.length === 1 ? false : '本辖区全部（按县汇总）',
    options: counties.map((c) => [c.code, c.name]) }];
}

function returnsForm(session, counties) {
  const returns = session.returns || [];
  const f = form([
    ['return_key', '报表', { type: 'select', blank: false,
      options: returns.map((r) => [r.key, `${r.title}（${r.department}）`]) }],
    ['return_period', '统计期间（年：2025；月：2025-06）', { required: true, value: lastMonth() }],
    areaChoice(session, counties, 'area_code'),
  ], async (v) => {
    const chosen = returns.find((r) => r.key === v.return_key);
    const params = { period: v.return_period, area_code: v.area_code };
    try {
      await download('GET', chosen.path, {
        params, filename: `${chosen.title}-${v.area_code || '汇总'}-${v.return_period}.xlsx` });
    } catch (err) {
      // the API names the query's period "period": show its complaint beside this form's
      if (err.fields && err.fields.period) {
        err.fields.return_period = err.fields.period;
        delete err.fields.period;
      }
      throw err;
    }
    return '已生成，请查看下载的文件。';
  }, { submitLabel: '下载 Excel 报表', id: 'returns-form' });
  return section('统计报表（司法行政、民政）', h('p', { class: 'muted' },
    '按填报格式生成：表头、填报单位、统计期间、统计表和单位负责人、统计负责人、填表人、报出日期签署栏；县级按乡镇（街道）分列，市级、省级按县（市、区）分列。'), f);
}

function mediationForm(session, counties) {
  const f = form([
    ['period', '统计期间（年：2025；月：2025-06）', { required: true, value: lastMonth() }],
    ['county_code', '县（市、区）', { type: 'select', blank: session.user.area && counties.length === 1 ? false : '全部（汇总并分县）',
      options: counties.map((c) => [c.code, c.name]) }],
  ], async (v) => {
    await download('GET', '/console/reports/mediation.xlsx', {
      params: { period: v.period, county_code: v.county_code },
      filename: `调解工作统计表-${v.county_code || '汇总'}-${v.period}.xlsx` });
    return '已生成，请查看下载的文件。';
  }, { submitLabel: '生成 Excel 报表', id: 'report-form' });
  return section('调解工作统计表（月报、年报）', h('p', { class: 'muted' },
    '按调解类别列出收件、受理、不予受理、调解成功、调解不成、成功率、超期和法律援助件数；选“全部”得到汇总表和各县分表。'), f);
}

export async function render({ session }) {
  const counties = await getAll('/api/v1/registry/counties');
  return h('div', null, h('h1', null, '统计报表'),
    (session.returns || []).length ? returnsForm(session, counties) : null,
    (session.reports || []).includes('mediation_report') ? mediationForm(session, counties) : null);
}
