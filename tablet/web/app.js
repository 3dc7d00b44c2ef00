// The agent's app: one page whose screens (registration, Today, Find, the customer card, surveys,
// conflicts, set-up) talk to the app's JSON API on this tablet. No libraries, nothing fetched
// from anywhere but this tablet; text from the store is only ever set as text, never as HTML.
'use strict';

const SCREENS = [
  { path: '/register', label: '接待登记 Register' },
  { path: '/today', label: '今日 Today' },
  { path: '/find', label: '查找 Find' },
  { path: '/conflicts', label: '冲突 Conflicts' },
  { path: '/setup', label: '设置 Set-up' },
];
const SOURCES = [['walk-in', '来访 Walk-in'], ['call', '来电 Call'], ['event', '活动 Event'], ['online', '线上 Online'],
                 ['referral', '老带新 Referral'], ['broker', '中介 Broker']];
const STAGES = [['prospect', '潜在 Prospect'], ['intent', '意向 Intent'], ['buyer', '成交 Buyer'], ['owner', '业主 Owner']];
const PURPOSES = [['first-home', '刚需 First home'], ['upgrade', '改善 Upgrade'], ['investment', '投资 Investment']];
const CHANNELS = [['phone', '电话 Phone'], ['wechat', '微信 WeChat'], ['sms', '短信 SMS'], ['in-person', '面谈 In person'], ['email', '邮件 Email']];
const DEAL_STATUSES = [['reserved', '认购 Reserved'], ['signed', '签约 Signed'], ['handed-over', '交房 Handed over'], ['cancelled', '取消 Cancelled']];
const CASE_STATUSES = [['opened', '待处理 Open'], ['answered', '已答复 Answered'], ['resolved', '已解决 Resolved'],
                       ['closed', '已关闭 Closed'], ['attended', '已上门 Attended'], ['fixed', '已修复 Fixed']];
const TYPES = { visit: '到访 Visit', call: '来电 Call', followup: '跟进 Follow-up' };
const RULES = { 'visit-followup': '到访后跟进 Visit follow-up', 'first-response': '首次响应 First response',
                'churn-risk': '流失风险 Going cold', birthday: '生日 Birthday', anniversary: '购房周年 Anniversary',
                'complaint-unanswered': '投诉未答复 Complaint unanswered', 'complaint-unresolved': '投诉未解决 Complaint unresolved',
                'repair-unattended': '报修未上门 Repair unattended' };
const main = document.getElementById('main');

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else if (value !== undefined && value !== null && value !== false) node.setAttribute(key, value === true ? '' : value);
  }
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
}

function label(pairs, code) {
  const found = pairs.find(([value]) => value === code);
  return found ? found[1] : (code ?? '');
}
function select(name, pairs, attrs = {}, empty = '') {
  return el('select', { name, ...attrs }, el('option', { value: '' }, empty),
            ...pairs.map(([value, text]) => el('option', { value }, text)));
}
function field(text, control) { return el('label', {}, text, control); }
function when(ms) {
  if (!ms) return '';
  return new Date(ms).toLocaleString('zh-CN', { hour12: false, year: 'numeric', month: '2-digit', day: '2-digit',
                                                hour: '2-digit', minute: '2-digit' });
}
function whenText(iso) { return iso ? when(Date.parse(iso)) : ''; }
function money(cny) {
  if (typeof cny !== 'number') return cny ?? '';
  return cny >= 10000 ? `${(cny / 10000).toLocaleString('zh-CN')}万` : `${cny}元`;
}
function show(value) {
  if (value === null || value === undefined) return '(空 empty)';
  if (typeof value === 'object') return Array.isArray(value) ? value.join(', ') : JSON.stringify(value);
  return String(value);
}
function formJson(form) {
  const out = {};
  for (const [key, value] of new FormData(form).entries()) if (String(value).trim() !== '') out[key] = String(value).trim();
  return out;
}
// A local date-time from <input type=datetime-local> as UTC ISO text the store parses.
function isoFromLocal(value) { return new Date(value).toISOString().slice(0, 19) + 'Z'; }

