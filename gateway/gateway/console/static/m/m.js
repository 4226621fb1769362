// The residents' pages (/m/): four flows on the API's public operations, no account.
// A receipt number or secret goes only in a request's body: never into an address, the
// history or a link. Words for codes come from the vocabulary, as in the console.
import { ApiError, get, post } from '../api.js';
import { choices, form, h, label, loadVocabulary } from '../ui.js';

const app = document.getElementById('app');
// only public things may come in the address: a community code, a draw's number
const given = new URLSearchParams(window.location.search);

function show(...children) {
  app.replaceChildren(...children);
  window.scrollTo(0, 0);
}
const back = () => h('p', { class: 'back' }, h('a', { href: '/m/' }, '返回首页'));
const card = (id, ...children) => h('section', { class: 'card', id }, ...children);

// what a form gives, without the fields left empty (the API then says what is missing)
const filled = (values) => Object.fromEntries(
  Object.entries(values).filter(([, v]) => v !== '' && v !== undefined));

// attributes for a phone's keyboard and autofill, and a hint under the field
function tune(formEl, settings) {
  for (const [name, { hint, ...attributes }] of Object.entries(settings)) {
    const input = formEl.querySelector(`[name="${name}"]`);
    for (const [k, v] of Object.entries(attributes)) input.setAttribute(k, v);
    if (hint) input.after(h('p', { class: 'hint' }, hint));
  }
  return formEl;
}

// a refusal that belongs to one field, shown there like the API's own field messages
const onField = (field, detail, message) => new ApiError(422, { detail,
  fields: { [field]: [message || detail] } });

// a moment as a person reads it, in the phone's own time zone
const when = (iso) => (iso ? new Date(iso).toLocaleString('zh-CN', { hour12: false }) : null);

function facts(rows) {
  return h('dl', { class: 'facts' }, rows.filter(Boolean).map(([term, value, id]) => [
    h('dt', null, term), h('dd', { id }, value === null || value === undefined ? '—' : value)]));
}

// -- home ---------------------------------------------------------------------------------

function home() {
  const tile = (href, title, text) => h('a', { href }, h('strong', null, title), text);
  show(h('h1', null, '群众服务'), h('p', { class: 'muted' }, '无需注册账号，用手机即可办理。'),
    h('nav', { class: 'tiles' },
      tile('/m/apply', '申请调解', '邻里、婚姻家庭、劳动、交通事故等矛盾纠纷，向人民调解组织申请调解。'),
      tile('/m/track', '查询进度', '凭受理编号和查询密码，查看调解或法律援助申请办到了哪一步。'),
      tile('/m/survey', '满意度测评', '对所在社区（村）民主法治建设的满意程度作出评价。'),
      tile('/m/draw', '抽查公示', '查看随机抽查的承诺、种子和抽中名单，可自行核验。')));
}

// -- 申请调解 --------------------------------------------------------------------------------

const PARTY_FIELDS = ['name', 'phone', 'id_number'];

function party(values, index, role) {
  const one = { role };
  for (const key of PARTY_FIELDS) {
    if (values[`parties.${index}.${key}`]) one[key] = values[`parties.${index}.${key}`];
  }
  return one;
}

function apply() {
  const f = form([
    ['community_code', '所在社区（村）代码', { required: true, value: given.get('community') || '' }],
    ['dispute_category', '纠纷类别', { type: 'select', options: choices('dispute_categories'),
      required: true, blank: '请选择' }],
    ['traffic_procedure', '调解方式', { type: 'select', options: choices('traffic_procedures'),
      blank: '请选择' }],
    ['basis_document', '依据的文书', { type: 'select', options: choices('basis_documents'),
      blank: '请选择' }],
    ['document_received_on', '收到该文书的日期', { type: 'date' }],
    ['description', '纠纷情况', { type: 'textarea', required: true }],
    ['amount_claimed', '涉及金额（元，可不填）', {}],
    ['parties.0.name', '您的姓名', { required: true }],
    ['parties.0.phone', '您的联系电话', { type: 'tel' }],
    ['parties.0.id_number', '您的身份证号码（可不填）', {}],
    ['parties.1.name', '对方姓名（可不填）', {}],
    ['parties.1.phone', '对方联系电话（可不填）', { type: 'tel' }],
  ], async (values) => {
    const { amount_claimed: amount, ...rest } = filled(values);
    const body = Object.fromEntries(Object.entries(rest).filter(([k]) => !k.startsWith('parties.')));
    // a number as a number; anything else as typed, for the API to name the mistake
    if (amount !== undefined) body.amount_claimed = Number.isNaN(Number(amount)) ? amount : Number(amount);
    body.parties = [party(values, 0, 'applicant')];
    const other = party(values, 1, 'respondent');
    if (Object.keys(other).length > 1) body.parties.push(other);
    showReceipt(await post('/api/v1/mediation/applications', body));
  }, { submitLabel: '提交申请', id: 'apply-form' });
  tune(f, {
    community_code: { inputmode: 'numeric', autocomplete: 'off',
      hint: '12 位数字，可在社区（村）公示栏或居（村）委会查到。' },
    description: { hint: '写清楚发生了什么、和谁有争议、希望怎样解决。' },
    amount_claimed: { inputmode: 'decimal' },
    'parties.0.phone': { autocomplete: 'tel', hint: '调解组织用它与您联系。' },
    'parties.0.name': { autocomplete: 'name' },
  });
  // the traffic questions only for a traffic accident
  const traffic = ['traffic_procedure', 'basis_document', 'document_received_on']
    .map((name) => f.querySelector(`[data-field="${name}"]`));
  const category = f.querySelector('[name="dispute_category"]');
  const toggle = () => traffic.forEach((row) => { row.hidden = category.value !== 'traffic'; });
  category.addEventListener('change', toggle);
  toggle();
  show(h('h1', null, '申请调解'),
    h('p', { class: 'muted' }, '人民调解不收费。提交后会得到受理编号和查询密码，凭它们查询进度。'),
    f, back());
}

