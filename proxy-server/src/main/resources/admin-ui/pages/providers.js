// Providers: GET /admin/providers; POST /admin/providers/{p}/{enable|disable|reset}, then a fresh view.
import { api, ApiError } from '../api.js';
import { h, note, replace, table, fmtNumber } from '../dom.js';
import { handleError } from '../app.js';

/** One word for the provider: disabled when every deployment is, else the worst breaker state. */
function overall(p) {
  const states = p.deployments.map((d) => d.breaker);
  if (!states.length) return 'no routes';
  if (states.every((s) => s === 'disabled')) return 'disabled';
  for (const s of ['open', 'cooling', 'half_open', 'disabled']) if (states.includes(s)) return s;
  return 'closed';
}

function ms(v) {
  return v === null || v === undefined ? '–' : `${fmtNumber(v, v < 10 ? 1 : 0)} ms`;
}

function providerCard(p, act) {
  const st = overall(p);
  const button = (action, label, cls) => h('button', {
    type: 'button', class: `small ${cls || ''}`, 'data-action': action, onclick: () => act(p.name, action),
  }, label);
  return h('section', { class: 'provider', 'data-provider': p.name },
    h('div', { class: 'page-head' },
      h('h2', null, p.name, ' ', h('span', { class: 'muted' }, `${p.type}, keys ${p.key_strategy}`)),
      h('span', { class: `badge ${st}`, 'data-role': 'provider-state' }, st),
      h('span', { class: 'actions' },
        button('disable', 'Disable', 'danger'), button('enable', 'Enable'), button('reset', 'Reset'))),
    p.deployments.length
      ? table(['Model', 'Deployment', 'Model id', 'Priority', 'Weight', 'Breaker', 'Failures', 'Cooldown left', 'EWMA TTFB', 'In flight'],
        p.deployments.map((d) => h('tr', null,
          h('td', null, d.model), h('td', { class: 'mono' }, d.deployment), h('td', null, d.model_id ?? '–'),
          h('td', { class: 'num' }, d.priority), h('td', { class: 'num' }, d.weight),
          h('td', { class: `state ${d.breaker}`, 'data-role': 'breaker' }, d.breaker),
          h('td', { class: 'num' }, d.consecutive_failures), h('td', { class: 'num' }, ms(d.cooldown_remaining_ms)),
          h('td', { class: 'num' }, ms(d.ewma_ttfb_ms)), h('td', { class: 'num' }, d.in_flight))),
        { class: 'rows' })
      : note('info', 'No model routes to this provider.'),
    p.keys.length
      ? table(['Key', 'Hash', 'State', 'Cooldown left', 'In flight', 'Removed because'],
        p.keys.map((k) => h('tr', null,
          h('td', { class: 'num' }, `#${k.index}`), h('td', { class: 'mono' }, `${k.hash.slice(0, 19)}…`),
          h('td', { class: `state ${k.state}` }, k.state), h('td', { class: 'num' }, ms(k.cooldown_remaining_ms)),
          h('td', { class: 'num' }, k.in_flight), h('td', null, k.removed_reason ?? ''))),
        { class: 'rows keys' })
      : h('p', { class: 'muted' }, 'No provider key (none configured, or the provider takes none).'));
}

export async function render(main) {
  // The config's version beside the title: which reload this view is of (a failure of it alone hides it).
  const [view, facts] = await Promise.all([
    api('GET', '/admin/providers'),
    api('GET', '/admin/config').catch((e) => (e instanceof ApiError ? null : Promise.reject(e))),
  ]);
  const message = h('div', { id: 'provider-message' });
  const act = async (name, action) => {
    try {
      await api('POST', `/admin/providers/${encodeURIComponent(name)}/${action}`);
      await render(main);
      replace(document.getElementById('provider-message'), note('ok', `${name}: ${action} done.`));
    } catch (e) {
      if (e instanceof ApiError) replace(message, note('error', e.message));
      else handleError(e, main);
    }
  };
  replace(main,
    h('div', { class: 'page-head' }, h('h1', null, 'Providers'),
      facts ? h('span', { class: 'muted', id: 'config-version' }, `config version ${facts.version}`) : null,
      h('button', { type: 'button', onclick: () => render(main).catch((e) => handleError(e, main)) }, 'Refresh')),
    h('p', { class: 'muted' }, 'Disable keeps every deployment of a provider out of routing until Enable or Reset; Enable keeps them in (breakers do not trip) until Reset; Reset hands them back to their breakers and makes every key usable again.'),
    message,
    view.providers.map((p) => providerCard(p, act)));
}
