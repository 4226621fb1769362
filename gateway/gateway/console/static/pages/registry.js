// Registry: the area tree (county → town → community) with search, a unit's page, the
// forms to register a unit and record a reorganisation, and bulk import with a row report.
import { ApiError, get, getAll, post, upload } from '../api.js';
import { choices, codes, errorBox, fmt, form, h, label, section, table } from '../ui.js';
import { communityFile } from './community_file.js';

const R = '/api/v1/registry';
const LEVEL_PATH = { county: 'counties', town: 'towns', community: 'communities' };
const isCode = (s) => /^\d{12}$/.test(s);
const today = () => new Date().toISOString().slice(0, 10);

function unitLink(code, name) {
  return h('a', { href: `#/registry/unit/${code}`, 'data-unit': code }, name ? `${name}（${code}）` : code);
}

function treeNode(level, unit) {
  if (level === 'community') {
    return h('li', { class: 'leaf' }, unitLink(unit.code, unit.name), ' ',
      h('span', { class: 'tag' }, label(unit.kind)),
      unit.status === 'inactive' ? h('span', { class: 'tag warn' }, label(unit.status, 'unit_statuses')) : null);
  }
  const children = h('ul', { class: 'tree' });
  const details = h('details', { 'data-node': unit.code },
    h('summary', null, `${unit.name}（${unit.code}）`, ' ', h('span', { class: 'tag' }, label(unit.kind)),
      ' ', h('a', { href: `#/registry/unit/${unit.code}`, class: 'small' }, '详情')),
    children);
  let loaded = false;
  details.addEventListener('toggle', async () => {
    if (!details.open || loaded) return;
    loaded = true;
    children.replaceChildren(h('li', { class: 'muted' }, '正在加载…'));
    try {
      const items = level === 'county'
        ? await getAll(`${R}/towns`, { county_code: unit.code })
        : await getAll(`${R}/communities`, { town_code: unit.code });
      const next = level === 'county' ? 'town' : 'community';
      children.replaceChildren(...(items.length ? items.map((u) => treeNode(next, u))
        : [h('li', { class: 'muted' }, '暂无下级单位')]));
    } catch (err) { loaded = false; children.replaceChildren(h('li', null, errorBox(err))); }
  });
  return h('li', null, details);
}

async function treePage(session) {
  const results = h('div', { id: 'search-results' });
  const search = h('form', { class: 'inline', id: 'unit-search' },
    h('input', { name: 'q', placeholder: '按名称或12位区划代码查找', 'aria-label': '查找单位' }),
    h('button', { type: 'submit' }, '查找'));
  search.addEventListener('submit', async (e) => {
    e.preventDefault();
    const q = search.q.value.trim();
    if (!q) return;
    if (isCode(q)) { window.location.hash = `#/registry/unit/${q}`; return; }
    try {
      const found = await get(`${R}/communities`, { name: q, per_page: 50 });
      results.replaceChildren(table([[(u) => unitLink(u.code, u.name), '单位'],
        [(u) => label(u.kind), '类型'], ['town_code', '所属乡镇'], [(u) => label(u.status, 'unit_statuses'), '状态']],
      found.items, { caption: `找到 ${found.total} 个社区（村）`, empty: '没有名称相符的社区（村）' }));
    } catch (err) { results.replaceChildren(errorBox(err)); }
  });
  const counties = await getAll(`${R}/counties`);
  const actions = h('div', { class: 'actions' },
    session.abilities.includes('register_unit') ? h('a', { class: 'button', href: '#/registry/new' }, '登记单位') : null,
    session.abilities.includes('reorganise') ? h('a', { class: 'button', href: '#/registry/reorganise' }, '记录区划调整（转/并/联）') : null,
    session.abilities.includes('import_units') ? h('a', { class: 'button', href: '#/registry/import' }, '批量导入') : null);
  return h('div', null, h('h1', null, '区划与单位'), actions,
    section('查找', search, results),
    section('区划树（县 → 乡镇 → 社区/村）', h('ul', { class: 'tree', id: 'area-tree' },
      counties.length ? counties.map((c) => treeNode('county', c))
        : h('li', { class: 'muted' }, '您的辖区内尚无登记的县（市、区）'))));
}

