// Legal aid applications and 12348 hotline consultations, as the API lists them (personal
// data masked exactly as the API masks it).
import { get } from '../api.js';
import { h, label, section, table } from '../ui.js';

const M = '/api/v1/mediation';

export async function render() {
  const [aid, calls] = await Promise.all([
    get(`${M}/legal-aid`, { per_page: 100 }), get(`${M}/hotline-consultations`, { per_page: 100 })]);
  return h('div', null, h('h1', null, '法律援助与12348热线'),
    section('法律援助申请', table([['id', '编号'], ['received_on', '收件日期'], ['community_code', '社区（村）'],
      [(a) => `${a.applicant.name}${a.applicant.phone ? ` ${a.applicant.phone}` : ''}`, '申请人'],
      ['matter', '事项'], [(a) => (a.case_id ? h('a', { href: `#/mediation/case/${a.case_id}` }, `#${a.case_id}`) : '—'), '来源案件'],
      ['status', '状态']], aid.items, { caption: `共 ${aid.total} 件`, exportName: '法律援助申请' })),
    section('12348 热线咨询', table([['consulted_on', '日期'], ['community_code', '社区（村）'],
      [(c) => label(c.topic, 'hotline_topics'), '主题'], ['summary', '概要'], ['caller_phone', '来电号码'], ['answered_by', '接听人']],
    calls.items, { caption: `共 ${calls.total} 次`, exportName: '12348热线咨询' })));
}
