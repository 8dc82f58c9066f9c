// The Wulf console in the browser: five views over the board's JSON API, live updates over
// Server-Sent Events. Every piece of user, memory or model text goes into the page as a text node
// (`h()` below turns strings into text nodes and never parses HTML): a note that says
// `<img src=x onerror=…>` is shown as those characters.

import type { TurnView as Turn } from '../api-types.js';

type Json = Record<string, unknown>;
type Child = Node | string | number | null | undefined | false;

interface Reply {
  id: string;
  text: string;
  intent: string | null;
  slots: Record<string, unknown>;
  actions: unknown[];
  source: string;
  latency_ms: number;
}

// ── DOM helpers ────────────────────────────────────────────────────────────────────────────────

function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Record<string, string | boolean | ((e: Event) => void)> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (typeof v === 'function') el.addEventListener(k.replace(/^on/, ''), v);
    else if (v === true) el.setAttribute(k, '');
    else if (v !== false) el.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  return el;
}

const main = document.getElementById('main')!;
const live = document.getElementById('live')!;

function show(...children: Child[]): void {
  main.replaceChildren(...children.filter((c): c is Node | string => c !== null && c !== undefined && c !== false).map((c) => (typeof c === 'string' ? document.createTextNode(c) : c)));
}

function fmtBytes(n: number): string {
  return n > 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MiB` : n > 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${n} B`;
}

function fmtDuration(s: number): string {
  const d = Math.floor(s / 86400), hh = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
  return d ? `${d} d ${hh} h` : hh ? `${hh} h ${m} min` : m ? `${m} min ${s % 60} s` : `${s} s`;
}

function fmtTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

function text(v: unknown): string {
  return typeof v === 'string' ? v : v === null || v === undefined ? '—' : typeof v === 'object' ? JSON.stringify(v) : String(v);
}

function card(title: string, ...body: Child[]): HTMLElement {
  return h('section', { class: 'card' }, h('h2', {}, title), ...body);
}

function kv(rows: Array<[string, Child]>): HTMLElement {
  return h('dl', { class: 'kv' }, ...rows.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v ?? '—')]));
}

function badge(label: string, tone: 'ok' | 'warn' | 'bad' | 'plain' = 'plain'): HTMLElement {
  return h('span', { class: `badge ${tone}` }, label);
}

// ── API ────────────────────────────────────────────────────────────────────────────────────────

let csrf = '';

class ApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

async function api<T = Json>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(method !== 'GET' ? { 'x-wulf-csrf': csrf } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const data = (await res.json().catch(() => ({}))) as Json;
  if (!res.ok) throw new ApiError(res.status, typeof data.message === 'string' ? data.message : `HTTP ${res.status}`);
  return data as T;
}

// ── live events ────────────────────────────────────────────────────────────────────────────────

type Listener = (data: Json) => void;
const listeners = new Map<string, Set<Listener>>();
let events: EventSource | null = null;

function on(type: string, fn: Listener): void {
  (listeners.get(type) ?? listeners.set(type, new Set()).get(type)!).add(fn);
}

function connectEvents(): void {
  events?.close();
  events = new EventSource('/api/events');
  events.onopen = () => ((live.textContent = 'live'), live.classList.add('on'));
  events.onerror = () => ((live.textContent = 'reconnecting'), live.classList.remove('on'));
  for (const type of ['turn', 'partial', 'memory', 'models']) {
    events.addEventListener(type, (e) => {
      const data = JSON.parse((e as MessageEvent<string>).data) as Json;
      for (const fn of listeners.get(type) ?? []) fn(data);
    });
  }
}

// ── pages ──────────────────────────────────────────────────────────────────────────────────────

let current = '';
let refresh: (() => void) | null = null;

