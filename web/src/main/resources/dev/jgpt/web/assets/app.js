// jgpt serve: the dashboard (live training curves over server-sent events) and the playground
// (token-by-token generation and scoring). Plain JavaScript, no build step; charts by uPlot.
'use strict';

const COLORS = ['#3b6fd8', '#d8563b', '#2e9e5b', '#9b4fd1', '#c99a16', '#1aa3b5', '#c23f86', '#5d6b7a'];

// What the browser tests read: points drawn per run, and redraws so far.
window.jgpt = { points: {}, redraws: 0, tokens: 0 };

const $ = (sel) => document.querySelector(sel);
const el = (tag, attrs = {}, ...kids) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v; else if (k === 'text') e.textContent = v; else e.setAttribute(k, v);
  }
  for (const k of kids) e.append(k);
  return e;
};
const fmt = (x, digits = 4) => (x === null || x === undefined || !isFinite(x)) ? '–' : Number(x).toPrecision(digits);

async function getJson(url, opts) {
  const res = await fetch(url, opts);
  let body = null;
  try { body = await res.json(); } catch (e) { /* not JSON */ }
  if (!res.ok) throw new Error((body && body.error) || (res.status + ' ' + res.statusText));
  return body;
}

// ------------------------------------------------------------------ tabs

for (const b of document.querySelectorAll('nav .tab')) {
  b.addEventListener('click', () => {
    for (const o of document.querySelectorAll('nav .tab')) o.classList.toggle('active', o === b);
    for (const v of document.querySelectorAll('.view')) v.classList.toggle('hidden', v.id !== 'view-' + b.dataset.view);
    if (b.dataset.view === 'dashboard') resizeCharts();
  });
}

// ------------------------------------------------------------------ dashboard

const runs = new Map();        // name -> summary from /api/runs
const selected = new Set();    // runs whose curves are drawn
const metrics = new Map();     // name -> array of metric records
const streams = new Map();     // name -> EventSource
const runColor = new Map();

const CHARTS = [
  { id: 'chart-loss', series: [{ key: 'train_loss', label: 'train' }, { key: 'val_loss', label: 'val', dash: [6, 4] }] },
  { id: 'chart-bpb', series: [{ key: 'val_bpb', label: 'val bpb' }] },
  { id: 'chart-lr', series: [{ key: 'lr', label: 'lr' }] },
  { id: 'chart-grad', series: [{ key: 'grad_norm', label: 'grad norm' }] },
  { id: 'chart-tps', series: [{ key: 'tokens_per_s', label: 'tok/s' }] },
];
const plots = new Map(); // chart id -> { u, signature }

function colorOf(name) {
  if (!runColor.has(name)) runColor.set(name, COLORS[runColor.size % COLORS.length]);
  return runColor.get(name);
}

async function refreshRuns() {
  let data;
  try {
    data = await getJson('/api/runs');
  } catch (e) {
    $('#runs').replaceChildren(el('li', { class: 'error-box', text: 'cannot list runs: ' + e.message }));
    return;
  }
  $('#root').textContent = 'runs from ' + data.root;
  const first = runs.size === 0;
  runs.clear();
  for (const r of data.runs) runs.set(r.name, r);
  if (first && data.runs.length > 0) {
    for (const r of data.runs.slice(0, 1)) select(r.name, true);
  }
  for (const name of [...selected]) if (!runs.has(name)) select(name, false);
  renderRunList();
  renderPlaygroundRuns();
  if (data.runs.length === 0) $('#runs').replaceChildren(el('li', { class: 'muted', text: 'no runs under ' + data.root + ' yet: train one with jgpt train' }));
}

const runRows = new Map(); // name -> { li, box, stats, error }: updated in place, so a click never lands on a replaced element