class ApiError extends Error {
  constructor(status, body) { super(body.message || `HTTP ${status}`); this.status = status; this.body = body; }
}
async function api(method, path, body) {
  const init = { method, headers: {}, credentials: 'same-origin' };
  if (body !== undefined) { init.headers['Content-Type'] = 'application/json'; init.body = JSON.stringify(body); }
  const res = await fetch(path, init);
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

function navigate(path) { history.pushState({}, '', path); route(); }
function link(path, ...children) {
  return el('a', { href: path, onclick: (e) => { e.preventDefault(); navigate(path); } }, ...children);
}
function customerLink(id, ...children) { return link(`/customer?id=${encodeURIComponent(id)}`, ...children); }
function errorBox(error) { return el('p', { class: 'error', role: 'alert' }, `出错 Error: ${error.message}`); }
function tierBadge(tier) { return tier ? el('span', { class: `tier ${tier}`, title: '等级 Tier' }, tier) : null; }

// ---- status line, always visible; the screen follows the store ----
// The page asks for the status every 2 s: a few index lookups on this tablet, nothing on the
// network (the app's live updates keep head office's connection). When the store's data_version
// moved (a colleague's change arrived, another program wrote), the screen shown is drawn again
// by `redraw`, which each screen sets; screens where the agent types (registration, set-up) set
// none, so nothing typed is lost.
let status = {};
let shownVersion = null;
let redraw = null;
let screenShown = 0;  // counts the screens route() drew: a redraw finishing late draws nothing
async function refreshStatus() {
  const line = document.getElementById('status');
  try {
    status = await api('GET', '/api/status');
  } catch (e) { line.replaceChildren(errorBox(e)); return; }
  if (status.wiped && location.pathname !== '/setup') navigate('/setup');  // a live sync found it
  else if (shownVersion !== null && status.data_version !== shownVersion && redraw) {
    Promise.resolve().then(redraw).catch(() => {});  // the next change draws it again
  }
  shownVersion = status.data_version;
  const net = status.online === true ? el('span', { class: 'online' }, '● 在线 Online')
    : el('span', { class: 'offline', title: status.last_sync_error || '' },
         status.online === false ? '● 离线 Offline' : '● 未连接 Not synced yet');
  const parts = [net];
  if (!status.set_up) parts.push(el('span', {}, '未设置 Not set up — ', link('/setup', '设置 Set up')));
  else {
    if (status.live) parts.push(el('span', { 'data-status': 'live' }, '实时更新 Live'));
    parts.push(el('span', { 'data-status': 'last-sync' }, `上次同步 Last sync: ${status.last_sync_at ? whenText(status.last_sync_at) : '从未 never'}`));
    parts.push(el('span', { 'data-status': 'pending' }, `待发送 Waiting: ${status.pending}`));
    parts.push(link('/conflicts', `冲突 Conflicts: ${status.conflicts}`));
    parts.push(el('span', { class: 'muted' }, `${status.device} · ${status.agent || ''}`));
  }
  line.replaceChildren(...parts);
}

// A sync running now (a live update's or the button's): its latest figures under the status line.
// The progress poll is answered while the sync holds the store, unlike the status.
async function refreshActivity() {
  const box = document.getElementById('activity');
  try {
    const p = await api('GET', '/api/sync/progress');
    box.hidden = !(p.running && p.progress && p.progress.direction);
    if (!box.hidden) box.textContent = `同步中 Syncing… ${p.progress.line}`;
  } catch { box.hidden = true; }
}

// ---- sync button with progress ----
async function runSync() {
  const button = document.getElementById('sync-button');
  const bar = document.getElementById('progress');
  button.disabled = true;
  bar.hidden = false;
  bar.textContent = '同步中 Syncing…';
  const poll = setInterval(async () => {
    try {
      const p = await api('GET', '/api/sync/progress');
      if (p.lines.length) bar.textContent = `同步中 Syncing… ${p.lines[p.lines.length - 1]}`;
    } catch { /* the sync's own answer reports failures */ }
  }, 300);
  let outcome = 'error';
  try {
    const r = await api('POST', '/api/sync', {});
    bar.textContent = `同步完成 Synced: 发送 sent ${r.sent}, 接收 received ${r.received}, 冲突 conflicts ${r.conflicts}` +
                      (r.error ? ` — ${r.error}` : '');
    outcome = 'ok';
  } catch (e) {
    if (e.status === 410) {
      bar.textContent = `本机数据已被清除 This tablet was wiped: ${e.body.wiped}`;
      await refreshStatus();
      navigate('/setup');
    } else bar.textContent = `同步失败 Sync failed: ${e.message}`;
  } finally {
    clearInterval(poll);
    button.disabled = false;
    await refreshStatus();
    bar.dataset.result = outcome;  // set last: the status line already shows the sync's outcome
  }
}

// ---- 接待登记 registration at the door ----
function knownCustomer(c, title) {
  return el('div', { class: 'card known', 'data-known': c.id },
    el('h2', {}, title),
    el('p', {}, el('strong', {}, c.name ?? ''), ` · ${c.phone ?? ''} · `, tierBadge(c.tier), ` ${label(STAGES, c.stage)}`),
    el('p', {}, `首次登记 First registered by ${c.agent || '—'} · ${whenText(c.created_at)}`),
    el('div', { class: 'actions' }, customerLink(c.id, el('span', { class: 'button' }, '打开档案 Open this customer'))));
}

function registerScreen() {
  const matches = el('div', { id: 'matches' });
  const outcome = el('div', { id: 'outcome' });
  const phone = el('input', { name: 'phone', type: 'tel', inputmode: 'tel', autocomplete: 'off', required: true,
                              placeholder: '138 0013 8000', autofocus: true });
  let pending = 0;
  phone.addEventListener('input', async () => {
    const ticket = ++pending;
    const digits = phone.value.replace(/\D/g, '');
    if (digits.length < 3) { matches.replaceChildren(); return; }
    try {
      const r = await api('GET', `/api/lookup?phone=${digits}`);
      if (ticket !== pending) return;  // a later keystroke's answer wins
      matches.replaceChildren(...r.matches.map((c) => knownCustomer(c, '已登记的客户 Already registered')));
    } catch (e) { matches.replaceChildren(errorBox(e)); }
  });
  const form = el('form', { class: 'grid', autocomplete: 'off' },
    field('电话 Phone *', phone),
    field('姓名 Name *', el('input', { name: 'name', required: true })),
    field('来源 Source', select('source', SOURCES, {}, '—')),
    field('项目 Project', el('input', { name: 'project' })),
    field('预算 Budget', el('input', { name: 'budget', inputmode: 'numeric', placeholder: '350万' })),
    field('意向 Purpose', select('purpose', PURPOSES, {}, '—')),
    field('备注 Notes', el('textarea', { name: 'notes' })),
    el('div', { class: 'actions' }, el('button', { type: 'submit' }, '保存 Save')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const r = await api('POST', '/api/customers', formJson(form));
      outcome.replaceChildren(el('div', { class: 'card ok', 'data-saved': r.id },
        el('strong', {}, `已登记 Registered: ${r.customer.name}`), ' ',
        customerLink(r.id, el('span', { class: 'button' }, '打开档案 Open'))));
      form.reset();
      matches.replaceChildren();
      refreshStatus();
    } catch (err) {
      if (err.status === 409) outcome.replaceChildren(knownCustomer(err.body.customer, '此电话已登记 This phone is already registered: open it instead'));
      else outcome.replaceChildren(errorBox(err));
    }
  });
  main.replaceChildren(el('h1', {}, '接待登记 Register a visitor'), matches, form, outcome);
  phone.focus();
}

