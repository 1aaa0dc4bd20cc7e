// The request log explorer: GET /admin/logs with filters; a row opens to its headers and bodies.
import { api, ApiError, query } from '../api.js';
import { h, note, pre, replace, table, fmtNumber, fmtUsd, fmtTime } from '../dom.js';
import { handleError } from '../app.js';

/** The endpoint filter: the model API by default, so the console's own admin calls stay out of the way. */
const ENDPOINTS = [
  ['/v1/', 'model API (/v1/…)'], ['', 'all, admin API too'], ['/v1/chat/completions', '/v1/chat/completions'],
  ['/v1/completions', '/v1/completions'], ['/v1/embeddings', '/v1/embeddings'], ['/v1/messages', '/v1/messages'],
  ['/v1/responses', '/v1/responses'], ['/admin/', 'admin API (/admin/…)'],
];

/** datetime-local (local time) to an ISO instant, or '' when empty. */
function instant(value) {
  if (!value) return '';
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? '' : d.toISOString();
}

/** The database keys for the picker, or null when the key store is off (404) or unreadable. */
async function keyChoices() {
  try {
    const r = await api('GET', '/admin/keys?limit=1000');
    return r.data;
  } catch (e) {
    if (e instanceof ApiError) return null;
    throw e;
  }
}

function field(label, input) {
  return h('label', { class: 'field' }, h('span', null, label), input);
}

export async function render(main) {
  const keys = await keyChoices();
  const since = h('input', { type: 'datetime-local', id: 'f-since', step: 1 });
  const until = h('input', { type: 'datetime-local', id: 'f-until', step: 1 });
  const model = h('input', { type: 'text', id: 'f-model', placeholder: 'any', size: 16 });
  const status = h('input', { type: 'number', id: 'f-status', placeholder: 'any', min: 100, max: 599 });
  const endpoint = h('select', { id: 'f-endpoint' }, ENDPOINTS.map(([v, label]) => h('option', { value: v }, label)));
  const limit = h('select', { id: 'f-limit' }, [50, 100, 500, 1000].map((n) => h('option', { value: n }, n)));
  limit.value = '100';
  const key = keys
    ? h('select', { id: 'f-key' }, h('option', { value: '' }, 'any key'),
      keys.map((k) => h('option', { value: k.id }, `${k.name} (${k.prefix})${k.revoked_at ? ', revoked' : ''}`)))
    : h('input', { type: 'text', id: 'f-key', placeholder: 'key SHA-256 (64 hex)', size: 24 });
  const results = h('div', { id: 'log-results' });
  const detail = h('div', { id: 'log-detail' });
  const form = h('form', { class: 'filters', id: 'log-filters' },
    field('Since', since), field('Until', until), field('Key', key), field('Model', model),
    field('Status', status), field('Endpoint', endpoint), field('Rows', limit), h('button', { type: 'submit' }, 'Search'));
  const search = async () => {
    replace(detail);
    replace(results, note('info', 'Loading…'));
    try {
      const q = query({
        since: instant(since.value), until: instant(until.value),
        [keys ? 'key_id' : 'key_hash']: key.value.trim(),
        model: model.value.trim(), status: status.value, endpoint_prefix: endpoint.value, limit: limit.value,
      });
      const r = await api('GET', `/admin/logs${q}`);
      showRows(results, detail, r.data);
    } catch (e) {
      if (e instanceof ApiError) replace(results, note('error', e.message));
      else handleError(e, results);
    }
  };
  form.addEventListener('submit', (ev) => { ev.preventDefault(); search(); });
  replace(main, h('div', { class: 'page-head' }, h('h1', null, 'Request log')), form, results, detail);
  await search();
}

function tokens(r) {
  if (r.total_tokens === null && r.prompt_tokens === null) return '–';
  return fmtNumber(r.total_tokens ?? (r.prompt_tokens || 0) + (r.completion_tokens || 0));
}