async function statusPage(): Promise<void> {
  const s = await api<Json>('GET', '/api/status');
  document.getElementById('device')!.textContent = text(s.deviceId);
  const mqtt = s.mqtt as Json;
  const voice = s.voice as Json;
  const cloud = (s.cloud ?? {}) as Json;
  const memory = s.memory as Json;
  const models = (s.models ?? []) as Array<{ name: string; version: string }>;
  const problems = (s.recentProblems ?? []) as Array<{ time: string; level: string; mod: string | null; msg: string }>;
  const mic = voice.microphone as Json | undefined;
  show(
    h('h1', {}, 'Status'),
    h('div', { class: 'grid' },
      card('Board', kv([['Device', text(s.deviceId)], ['Wulf', text(s.version)], ['Uptime', fmtDuration(Number(s.uptimeS))], ['Memory (RSS)', fmtBytes(Number(s.rssBytes))], ['Node', text(s.node)], ['Language', text(s.language)]])),
      card('Models', models.length ? h('ul', { class: 'plain' }, ...models.map((m) => h('li', {}, h('b', {}, m.name), ' ', badge(`v${m.version}`)))) : h('p', { class: 'muted' }, 'No model loaded.'), kv([['Generator', text(s.generator)], ['Updates (OTA)', text(s.ota)]])),
      card('MQTT', kv([['State', badge(text(mqtt.state), mqtt.state === 'connected' ? 'ok' : 'bad')], ['Broker', text(mqtt.url)], ['Protocol', `MQTT ${mqtt.protocolVersion === 5 ? '5' : '3.1.1'}`], ['Embedded broker', mqtt.embeddedBroker ? 'yes' : 'no']])),
      card('Voice', kv([['Voice', badge(voice.enabled ? 'on' : 'off', voice.enabled ? 'ok' : 'plain')], ['Microphone', mic ? `${text(mic.state)}${mic.reason ? ` (${text(mic.reason)})` : ''}` : '—'], ['Wake words', text((voice.wakeWords as string[] | undefined)?.join(', ') ?? null)], ['Engines', voice.engines ? Object.entries(voice.engines as Json).map(([k, v]) => `${k}: ${text(v)}`).join(', ') : '—']])),
      card('Cloud', kv([['Mode', text(cloud.mode)], ['Providers', ((cloud.providers ?? []) as Array<{ name: string; circuit: string }>).map((p) => `${p.name} (${p.circuit})`).join(', ') || 'none'], ['Knowledge bins', text(cloud.bins)], ['Calls today', text(cloud.callsToday ?? cloud.calls ?? null)]])),
      card('Memory store', kv([['Messages', text(memory.messages)], ['On disk', fmtBytes(Number(memory.bytes))], ['File', text(memory.file)]])),
    ),
    card('Recent problems', problems.length
      ? h('ul', { class: 'rows', id: 'problems' }, ...problems.slice(0, 20).map((p) => h('li', { class: 'row' }, h('div', { class: 'grow' }, h('div', { class: 'small' }, badge(p.level, p.level === 'warn' ? 'warn' : 'bad'), ' ', h('span', { class: 'muted' }, `${fmtTime(p.time)}${p.mod ? ` · ${p.mod}` : ''}`)), h('div', {}, p.msg)))))
      : h('p', { class: 'muted' }, 'No warnings or errors since start.')),
  );
}

interface ChatLine { who: 'you' | 'wulf'; id: string; text: string; meta?: Reply; error?: string; pending?: boolean }
const chat: ChatLine[] = [];

function replyMeta(r: Reply): HTMLElement {
  const slots = Object.entries(r.slots ?? {});
  return h('div', { class: 'meta' },
    badge(r.intent ?? 'no intent'), ' ', badge(r.source), ' ', h('span', { class: 'muted' }, `${Math.round(r.latency_ms)} ms`),
    slots.length ? h('div', {}, 'Slots: ', ...slots.map(([k, v]) => h('code', {}, `${k} = ${text(v)}`))) : null,
    r.actions?.length ? h('div', {}, 'Actions: ', ...r.actions.map((a) => h('code', {}, text(a)))) : null);
}