// ---- 今日 Today ----
async function todayScreen(redrawing = false) {
  const shown = screenShown;
  redraw = () => todayScreen(true);
  if (!redrawing) main.replaceChildren(el('h1', {}, '今日待办 Today'), el('p', { class: 'loading' }, '…'));
  const end = new Date();
  end.setHours(23, 59, 59, 999);  // the end of the tablet's own day, in its time zone
  const r = await api('GET', `/api/today?until=${end.getTime()}`);
  if (shown !== screenShown) return;
  const now = Date.now();
  const row = (customer, name, due, what, extra) => el('li', {}, customerLink(customer,
    el('span', { class: `due ${due < now ? 'overdue' : ''}` }, when(due)),
    el('span', { class: 'name' }, name), el('span', {}, what), extra ?? null));
  const tasks = r.tasks.map((t) => row(t.customer, t.customer_name, t.due_ms, `跟进 Follow-up: ${t.note ?? ''}`));
  const alerts = r.alerts.map((a) => row(a.customer, a.customer_name, a.due_ms, `${RULES[a.rule] ?? a.rule}: ${a.message}`));
  main.replaceChildren(el('h1', {}, '今日待办 Today'),
    r.ready ? null : el('p', { class: 'muted' }, '提醒计算中 Alerts are being computed…'),
    el('h2', {}, `预约跟进 Follow-ups due (${tasks.length})`),
    tasks.length ? el('ul', { class: 'list', 'data-list': 'tasks' }, ...tasks) : el('p', { class: 'muted' }, '无 None'),
    el('h2', {}, `提醒 Alerts (${alerts.length})`),
    alerts.length ? el('ul', { class: 'list', 'data-list': 'alerts' }, ...alerts) : el('p', { class: 'muted' }, '无 None'));
}

