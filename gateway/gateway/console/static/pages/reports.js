// Report forms: the monthly or annual mediation statistics of a county, or of every county
// in the user's area, as the Excel workbook offices send upward.
import { download, getAll } from '../api.js';
import { form, h, section } from '../ui.js';

export async function render({ session }) {
  const counties = await getAll('/api/v1/registry/counties');
  const now = new Date();
  const lastMonth = new Date(now.getFullYear(), now.getMonth() - 1, 1);
  const f = form([
    ['period', '统计期间（年：2025；月：2025-06）', { required: true,
      value: `${lastMonth.getFullYear()}-${String(lastMonth.getMonth() + 1).padStart(2, '0')}` }],
    ['county_code', '县（市、区）', { type: 'select', blank: session.user.area && counties.length === 1 ? false : '全部（汇总并分县）',
      options: counties.map((c) => [c.code, c.name]) }],
  ], async (v) => {
    await download('GET', '/console/reports/mediation.xlsx', {
      params: { period: v.period, county_code: v.county_code },
      filename: `调解工作统计表-${v.county_code || '汇总'}-${v.period}.xlsx` });
    return '已生成，请查看下载的文件。';
  }, { submitLabel: '生成 Excel 报表', id: 'report-form' });
  return h('div', null, h('h1', null, '统计报表'),
    section('调解工作统计表（月报、年报）', h('p', { class: 'muted' },
      '按调解类别列出收件、受理、不予受理、调解成功、调解不成、成功率、超期和法律援助件数；选“全部”得到汇总表和各县分表。'), f));
}
