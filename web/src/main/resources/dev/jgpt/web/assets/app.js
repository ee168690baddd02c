// jgpt serve: the dashboard (live training curves over server-sent events), the playground
// (token-by-token generation, scoring, picking alternatives) and the inside view (attention maps,
// logit lens, the model's shapes). Plain JavaScript, no build step; charts by uPlot.
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
  renderInsideRuns();
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
    box.append(el('pre', { text: r.config ? JSON.stringify(r.config, null, 2) : (r.kind === 'huggingface' ? 'a Hugging Face GPT-2 folder' + (r.model ? '\n' + JSON.stringify(r.model, null, 2) : '') : 'no configuration') }));
    if (r.samples && r.samples.length) {
      box.append(el('h3', { text: 'samples at each evaluation' }));
      for (const smp of r.samples.slice().reverse()) {
        box.append(el('p', { class: 'small muted', text: 'step ' + smp.step }));
        box.append(el('pre', { class: 'sample', text: smp.text }));
      }
    }
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
  box.replaceChildren(el('h2', { text: 'token "' + info.shown + '"' }), el('p', { class: 'small', text: info.title }));
  if (!info.top || info.top.length === 0) { box.append(el('p', { class: 'muted small', text: 'no alternatives (the first token has no context)' })); return; }
  const canPick = info.index !== undefined && pg.run !== null;
  const table = el('table', { id: 'alt-table' });
  table.append(el('thead', {}, el('tr', {}, el('th', { text: 'token' }), el('th', { text: 'model', title: 'the model\'s probability (softmax of its logits)' }),
    el('th', { text: 'sampler', title: 'after temperature, top-k and top-p: what the draw used' }), el('th'), canPick ? el('th') : '')));
  const rows = el('tbody');
  for (const c of info.top) {
    const bar = el('div', { class: 'bar' });
    bar.style.width = Math.max(1, Math.round(100 * c.p)) + '%';
    const tr = el('tr', { class: c.id === info.id ? 'chosen' : '' },
      el('td', {}, el('code', { text: c.shown })), el('td', { class: 'num', text: (100 * c.p).toFixed(1) + '%' }),
      el('td', { class: 'num', text: c.p_sampler === undefined || c.p_sampler === null ? '–' : (100 * c.p_sampler).toFixed(1) + '%' }),
      el('td', { style: 'width:35%' }, bar));
    if (canPick) {
      const b = el('button', { class: 'pick', title: 'put this token here and generate on from it', text: c.id === info.id ? 'again' : 'pick' });
      b.addEventListener('click', () => pick(info.index, c, info));
      tr.append(el('td', {}, b));
    }
    rows.append(tr);
  }
  table.append(rows);
  box.append(table);
  if (canPick) box.append(el('p', { class: 'muted small', text: 'model: the model\'s probability; sampler: after temperature, top-k and top-p. Pick one to continue from it (the REPL\'s :pick).' }));
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

// The generation on show: its run, the context it started from (token ids) and each token drawn,
// so a picked alternative can continue from any point, and the inside view can read the same ids.
const pg = { run: null, promptText: '', promptIds: null, tokens: [] };

async function generate() {
  const run = $('#pg-run').value;
  if (!run) return;
  const prompt = $('#pg-prompt').value;
  const out = $('#pg-output');
  out.replaceChildren(el('span', { class: 'prompt', text: prompt }));
  Object.assign(pg, { run, promptText: prompt, promptIds: null, tokens: [] });
  await stream(run, { prompt }, parseInt($('#pg-max').value, 10) || 1);
}

// Puts candidate c at generated position i and generates on from there (the REPL's :pick).
async function pick(i, c, info) {
  if (!pg.promptIds || controller) return;
  for (const t of pg.tokens.slice(i)) t.span.remove();
  for (const o of [...$('#pg-output').children]) if (o.classList.contains('trailing')) o.remove();
  pg.tokens.length = i;
  const title = 'picked: p ' + (100 * c.p).toFixed(2) + '% (sampler ' + (100 * (c.p_sampler || 0)).toFixed(2) + '%)';
  addToken({ id: c.id, text: c.text, token: c.text, shown: c.shown, title, top: info.top, p: c.p }, 'picked');
  window.jgpt.picks = (window.jgpt.picks || 0) + 1;
  const context = pg.promptIds.concat(pg.tokens.map((t) => t.id));
  const left = (parseInt($('#pg-max').value, 10) || 1) - pg.tokens.length;
  if (left < 1) { $('#pg-status').textContent = 'picked; max tokens reached'; return; }
  await stream(pg.run, { context: context.join(',') }, left);
}

