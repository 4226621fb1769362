// The department's inbox: alerts newest first, unread or all, each acknowledged once read.
import { get, post } from '../api.js';
import { errorBox, h, section, table } from '../ui.js';

const N = '/api/v1/notifications';

export async function render({ args }) {
  const show = args[0] === 'all' ? 'all' : 'unread';
  const [page, unread] = await Promise.all([
    get(`${N}/inbox`, { per_page: 100, read: show === 'all' ? undefined : 'false' }),
    get(`${N}/inbox/unread-count`)]);
  const acknowledge = (alert) => {
    if (alert.read_at) return `已读（${alert.read_by}）`;
    const button = h('button', { type: 'button', class: 'secondary small', 'data-ack': alert.id,
      onclick: async () => {
        button.disabled = true;
        try {
          await post(`${N}/inbox/${alert.id}/acknowledge`);
          window.dispatchEvent(new HashChangeEvent('hashchange'));
        } catch (err) { button.after(errorBox(err)); button.disabled = false; }
      } }, '确认已读');
    return button;
  };
  return h('div', { id: 'inbox' }, h('h1', null, `消息提醒（未读 ${unread.unread}）`),
    h('div', { class: 'actions' },
      h('a', { class: `button ${show === 'unread' ? '' : 'secondary'}`, href: '#/inbox' }, '未读'),
      h('a', { class: `button ${show === 'all' ? '' : 'secondary'}`, href: '#/inbox/all' }, '全部')),
    section(`${unread.department} 的提醒`, table([['occurred_at', '时间'], ['title', '事项'],
      ['source', '来源'], ['community_code', '社区（村）'], [acknowledge, '处理']], page.items,
    { empty: show === 'all' ? '收件箱是空的' : '没有未读提醒' })));
}