function renderRunList() {
  const ul = $('#runs');
  for (const [name, row] of runRows) if (!runs.has(name)) { row.li.remove(); runRows.delete(name); }
  for (const p of [...ul.children]) if (!p.dataset.run) p.remove(); // the "no runs" line
  for (const r of runs.values()) {
    let row = runRows.get(r.name);
    if (!row) {
      const box = el('input', { type: 'checkbox', 'data-run': r.name });
      box.addEventListener('change', () => select(r.name, box.checked));
      const name = el('span', { class: 'name', text: r.name });
      name.addEventListener('click', () => showRun(r.name));
      const swatch = el('span', { class: 'swatch' });
      swatch.style.background = colorOf(r.name);
      const stats = el('span', { class: 'stats' });
      const error = el('span', { class: 'error' });
      row = { li: el('li', { 'data-run': r.name }, box, swatch, name, stats, error), box, stats, error };
      runRows.set(r.name, row);
    }
    ul.append(row.li); // keeps the server's order (newest first)
    row.box.checked = selected.has(r.name);
    const last = (metrics.get(r.name) || []).at(-1);
    const step = last ? last.step : r.step;
    row.stats.textContent = step !== undefined ? 'step ' + step : '';
    row.error.textContent = r.error || '';
  }
}

async function showRun(name) {
  const box = $('#run-detail');
  box.replaceChildren(el('h2', { text: name }));
  try {
    const r = await getJson('/api/runs/' + encodeURIComponent(name));
    if (r.error) box.append(el('p', { class: 'error-box', text: r.error }));
    const facts = [];
    if (r.step !== undefined) facts.push('step ' + r.step + ', ' + r.tokens_seen + ' tokens, train loss ' + fmt(r.train_loss) + ', best val loss ' + fmt(r.best_val_loss) + ' (step ' + r.best_step + ')');
    for (const f of facts) box.append(el('p', { class: 'small', text: f }));
    box.append(el('pre', { text: r.config ? JSON.stringify(r.config, null, 2) : (r.kind === 'huggingface' ? 'a Hugging Face GPT-2 folder' : 'no configuration') }));
  } catch (e) {
    box.append(el('p', { class: 'error-box', text: e.message }));
  }
}

function select(name, on) {
  if (on) {
    selected.add(name);
    if (!streams.has(name)) openStream(name);
  } else {
    selected.delete(name);
    const s = streams.get(name);
    if (s) s.close();
    streams.delete(name);
    metrics.delete(name);
    delete window.jgpt.points[name];
  }
  scheduleRedraw(true);
}

function openStream(name) {
  metrics.set(name, []);
  const es = new EventSource('/api/runs/' + encodeURIComponent(name) + '/metrics/stream');
  es.addEventListener('reset', () => { metrics.set(name, []); scheduleRedraw(false); });
  es.addEventListener('hello', () => { metrics.set(name, []); }); // a reconnect sends everything again
  es.addEventListener('metrics', (ev) => {
    const lines = JSON.parse(ev.data).lines;
    const arr = metrics.get(name) || [];
    for (const l of lines) arr.push(l);
    metrics.set(name, arr);
    scheduleRedraw(false);
  });
  streams.set(name, es);
}

let redrawPending = false, rebuild = false;
function scheduleRedraw(structural) {
  rebuild = rebuild || structural;
  if (redrawPending) return;
  redrawPending = true;
  requestAnimationFrame(() => { redrawPending = false; const r = rebuild; rebuild = false; redraw(r); });
}

function redraw(structural) {
  const names = [...selected].sort();
  for (const c of CHARTS) drawChart(c, names, structural);
  for (const n of names) window.jgpt.points[n] = (metrics.get(n) || []).filter((m) => m.train_loss != null || m.val_loss != null).length;
  window.jgpt.redraws++;
  renderRunList();
}

function drawChart(chart, names, structural) {
  const host = document.getElementById(chart.id);
  // the x axis: every step any selected run logged a value of this chart at
  const steps = new Set();
  const cols = [];
  const seriesOpts = [{ label: 'step' }];
  for (const n of names) {
    const recs = metrics.get(n) || [];
    for (const s of chart.series) {
      const byStep = new Map();
      for (const m of recs) if (m[s.key] !== null && m[s.key] !== undefined) { byStep.set(m.step, m[s.key]); steps.add(m.step); }
      cols.push(byStep);
      seriesOpts.push({ label: n + ' ' + s.label, stroke: colorOf(n), dash: s.dash, width: 1.5, spanGaps: true, points: { show: false } });
    }
  }
  const xs = [...steps].sort((a, b) => a - b);
  const data = [xs, ...cols.map((m) => xs.map((x) => (m.has(x) ? m.get(x) : null)))];
  const signature = seriesOpts.map((s) => s.label).join('|');
  let p = plots.get(chart.id);
  if (xs.length === 0) {
    if (p) { p.u.destroy(); plots.delete(chart.id); }
    host.replaceChildren(el('div', { class: 'empty', text: chart.id === 'chart-loss' && names.length === 0 ? 'tick a run to see its curves' : host.dataset.title + ': no values yet' }));
    return;
  }
  if (!p || p.signature !== signature || structural) {
    if (p) p.u.destroy();
    host.replaceChildren();
    const u = new uPlot({
      title: host.dataset.title, width: Math.max(300, host.clientWidth - 16), height: 220,
      scales: { x: { time: false } }, series: seriesOpts, legend: { live: true },
      axes: [{ label: 'step' }, { size: 60 }],
    }, data, host);
    plots.set(chart.id, { u, signature });
  } else {
    p.u.setData(data);
  }
}