function addToken(d, extraClass) {
  const index = pg.tokens.length;
  const info = { id: d.id, token: d.token, shown: d.shown, title: d.title, top: d.top, index };
  const span = tokenSpan(d.text, probColor(d.p), info);
  if (extraClass) span.classList.add(extraClass);
  $('#pg-output').append(span);
  pg.tokens.push({ id: d.id, text: d.text, span });
  window.jgpt.tokens = pg.tokens.length;
}

async function stream(run, from, maxTokens) {
  const q = new URLSearchParams({
    ...from, temperature: $('#pg-temperature').value, top_k: $('#pg-topk').value, top_p: $('#pg-topp').value,
    max_tokens: maxTokens, seed: $('#pg-seed').value, alternatives: 10,
  });
  const out = $('#pg-output');
  $('#pg-legend').textContent = 'colour: the model\'s probability of each token (red unlikely, green likely); click one for its alternatives, and pick one to continue from it';
  controller = new AbortController();
  $('#pg-go').disabled = true; $('#pg-stop').disabled = false;
  const t0 = performance.now();
  let firstMs = null;
  $('#pg-status').textContent = 'loading the model…';
  try {
    await streamSse('/api/runs/' + encodeURIComponent(run) + '/generate?' + q, (name, d) => {
      if (name === 'start') {
        $('#pg-status').textContent = 'generating…';
        if (pg.promptIds === null) pg.promptIds = d.context_ids;
      } else if (name === 'token') {
        if (firstMs === null) firstMs = performance.now() - t0;
        const title = 'p ' + (100 * d.p).toFixed(2) + '% (sampler ' + (100 * d.p_sampler).toFixed(2) + '%), rank ' + d.rank + ', entropy ' + fmt(d.entropy_bits, 3) + ' bits';
        addToken({ id: d.id, text: d.text, token: d.token, shown: d.shown, title, top: d.top, p: d.p });
      } else if (name === 'trailing') out.append(el('span', { class: 'trailing', text: d.text }));
      else if (name === 'done') $('#pg-status').textContent = d.tokens + ' tokens, ' + d.tokens_per_s.toFixed(1) + ' tokens/s, first token after ' + Math.round(firstMs) + ' ms (' + d.reason + ')';
      else if (name === 'error') $('#pg-status').textContent = 'error: ' + d.error;
    }, controller.signal);
  } catch (e) {
    $('#pg-status').textContent = e.name === 'AbortError' ? 'stopped' : 'error: ' + e.message;
  } finally {
    controller = null;
    $('#pg-go').disabled = false; $('#pg-stop').disabled = true;
  }
}

async function score() {
  const run = $('#pg-run').value;
  const text = $('#pg-prompt').value;
  if (!run || !text) return;
  pg.scoredRun = run;
  const out = $('#pg-output');
  $('#pg-status').textContent = 'scoring…';
  try {
    const r = await getJson('/api/runs/' + encodeURIComponent(run) + '/score', {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ text, alternatives: 10 }),
    });
    out.replaceChildren();
    Object.assign(pg, { run: null, promptText: text, promptIds: null, tokens: [] });
    for (const t of r.tokens) {
      const title = t.scored ? 'surprisal ' + fmt(t.surprisal_bits, 3) + ' bits, p ' + (100 * t.p).toFixed(2) + '%, rank ' + t.rank : 'first token: no context, not scored';
      out.append(tokenSpan(t.text, t.scored ? surprisalColor(t.surprisal_bits) : '#eee', { id: t.id, token: t.text, shown: t.shown, title, top: t.top }));
    }
    $('#pg-legend').textContent = 'colour: surprisal, -log2 p (green expected, red 10 bits or more)';
    $('#pg-status').textContent = r.scored_tokens + ' tokens scored: ' + fmt(r.bits_per_byte, 3) + ' bits/byte, perplexity ' + fmt(r.perplexity, 4);
  } catch (e) {
    $('#pg-status').textContent = 'error: ' + e.message;
  }
}

