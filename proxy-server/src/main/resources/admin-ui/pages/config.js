// Config: GET /admin/config (the running config's facts, never its content); POST /admin/config/reload,
// its answer shown (restart-only settings highlighted) or its error, then the facts again.
import { api, ApiError } from '../api.js';
import { h, note, replace, fmtNumber, fmtTime } from '../dom.js';
import { handleError } from '../app.js';

const yesNo = (b) => (b ? 'yes' : 'no');

function fact(name, label, value) {
  return [h('dt', null, label), h('dd', { 'data-fact': name }, value)];
}

function list(values) {
  return values && values.length ? values.join(', ') : 'none';
}

function factsView(f) {
  const last = f.last_reload;
  return [
    h('dl', { class: 'facts', id: 'config-facts' },
      fact('version', 'Version', fmtNumber(f.version)),
      fact('loaded_at', 'Loaded at', fmtTime(f.loaded_at)),
      fact('file', 'File', f.file ?? 'none (config given in code)'),
      fact('reload_available', 'Reload available', yesNo(f.reload_available)),
      fact('config_watch', 'Watching the file', yesNo(f.config_watch)),
      fact('counts', 'Providers / models', `${fmtNumber(f.providers)} / ${fmtNumber(f.models)}`)),
    h('h2', null, 'Last reload'),
    last
      ? h('dl', { class: 'facts', id: 'config-last-reload' },
        fact('last_at', 'At', fmtTime(last.at)),
        [h('dt', null, 'Outcome'), h('dd', null,
          h('span', { class: `badge ${last.status}`, 'data-fact': 'last_status' }, last.status))],
        fact('last_changed', 'Changed', list(last.changed)),
        [h('dt', null, 'Needs a restart'), h('dd', {
          'data-fact': 'last_restart_required', class: last.restart_required.length ? 'restart' : null,
        }, list(last.restart_required))],
        last.error ? [h('dt', null, 'Error'), h('dd', { class: 'error', 'data-fact': 'last_error' }, last.error)] : null)
      : h('p', { class: 'muted', id: 'config-last-reload' }, 'No reload since the start.'),
  ];
}

/** The reload's answer: what changed, and what only a restart applies, highlighted. */
function outcomeView(r) {
  return h('div', { class: `note ${r.restart_required.length ? 'warn' : 'ok'}`, 'data-status': r.status },
    h('p', null, h('span', { class: `badge ${r.status}` }, r.status), ' ',
      `version ${r.version}, ${r.providers} providers, ${r.models} models.`),
    h('p', null, 'Changed: ', h('span', { 'data-role': 'changed' }, list(r.changed))),
    r.restart_required.length
      ? h('p', { class: 'restart', 'data-role': 'restart-required' },
        'Changed but only applied after a restart: ', r.restart_required.join(', '))
      : null);
}

export async function render(main) {
  const facts = await api('GET', '/admin/config');
  const factsBox = h('div', { id: 'config-facts-box' }, factsView(facts));
  const result = h('div', { id: 'reload-result', 'aria-live': 'polite' });
  const refresh = async () => replace(factsBox, factsView(await api('GET', '/admin/config')));
  const reloadButton = h('button', {
    type: 'button', id: 'reload-config', class: 'primary', disabled: !facts.reload_available,
    onclick: async () => {
      reloadButton.disabled = true;
      replace(result, note('info', 'Reloading…'));
      try {
        replace(result, outcomeView(await api('POST', '/admin/config/reload')));
      } catch (e) {
        if (!(e instanceof ApiError)) {
          handleError(e, main);
          return;
        }
        replace(result, h('div', { class: 'note error', role: 'alert', 'data-status': 'failed' }, e.message));
      } finally {
        reloadButton.disabled = false;
      }
      await refresh().catch((e) => handleError(e, main));
    },
  }, 'Reload config');
  replace(main,
    h('div', { class: 'page-head' }, h('h1', null, 'Config'),
      h('span', { class: 'actions' },
        h('button', { type: 'button', onclick: () => refresh().catch((e) => handleError(e, main)) }, 'Refresh'),
        reloadButton)),
    h('p', { class: 'muted' }, facts.reload_available
      ? 'Reload reads the config file again and applies it live; an invalid file changes nothing. Settings that need a restart are named, not applied.'
      : 'This gateway was not started from a config file, so there is nothing to reload.'),
    result,
    factsBox);
}