function showReceipt(receipt) {
  show(h('h1', null, '申请已提交'),
    card('receipt',
      h('p', null, '受理编号'), h('p', { class: 'secret', id: 'receipt-number' }, receipt.receipt_number),
      h('p', null, '查询密码'), h('p', { class: 'secret', id: 'receipt-secret' }, receipt.secret),
      h('p', { class: 'notice', role: 'alert' },
        '请现在就抄下或截图保存受理编号和查询密码。查询密码只显示这一次，离开本页后无法再查看或找回；'
        + '凭这两项可随时查询办理进度，请不要告诉无关的人。'),
      facts([['当前状态', label(receipt.status, 'case_statuses')], ['收件日期', receipt.received_on]])),
    h('a', { class: 'button', href: '/m/track' }, '去查询进度'), back());
}

// -- 查询进度 --------------------------------------------------------------------------------

// which enumerations name a tracked application's status, deadlines and outcome
const TRACKED_WORDS = {
  mediation_case: { status: 'case_statuses', deadline: 'case_deadlines', outcome: 'results' },
  legal_aid: { status: 'legal_aid_statuses', deadline: 'legal_aid_deadlines',
    outcome: 'legal_aid_results' },
};

function trackedCard(tracked) {
  const words = TRACKED_WORDS[tracked.kind] || TRACKED_WORDS.mediation_case;
  const deadlines = (tracked.deadlines || []).map((d) => h('li', null,
    `${label(d.deadline, words.deadline)}：${d.due_on || '—'} 前`));
  return card('tracked', h('h2', null, '办理进度'), facts([
    ['受理编号', tracked.receipt_number],
    ['当前状态', label(tracked.status, words.status), 'tracked-status'],
    ['收件日期', tracked.received_on],
    ['下一步', tracked.next_step, 'tracked-next-step'],
    tracked.outcome ? ['办理结果', label(tracked.outcome, words.outcome)] : null,
    ['正在计算的期限', deadlines.length ? h('ul', { class: 'codes' }, deadlines) : '无'],
  ]));
}

function track() {
  const result = h('div', { id: 'track-result' });
  const f = form([
    ['receipt_number', '受理编号', { required: true }],
    ['secret', '查询密码', { required: true }],
  ], async (values) => {
    result.replaceChildren();
    const tracked = await post('/api/v1/mediation/track', filled(values));
    f.querySelector('[name="secret"]').value = '';  // not left on a shared phone
    result.replaceChildren(trackedCard(tracked));
  }, { submitLabel: '查询', id: 'track-form' });
  const secretly = { autocomplete: 'off', autocapitalize: 'off', autocorrect: 'off', spellcheck: 'false' };
  tune(f, { receipt_number: secretly, secret: { ...secretly, hint: '申请时与受理编号一同给出，区分大小写。' } });
  show(h('h1', null, '查询进度'),
    h('p', { class: 'muted' }, '填写申请调解或法律援助时得到的受理编号和查询密码。'), f, result, back());
}

// -- 满意度测评 ------------------------------------------------------------------------------

const surveyPath = (code) => `/api/v1/evaluation/communities/${encodeURIComponent(code)}/survey-answers`;

