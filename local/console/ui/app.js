// The local dashboard: plain DOM code over the runtime's /ui/api endpoints and the job API itself.
// Everything a job or message carries is put in with textContent, never as HTML.

const COLORS = ['#2563eb', '#16a34a', '#dc2626', '#9333ea', '#ea580c', '#0891b2'];
const $ = (selector) => document.querySelector(selector);
const state = { status: '', types: [], selectedJob: undefined };

async function api(path, init) {
  const res = await fetch(path, init);
  const body = await res.json().catch(() => ({}));
  if (!res.ok) {
    // A validation error names each field's problem in its details; show them with the message.
    const details = Array.isArray(body.error?.details) ? body.error.details.map((d) => ` ${d.path}: ${d.message}`) : [];
    throw new Error(`${body.error?.message ?? body.message ?? res.status}${details.join(';')}`);
  }
  return body;
}

function el(tag, { dataset = {}, ...props } = {}, ...children) {
  const node = document.createElement(tag);
  Object.assign(node, props);
  // dataset is read-only as a whole; its entries are not.
  Object.assign(node.dataset, dataset);
  for (const child of children) node.append(child);
  return node;
}

function cell(text, className = '') {
  return el('td', { textContent: text === undefined || text === null ? '—' : String(text), className });
}

function age(seconds) {
  if (seconds === null || seconds === undefined) return '—';
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

function time(iso) {
  return iso ? new Date(iso).toLocaleTimeString() : '—';
}

function fillTypeSelect(select) {
  const current = select.value;
  select.replaceChildren(...state.types.map((t) => el('option', { value: t, textContent: t })));
  if (state.types.includes(current)) select.value = current;
}

async function refreshOverview() {
  const data = await api('/ui/api/overview');
  $('#meta').textContent = `stack ${data.stackName} · ${data.region} · ${data.url} · updated ${time(data.at)}`;
  const rows = data.queues.map((q) =>
    el(
      'tr',
      { dataset: { type: q.type } },
      cell(q.type, 'mono'),
      cell(q.visible, 'num visible'),
      cell(q.inFlight, 'num in-flight'),
      cell(q.delayed, 'num delayed'),
      cell(q.dlq, `num dlq-count${q.dlq ? ' nonzero' : ''}`),
      cell(age(q.oldestAgeSeconds), 'num oldest'),
      cell(q.jobsPerSecond.toFixed(1), 'num rate'),
    ),
  );
  $('#queues tbody').replaceChildren(...rows);
  const types = data.queues.map((q) => q.type);
  if (types.join() !== state.types.join()) {
    state.types = types;
    fillTypeSelect($('#dlq-type'));
    fillTypeSelect($('#submit-type'));
  }
}

async function refreshThroughput() {
  const data = await api('/ui/api/throughput?minutes=10&step=5');
  const svg = $('#throughput');
  const W = 900;
  const H = 200;
  const pad = { l: 40, r: 8, t: 10, b: 20 };
  const max = Math.max(1, ...data.series.flatMap((s) => s.points));
  const n = data.series[0]?.points.length ?? 1;
  const x = (i) => pad.l + (i / Math.max(1, n - 1)) * (W - pad.l - pad.r);
  const y = (v) => H - pad.b - (v / max) * (H - pad.t - pad.b);
  const ns = 'http://www.w3.org/2000/svg';
  const make = (tag, attrs, text) => {
    const node = document.createElementNS(ns, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
    if (text !== undefined) node.textContent = text;
    return node;
  };
  const nodes = [];
  for (const frac of [0, 0.5, 1]) {
    nodes.push(make('line', { x1: pad.l, x2: W - pad.r, y1: y(max * frac), y2: y(max * frac), stroke: '#e5e7eb' }));
    nodes.push(make('text', { x: 4, y: y(max * frac) + 4 }, (max * frac).toFixed(max * frac < 10 ? 1 : 0)));
  }
  nodes.push(make('text', { x: pad.l, y: H - 4 }, '10 min ago'));
  nodes.push(make('text', { x: W - pad.r - 24, y: H - 4 }, 'now'));
  data.series.forEach((s, i) => {
    const d = s.points.map((v, j) => `${j ? 'L' : 'M'}${x(j).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
    nodes.push(
      make('path', { d, fill: 'none', stroke: COLORS[i % COLORS.length], 'stroke-width': 2, 'data-type': s.type }),
    );
  });
  svg.replaceChildren(...nodes);
  $('#legend').replaceChildren(
    ...data.series.map((s, i) => {
      const total = s.points.reduce((a, b) => a + b, 0) * data.stepSeconds;
      const span = el('span', { textContent: `${s.type} (${Math.round(total)} in 10 min)` });
      span.style.setProperty('--c', COLORS[i % COLORS.length]);
      return span;
    }),
  );
}

async function refreshJobs() {
  const query = state.status ? `?status=${state.status}&limit=25` : '?limit=25';
  const data = await api(`/ui/api/jobs${query}`);
  const rows = data.jobs.map((j) => {
    const status = el('span', { className: `status ${j.status}`, textContent: j.status });
    const row = el(
      'tr',
      { className: 'clickable', dataset: { jobId: j.jobId, status: j.status } },
      cell(j.jobId, 'mono'),
      cell(j.type, 'mono'),
      el('td', {}, status),
      cell(j.attempts, 'num'),
      cell(time(j.updatedAt)),
    );
    row.addEventListener('click', () => showJob(j.jobId));
    return row;
  });
  $('#jobs tbody').replaceChildren(...rows);
  $('#jobs-note').textContent = data.jobs.length
    ? `${data.jobs.length} shown, newest first${data.truncated ? ` (of the first ${data.scanned} scanned)` : ''}`
    : 'No jobs yet.';
}

async function showJob(jobId) {
  state.selectedJob = jobId;
  $('#lookup-id').value = jobId;
  $('#cancel-result').textContent = '';
  await refreshDetail();
}

/** Reads the job shown again: its status and progress move while it runs. */
async function refreshDetail() {
  const jobId = state.selectedJob;
  if (!jobId) return;
  try {
    const job = await api(`/ui/api/jobs/${encodeURIComponent(jobId)}`);
    $('#detail').textContent = JSON.stringify(job, null, 2);
    $('#detail').className = '';
    showProgress(job.progress);
    $('#cancel-job').hidden = !['queued', 'retrying', 'running'].includes(job.status);
  } catch (error) {
    $('#detail').textContent = error.message;
    $('#detail').className = 'muted';
    showProgress(undefined);
    $('#cancel-job').hidden = true;
  }
}

/** A bar for a numeric progress (0 to 100), the JSON of an object one; nothing without progress. */
function showProgress(progress) {
  $('#job-progress').hidden = progress === undefined;
  if (progress === undefined) return;
  const numeric = typeof progress === 'number';
  $('#progress-bar').hidden = !numeric;
  if (numeric) $('#progress-bar').value = Math.max(0, Math.min(100, progress));
  $('#progress-text').textContent = numeric ? `${progress}%` : JSON.stringify(progress);
}

/** Cancels the job shown through the API itself, as any client would. */
async function cancelJob() {
  const jobId = state.selectedJob;
  if (!jobId) return;
  const res = await fetch(`/jobs/${encodeURIComponent(jobId)}/cancel`, { method: 'POST' });
  const body = await res.json();
  $('#cancel-result').textContent =
    res.status === 200
      ? 'cancelled'
      : res.status === 202
        ? 'running: asked to stop'
        : `HTTP ${res.status}: ${body.error?.message ?? body.message}`;
  await Promise.allSettled([refreshDetail(), refreshJobs()]);
}

async function refreshDlq() {
  const type = $('#dlq-type').value;
  if (!type) return;
  const data = await api(`/ui/api/dlq/${encodeURIComponent(type)}`);
  const rows = data.messages.map((m) => {
    const row = el(
      'tr',
      { className: m.jobId ? 'clickable' : '', dataset: { jobId: m.jobId ?? '' } },
      cell(m.jobId, 'mono'),
      cell(m.errorCode ? `${m.errorCode}: ${m.errorMessage ?? ''}` : '(moved by SQS after its last receive)'),
      cell(m.attempt, 'num'),
      cell(time(m.failedAt ?? m.sentAt)),
    );
    if (m.jobId) row.addEventListener('click', () => showJob(m.jobId));
    return row;
  });
  $('#dlq tbody').replaceChildren(...rows);
  $('#redrive').disabled = rows.length === 0;
}

async function redriveDlq() {
  const type = $('#dlq-type').value;
  $('#redrive').disabled = true;
  $('#redrive-result').textContent = 'redriving…';
  try {
    const r = await api(`/ui/api/dlq/${encodeURIComponent(type)}/redrive`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    $('#redrive-result').textContent =
      r.method === 'manual'
        ? `moved ${r.moved} by hand (no StartMessageMoveTask locally); ${r.requeued} jobs back to queued`
        : `move task ${r.taskHandle ?? ''} started; ${r.requeued} jobs back to queued`;
  } catch (error) {
    $('#redrive-result').textContent = `redrive failed: ${error.message}`;
  }
  await Promise.allSettled([refreshDlq(), refreshOverview(), refreshJobs()]);
}

async function submitJobs(event) {
  event.preventDefault();
  let payload;
  try {
    payload = JSON.parse($('#submit-payload').value || '{}');
  } catch {
    $('#submit-result').textContent = 'The payload is not JSON.';
    return;
  }
  const count = Math.max(1, Math.min(100, Number($('#submit-count').value) || 1));
  const jobs = Array.from({ length: count }, () => ({ type: $('#submit-type').value, payload }));
  const res = await fetch('/jobs/batch', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jobs }),
  });
  const body = await res.json();
  $('#submit-result').textContent =
    res.status === 202
      ? `accepted ${body.accepted}, rejected ${body.rejected}${body.rejected ? `: ${body.results.find((r) => r.error)?.error.message}` : ''}`
      : `HTTP ${res.status}: ${body.error?.message ?? body.message}`;
  await Promise.allSettled([refreshOverview(), refreshJobs()]);
}

function deliveryText(d) {
  const mark = d.status === 'delivered' ? '✓' : d.status === 'failed' ? '✗' : '…';
  return `${mark} ${d.rule} → ${d.target}${d.error ? ` (${d.error})` : ''}`;
}

async function refreshEvents() {
  const data = await api('/ui/api/events?limit=25');
  const rows = data.events.reverse().map((e) => {
    const detail = e.event.detail ?? {};
    const jobId = typeof detail.jobId === 'string' ? detail.jobId : undefined;
    const job = jobId ? `${detail.type ?? ''} ${jobId}` : e.event.source;
    const delivered = e.deliveries.length ? e.deliveries.map(deliveryText).join('\n') : 'no rule matched';
    const row = el(
      'tr',
      { className: jobId ? 'clickable' : '', dataset: { jobId: jobId ?? '', detailType: e.event['detail-type'] } },
      cell(time(e.event.time)),
      cell(e.event['detail-type']),
      cell(job, 'mono'),
      cell(detail.attempts, 'num'),
      cell(delivered, 'deliveries'),
    );
    if (jobId) row.addEventListener('click', () => showJob(jobId));
    return row;
  });
  $('#events tbody').replaceChildren(...rows);
  $('#events-note').textContent = rows.length ? '' : 'No events yet: they appear as jobs finish.';
}

const json = (body) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

/** The job, polled through the API (whose view has the thumbnails' download URLs) until it ends. */
async function settledJob(jobId, onStatus) {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const job = await api(`/jobs/${encodeURIComponent(jobId)}`);
    onStatus(job);
    if (job.status === 'succeeded' || job.status === 'failed' || Date.now() > deadline) return job;
    await new Promise((resolve) => setTimeout(resolve, 400));
  }
}

/** S3's error answer, in XML, as one line: its code and message. */
function s3Error(status, xml) {
  const pick = (tag) => new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml)?.[1] ?? '';
  return `S3 answered ${status}: ${pick('Code')} ${pick('Message')}`.trim();
}

/** The Images panel: POST /uploads, the file straight to S3 with the presigned form, the job, its thumbnails. */
async function makeThumbnails(event) {
  event.preventDefault();
  const say = (text) => {
    $('#image-status').textContent = text;
  };
  const file = $('#image-file').files[0];
  if (!file) return say('Pick an image first.');
  const widths = $('#image-widths')
    .value.split(',')
    .map((w) => Number(w.trim()))
    .filter((w) => w > 0);
  $('#image-thumbnails').replaceChildren();
  try {
    say('asking the API for an upload URL…');
    const upload = await api('/uploads', json({ contentType: file.type, contentLength: file.size }));
    say(`uploading ${file.name} (${file.size} bytes) straight to the bucket…`);
    const form = new FormData();
    for (const [name, value] of Object.entries(upload.fields)) form.append(name, value);
    form.append('file', file);
    const sent = await fetch(upload.url, { method: 'POST', body: form });
    if (!sent.ok) throw new Error(s3Error(sent.status, await sent.text()));
    const payload = {
      key: upload.key,
      widths,
      format: $('#image-format').value,
      watermark: $('#image-watermark').checked,
    };
    const { jobId } = await api('/jobs', json({ type: 'image.thumbnail', payload }));
    const job = await settledJob(jobId, (j) => say(`job ${jobId}: ${j.status}, attempt ${j.attempts}`));
    if (job.status !== 'succeeded')
      return say(`job ${jobId}: ${job.status}${job.error ? ` (${job.error.code}: ${job.error.message})` : ''}`);
    say(
      `job ${jobId}: succeeded; ${job.result.thumbnails.length} thumbnails of a ${job.result.source.width} x ${job.result.source.height} ${job.result.source.format}`,
    );
    $('#image-thumbnails').replaceChildren(
      ...job.result.thumbnails.map((t) =>
        el(
          'figure',
          { dataset: { width: String(t.width) } },
          el('img', { src: t.url, alt: `${t.width} px thumbnail` }),
          el('figcaption', { textContent: `${t.width} x ${t.height} ${t.format}` }),
        ),
      ),
    );
  } catch (error) {
    say(error.message);
  }
  await Promise.allSettled([refreshOverview(), refreshJobs()]);
}

function every(ms, fn) {
  const run = () =>
    fn()
      .catch((error) => {
        $('#meta').textContent = `not reachable: ${error.message}`;
      })
      .finally(() => setTimeout(run, ms));
  run();
}

$('#status-filter').addEventListener('click', (event) => {
  const button = event.target.closest('button');
  if (!button) return;
  state.status = button.dataset.status;
  for (const b of $('#status-filter').querySelectorAll('button')) b.classList.toggle('active', b === button);
  refreshJobs();
});
$('#lookup').addEventListener('submit', (event) => {
  event.preventDefault();
  const id = $('#lookup-id').value.trim();
  if (id) showJob(id);
});
$('#dlq-type').addEventListener('change', () => refreshDlq());
$('#redrive').addEventListener('click', () => redriveDlq());
$('#submit').addEventListener('submit', submitJobs);
$('#cancel-job').addEventListener('click', () => cancelJob());
$('#images').addEventListener('submit', makeThumbnails);

every(1000, refreshOverview);
every(2000, refreshThroughput);
every(1500, refreshJobs);
every(2000, refreshDlq);
// The job shown follows its progress and status.
every(1000, refreshDetail);
every(1500, refreshEvents);