// ------------------------------------------------------------------ inside view

// What the last look inside returned, and which head is enlarged.
const ins = { run: null, body: null, data: null, layer: 0, head: 0 };

function renderInsideRuns() {
  const sel = $('#in-run');
  const current = sel.value || $('#pg-run').value;
  sel.replaceChildren();
  for (const r of runs.values()) {
    if (!r.has_model) continue;
    sel.append(el('option', { value: r.name, text: r.name + (r.step !== undefined ? ' (step ' + r.step + ')' : '') }));
  }
  if ([...sel.options].some((o) => o.value === current)) sel.value = current;
  if (sel.options.length === 0) sel.append(el('option', { value: '', text: 'no trained model yet' }));
}

function showView(name) { document.getElementById('tab-' + name).click(); }

// The playground's text as the model saw it: its token ids when it generated, else the text.
function playgroundText() {
  const text = pg.promptText + pg.tokens.map((t) => t.text).join('');
  const ids = pg.promptIds ? pg.promptIds.concat(pg.tokens.map((t) => t.id)) : null;
  return { text: text || $('#pg-prompt').value, ids };
}

function fromPlayground() {
  const p = playgroundText();
  $('#in-text').value = p.text;
  ins.ids = p.ids;
  const run = pg.run || pg.scoredRun || $('#pg-run').value;
  if ([...$('#in-run').options].some((o) => o.value === run)) $('#in-run').value = run;
}

$('#in-text').addEventListener('input', () => { ins.ids = null; }); // typed: send the text
$('#in-from-pg').addEventListener('click', () => { fromPlayground(); inspect(); });
$('#pg-inside').addEventListener('click', () => { fromPlayground(); showView('inside'); inspect(); });
$('#in-go').addEventListener('click', () => inspect());

async function inspect(position) {
  const run = $('#in-run').value;
  const text = $('#in-text').value;
  if (!run || (!text && !ins.ids)) { $('#in-status').textContent = 'type a text, or take the playground\'s'; return; }
  const body = ins.ids ? { tokens: ins.ids } : { text };
  body.last_window = true;
  if (position !== undefined) body.position = position;
  $('#in-status').textContent = 'running the model…';
  const t0 = performance.now();
  try {
    const d = await postJson('/api/runs/' + encodeURIComponent(run) + '/inspect', body);
    Object.assign(ins, { run, body, data: d });
    if (position === undefined) { ins.layer = 0; ins.head = 0; }
    $('#in-status').textContent = d.tokens.length + ' tokens' + (d.dropped_tokens ? ' (the last ' + d.tokens.length + ': the model sees at most ' + d.model.block_size + ')' : '')
      + ', ' + d.model.n_layer + ' layers x ' + d.model.n_head + ' heads, ' + Math.round(performance.now() - t0) + ' ms';
    drawDiagram(d.model, d.tokens.length);
    drawTokens(d);
    drawGrid(d);
    await drawHead(ins.layer, ins.head);
    drawLens(d);
    window.jgpt.inspections = (window.jgpt.inspections || 0) + 1;
  } catch (e) {
    $('#in-status').textContent = 'error: ' + e.message;
  }
}