// ---- 查找 Find ----
function customerRow(c) {
  return el('li', {}, customerLink(c.id, tierBadge(c.tier), el('span', { class: 'name' }, c.name ?? ''),
    el('span', {}, c.phone ?? ''), el('span', {}, label(STAGES, c.stage)), el('span', { class: 'muted' }, c.project ?? '')));
}
function findScreen() {
  const results = el('div', { id: 'results' });
  const form = el('form', { class: 'grid', role: 'search' },
    field('姓名或电话后四位 Name or last 4 digits', el('input', { name: 'q', type: 'search', autofocus: true })),
    field('等级 Tier', select('tier', [['A', 'A'], ['B', 'B'], ['C', 'C'], ['D', 'D']], {}, '全部 All')),
    field('阶段 Stage', select('stage', STAGES, {}, '全部 All')));
  let pending = 0;
  const search = redraw = async () => {
    const ticket = ++pending;
    const params = new URLSearchParams(formJson(form));
    const q = params.get('q') ?? '';
    if (/^\d{1,3}$/.test(q)) { results.replaceChildren(el('p', { class: 'muted' }, '输入电话后四位 Type the last 4 digits')); return; }
    try {
      const r = await api('GET', `/api/find?${params}`);
      if (ticket !== pending) return;
      results.replaceChildren(el('p', { class: 'muted' }, `${r.customers.length} 位客户 customers`),
                              el('ul', { class: 'list', 'data-list': 'customers' }, ...r.customers.map(customerRow)));
    } catch (e) { results.replaceChildren(errorBox(e)); }
  };
  form.addEventListener('input', search);
  form.addEventListener('submit', (e) => { e.preventDefault(); search(); });
  main.replaceChildren(el('h1', {}, '查找客户 Find a customer'), form, results);
  search();
}

// ---- 客户档案 the customer card ----
function panel(title, form, onSubmit) {
  const box = el('div', { class: 'card', 'data-panel': title });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const submit = form.querySelector('button[type=submit]');
    submit.disabled = true;
    try { await onSubmit(formJson(form)); } catch (err) { box.append(errorBox(err)); submit.disabled = false; }
  });
  box.append(el('h2', {}, title), form);
  return box;
}