function showRows(results, detail, rows) {
  if (!rows.length) {
    replace(results, note('info', 'No request matches.'));
    return;
  }
  const trs = rows.map((r) => {
    const tr = h('tr', { class: `row ${r.status_code >= 400 ? 'bad' : ''}`, tabindex: 0, 'data-request-id': r.request_id },
      h('td', null, fmtTime(r.ts)),
      h('td', { class: 'num' }, r.status_code),
      h('td', null, r.model ?? '–'),
      h('td', null, r.provider ?? '–'),
      h('td', { class: 'mono' }, r.api_key_hash ? `${r.api_key_hash.slice(0, 10)}…` : '–'),
      h('td', { class: 'num' }, r.total_latency_ms === null ? '–' : `${r.total_latency_ms} ms`),
      h('td', { class: 'num' }, tokens(r)),
      h('td', { class: 'num' }, fmtUsd(r.cost_usd)),
      h('td', null, r.stream ? 'stream' : ''));
    const open = () => {
      for (const x of results.querySelectorAll('tr.selected')) x.classList.remove('selected');
      tr.classList.add('selected');
      showDetail(detail, r);
    };
    tr.addEventListener('click', open);
    tr.addEventListener('keydown', (ev) => { if (ev.key === 'Enter') open(); });
    return tr;
  });
  replace(results,
    h('p', { class: 'muted' }, `${rows.length} row${rows.length === 1 ? '' : 's'}, newest first. Click one to open it.`),
    table(['Time', 'Status', 'Model', 'Provider', 'Key', 'Latency', 'Tokens', 'Cost', ''], trs, { class: 'rows', id: 'log-table' }));
}

function section(title, ...content) {
  return h('section', { class: 'detail-part' }, h('h3', null, title), content);
}

/** A stream is stored as its assembled message: shown as text first, then the whole record. */
function responsePart(r) {
  const body = r.response_body;
  if (r.stream && body && typeof body === 'object' && ('content' in body || 'usage' in body)) {
    return section('Response (stream, assembled)',
      h('div', { class: 'message', id: 'detail-message' }, body.content ?? ''),
      body.usage ? h('p', { class: 'muted' }, `usage: ${JSON.stringify(body.usage)}`) : null,
      pre(body));
  }
  return section(`Response body${r.response_truncated ? ' (truncated)' : ''}`, pre(body));
}

function showDetail(detail, r) {
  const facts = [
    ['Request id', r.request_id], ['Log id', r.log_id], ['Time', fmtTime(r.ts)], ['Endpoint', r.endpoint],
    ['Client API', r.client_api], ['Status', r.status_code], ['Model', r.model], ['Resolved', r.model_resolved],
    ['Provider', r.provider], ['Attempts', r.attempts], ['Latency', r.total_latency_ms === null ? null : `${r.total_latency_ms} ms`],
    ['Provider latency', r.provider_latency_ms === null ? null : `${r.provider_latency_ms} ms`],
    ['Time to first token', r.ttft_ms === null ? null : `${r.ttft_ms} ms`],
    ['Tokens', `${r.prompt_tokens ?? '–'} prompt, ${r.completion_tokens ?? '–'} completion, ${r.cached_tokens ?? 0} cached`],
    ['Cost', fmtUsd(r.cost_usd)], ['Key hash', r.api_key_hash], ['Client IP', r.client_ip], ['Trace', r.trace_id],
  ];
  replace(detail,
    h('div', { class: 'page-head' }, h('h2', null, `Request ${r.request_id ?? r.log_id}`),
      h('button', { type: 'button', onclick: () => replace(detail) }, 'Close')),
    r.error ? note('error', r.error) : null,
    h('dl', { class: 'facts' }, facts.map(([k, v]) => [h('dt', null, k), h('dd', null, v ?? '–')])),
    section('Request headers', pre(r.request_headers)),
    section(`Request body (redacted)${r.request_truncated ? ' (truncated)' : ''}`, h('div', { id: 'detail-request' }, pre(r.request_body))),
    responsePart(r));
  detail.scrollIntoView({ block: 'start' });
}
