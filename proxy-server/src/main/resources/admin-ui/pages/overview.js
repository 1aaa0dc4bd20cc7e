// The last hour from the metrics: GET /admin/metrics/summary (deltas of the Prometheus counters).
import { api, ApiError } from '../api.js';
import { h, note, replace, fmtNumber, fmtSeconds, fmtUsd, fmtTime } from '../dom.js';
import { handleError } from '../app.js';

function card(id, title, value, detail) {
  return h('div', { class: 'card', id },
    h('div', { class: 'card-title' }, title),
    h('div', { class: 'card-value' }, value),
    detail ? h('div', { class: 'card-detail' }, detail) : null);
}

function minutes(seconds) {
  return seconds >= 3590 ? 'the last hour' : `the last ${Math.max(1, Math.round(seconds / 60))} min (since start)`;
}

/** The pending refresh: one at a time, dropped when the tab leaves the overview or signs out. */
let timer = null;

function refreshLater(main) {
  clearTimeout(timer);
  timer = setTimeout(() => {
    if (main.dataset.page === 'overview' && !main.hidden) render(main).catch((e) => handleError(e, main));
  }, 10_000);
}

export async function render(main) {
  clearTimeout(timer);
  let s;
  try {
    s = await api('GET', '/admin/metrics/summary?window_seconds=3600');
  } catch (e) {
    if (e instanceof ApiError && e.code === 'metrics_disabled') {
      replace(main, h('h1', null, 'Overview'),
        note('info', 'Metrics are off (metrics.enabled: false): there is no overview to show. The request log and the other pages still work.'));
      return;
    }
    throw e;
  }
  const errorRate = s.requests ? ` (${((100 * s.errors) / s.requests).toFixed(1)}%)` : '';
  const refresh = h('button', { type: 'button', onclick: () => render(main).catch((e) => handleError(e, main)) }, 'Refresh');
  replace(main,
    h('div', { class: 'page-head' }, h('h1', null, 'Overview'), refresh),
    h('p', { class: 'muted', id: 'overview-window' },
      `Model API traffic (/v1/…) over ${minutes(s.covered_seconds)}, ${fmtTime(s.from)} to ${fmtTime(s.to)}.`),
    h('div', { class: 'cards' },
      card('ov-requests', 'Requests', fmtNumber(s.requests)),
      card('ov-errors', 'Errors', `${fmtNumber(s.errors)}${errorRate}`, 'status 400 and above'),
      card('ov-latency', 'Latency p50 / p99', `${fmtSeconds(s.latency_p50_seconds)} / ${fmtSeconds(s.latency_p99_seconds)}`,
        'request read to last byte sent'),
      card('ov-overhead', 'Overhead p50 / p99', `${fmtSeconds(s.overhead_p50_seconds)} / ${fmtSeconds(s.overhead_p99_seconds)}`,
        'time spent in aigw itself'),
      card('ov-tokens', 'Tokens', fmtNumber(s.prompt_tokens + s.completion_tokens),
        `${fmtNumber(s.prompt_tokens)} prompt, ${fmtNumber(s.completion_tokens)} completion`),
      card('ov-cost', 'Cost', fmtUsd(s.cost_usd), 'by the configured prices')),
    h('p', { class: 'muted' },
      `Refreshed every 10 s. Quantiles are estimated from histogram buckets; the history is sampled every ${s.sample_interval_seconds} s.`));
  refreshLater(main);
}
