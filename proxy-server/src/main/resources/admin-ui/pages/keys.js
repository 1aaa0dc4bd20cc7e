// Client keys: GET/POST /admin/keys, GET/PATCH/DELETE /admin/keys/{id}, POST /admin/keys/{id}/rotate.
import { api, ApiError } from '../api.js';
import { h, note, replace, table, fmtNumber, fmtUsd, fmtTime } from '../dom.js';
import { handleError } from '../app.js';

const PERIODS = ['daily', 'weekly', 'monthly', 'total'];

function state(k) {
  if (k.revoked_at) return 'revoked';
  if (k.expires_at && new Date(k.expires_at) <= new Date()) return 'expired';
  return 'active';
}

/** "name" → value for the API: '' is null (cleared), numbers parsed. */
function numberOrNull(v) {
  const t = String(v).trim();
  return t === '' ? null : Number(t);
}

function models(v) {
  return String(v).split(',').map((s) => s.trim()).filter(Boolean);
}

function limits(k) {
  const parts = [];
  if (k.rpm) parts.push(`${fmtNumber(k.rpm)} rpm`);
  if (k.tpm) parts.push(`${fmtNumber(k.tpm)} tpm`);
  if (k.max_parallel) parts.push(`${k.max_parallel} parallel`);
  return parts.length ? parts.join(', ') : 'none';
}

/** Spend against budget, from GET /admin/keys/{id} (the list has no spend). */
function spendCell(k, spend) {
  if (!spend) return '–';
  const used = fmtUsd(spend.usd);
  if (k.budget_usd === null) return `${used} (${spend.period}, no budget)`;
  const pct = k.budget_usd > 0 ? Math.min(100, (100 * spend.usd) / k.budget_usd) : 100;
  return h('div', { class: 'spend' },
    h('div', null, `${used} of ${fmtUsd(k.budget_usd)} ${k.budget_period ?? ''}`),
    h('div', { class: 'bar' }, h('div', { class: pct >= 100 ? 'fill over' : 'fill', style: null, 'data-pct': pct.toFixed(0) })));
}

/** The one time a secret is seen: a modal dialog with the key and a copy button. */
function showSecret(title, secret) {
  const code = h('code', { id: 'new-secret' }, secret);
  const copied = h('span', { class: 'muted', id: 'copy-state' }, '');
  const dialog = h('dialog', { id: 'secret-dialog' },
    h('h2', null, title),
    h('p', null, 'Copy the key now: it is shown this once and cannot be read back.'),
    h('div', { class: 'secret' }, code),
    h('div', { class: 'actions' },
      h('button', {
        type: 'button',
        id: 'copy-secret',
        onclick: async () => {
          try {
            await navigator.clipboard.writeText(secret);
            copied.textContent = 'Copied.';
          } catch {
            getSelection().selectAllChildren(code);
            copied.textContent = 'Selected: press Ctrl+C.';
          }
        },
      }, 'Copy'),
      copied,
      h('button', { type: 'button', id: 'close-secret', onclick: () => { dialog.close(); dialog.remove(); } }, 'Done')));
  document.body.append(dialog);
  dialog.showModal();
}

function keyForm(id, k, submitLabel, onSubmit) {
  const f = (name, label, attrs) => h('label', { class: 'field' }, h('span', null, label),
    h('input', { name, ...attrs }));
  const period = h('select', { name: 'budget_period' }, h('option', { value: '' }, '(default)'),
    PERIODS.map((p) => h('option', { value: p }, p)));
  period.value = k?.budget_period ?? '';
  const form = h('form', { class: 'filters', id },
    f('name', 'Name', { type: 'text', required: true, value: k?.name ?? '', size: 18 }),
    f('models', 'Models (comma-separated, * globs; empty: all)', { type: 'text', value: (k?.models ?? []).join(', '), size: 24 }),
    f('budget_usd', 'Budget USD', { type: 'number', min: 0, step: 'any', value: k?.budget_usd ?? '' }),
    h('label', { class: 'field' }, h('span', null, 'Period'), period),
    f('rpm', 'RPM', { type: 'number', min: 1, value: k?.rpm ?? '' }),
    f('tpm', 'TPM', { type: 'number', min: 1, value: k?.tpm ?? '' }),
    f('max_parallel', 'Max parallel', { type: 'number', min: 1, value: k?.max_parallel ?? '' }),
    h('button', { type: 'submit' }, submitLabel));
  const message = h('div', { class: 'form-message' });
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const v = (n) => form.elements[n].value;
    const body = {
      name: v('name').trim(),
      models: models(v('models')),
      budget_usd: numberOrNull(v('budget_usd')),
      rpm: numberOrNull(v('rpm')),
      tpm: numberOrNull(v('tpm')),
      max_parallel: numberOrNull(v('max_parallel')),
    };
    if (v('budget_period')) body.budget_period = v('budget_period');
    try {
      await onSubmit(body);
    } catch (e) {
      if (e instanceof ApiError) replace(message, note('error', e.message));
      else handleError(e, message);
    }
  });
  return h('div', null, form, message);
}