async function findUnit(code) {
  // the finest level first: a code names a community more often than a county
  for (const level of codes('division_levels').reverse().filter((l) => l in LEVEL_PATH)) {
    try { return [level, await get(`${R}/${LEVEL_PATH[level]}/${code}`)]; } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 404) throw err;
    }
  }
  return [null, null];
}

function reorganisationRows(list) {
  return table([['effective_on', '生效日期'], [(r) => label(r.kind, 'reorganisation_kinds'), '方式'],
    [(r) => h('span', null, r.source_codes.map((c, i) => [i ? '、' : '', unitLink(c)])), '原单位'],
    [(r) => unitLink(r.result_code), '调整后单位'], ['note', '说明']], list, { empty: '无' });
}

async function unitPage(session, code) {
  const [level, unit] = await findUnit(code);
  if (!unit) return h('div', null, h('h1', null, '未找到'), h('p', null, `没有代码为 ${code} 的单位，或不在您的辖区内。`));
  // the town a person reads by its name (its code beside it)
  const town = level === 'community' && unit.town_code
    ? await get(`${R}/towns/${unit.town_code}`).catch(() => null) : null;
  const info = table([['k', '项目'], [(r) => (r.v instanceof Node ? r.v : fmt(r.v)), '内容']], [
    { k: '名称', v: unit.name }, { k: '区划代码', v: unit.code }, { k: '类型', v: label(unit.kind) },
    ...(level === 'community' ? [{ k: '状态', v: label(unit.status, 'unit_statuses') },
      { k: '所属乡镇', v: unitLink(unit.town_code, town && town.name) }, { k: '经济类型', v: fmt(unit.economic_tier) },
      { k: '撤并日期', v: fmt(unit.deactivated_on) }] : []),
  ]);
  const page = h('div', { id: 'unit-page', 'data-code': code }, h('h1', null, `${unit.name}`),
    h('p', null, h('a', { href: '#/registry' }, '← 返回区划树')), section('基本信息', info));
  if (level !== 'community') {
    const kids = level === 'county'
      ? await getAll(`${R}/towns`, { county_code: code })
      : await getAll(`${R}/communities`, { town_code: code });
    page.append(section('下级单位', table([[(u) => unitLink(u.code, u.name), '单位'], [(u) => label(u.kind), '类型']], kids)));
    return page;
  }
  const year = new Date().getFullYear();
  const [lineage, stage, file] = await Promise.all([
    get(`${R}/communities/${code}/lineage`),
    get(`${R}/communities/${code}/stage`, { year }).catch(() => null),
    communityFile(session, unit),
  ]);
  page.append(
    stage ? section(`${year}年创建阶段`, h('p', null, label(stage.stage, 'campaign_stages'))) : null,
    section('沿革（调整来源与去向）', h('div', { id: 'lineage' },
      h('h3', null, '由哪些单位调整而来'), reorganisationRows(lineage.made_of),
      h('h3', null, '调整为哪些单位'), reorganisationRows(lineage.became))),
    ...file);
  return page;
}