function survey() {
  const f = form([
    ['community_code', '社区（村）代码', { required: true, value: given.get('community') || '' }],
    ['period', '考评年度', { required: true, value: String(new Date().getFullYear()) }],
    ['satisfied', '您对本社区（村）民主法治建设满意吗', { type: 'select', required: true,
      blank: '请选择', options: [['true', '满意'], ['false', '不满意']] }],
    ['comment', '意见和建议（可不填）', { type: 'textarea' }],
    ['respondent_id', '身份证号码', { required: true }],
    ['phone', '手机号码', { type: 'tel', required: true }],
  ], async (values) => {
    const { community_code: code, ...body } = filled(values);
    if (!code) throw onField('community_code', '请填写社区（村）代码。', '此项为必填项。');
    if (body.satisfied !== undefined) body.satisfied = body.satisfied === 'true';
    let answered;
    try {
      answered = await post(surveyPath(code), body);
    } catch (err) {
      // an unknown community is a 404 without fields: it belongs to the code typed
      if (err instanceof ApiError && err.status === 404) throw onField('community_code', err.message);
      throw err;
    }
    if (answered.verified) thanks(); else verify(code, answered);
  }, { submitLabel: '提交并获取验证码', id: 'survey-form' });
  tune(f, {
    community_code: { inputmode: 'numeric', autocomplete: 'off' },
    period: { inputmode: 'numeric' },
    respondent_id: { autocomplete: 'off', hint: '只用来保证每人评价一次，不会保存号码本身。' },
    phone: { inputmode: 'numeric', autocomplete: 'tel', hint: '验证码发到这个号码；号码不会保存。' },
  });
  show(h('h1', null, '满意度测评'),
    h('p', { class: 'muted' }, '每人每年对一个社区（村）评价一次；填写手机收到的验证码后评价才计入。'),
    f, back());
}

function verify(code, answered) {
  const f = form([['code', '验证码', { required: true }]], async (values) => {
    await post(`${surveyPath(code)}/verification`, { receipt: answered.receipt, ...filled(values) });
    thanks();
  }, { submitLabel: '确认', id: 'verify-form' });
  tune(f, { code: { inputmode: 'numeric', autocomplete: 'one-time-code', maxlength: '6' } });
  show(h('h1', null, '填写验证码'),
    h('p', { id: 'code-sent-to' }, `验证码已发送至 ${answered.code_sent_to || '您的手机'}，请在下面填写。`),
    f, back());
}

function thanks() {
  show(h('h1', null, '评价已计入'),
    card('survey-done', h('p', { class: 'ok' }, '感谢您的评价！您的意见会计入本社区（村）的群众满意度。')),
    back());
}

// -- 抽查公示 --------------------------------------------------------------------------------

function byCounty(codes) {
  const counties = Object.entries(codes || {});
  if (!counties.length) return '—';
  return h('ul', { class: 'codes' }, counties.map(([county, units]) => h('li', null,
    `${county}：${units.length} 个`, h('br'), h('span', { class: 'muted' }, units.join('、')))));
}

function drawCard(d) {
  const address = `${window.location.origin}/api/v1/evaluation/public/draws/${d.id}`;
  return card('draw', h('h2', null, `第 ${d.id} 号抽查`), facts([
    ['状态', label(d.status, 'draw_statuses'), 'draw-status'],
    ['考评年度', d.period],
    ['抽查范围', d.area || '全部'],
    d.per_county ? ['每县抽取', `${d.per_county} 个`] : null,
    d.redraw_of_id ? ['替代', `第 ${d.redraw_of_id} 号抽查`] : null,
    ['抽取方法', d.method],
    ['承诺时间', when(d.committed_at)],
    ['种子的 SHA-256', d.seed_hash],
    ['候选名单摘要', d.eligible_digest],
    ['候选名单', byCounty(d.eligible)],
    ['种子', d.seed || '待揭晓', 'draw-seed'],
    ['揭晓时间', when(d.revealed_at)],
    ['抽中名单', d.sample ? byCounty(d.sample) : '待揭晓', 'draw-sample'],
  ]), h('p', { class: 'hint' }, '任何人都可以用 fazhi-draw verify 核验这次抽查，数据地址：'),
  h('p', { class: 'address', id: 'draw-address' }, address));
}

function draw() {
  const result = h('div', { id: 'draw-result' });
  const f = form([['draw_id', '抽查编号', { required: true, value: given.get('draw') || '' }]],
    async (values) => {
      result.replaceChildren();
      const id = values.draw_id;
      if (!/^\d{1,9}$/.test(id)) {
        throw onField('draw_id', '请填写抽查编号。', id ? '抽查编号是数字。' : '此项为必填项。');
      }
      try {
        result.replaceChildren(drawCard(await get(`/api/v1/evaluation/public/draws/${id}`)));
      } catch (err) {
        if (err instanceof ApiError && err.status === 404) throw onField('draw_id', err.message);
        throw err;
      }
    }, { submitLabel: '查看', id: 'draw-form' });
  tune(f, { draw_id: { inputmode: 'numeric', hint: '见抽查公告。' } });
  show(h('h1', null, '抽查公示'),
    h('p', { class: 'muted' }, '随机抽查先公布候选名单和种子的哈希，揭晓后公布种子和抽中名单。'), f, result, back());
}

// -- start --------------------------------------------------------------------------------

const PAGES = { apply, track, survey, draw };

async function start() {
  try {
    await loadVocabulary();
  } catch (err) {
    show(h('p', { class: 'error', role: 'alert' }, '暂时无法连接，请稍后刷新重试。'), back());
    return;
  }
  const page = window.location.pathname.replace(/^\/m\/?/, '').replace(/\/$/, '');
  (PAGES[page] || home)();
}

start();