function chatPage(): void {
  const log = h('ol', { class: 'chat', id: 'chat-log' });
  const render = (): void => {
    log.replaceChildren(...chat.map((l) => h('li', { class: `bubble ${l.who}${l.pending ? ' pending' : ''}`, 'data-id': l.id }, h('div', { class: 'said' }, l.text || (l.pending ? '…' : '')), l.error ? h('div', { class: 'error' }, l.error) : null, l.meta ? replyMeta(l.meta) : null)));
    log.lastElementChild?.scrollIntoView({ block: 'end' });
  };
  const input = h('input', { id: 'chat-input', type: 'text', name: 'text', placeholder: 'Ask Wulf: “add milk to the shopping list”', autocomplete: 'off', maxlength: '2000', 'aria-label': 'Your message' });
  const lang = h('select', { id: 'chat-lang', 'aria-label': 'Language' }, h('option', { value: '' }, 'board language'), h('option', { value: 'en' }, 'English'), h('option', { value: 'fr' }, 'Français'));
  const send = async (e: Event): Promise<void> => {
    e.preventDefault();
    const said = input.value.trim();
    if (!said) return;
    input.value = '';
    const id = crypto.randomUUID();
    chat.push({ who: 'you', id: `${id}-q`, text: said });
    const line: ChatLine = { who: 'wulf', id, text: '', pending: true };
    chat.push(line);
    render();
    try {
      const r = await api<Reply>('POST', '/api/turns', { id, text: said, ...(lang.value ? { lang: lang.value } : {}) });
      Object.assign(line, { text: r.text, meta: r, pending: false });
    } catch (err) {
      Object.assign(line, { error: (err as Error).message, pending: false });
    }
    if (current === 'chat') render();
  };
  on('partial', (d) => {
    const line = chat.find((l) => l.id === d.id && l.pending);
    if (!line) return;
    line.text += String(d.delta);
    if (current === 'chat') render();
  });
  const form = h('form', { class: 'ask', onsubmit: (e) => void send(e) }, input, lang, h('button', { type: 'submit' }, 'Send'));
  show(h('h1', {}, 'Chat'), log, form);
  render();
  input.focus();
}

async function memoryPage(query = ''): Promise<void> {
  const m = await api<Json>('GET', `/api/memory?q=${encodeURIComponent(query)}`);
  const del = (path: string) => async (e: Event): Promise<void> => {
    (e.currentTarget as HTMLButtonElement).disabled = true;
    try {
      await api('DELETE', path);
    } catch (err) {
      alert((err as Error).message);
    }
    await memoryPage(search.value);
  };
  const search = h('input', { id: 'memory-search', type: 'search', placeholder: 'Search notes, lists, timers, bins', value: query, 'aria-label': 'Search memory' });
  const notes = m.notes as Array<{ id: string; text: string; createdAt: string }>;
  const lists = m.lists as Array<{ name: string; items: Array<{ id: string; text: string; addedAt: string }> }>;
  const timers = m.timers as Array<{ id: string; name: string | null; durationMs: number; dueAt: string }>;
  const bins = m.bins as Array<{ id: string; topic: string; question: string; answer: string; source: string; lastUsedAt: string; uses: number; decay: number }>;
  const row = (main: Child, sub: Child, path: string, label: string): HTMLElement => h('li', { class: 'row' }, h('div', { class: 'grow' }, h('div', { class: 'item-text' }, main), sub ? h('div', { class: 'muted small' }, sub) : null), h('button', { class: 'danger', type: 'button', 'aria-label': `Delete ${label}`, onclick: (e) => void del(path)(e) }, 'Delete'));
  const empty = (what: string): HTMLElement => h('p', { class: 'muted' }, query ? `No ${what} match.` : `No ${what}.`);
  show(
    h('h1', {}, 'Memory'),
    h('form', { class: 'toolbar', onsubmit: (e) => (e.preventDefault(), void memoryPage(search.value)) }, search, h('button', { type: 'submit' }, 'Search'), h('a', { class: 'button', href: '/api/memory/export', download: 'wulf-memory.json' }, 'Export')),
    card('Notes', notes.length ? h('ul', { class: 'rows', id: 'notes' }, ...notes.map((n) => row(n.text, `noted ${fmtTime(n.createdAt)}`, `/api/memory/notes/${n.id}`, 'note'))) : empty('notes')),
    ...lists.map((l) => card(`List: ${l.name}`, l.items.length ? h('ul', { class: 'rows', 'data-list': l.name }, ...l.items.map((i) => row(i.text, `added ${fmtTime(i.addedAt)}`, `/api/memory/lists/${encodeURIComponent(l.name)}/${i.id}`, i.text))) : empty('items'))),
    card('Timers', timers.length ? h('ul', { class: 'rows' }, ...timers.map((t) => row(t.name ?? 'timer', `rings ${fmtTime(t.dueAt)} (${fmtDuration(Math.round(t.durationMs / 1000))})`, `/api/memory/timers/${t.id}`, 'timer'))) : empty('timers')),
    card('Knowledge bins', bins.length ? h('ul', { class: 'rows' }, ...bins.map((b) => {
      const bar = h('span', { class: 'fill' });
      bar.style.width = `${Math.round(Math.max(0, Math.min(1, b.decay)) * 100)}%`;
      return row(h('span', {}, h('b', {}, b.question), ' — ', b.answer), h('span', {}, `${b.source}, used ${b.uses}×, last ${fmtTime(b.lastUsedAt)}, relevance `, h('span', { class: 'bar', title: `${Math.round(b.decay * 100)}%` }, bar), ` ${Math.round(b.decay * 100)}%`), `/api/memory/bins/${b.id}`, 'bin');
    })) : empty('knowledge bins')),
  );
}