async function surveyForm(id, done) {
  const { surveys } = await api('GET', '/api/surveys');
  if (!surveys.length) return el('p', { class: 'muted' }, '没有问卷 No survey defined (head office defines them)');
  // Each survey record holds the plugin-checked definition head office stored.
  const definitions = surveys.map((s) => s.definition ?? s);
  const chooser = select('survey', definitions.map((s) => [s.key, s.title ?? s.key]), {}, '—');
  const questions = el('div', {});
  const answers = {};
  chooser.addEventListener('change', () => {
    const survey = definitions.find((s) => s.key === chooser.value);
    questions.replaceChildren(...(survey ? survey.questions : []).map((q) => {
      const box = el('fieldset', { class: 'card', 'data-question': q.id }, el('legend', {}, q.text + (q.required ? ' *' : '')));
      if (q.type === 'nps') {
        const buttons = [...Array(11).keys()].map((n) => el('button', { type: 'button', class: 'secondary', 'aria-pressed': 'false',
          onclick: () => { answers[q.id] = n; buttons.forEach((b, i) => b.setAttribute('aria-pressed', String(i === n))); } }, String(n)));
        box.append(el('div', { class: 'nps' }, ...buttons), el('p', { class: 'muted' }, '0 = 完全不会推荐 not at all · 10 = 一定推荐 certainly'));
      } else if (q.type === 'single' || q.type === 'multiple') {
        const kind = q.type === 'single' ? 'radio' : 'checkbox';
        box.append(el('div', { class: 'choice' }, ...q.options.map((o) => el('label', {},
          el('input', { type: kind, name: `q-${q.id}`, value: o, onchange: () => {
            const checked = [...box.querySelectorAll('input:checked')].map((i) => i.value);
            answers[q.id] = kind === 'radio' ? checked[0] : checked;
          } }), o))));
      } else {
        box.append(el('textarea', { oninput: (e) => { answers[q.id] = e.target.value; } }));
      }
      return box;
    }));
  });
  const form = el('form', {}, field('问卷 Survey', chooser), questions,
                  el('div', { class: 'actions' }, el('button', { type: 'submit' }, '提交问卷 Submit survey')));
  return panel('问卷 Survey', form, async () => {
    await api('POST', `/api/customers/${id}/surveys`, { survey: chooser.value, answers });
    done();
  });
}

function actionPanels(c, reload) {
  const id = c.id;
  const after = async (promise) => { await promise; await reload(); refreshStatus(); };
  const interaction = (type) => panel(type === 'visit' ? '记录到访 Log a visit' : '记录通话 Log a call',
    el('form', { class: 'grid' },
      type === 'call' ? field('方式 Channel', select('channel', CHANNELS, {}, '—')) : field('停留分钟 Minutes on site', el('input', { name: 'minutes', inputmode: 'numeric' })),
      field('内容 Note', el('textarea', { name: 'note' })), field('结果 Outcome', el('input', { name: 'outcome' })),
      el('div', { class: 'actions' }, el('button', { type: 'submit' }, '保存 Save'))),
    (body) => after(api('POST', `/api/customers/${id}/interactions`, { ...body, type })));
  const followup = panel('安排跟进 Schedule a follow-up',
    el('form', { class: 'grid' }, field('时间 When', el('input', { name: 'due', type: 'datetime-local', required: true })),
       field('内容 Note', el('input', { name: 'note' })), el('div', { class: 'actions' }, el('button', { type: 'submit' }, '保存 Save'))),
    (body) => after(api('POST', `/api/customers/${id}/tasks`, { ...body, due: isoFromLocal(body.due) })));
  const stage = panel('推进阶段 Move the stage',
    el('form', { class: 'grid' }, field('阶段 Stage', select('stage', STAGES, { required: true })),
       el('div', { class: 'actions' }, el('button', { type: 'submit' }, '保存 Save'))),
    (body) => after(api('POST', `/api/customers/${id}`, body)));
  const deal = panel('记录成交 Record a deal',
    el('form', { class: 'grid' }, field('房号 Unit', el('input', { name: 'unit', required: true, placeholder: '3-1502' })),
       field('总价 Price', el('input', { name: 'price', required: true, inputmode: 'numeric', placeholder: '320万' })),
       field('状态 Status', select('status', DEAL_STATUSES, { required: true })),
       el('div', { class: 'actions' }, el('button', { type: 'submit' }, '保存 Save'))),
    (body) => after(api('POST', `/api/customers/${id}/deals`, body)));
  const referral = panel('老带新 Register a referral',
    el('form', { class: 'grid' }, field('朋友电话 Friend\'s phone', el('input', { name: 'phone', type: 'tel', inputmode: 'tel', required: true })),
       field('朋友姓名 Friend\'s name', el('input', { name: 'name', required: true })),
       el('div', { class: 'actions' }, el('button', { type: 'submit' }, '保存 Save'))),
    (body) => after(api('POST', `/api/customers/${id}/referrals`, body)));
  return { visit: () => interaction('visit'), call: () => interaction('call'), followup: () => followup, stage: () => stage,
           deal: () => deal, referral: () => referral, survey: () => surveyForm(id, () => { reload(); refreshStatus(); }) };
}

