// The console's shell: sign-in, the layout with the menu the user's role allows, the
// router (#/part/...), the page shown when the session has expired, and sign-out.
import { ApiError, csrfFromCookie, get, onExpired, post, request, setCsrf } from './api.js';
import { errorBox, form, h, label, loadVocabulary } from './ui.js';

const PAGES = {
  dashboard: () => import('./pages/dashboard.js'),
  registry: () => import('./pages/registry.js'),
  governance: () => import('./pages/governance.js'),
  mediation: () => import('./pages/mediation.js'),
  legal: () => import('./pages/legal.js'),
  corrections: () => import('./pages/corrections.js'),
  evaluation: () => import('./pages/evaluation.js'),
  reports: () => import('./pages/reports.js'),
  inbox: () => import('./pages/inbox.js'),
  desk: () => import('./pages/desk.js'),
};

const app = document.getElementById('app');
let session = null;
let expired = false;

function signInPage(message) {
  session = null;
  const box = h('div', { class: 'signin' },
    h('h1', null, '民主法治社区建设工作台'),
    h('p', { class: 'muted' }, '请使用平台账号登录'),
    message ? h('p', { class: 'notice', id: 'signin-notice' }, message) : null,
    form([
      ['username', '用户名', { required: true }],
      ['password', '密码', { type: 'password', required: true }],
    ], async (values) => {
      const answer = await request('POST', '/console/session', { body: values });
      setCsrf(answer.csrf_token);
      expired = false;
      await start();
    }, { submitLabel: '登录', id: 'signin-form' }));
  app.replaceChildren(box);
}

function expiredPage() {
  if (expired) return;
  expired = true;
  session = null;
  app.replaceChildren(h('div', { class: 'signin', id: 'expired' },
    h('h1', null, '登录已过期'),
    h('p', null, '为了安全，登录在一段时间后失效。您尚未保存的输入没有提交。'),
    h('button', { type: 'button', onclick: () => { expired = false; signInPage(); } },
      '重新登录')));
}
onExpired(() => { if (session) expiredPage(); });

async function signOut() {
  try { await post('/console/session/logout'); } catch (e) { /* already ended */ }
  setCsrf(null);
  window.location.hash = '';
  signInPage('您已安全退出。');
}

function layout() {
  const { user, menu } = session;
  const nav = h('nav', { id: 'menu', class: 'menu' }, menu.map((m) => h('a', {
    href: `#/${m.id}`, 'data-menu': m.id }, m.title)));
  const toggle = h('button', { type: 'button', class: 'menu-toggle', 'aria-controls': 'menu',
    onclick: () => nav.classList.toggle('open') }, '☰ 菜单');
  const header = h('header', { class: 'top' },
    h('div', { class: 'brand' }, '法治社区工作台'), toggle,
    h('div', { class: 'who', id: 'who' },
      h('span', null, user.subject), ' · ', h('span', null, label(user.role, 'roles')),
      user.area ? h('span', { id: 'who-area' }, ` · ${user.area}`) : null,
      h('button', { type: 'button', class: 'secondary small', id: 'sign-out', onclick: signOut },
        '退出')));
  const main = h('main', { id: 'main' });
  app.replaceChildren(header, nav, main);
  nav.addEventListener('click', () => nav.classList.remove('open'));
  return main;
}

let routing = 0;  // the latest navigation; an earlier page still loading must not replace it

async function route() {
  if (!session) return;
  routing += 1;
  const mine = routing;
  const main = document.getElementById('main') || layout();
  const [part, ...rest] = (window.location.hash.replace(/^#\/?/, '') || '').split('/');
  const allowed = session.menu.map((m) => m.id);
  const id = allowed.includes(part) ? part : allowed[0];
  document.querySelectorAll('#menu a').forEach((a) => a.classList.toggle('current',
    a.dataset.menu === id));
  if (!id) { main.replaceChildren(h('p', null, '您的角色没有可用的功能。')); return; }
  main.replaceChildren(h('p', { class: 'loading' }, '正在加载…'));
  try {
    const module = await PAGES[id]();
    const view = await module.render({ session, args: rest.map(decodeURIComponent) });
    if (session && mine === routing) main.replaceChildren(view);
  } catch (err) {
    if ((err instanceof ApiError && err.status === 401) || mine !== routing) return;
    main.replaceChildren(errorBox(err));
  }
}

async function start() {
  try {
    await loadVocabulary();
  } catch (err) {
    document.querySelector('main')?.replaceChildren(errorBox(err));
  }
  try {
    setCsrf(csrfFromCookie());
    session = await get('/console/session');
    setCsrf(session.csrf_token);
  } catch (err) {
    const expiredNow = err instanceof ApiError && err.status === 401 && csrfFromCookie();
    if (expiredNow) { session = {}; expiredPage(); } else signInPage();
    return;
  }
  layout();
  await route();
}

window.addEventListener('hashchange', route);
start();