function metricsTable(metrics: Json | null): HTMLElement | null {
  if (!metrics) return null;
  const rows: Array<[string, string]> = [];
  const walk = (prefix: string, v: unknown, depth: number): void => {
    if (rows.length > 40) return;
    if (v && typeof v === 'object' && !Array.isArray(v) && depth < 3) for (const [k, x] of Object.entries(v as Json)) walk(prefix ? `${prefix} · ${k}` : k, x, depth + 1);
    else if (typeof v === 'number') rows.push([prefix, Math.abs(v) <= 1 && !Number.isInteger(v) ? `${(v * 100).toFixed(1)}%` : String(v)]);
    else if (typeof v === 'string' || typeof v === 'boolean') rows.push([prefix, String(v)]);
  };
  walk('', metrics, 0);
  return rows.length ? h('table', { class: 'metrics' }, h('tbody', {}, ...rows.map(([k, v]) => h('tr', {}, h('th', {}, k), h('td', {}, v))))) : null;
}

async function modelsPage(): Promise<void> {
  const data = await api<Json>('GET', '/api/models');
  const models = data.models as Array<Json & { name: string; slots: { active: Json | null; previous: Json | null } | null; provenance: Json | null; metrics: Json | null }>;
  const rollback = async (name: string, to: unknown): Promise<void> => {
    if (!confirm(`Roll ${name} back to version ${text(to)}? The running model is replaced at once.`)) return;
    try {
      await api('POST', `/api/models/${encodeURIComponent(name)}/rollback`, { confirm: name });
    } catch (err) {
      alert((err as Error).message);
    }
    await modelsPage();
  };
  show(
    h('h1', {}, 'Models'),
    data.otaEnabled ? null : h('p', { class: 'muted' }, 'Model updates (OTA) are off on this board.'),
    h('div', { class: 'grid' }, ...models.map((m) => {
      const p = m.provenance;
      const probation = m.probation as Json | null;
      const last = m.last as Json | null;
      return h('section', { class: 'card model', 'data-model': m.name },
        h('h2', {}, m.name, ' ', badge(`v${text(m.version)}`, 'ok'), ' ', badge(text(m.kind)), ' ', badge(m.inService ? 'in service' : 'not in service', m.inService ? 'ok' : 'warn')),
        kv([
          ['Origin', m.origin === 'ota' ? 'over-the-air update' : m.origin === 'config' ? 'file named in the config' : 'shipped with Wulf'],
          ...(m.slots ? ([['Slot A', slotText(m.slots, 'a')], ['Slot B', slotText(m.slots, 'b')]] as Array<[string, Child]>) : []),
          ['Probation', probation ? badge(`on trial since ${fmtTime(text(probation.since))}`, 'warn') : 'none'],
          ...(last ? ([['Last update', `${text(last.result)}${last.version ? ` v${text(last.version)}` : ''}${last.reason ? `: ${text(last.reason)}` : ''} (${fmtTime(text(last.at))})`]] as Array<[string, Child]>) : []),
          ['Recipe', text(p?.recipe ?? null)],
          ['Data hash', p?.dataHash ? h('code', {}, text(p.dataHash).slice(0, 16)) : '—'],
          ...(p?.createdAt ? ([['Built', fmtTime(text(p.createdAt))]] as Array<[string, Child]>) : []),
          ...(m.file ? ([['File', text(m.file)]] as Array<[string, Child]>) : []),
        ]),
        metricsTable(m.metrics),
        m.canRollback ? h('button', { class: 'danger', type: 'button', onclick: () => void rollback(m.name, m.slots?.previous?.version) }, `Roll back to v${text(m.slots?.previous?.version)}`) : null,
      );
    })),
  );
}

function slotText(slots: { active: Json | null; previous: Json | null }, slot: 'a' | 'b'): Child {
  if (slots.active?.slot === slot) return h('span', {}, badge('active', 'ok'), ` v${text(slots.active.version)}`);
  if (slots.previous?.slot === slot) return h('span', {}, badge('previous'), ` v${text(slots.previous.version)}`);
  return 'empty';
}