function timeline(card, id, reload) {
  const items = [];
  for (const i of card.interactions) items.push([i.at, TYPES[i.type] ?? i.type,
    [i.channel ? label(CHANNELS, i.channel) : '', i.note ?? '', i.outcome ? `→ ${i.outcome}` : '', i.agent ? `(${i.agent})` : ''].join(' ')]);
  for (const t of card.tasks) items.push([t.due, t.done ? '跟进已完成 Follow-up done' : '预约跟进 Follow-up due', t.note ?? '',
    t.done ? null : el('button', { type: 'button', class: 'secondary', onclick: async () => {
      await api('POST', `/api/tasks/${t.id}/done`, { customer: id }); reload(); } }, '完成 Done')]);
  for (const d of card.deals) items.push([d.signed_at ?? d.reserved_at ?? d.at, '成交 Deal',
    `${d.unit} · ${money(d.price)} · ${label(DEAL_STATUSES, d.status)}`,
    select('status', DEAL_STATUSES, { 'aria-label': '改状态 Change status', onchange: async (e) => {
      if (e.target.value) { await api('POST', `/api/deals/${d.id}/status`, { status: e.target.value, customer: id }); reload(); } } }, '改状态 Change…')]);
  for (const r of card.referrals_made) items.push([r.at, '老带新 Referred', r.referee_name || r.referee, customerLink(r.referee, '打开 Open')]);
  for (const r of card.referred_by) items.push([r.at, '被推荐 Referred by', r.referrer_name || r.referrer, customerLink(r.referrer, '打开 Open')]);
  for (const s of card.surveys) items.push([s.at, `问卷 Survey ${s.survey ?? ''}`,
    Object.entries(s.answers ?? {}).map(([q, a]) => `${q}: ${show(a)}`).join(' · ') + (s.nps !== undefined ? ` (NPS ${s.nps})` : '')]);
  for (const c of card.complaints ?? []) items.push([c.opened_at, '投诉 Complaint',
    [c.category, c.severity, label(CASE_STATUSES, c.status), c.handler ? `(${c.handler})` : ''].join(' · ')]);
  for (const r of card.repairs ?? []) items.push([r.opened_at, '报修 Repair',
    [r.category, r.unit ?? '', label(CASE_STATUSES, r.status), r.handler ? `(${r.handler})` : ''].join(' · ')]);
  for (const w of card.rewards) items.push([w.granted_at ?? w.at, '奖励 Reward', `${w.points ?? ''} ${w.benefit ?? ''}`]);
  items.sort((a, b) => String(b[0] ?? '').localeCompare(String(a[0] ?? '')));
  return el('table', { 'data-list': 'timeline' }, el('tbody', {}, ...items.map(([at, what, text, action]) =>
    el('tr', {}, el('td', {}, whenText(at)), el('td', {}, what), el('td', {}, text), el('td', {}, action ?? '')))));
}