const PAGE = 100;
/** At most this many spend reads at once: each is a query on the key store. */
const PARALLEL = 6;

async function spendsOf(keys) {
  const out = new Array(keys.length).fill(null);
  let next = 0;
  const worker = async () => {
    while (next < keys.length) {
      const i = next++;
      if (!keys[i].revoked_at) {
        out[i] = await api('GET', `/admin/keys/${keys[i].id}`).then((x) => x.spend).catch(() => null);
      }
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  return out;
}

/** after: the id the page starts after (keys come by id, PAGE at a time). */
export async function render(main, after = 0) {
  let list;
  try {
    list = await api('GET', `/admin/keys?limit=${PAGE}${after ? `&after=${after}` : ''}`);
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) {
      replace(main, h('h1', null, 'Keys'),
        note('info', 'Database keys are off (keys.store: off): only the config file\'s keys work, and they are not managed here.'));
      return;
    }
    throw e;
  }
  const spends = await spendsOf(list.data);
  const again = () => render(main, after).catch((e) => handleError(e, main));
  const editArea = h('div', { id: 'key-edit' });
  const rows = list.data.map((k, i) => {
    const st = state(k);
    const actions = st === 'revoked' ? [] : [
      h('button', {
        type: 'button',
        class: 'small',
        'data-action': 'edit',
        onclick: () => replace(editArea, h('h2', null, `Edit ${k.name}`),
          keyForm('key-edit-form', k, 'Save', async (body) => {
            await api('PATCH', `/admin/keys/${k.id}`, body);
            await again();
          })),
      }, 'Edit'),
      h('button', {
        type: 'button',
        class: 'small',
        'data-action': 'rotate',
        onclick: async () => {
          if (!confirm(`Rotate ${k.name}? Its current secret stops working now.`)) return;
          try {
            const r = await api('POST', `/admin/keys/${k.id}/rotate`, {});
            showSecret(`New secret for ${k.name}`, r.key);
            await again();
          } catch (e) { handleError(e, editArea); }
        },
      }, 'Rotate'),
      h('button', {
        type: 'button',
        class: 'small danger',
        'data-action': 'revoke',
        onclick: async () => {
          if (!confirm(`Revoke ${k.name}? Requests with it are refused from now on.`)) return;
          try {
            await api('DELETE', `/admin/keys/${k.id}`);
            await again();
          } catch (e) { handleError(e, editArea); }
        },
      }, 'Revoke'),
    ];
    return h('tr', { 'data-key-id': k.id, 'data-key-name': k.name, class: st },
      h('td', { class: 'num' }, k.id),
      h('td', null, k.name),
      h('td', { class: 'mono' }, k.prefix),
      h('td', { class: `state ${st}` }, st),
      h('td', null, k.models.length ? k.models.join(', ') : 'all'),
      h('td', null, limits(k)),
      h('td', null, spendCell(k, spends[i])),
      h('td', null, fmtTime(k.created_at)),
      h('td', { class: 'actions' }, actions));
  });
  replace(main,
    h('div', { class: 'page-head' }, h('h1', null, 'Keys'), h('button', { type: 'button', onclick: again }, 'Refresh')),
    h('h2', null, 'New key'),
    keyForm('key-create-form', null, 'Create key', async (body) => {
      const r = await api('POST', '/admin/keys', body);
      showSecret(`Key "${r.name}" created`, r.key);
      await again();
    }),
    editArea,
    h('h2', null, `${list.data.length} key${list.data.length === 1 ? '' : 's'}${after || list.has_more ? ' on this page' : ''}`),
    list.data.length
      ? table(['Id', 'Name', 'Prefix', 'State', 'Models', 'Limits', 'Spend / budget', 'Created', ''], rows, { class: 'rows', id: 'keys-table' })
      : note('info', 'No database key yet.'),
    h('div', { class: 'pager' },
      after ? h('button', { type: 'button', onclick: () => render(main).catch((e) => handleError(e, main)) }, 'First page') : null,
      list.has_more ? h('button', { type: 'button', id: 'keys-next', onclick: () => render(main, list.last_id).catch((e) => handleError(e, main)) }, `Next ${PAGE}`) : null));
  // The bar widths come from data attributes: the CSP allows no inline style attribute.
  for (const fill of main.querySelectorAll('.bar .fill')) fill.style.width = `${fill.dataset.pct}%`;
}