function turnRow(t: Turn): HTMLElement {
  const total = Math.max(1, t.latencyMs ?? 0);
  const stages = h('div', { class: 'stages' }, ...Object.entries(t.stages).map(([k, ms]) => {
    const seg = h('span', { class: `seg seg-${k.replace(/[^a-z]/g, '')}`, title: `${k} ${ms} ms` });
    seg.style.width = `${Math.max(2, Math.min(100, (ms / total) * 100))}%`;
    return seg;
  }));
  return h('tr', { 'data-turn': t.turnId },
    h('td', { class: 'nowrap', 'data-label': 'When' }, fmtTime(t.ts)),
    h('td', { 'data-label': 'Channel' }, badge(t.channel)),
    h('td', { 'data-label': 'Said' }, t.text),
    h('td', { 'data-label': 'Intent' }, t.intent ?? '—'),
    h('td', { 'data-label': 'Reply' }, t.reply),
    h('td', { 'data-label': 'Source' }, badge(t.source)),
    h('td', { class: 'num', 'data-label': 'Latency' }, h('div', {}, t.latencyMs === null ? '—' : `${Math.round(t.latencyMs)} ms`, stages, h('div', { class: 'muted small' }, Object.entries(t.stages).map(([k, ms]) => `${k} ${Math.round(ms * 10) / 10}`).join(' · ')))));
}

async function turnsPage(): Promise<void> {
  const { turns } = await api<{ turns: Turn[] }>('GET', '/api/turns?limit=100');
  const body = h('tbody', { id: 'turns' }, ...turns.map(turnRow));
  show(h('h1', {}, 'Turns'), h('div', { class: 'scroll' }, h('table', { class: 'turns' }, h('thead', {}, h('tr', {}, ...['When', 'Channel', 'Said', 'Intent', 'Reply', 'Source', 'Latency'].map((c) => h('th', {}, c)))), body)), turns.length ? null : h('p', { class: 'muted' }, 'No turns yet.'));
}

on('turn', (d) => {
  if (current === 'turns') document.getElementById('turns')?.prepend(turnRow(d.turn as Turn));
  if (current === 'memory') void memoryPage((document.getElementById('memory-search') as HTMLInputElement | null)?.value ?? '');
});
on('memory', () => current === 'memory' && void memoryPage((document.getElementById('memory-search') as HTMLInputElement | null)?.value ?? ''));
on('models', () => current === 'models' && void modelsPage());

const pages: Record<string, () => Promise<void> | void> = { status: statusPage, chat: chatPage, memory: () => memoryPage(), models: modelsPage, turns: turnsPage };

async function route(): Promise<void> {
  const page = location.hash.replace(/^#\//, '') || 'status';
  current = pages[page] ? page : 'status';
  for (const a of document.querySelectorAll<HTMLAnchorElement>('#nav a')) a.classList.toggle('active', a.dataset.page === current), a.setAttribute('aria-current', a.dataset.page === current ? 'page' : 'false');
  refresh?.();
  refresh = null;
  try {
    await pages[current]!();
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return loginPage();
    show(h('h1', {}, 'Something went wrong'), h('p', { class: 'error' }, (err as Error).message));
  }
  if (current === 'status') {
    const timer = setInterval(() => current === 'status' && void statusPage().catch(() => undefined), 5000);
    refresh = () => clearInterval(timer);
  }
}

function loginPage(message = ''): void {
  const token = h('input', { id: 'token', type: 'password', autocomplete: 'current-password', placeholder: 'Console token', 'aria-label': 'Console token', required: true });
  const err = h('p', { class: 'error' }, message);
  show(h('section', { class: 'card login' }, h('h1', {}, 'Log in'), h('p', { class: 'muted' }, 'This console is protected by the token in the board’s config (web.token).'),
    h('form', { onsubmit: (e) => {
      e.preventDefault();
      void api<{ csrf: string }>('POST', '/api/login', { token: token.value }).then((r) => {
        csrf = r.csrf;
        connectEvents();
        void route();
      }, (e2: Error) => (err.textContent = e2.message));
    } }, token, h('button', { type: 'submit' }, 'Log in')), err));
  token.focus();
}

async function boot(): Promise<void> {
  window.addEventListener('hashchange', () => void route());
  try {
    const s = await api<{ csrf: string }>('GET', '/api/session');
    csrf = s.csrf;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return loginPage();
    show(h('p', { class: 'error' }, (err as Error).message));
    return;
  }
  connectEvents();
  await route();
}

void boot();