async function customerScreen(redrawing = false) {
  const id = new URLSearchParams(location.search).get('id');
  const reload = () => customerScreen();
  const shown = screenShown;
  redraw = () => customerScreen(true);
  const card = await api('GET', `/api/customers/${encodeURIComponent(id)}`);
  // Not drawn again over a form the agent opened (visit, call, ...).
  if (redrawing && (shown !== screenShown || document.querySelector('#action')?.children.length)) return;
  const c = card.customer;
  const f = c.fields;
  const panels = actionPanels(c, reload);
  const slot = el('div', { id: 'action' });
  const open = async (name) => {
    // Taken at once, while the panel loads (a survey asks the app first): a live redraw meanwhile
    // then leaves the card and the opening panel alone.
    slot.replaceChildren(el('p', { class: 'loading' }, '…'));
    slot.replaceChildren(await panels[name]());
    slot.scrollIntoView();
  };
  const reasons = card.tier ? el('ul', {}, ...(card.tier.explanation?.factors ?? []).map((x) =>
    el('li', {}, `${x.factor}: ${show(x.value)} → ${Number(x.points ?? 0).toFixed(1)} 分 points`))) : el('p', { class: 'muted' }, '无等级 No tier');
  main.replaceChildren(
    el('h1', {}, tierBadge(c.tier), ' ', f.name ?? '', ' ', el('span', { class: 'muted' }, f.phone ?? '')),
    el('div', { class: 'actions', 'data-actions': 'card' },
      el('button', { type: 'button', onclick: () => open('visit') }, '到访 Visit'),
      el('button', { type: 'button', onclick: () => open('call') }, '通话 Call'),
      el('button', { type: 'button', onclick: () => open('followup') }, '跟进 Follow-up'),
      el('button', { type: 'button', onclick: () => open('stage') }, '阶段 Stage'),
      el('button', { type: 'button', onclick: () => open('deal') }, '成交 Deal'),
      el('button', { type: 'button', onclick: () => open('referral') }, '老带新 Referral'),
      el('button', { type: 'button', onclick: () => open('survey') }, '问卷 Survey')),
    slot,
    el('div', { class: 'two' },
      el('section', { class: 'card' }, el('h2', {}, '资料 Details'), el('dl', { class: 'fields' },
        el('dt', {}, '阶段 Stage'), el('dd', { 'data-field': 'stage' }, label(STAGES, f.stage)),
        el('dt', {}, '预算 Budget'), el('dd', { 'data-field': 'budget' }, money(f.budget)),
        el('dt', {}, '意向 Purpose'), el('dd', {}, label(PURPOSES, f.purpose)),
        el('dt', {}, '偏好 Preferences'), el('dd', {}, show(f.preferences ?? '')),
        el('dt', {}, '项目 Project'), el('dd', {}, f.project ?? ''),
        el('dt', {}, '来源 Source'), el('dd', {}, label(SOURCES, f.source)),
        el('dt', {}, '登记 Registered'), el('dd', {}, `${f.agent ?? ''} · ${whenText(f.created_at)}`),
        el('dt', {}, '备注 Notes'), el('dd', {}, f.notes ?? ''))),
      el('section', { class: 'card', 'data-section': 'tier' }, el('h2', {}, `等级 Tier ${c.tier ?? ''}`,
        card.tier ? ` · ${Number(card.tier.tier_score).toFixed(1)} 分 · ${card.tier.segment}` : ''), reasons)),
    el('section', { class: 'card' }, el('h2', {}, '时间线 Timeline'), timeline(card, c.id, reload)));
}