function resizeCharts() {
  for (const [id, p] of plots) {
    const host = document.getElementById(id);
    p.u.setSize({ width: Math.max(300, host.clientWidth - 16), height: 220 });
  }
}
window.addEventListener('resize', resizeCharts);

// ------------------------------------------------------------------ playground

function renderPlaygroundRuns() {
  const sel = $('#pg-run');
  const current = sel.value;
  sel.replaceChildren();
  for (const r of runs.values()) {
    if (!r.has_model) continue;
    sel.append(el('option', { value: r.name, text: r.name + (r.step !== undefined ? ' (step ' + r.step + ')' : '') }));
  }
  if ([...sel.options].some((o) => o.value === current)) sel.value = current;
  if (sel.options.length === 0) sel.append(el('option', { value: '', text: 'no trained model yet' }));
}

function mode() { return document.querySelector('input[name=mode]:checked').value; }
for (const r of document.querySelectorAll('input[name=mode]')) {
  r.addEventListener('change', () => {
    $('#pg-go').textContent = mode() === 'score' ? 'Score' : 'Generate';
    $('#sampler').classList.toggle('hidden', mode() === 'score');
  });
}

// probability p in [0, 1] -> red (unlikely) .. green (likely)
const probColor = (p) => 'hsl(' + Math.round(120 * Math.max(0, Math.min(1, p))) + ', 75%, 82%)';
// surprisal in bits -> green (expected) .. red (surprising); 10 bits and more is full red
const surprisalColor = (bits) => 'hsl(' + Math.round(120 * (1 - Math.max(0, Math.min(1, bits / 10)))) + ', 75%, 82%)';

const visible = (t) => t.replace(/\n/g, '↵\n').replace(/\t/g, '→\t');
const shown = (t) => JSON.stringify(t).slice(1, -1);

function tokenSpan(text, color, info) {
  const s = el('span', { class: 'tok', text: visible(text) });
  s.style.background = color;
  s.title = info.title;
  s.addEventListener('click', () => {
    for (const o of document.querySelectorAll('.tok.selected')) o.classList.remove('selected');
    s.classList.add('selected');
    showAlternatives(info);
  });
  return s;
}

function showAlternatives(info) {
  const box = $('#alternatives');
  box.replaceChildren(el('h2', { text: 'token "' + shown(info.token) + '"' }), el('p', { class: 'small', text: info.title }));
  if (!info.top || info.top.length === 0) { box.append(el('p', { class: 'muted small', text: 'no alternatives (the first token has no context)' })); return; }
  const table = el('table', { id: 'alt-table' });
  for (const c of info.top) {
    const bar = el('div', { class: 'bar' });
    bar.style.width = Math.max(1, Math.round(100 * c.p)) + '%';
    const tr = el('tr', { class: c.id === info.id ? 'chosen' : '' },
      el('td', {}, el('code', { text: shown(c.text) })), el('td', { text: (100 * c.p).toFixed(1) + '%' }), el('td', { style: 'width:45%' }, bar));
    table.append(tr);
  }
  box.append(table);
}

let controller = null;