function registerPage() {
  const parentField = { county: null, town: 'county_code', community: 'town_code' };
  const kinds = { county: choices('county_kinds'), town: choices('town_kinds'), community: choices('unit_kinds') };
  const f = form([
    ['level', '层级', { type: 'select', options: choices('division_levels').filter(([l]) => l in LEVEL_PATH).reverse(), blank: false }],
    ['code', '区划代码（12位）', { required: true }],
    ['name', '名称', { required: true }],
    ['kind', '类型', { type: 'select', options: [...kinds.county, ...kinds.town, ...kinds.community], required: true }],
    ['parent_code', '上级代码（乡镇或县）', { placeholder: '登记县时不填' }],
    ['economic_tier', '经济类型（可选）'],
  ], async (v) => {
    const body = { code: v.code, name: v.name, kind: v.kind };
    if (parentField[v.level]) body[parentField[v.level]] = v.parent_code;
    if (v.level === 'community' && v.economic_tier) body.economic_tier = v.economic_tier;
    try {
      await post(`${R}/${LEVEL_PATH[v.level]}`, body);
    } catch (err) {
      // the parent's field has its own name in the API; show it by the parent box
      const p = parentField[v.level];
      if (err instanceof ApiError && p && err.fields[p]) { err.fields.parent_code = err.fields[p]; delete err.fields[p]; }
      throw err;
    }
    window.location.hash = `#/registry/unit/${v.code}`;
    return '已登记';
  }, { submitLabel: '登记', id: 'register-form' });
  return h('div', null, h('h1', null, '登记单位'), h('p', null, h('a', { href: '#/registry' }, '← 返回区划树')), section('新单位', f));
}

function reorganisePage() {
  const f = form([
    ['kind', '调整方式', { type: 'select', options: choices('reorganisation_kinds'), required: true }],
    ['effective_on', '生效日期', { type: 'date', required: true, value: today() }],
    ['source_codes', '原单位代码（多个用逗号或空格分开）', { required: true }],
    ['result_code', '调整后单位代码', { required: true }],
    ['new_unit_name', '新单位名称（调整后单位尚未登记时填写）'],
    ['new_unit_kind', '新单位类型', { type: 'select', options: choices('unit_kinds') }],
    ['new_unit_town_code', '新单位所属乡镇代码'],
    ['note', '说明', { type: 'textarea' }],
  ], async (v) => {
    const body = { kind: v.kind, effective_on: v.effective_on, result_code: v.result_code,
      source_codes: v.source_codes.split(/[\s,，、]+/).filter(Boolean), note: v.note || null };
    if (v.new_unit_name) body.new_unit = { name: v.new_unit_name, kind: v.new_unit_kind, town_code: v.new_unit_town_code };
    await post(`${R}/reorganisations`, body);
    window.location.hash = `#/registry/unit/${v.result_code}`;
    return '已记录';
  }, { submitLabel: '记录调整', id: 'reorganise-form' });
  return h('div', null, h('h1', null, '记录区划调整（转/并/联）'), h('p', null, h('a', { href: '#/registry' }, '← 返回区划树')), section('调整', f));
}

// a long list is imported by a background job: the page follows it (and picks it up again
// after a reload, from the job's id kept in this browser) until its row report is ready
const IMPORT_JOB = 'fazhi.registry.import-job';

