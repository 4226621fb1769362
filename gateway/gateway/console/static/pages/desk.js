// The desk: every write operation the user's role may perform, grouped by part of the
// platform, each as a form built from the API's description. Pages with a flow of their own
// (the mediation desk's steps, registering units) link here for everything else.
import { h, label, section } from '../ui.js';
import { apiDescription, operationForm, writeOperations } from '../opform.js';

export async function render({ session, args }) {
  const spec = await apiDescription();
  const operations = writeOperations(spec, session.user.role);
  const [chosen, ...presetPairs] = args;
  const preset = Object.fromEntries(presetPairs.map((p) => p.split('=')));
  const groups = {};
  for (const o of operations) (groups[o.tag] = groups[o.tag] || []).push(o);
  const list = h('div', { class: 'desk-list' }, Object.entries(groups).map(([tag, ops]) => section(
    label(tag, 'api_parts'), h('ul', { class: 'links' }, ops
      .sort((a, b) => label(a.id, 'operations').localeCompare(label(b.id, 'operations'), 'zh'))
      .map((o) => h('li', null, h('a', { href: `#/desk/${encodeURIComponent(o.id)}`,
        'data-operation': o.id, class: o.id === chosen ? 'current' : undefined },
      label(o.id, 'operations'))))))));
  const page = h('div', { class: 'desk' }, h('h1', null, '业务办理'));
  if (chosen && operations.some((o) => o.id === chosen)) {
    page.append(h('p', null, h('a', { href: '#/desk' }, '← 全部业务')),
      await operationForm(chosen, { preset }));
  } else {
    page.append(h('p', { class: 'muted' }, '选择要办理的业务：表单按平台接口生成，提交后由接口按您的角色和管辖区域审核。'),
      list);
  }
  return page;
}