async function postJson(url, body) {
  return getJson(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
}

function drawTokens(d) {
  const box = $('#in-tokens');
  box.replaceChildren();
  d.tokens.forEach((t, i) => {
    const s = el('span', { class: 'tok' + (i === d.lens.position ? ' lens-at' : ''), text: visible(t.text), title: 'position ' + i + ', token ' + t.id });
    s.addEventListener('click', () => inspect(i));
    box.append(s);
  });
}

// a token as a label: as the server renders it (escaped, a piece of a character as its bytes), a space as ␣
// (a label of spaces would be invisible)
const label = (shown) => shown.replace(/ /g, '␣');

// attention weight in [0, 1] -> white .. deep blue; a future key (masked) -> light grey
const MASKED = [238, 240, 244];
function heat(w) {
  const a = Math.sqrt(Math.max(0, Math.min(1, w))); // sqrt: small weights stay visible
  return [Math.round(255 - a * (255 - 22)), Math.round(255 - a * (255 - 58)), Math.round(255 - a * (255 - 150))];
}

function paint(canvas, rows, causal) {
  const n = rows.length;
  canvas.width = n; canvas.height = n;
  const ctx = canvas.getContext('2d');
  const img = ctx.createImageData(n, n);
  for (let q = 0; q < n; q++) {
    for (let k = 0; k < n; k++) {
      const c = causal && k > q ? MASKED : heat(rows[q][k]);
      const o = 4 * (q * n + k);
      img.data[o] = c[0]; img.data[o + 1] = c[1]; img.data[o + 2] = c[2]; img.data[o + 3] = 255;
    }
  }
  ctx.putImageData(img, 0, 0);
}

function headRows(d, l, h) {
  return d.attention ? d.attention[l][h] : d.attention_thumbs[l][h];
}

function drawGrid(d) {
  const grid = $('#in-grid');
  grid.replaceChildren();
  const H = d.model.n_head;
  grid.style.gridTemplateColumns = 'auto repeat(' + H + ', 86px)';
  for (let l = 0; l < d.model.n_layer; l++) {
    grid.append(el('span', { class: 'row-label', text: 'layer ' + (l + 1) }));
    for (let h = 0; h < H; h++) {
      const c = el('canvas', { 'data-layer': l, 'data-head': h });
      paint(c, headRows(d, l, h), true);
      const f = el('figure', { class: l === ins.layer && h === ins.head ? 'active' : '' }, c, el('figcaption', { text: 'head ' + (h + 1) }));
      f.addEventListener('click', () => {
        for (const o of grid.querySelectorAll('figure.active')) o.classList.remove('active');
        f.classList.add('active');
        drawHead(l, h);
      });
      grid.append(f);
    }
  }
  $('#in-grid-note').textContent = d.attention ? '' : d.attention_note;
}

// One head large: an HTML table with token labels up to 128 tokens, a canvas beyond.
async function drawHead(l, h) {
  ins.layer = l; ins.head = h;
  const d = ins.data;
  let rows = d.attention ? d.attention[l][h] : null;
  if (!rows) {
    const one = await postJson('/api/runs/' + encodeURIComponent(ins.run) + '/inspect', { ...ins.body, layer: l, head: h });
    rows = one.head_map.rows;
  }
  const box = $('#in-head');
  const n = rows.length;
  const toks = d.tokens.map((t) => label(t.shown));
  box.replaceChildren(el('h2', { text: 'layer ' + (l + 1) + ', head ' + (h + 1) + ': rows are query tokens, columns the key tokens they attend to (each row sums to 1)' }));
  if (n <= 128) {
    const table = el('table', { class: 'heatmap', id: 'in-heatmap', 'data-layer': l, 'data-head': h });
    const head = el('tr', {}, el('th'));
    for (let k = 0; k < n; k++) head.append(el('th', { text: toks[k] }));
    table.append(el('thead', {}, head));
    const body = el('tbody');
    for (let q = 0; q < n; q++) {
      const tr = el('tr', {}, el('th', { text: toks[q] + ' ' + q }));
      for (let k = 0; k < n; k++) {
        const td = el('td');
        if (k > q) td.className = 'masked';
        else {
          const c = heat(rows[q][k]);
          td.style.background = 'rgb(' + c.join(',') + ')';
          td.title = '"' + toks[q] + '" (' + q + ') → "' + toks[k] + '" (' + k + '): ' + (100 * rows[q][k]).toFixed(1) + '%';
        }
        tr.append(td);
      }
      body.append(tr);
    }
    table.append(body);
    box.append(table);
  } else {
    const c = el('canvas', { class: 'heatmap-large', id: 'in-heatmap', 'data-rows': n });
    paint(c, rows, true);
    const size = Math.min(900, Math.max(n, 512));
    c.style.width = size + 'px'; c.style.height = size + 'px';
    const readout = el('p', { class: 'small muted', text: 'point at a cell for its query, key and weight' });
    c.addEventListener('mousemove', (e) => {
      const r = c.getBoundingClientRect();
      const q = Math.floor((e.clientY - r.top) / r.height * n), k = Math.floor((e.clientX - r.left) / r.width * n);
      if (q >= 0 && q < n && k >= 0 && k < n) readout.textContent = '"' + toks[q] + '" (' + q + ') → "' + toks[k] + '" (' + k + '): ' + (k > q ? 'cannot see (future)' : (100 * rows[q][k]).toFixed(2) + '%');
    });
    box.append(readout, c);
  }
}

function drawLens(d) {
  const L = d.lens;
  const box = $('#in-lens');
  const at = d.tokens[L.position];
  box.replaceChildren(el('p', { class: 'small', text: 'after position ' + L.position + ' "' + at.shown + '" the model predicts "' + L.predicted.shown + '" (' + (100 * L.predicted.p).toFixed(1) + '%). Rank: where that token stands at each depth (1 = already the top).' }));
  const table = el('table', { class: 'lens', id: 'in-lens-table' });
  table.append(el('thead', {}, el('tr', {}, el('th', { text: 'depth' }), el('th', { text: 'top next tokens' }), el('th', { text: 'rank of "' + L.predicted.shown + '"' }))));
  const body = el('tbody');
  for (const row of L.depths) {
    const chips = el('td');
    for (const c of row.top) {
      const chip = el('span', { class: 'chip' + (c.id === L.predicted.id ? ' predicted' : ''), text: label(c.shown) + ' ' + (100 * c.p).toFixed(1) + '%' });
      chip.style.background = probColor(c.p);
      chips.append(chip);
    }
    body.append(el('tr', {}, el('td', { text: row.label }), chips, el('td', { class: 'rank', text: String(row.rank_of_predicted) })));
  }
  table.append(body);
  box.append(table);
}

// The model's shapes, from its configuration (nanoGPT's names; (out, in) as PyTorch stores them).
function drawDiagram(m, n) {
  const C = m.n_embd, V = m.vocab_size, T = m.block_size, H = m.n_head, hs = m.head_size, L = m.n_layer;
  const box = $('#in-diagram');
  const b = (html) => { const e = el('div', { class: 'box' }); e.innerHTML = html; return e; };
  const arrow = () => el('div', { class: 'arrow', text: '↓' });
  const num = (x) => Number(x).toLocaleString('en');
  const block = el('div', { class: 'block' },
    el('div', { class: 'small', text: L + ' × block' }),
    b('ln_1 <code>(' + C + ')</code>'), arrow(),
    b('attn.c_attn <code>(' + 3 * C + ', ' + C + ')</code> → q, k, v: ' + H + ' heads × ' + hs), arrow(),
    b('causal softmax(q·k / √' + hs + ') · v <code>(' + H + ', n, n)</code>'), arrow(),
    b('attn.c_proj <code>(' + C + ', ' + C + ')</code>, + residual'), arrow(),
    b('ln_2 <code>(' + C + ')</code>'), arrow(),
    b('mlp.c_fc <code>(' + 4 * C + ', ' + C + ')</code>, GELU'), arrow(),
    b('mlp.c_proj <code>(' + C + ', ' + 4 * C + ')</code>, + residual'));
  box.replaceChildren(
    b('tokens <code>(n = ' + n + ')</code>, at most ' + T),
    arrow(),
    b('wte <code>(' + V + (m.padded_vocab_size !== V ? ' → ' + m.padded_vocab_size : '') + ', ' + C + ')</code> + wpe <code>(' + T + ', ' + C + ')</code>'),
    arrow(), block, arrow(),
    b('ln_f <code>(' + C + ')</code>'), arrow(),
    b('lm_head = wte (tied) <code>(' + V + ', ' + C + ')</code> → logits <code>(' + V + ')</code>'),
    el('p', { class: 'small muted', text: num(m.parameters) + ' parameters' + (m.bias ? ', with biases' : ', no biases') }));
  box.dataset.nEmbd = C;
}

$('#pg-go').addEventListener('click', () => (mode() === 'score' ? score() : generate()));
$('#pg-stop').addEventListener('click', () => controller && controller.abort());
$('#pg-prompt').addEventListener('keydown', (e) => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) $('#pg-go').click(); });

refreshRuns();
setInterval(refreshRuns, 5000);