// ---- 冲突 conflicts ----
async function conflictsScreen() {
  const shown = screenShown;
  redraw = conflictsScreen;
  const { conflicts } = await api('GET', '/api/conflicts');
  if (shown !== screenShown) return;
  const rows = conflicts.map((c) => el('tr', { 'data-conflict': `${c.record}/${c.field}` },
    el('td', {}, c.customer ? customerLink(c.customer, c.customer_name || c.record) : `${c.kind} ${c.record}`),
    el('td', {}, c.field),
    el('td', { 'data-value': 'lost' }, show(c.lost_value)),
    el('td', {}, c.lost_by_this_tablet ? '本机 this tablet' : `平板 device …${c.lost_device.slice(-8)}`, el('br'), when(c.lost_at_ms)),
    el('td', { 'data-value': 'kept' }, show(c.kept_value), el('br'), el('span', { class: 'muted' }, when(c.kept_at_ms))),
    el('td', {}, el('button', { type: 'button', onclick: async (e) => {
      e.target.disabled = true;
      await api('POST', '/api/conflicts/restore', { record: c.record, field: c.field, lost_hlc: c.lost_hlc, lost_device: c.lost_device });
      refreshStatus();
      conflictsScreen();
    } }, '恢复 Restore'))));
  main.replaceChildren(el('h1', {}, '同步冲突 Conflicts'),
    el('p', { class: 'muted' }, '两台设备同时改了同一项：保留了较晚的修改。可一键恢复被覆盖的值。 Two devices changed the same field; the later change was kept. Restore the one that lost with one tap.'),
    conflicts.length ? el('table', {}, el('thead', {}, el('tr', {}, ...['客户 Record', '字段 Field', '被覆盖的值 Lost value',
      '谁 · 何时 Who · when', '现在的值 Kept value', ''].map((h) => el('th', {}, h)))), el('tbody', {}, ...rows))
      : el('p', {}, '没有冲突 No conflicts'));
}

// ---- 设置 first-start set-up ----
function setupScreen() {
  const fresh = !status.device;
  const form = el('form', { class: 'grid' },
    field('服务器地址 Server address', el('input', { name: 'server', type: 'url', required: true, placeholder: 'https://hq.example.cn:8443', value: status.server || '' })),
    field('令牌 Token', el('input', { name: 'token', required: true, autocomplete: 'off' })),
    fresh ? field('平板名称 Device name', el('input', { name: 'device', required: true, placeholder: 'booth-3' })) : null,
    fresh ? field('顾问 Agent', el('input', { name: 'agent' })) : null,
    fresh ? field('团队 Team', el('input', { name: 'team' })) : null,
    el('div', { class: 'actions' }, el('button', { type: 'submit' }, '保存 Save')));
  const outcome = el('div', {});
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      await api('POST', '/api/setup', formJson(form));
      await refreshStatus();
      navigate('/register');
    } catch (err) { outcome.replaceChildren(errorBox(err)); }
  });
  main.replaceChildren(
    status.wiped ? el('div', { class: 'banner', role: 'alert', 'data-wiped': '' }, el('h2', {}, '本机数据已被总部清除 Head office wiped this tablet'),
      el('p', {}, '这台平板已被报失并撤销，本机上的客户资料已删除。请向总部领取新令牌后重新设置。 This tablet was reported lost and revoked; the customer data on it was deleted. Ask head office for a new token and set it up again.'),
      el('p', { class: 'muted' }, status.wiped)) : null,
    el('h1', {}, fresh ? '首次设置 First start' : '设置 Set-up'), form, outcome);
}

// ---- routing ----
const ROUTES = { '/': registerScreen, '/register': registerScreen, '/today': todayScreen, '/find': findScreen,
                 '/customer': customerScreen, '/conflicts': conflictsScreen, '/setup': setupScreen };
async function route() {
  let path = location.pathname;
  if (!status.set_up && path !== '/setup') { history.replaceState({}, '', '/setup'); path = '/setup'; }
  document.getElementById('nav').replaceChildren(...SCREENS.map((s) => {
    const a = link(s.path, s.label);
    if (s.path === path || (path === '/' && s.path === '/register')) a.className = 'active';
    return a;
  }));
  redraw = null;
  screenShown += 1;
  try {
    await (ROUTES[path] ?? registerScreen)();
  } catch (e) {
    main.replaceChildren(errorBox(e));
  }
}

window.addEventListener('popstate', route);
document.getElementById('sync-button').addEventListener('click', runSync);
setInterval(refreshStatus, 2000);
setInterval(refreshActivity, 1000);
refreshStatus().then(route);