async function streamSse(url, onEvent, signal) {
  const res = await fetch(url, { signal });
  if (!res.ok) {
    let msg = res.status + ' ' + res.statusText;
    try { msg = (await res.json()).error || msg; } catch (e) { /* keep the status */ }
    throw new Error(msg);
  }
  const reader = res.body.getReader();
  const dec = new TextDecoder();
  let buf = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += dec.decode(value, { stream: true });
    let i;
    while ((i = buf.indexOf('\n\n')) >= 0) {
      const block = buf.slice(0, i);
      buf = buf.slice(i + 2);
      let name = 'message', data = '';
      for (const line of block.split('\n')) {
        if (line.startsWith('event: ')) name = line.slice(7);
        else if (line.startsWith('data: ')) data += line.slice(6);
      }
      if (data) onEvent(name, JSON.parse(data));
    }
  }
}

async function generate() {
  const run = $('#pg-run').value;
  if (!run) return;
  const prompt = $('#pg-prompt').value;
  const q = new URLSearchParams({
    prompt, temperature: $('#pg-temperature').value, top_k: $('#pg-topk').value, top_p: $('#pg-topp').value,
    max_tokens: $('#pg-max').value, seed: $('#pg-seed').value, alternatives: 10,
  });
  const out = $('#pg-output');
  out.replaceChildren(el('span', { class: 'prompt', text: prompt }));
  $('#pg-legend').textContent = 'colour: the model\'s probability of each token (red unlikely, green likely); click one for its alternatives';
  window.jgpt.tokens = 0;
  controller = new AbortController();
  $('#pg-go').disabled = true; $('#pg-stop').disabled = false;
  const t0 = performance.now();
  let firstMs = null;
  $('#pg-status').textContent = 'loading the model…';
  try {
    await streamSse('/api/runs/' + encodeURIComponent(run) + '/generate?' + q, (name, d) => {
      if (name === 'start') $('#pg-status').textContent = 'generating…';
      else if (name === 'token') {
        if (firstMs === null) firstMs = performance.now() - t0;
        const title = 'p ' + (100 * d.p).toFixed(2) + '% (sampler ' + (100 * d.p_sampler).toFixed(2) + '%), rank ' + d.rank + ', entropy ' + fmt(d.entropy_bits, 3) + ' bits';
        out.append(tokenSpan(d.text === '' ? '' : d.text, probColor(d.p), { id: d.id, token: d.token, title, top: d.top }));
        window.jgpt.tokens++;
      } else if (name === 'trailing') out.append(el('span', { text: d.text }));
      else if (name === 'done') $('#pg-status').textContent = d.tokens + ' tokens, ' + d.tokens_per_s.toFixed(1) + ' tokens/s, first token after ' + Math.round(firstMs) + ' ms (' + d.reason + ')';
      else if (name === 'error') $('#pg-status').textContent = 'error: ' + d.error;
    }, controller.signal);
  } catch (e) {
    $('#pg-status').textContent = e.name === 'AbortError' ? 'stopped' : 'error: ' + e.message;
  } finally {
    $('#pg-go').disabled = false; $('#pg-stop').disabled = true;
  }
}

async function score() {
  const run = $('#pg-run').value;
  const text = $('#pg-prompt').value;
  if (!run || !text) return;
  const out = $('#pg-output');
  $('#pg-status').textContent = 'scoring…';
  try {
    const r = await getJson('/api/runs/' + encodeURIComponent(run) + '/score', {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ text, alternatives: 10 }),
    });
    out.replaceChildren();
    for (const t of r.tokens) {
      const title = t.scored ? 'surprisal ' + fmt(t.surprisal_bits, 3) + ' bits, p ' + (100 * t.p).toFixed(2) + '%, rank ' + t.rank : 'first token: no context, not scored';
      out.append(tokenSpan(t.text, t.scored ? surprisalColor(t.surprisal_bits) : '#eee', { id: t.id, token: t.text, title, top: t.top }));
    }
    $('#pg-legend').textContent = 'colour: surprisal, -log2 p (green expected, red 10 bits or more)';
    $('#pg-status').textContent = r.scored_tokens + ' tokens scored: ' + fmt(r.bits_per_byte, 3) + ' bits/byte, perplexity ' + fmt(r.perplexity, 4);
  } catch (e) {
    $('#pg-status').textContent = 'error: ' + e.message;
  }
}

$('#pg-go').addEventListener('click', () => (mode() === 'score' ? score() : generate()));
$('#pg-stop').addEventListener('click', () => controller && controller.abort());
$('#pg-prompt').addEventListener('keydown', (e) => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) $('#pg-go').click(); });

refreshRuns();
setInterval(refreshRuns, 5000);