function importPage() {
  const bar = h('progress', { id: 'import-progress', max: 100, value: 0, hidden: true });
  const stage = h('p', { id: 'import-stage', class: 'muted', role: 'status' });
  const report = h('div', { id: 'import-report' });
  function showReport(result, message, dryRun) {
    const rows = (result.errors || []).map((e) => ({ line: e.line, code: e.code,
      problem: Object.entries(e.fields || {}).map(([k, m]) => `${label(k, 'fields')}: ${[].concat(m).join('；')}`).join(' / ') }));
    // a dry run writes nothing: it reports the rows it checked, not units it made
    const counts = dryRun
      ? [{ k: '已检查', v: result.checked }, { k: '有误', v: result.failed }, { k: '提示', v: (result.warnings || []).length }]
      : [{ k: '新增', v: result.created }, { k: '更新', v: result.updated },
        { k: '未变', v: result.unchanged }, { k: '有误', v: result.failed }];
    report.replaceChildren(h('p', { class: result.failed ? 'error' : 'ok' }, message),
      table([['k', '结果'], ['v', '行数']], counts),
      table([['line', '行号'], ['code', '代码'], ['problem', '问题']], rows,
        { caption: '逐行报告', exportName: '导入逐行报告', empty: '没有错误行' }));
  }
  async function follow(jobId, dryRun) {
    window.localStorage.setItem(IMPORT_JOB, JSON.stringify({ id: jobId, dryRun }));
    bar.hidden = false;
    for (;;) {
      let job;
      try {
        job = await get(`${R}/jobs/${encodeURIComponent(jobId)}`);
      } catch (err) {
        if (err instanceof ApiError && err.status === 404) window.localStorage.removeItem(IMPORT_JOB);
        stage.textContent = '';
        report.replaceChildren(errorBox(err));
        return;
      }
      if (!document.body.contains(stage)) return; // the official went to another page
      if (job.total) bar.value = Math.round((100 * job.done) / job.total);
      stage.textContent = `后台任务 ${job.id}：${label(job.status, 'job_statuses')}`
        + (job.total ? `，已处理 ${job.done} / ${job.total} 行` : '');
      if (job.status === 'done' || job.status === 'failed') {
        window.localStorage.removeItem(IMPORT_JOB);
        if (job.status === 'failed') report.replaceChildren(h('p', { class: 'error' }, `导入失败：${job.error || ''}`));
        else showReport(job.result, dryRun ? '试导入完成：未写入任何数据。' : (job.result.failed ? '名单有误，未写入任何数据。' : '导入完成。'), dryRun);
        return;
      }
      await new Promise((resolve) => { setTimeout(resolve, 1000); });
    }
  }
  const f = form([
    ['file', '名单文件（.csv，UTF-8 或 GBK；或 .xlsx）', { type: 'file', accept: '.csv,.xlsx', required: true }],
    ['dry_run', '方式', { type: 'select', options: [['true', '试导入（只检查，不写入）'], ['false', '正式导入（全部正确才写入）']], blank: false }],
  ], async (v) => {
    if (!v.file) throw new ApiError(422, { detail: '请选择文件。', fields: { file: ['请选择文件'] } });
    const data = new FormData();
    data.append('file', v.file);
    data.append('dry_run', v.dry_run);
    bar.hidden = false;
    bar.value = 0;
    stage.textContent = '正在上传…';
    report.replaceChildren();
    let result;
    try {
      result = await upload(`${R}/imports`, data, (share) => { bar.value = Math.round(share * 100); });
    } catch (err) {
      stage.textContent = '';
      if (err instanceof ApiError && err.status === 422 && Object.keys(err.fields).some((k) => k.startsWith('line'))) {
        result = { failed: Object.keys(err.fields).length, created: 0, updated: 0, unchanged: 0,
          errors: Object.entries(err.fields).map(([line, fields]) => ({ line: line.replace('line ', ''), fields })) };
        showReport(result, `${err.message}`, v.dry_run === 'true');
        return null;
      }
      throw err;
    }
    if (result.job) {
      bar.value = 0;
      await follow(result.job.id, v.dry_run === 'true');
      return null;
    }
    bar.value = 100;
    stage.textContent = '';
    showReport(result, v.dry_run === 'true' ? '试导入完成：未写入任何数据。' : '导入完成。', v.dry_run === 'true');
    return null;
  }, { submitLabel: '上传', id: 'import-form' });
  const pending = JSON.parse(window.localStorage.getItem(IMPORT_JOB) || 'null');
  if (pending) follow(pending.id, pending.dryRun);
  return h('div', null, h('h1', null, '批量导入'), h('p', null, h('a', { href: '#/registry' }, '← 返回区划树')),
    section('上传名单', h('p', { class: 'muted' }, '列：代码、名称（可加层级、类型）。先试导入查看逐行报告，全部正确后再正式导入。较大的名单由后台任务处理，本页跟踪进度，刷新后继续跟踪。'), f, bar, stage, report));
}

export async function render({ session, args }) {
  const [view, code] = args;
  if (view === 'unit' && code) return unitPage(session, code);
  if (view === 'new') return registerPage();
  if (view === 'reorganise') return reorganisePage();
  if (view === 'import') return importPage();
  return treePage(session);
}
