// The admin console end to end in headless Chromium (run by AdminConsoleBrowserIT, or by hand:
// AIGW_URL=http://127.0.0.1:8080 AIGW_ADMIN_KEY=... AIGW_CLIENT_KEY=... AIGW_CONFIG_FILE=... node e2e.mjs).
// AIGW_CONFIG_FILE is the file aigw started from: the Config steps rewrite it (a model added, then an
// invalid file) and reload it from the page.
// playwright-core only: the browser is Debian's /usr/bin/chromium, nothing is downloaded.
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BASE = (process.env.AIGW_URL || 'http://127.0.0.1:8080').replace(/\/$/, '');
const ADMIN_KEY = required('AIGW_ADMIN_KEY');
const CLIENT_KEY = required('AIGW_CLIENT_KEY');
const CONFIG_FILE = required('AIGW_CONFIG_FILE');
const PROMPT = process.env.AIGW_STREAMED_PROMPT || 'tell the console e2e a story';
const SHOTS = process.env.SCREENSHOT_DIR || 'screenshots';
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const STEP_TIMEOUT = 15_000;
const HOSTILE = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>';

function required(name) {
  const v = process.env[name];
  if (!v) {
    console.error(`${name} is not set`);
    process.exit(2);
  }
  return v;
}

function log(...args) {
  console.log(new Date().toISOString().slice(11, 23), ...args);
}

/** A chat request from node (not the browser), as an application would make it. */
async function chat(key, { model = 'gpt-4o', stream = false, requestId, content = 'hello' } = {}) {
  const headers = { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' };
  if (requestId) headers['x-request-id'] = requestId;
  const r = await fetch(`${BASE}/v1/chat/completions`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ model, stream, messages: [{ role: 'user', content }] }),
  });
  await r.text();
  return r.status;
}

/** The model ids GET /v1/models lists to a client key. */
async function modelIds() {
  const r = await fetch(`${BASE}/v1/models`, { headers: { Authorization: `Bearer ${CLIENT_KEY}` } });
  assert.equal(r.status, 200);
  return (await r.json()).data.map((m) => m.id);
}

/** Replaces the config file whole, as an editor or a config manager does. */
function writeConfig(text) {
  writeFileSync(`${CONFIG_FILE}.tmp`, text);
  renameSync(`${CONFIG_FILE}.tmp`, CONFIG_FILE);
}

mkdirSync(SHOTS, { recursive: true });
const profile = process.env.PROFILE_DIR ? mkdtempSync(join(process.env.PROFILE_DIR, 'p-')) : mkdtempSync(join(tmpdir(), 'aigw-e2e-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: CHROMIUM,
  headless: true,
  viewport: { width: 1360, height: 900 },
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
context.setDefaultTimeout(STEP_TIMEOUT);
const page = context.pages()[0] || (await context.newPage());
const problems = [];
// The invalid config's reload answers 400, which the browser reports as a console error: expected then only.
let expectConfigInvalid = false;
page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
page.on('console', (m) => {
  // A refused key is a 401 the console expects; anything else (a CSP violation, an exception) is a fault.
  const expected = expectConfigInvalid ? /status of (400|401|404)/ : /status of (401|404)/;
  if (m.type() === 'error' && !(/^Failed to load resource: the server responded with a/.test(m.text()) && expected.test(m.text()))) {
    problems.push(`console error: ${m.text()}`);
  }
});
// The console must only ever talk to aigw itself.
page.on('request', (r) => {
  if (!r.url().startsWith(BASE) && !r.url().startsWith('data:')) problems.push(`request off the gateway: ${r.url()}`);
});

const shot = async (name) => {
  await page.screenshot({ path: join(SHOTS, name), fullPage: true });
  log('screenshot', name);
};

/** Polls an admin API path (from node) until done(json) holds: metrics and log rows land just after an answer. */
async function settled(path, done) {
  const deadline = Date.now() + STEP_TIMEOUT;
  for (;;) {
    const r = await fetch(`${BASE}${path}`, { headers: { Authorization: `Bearer ${ADMIN_KEY}` } });
    const body = await r.json();
    if (r.ok && done(body)) return;
    if (Date.now() > deadline) throw new Error(`${path} did not settle: ${JSON.stringify(body).slice(0, 500)}`);
    await new Promise((res) => setTimeout(res, 50));
  }
}

async function storage() {
  return page.evaluate(() => ({ session: { ...sessionStorage }, local: localStorage.length, cookie: document.cookie }));
}

let failed = false;
try {
  // Traffic first, so the overview and the log have something to show.
  assert.equal(await chat(CLIENT_KEY, { requestId: 'e2e-plain-1' }), 200);
  assert.equal(await chat(CLIENT_KEY, { requestId: 'e2e-plain-2' }), 200);
  assert.equal(await chat(CLIENT_KEY, { stream: true, requestId: 'e2e-stream-1', content: PROMPT }), 200);
  assert.equal(await chat(CLIENT_KEY, { model: 'no-such-model', requestId: 'e2e-unknown-1' }), 404);
  // A key whose name is markup: the pages must show it as text, never run it.
  const made = await fetch(`${BASE}/admin/keys`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${ADMIN_KEY}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: HOSTILE }),
  });
  assert.equal(made.status, 201);
  await settled('/admin/metrics/summary', (s) => s.requests >= 4);
  await settled('/admin/logs?endpoint_prefix=/v1/', (l) => l.data.length >= 4);

  log('sign in: the bare path redirects, a wrong key is refused');
  await page.goto(`${BASE}/admin/ui`);
  assert.equal(new URL(page.url()).pathname, '/admin/ui/');
  await page.locator('#sign-in').waitFor({ state: 'visible' });
  await page.fill('#admin-key', 'sk-wrong-admin-key');
  await page.click('#sign-in-form button[type=submit]');
  await page.locator('#sign-in-error', { hasText: 'Wrong key' }).waitFor({ state: 'visible' });
  assert.deepEqual((await storage()).session, {}, 'a refused key is not kept');
  await shot('01-sign-in-wrong-key.png');

  log('sign in with the admin key: the overview');
  await page.fill('#admin-key', ADMIN_KEY);
  await page.click('#sign-in-form button[type=submit]');
  await page.locator('#nav').waitFor({ state: 'visible' });
  await page.waitForURL(/#\/overview$/);
  const kept = await storage();
  assert.deepEqual(Object.values(kept.session), [ADMIN_KEY], 'the key is in sessionStorage');
  assert.equal(kept.local, 0, 'nothing in localStorage');
  assert.equal(kept.cookie, '', 'no cookie');
  assert.ok(!page.url().includes(ADMIN_KEY), 'the key is not in the URL');
  const requests = page.locator('#ov-requests .card-value');
  await requests.waitFor();
  assert.ok(Number((await requests.textContent()).replace(/,/g, '')) >= 4, `requests: ${await requests.textContent()}`);
  assert.match(await page.locator('#ov-errors .card-value').textContent(), /^1 \(/);
  assert.match(await page.locator('#ov-latency .card-value').textContent(), /\d.* \/ .*\d/);
  assert.match(await page.locator('#ov-tokens .card-detail').textContent(), /^31 prompt, 18 completion$/);
  await shot('02-overview.png');

  log('the log explorer: the streamed request, opened');
  await page.click('#nav a[data-page=logs]');
  const streamed = page.locator('#log-table tr[data-request-id="e2e-stream-1"]');
  await streamed.waitFor();
  assert.equal(await page.locator('#log-table tr[data-request-id="e2e-unknown-1"] td').nth(1).textContent(), '404');
  assert.equal(await page.locator('#log-table tbody tr').count(), 4, 'the model API only: the console\'s own calls are filtered out');
  await shot('03-log-explorer.png');
  await streamed.click();
  await page.locator('#detail-message').waitFor();
  assert.equal(await page.locator('#detail-message').textContent(), 'Once upon a time');
  assert.ok((await page.locator('#detail-request').textContent()).includes(PROMPT), 'the request body is shown');
  assert.ok(!(await page.locator('#log-detail').textContent()).includes(CLIENT_KEY), 'no client key in the detail');
  await shot('04-log-row-open.png');
  // Filters: status 404 leaves only the unknown model's row.
  await page.fill('#f-status', '404');
  await page.click('#log-filters button[type=submit]');
  await page.locator('#log-table tr[data-request-id="e2e-stream-1"]').waitFor({ state: 'detached' });
  await page.locator('#log-table tr[data-request-id="e2e-unknown-1"]').waitFor();
  assert.equal(await page.locator('#log-table tbody tr').count(), 1);
  // Time: nothing until an hour ago; since an hour ago, the four again.
  const hourAgo = await page.evaluate(() => {
    const d = new Date(Date.now() - 3600_000);
    const p = (n) => String(n).padStart(2, '0');
    return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
  });
  await page.fill('#f-status', '');
  await page.fill('#f-until', hourAgo);
  await page.click('#log-filters button[type=submit]');
  await page.locator('#log-results', { hasText: 'No request matches.' }).waitFor();
  await page.fill('#f-until', '');
  await page.fill('#f-since', hourAgo);
  await page.click('#log-filters button[type=submit]');
  await page.locator('#log-table tr[data-request-id="e2e-stream-1"]').waitFor();
  assert.equal(await page.locator('#log-table tbody tr').count(), 4);

  log('keys: create one, use it, edit it, rotate it, revoke it');
  await page.click('#nav a[data-page=keys]');
  const create = page.locator('#key-create-form');
  await create.waitFor();
  await create.locator('input[name=name]').fill('e2e-bot');
  await create.locator('input[name=models]').fill('gpt-4o*');
  await create.locator('input[name=budget_usd]').fill('5');
  await create.locator('button[type=submit]').click();
  const secretEl = page.locator('#secret-dialog #new-secret');
  await secretEl.waitFor();
  const secret = (await secretEl.textContent()).trim();
  assert.match(secret, /^sk-aigw-/);
  await shot('05-key-created.png');
  await page.click('#close-secret');
  const row = page.locator('#keys-table tr[data-key-name="e2e-bot"]');
  await row.waitFor();
  assert.equal(await page.locator('#keys-table img, #keys-table script').count(), 0, 'markup in data stays text');
  assert.ok((await page.locator('#keys-table').textContent()).includes(HOSTILE));
  assert.equal(await page.evaluate(() => window.__xss), undefined);
  assert.ok(!(await page.locator('main').textContent()).includes(secret), 'the secret is shown once, in the dialog only');
  assert.equal(await chat(secret, { requestId: 'e2e-new-key-1' }), 200, 'the new key works');
  await row.locator('button[data-action=edit]').click();
  const edit = page.locator('#key-edit-form');
  await edit.locator('input[name=rpm]').fill('60');
  await edit.locator('button[type=submit]').click();
  await page.locator('#keys-table tr[data-key-name="e2e-bot"] td', { hasText: '60 rpm' }).waitFor();
  // Its spend against the budget: the request above, by the price table.
  await page.locator('#keys-table tr[data-key-name="e2e-bot"] .spend', { hasText: 'of $5.00 monthly' }).waitFor();
  await shot('06-key-edited.png');
  // Rotate: a new secret, shown once; the old one stops at once (no grace).
  page.once('dialog', (d) => d.accept());
  await page.locator('#keys-table tr[data-key-name="e2e-bot"] button[data-action=rotate]').click();
  await page.locator('#secret-dialog #new-secret').waitFor();
  const rotated = (await page.locator('#secret-dialog #new-secret').textContent()).trim();
  assert.match(rotated, /^sk-aigw-/);
  assert.notEqual(rotated, secret);
  await page.click('#close-secret');
  await page.locator('#secret-dialog').waitFor({ state: 'detached' });
  assert.equal(await chat(rotated, { requestId: 'e2e-rotated-1' }), 200, 'the rotated secret works');
  await settled('/admin/logs?endpoint_prefix=/v1/', (l) => l.data.some((r) => r.request_id === 'e2e-rotated-1'));
  assert.equal(await chat(secret), 401, 'the old secret is refused after the rotation');
  page.once('dialog', (d) => d.accept());
  await page.locator('#keys-table tr[data-key-name="e2e-bot"] button[data-action=revoke]').click();
  await page.locator('#keys-table tr[data-key-name="e2e-bot"] td.state', { hasText: 'revoked' }).waitFor();
  assert.equal(await chat(rotated, { requestId: 'e2e-revoked-1' }), 401, 'the revoked key is refused');
  await shot('07-keys-revoked.png');

  log("the log explorer's key picker: only that key's request");
  await page.click('#nav a[data-page=logs]');
  await page.locator('#log-table').waitFor();
  const keyValue = await page.locator('#f-key option', { hasText: 'e2e-bot' }).getAttribute('value');
  await page.selectOption('#f-key', keyValue);
  await page.click('#log-filters button[type=submit]');
  await page.locator('#log-table tr[data-request-id="e2e-stream-1"]').waitFor({ state: 'detached' });
  await page.locator('#log-table tr[data-request-id="e2e-rotated-1"]').waitFor();
  assert.deepEqual(
    await page.locator('#log-table tbody tr').evaluateAll((trs) => trs.map((t) => t.dataset.requestId)),
    ['e2e-rotated-1'],
    'the key picker finds the key by its current hash: the rows since its rotation');

  log('providers: disable one, see it, enable it');
  await page.click('#nav a[data-page=providers]');
  const spare = page.locator('section[data-provider="spare"]');
  await spare.waitFor();
  assert.equal(await page.locator('#config-version').textContent(), 'config version 0');
  await spare.locator('button[data-action=disable]').click();
  await page.locator('section[data-provider="spare"] [data-role=provider-state]', { hasText: 'disabled' }).waitFor();
  assert.equal(await page.locator('section[data-provider="spare"] td[data-role=breaker]').first().textContent(), 'disabled');
  assert.equal(await page.locator('section[data-provider="mock"] [data-role=provider-state]').textContent(), 'closed');
  assert.equal(await chat(CLIENT_KEY, { model: 'gpt-4o-mini' }), 503, 'a disabled provider takes no request');
  await shot('08-provider-disabled.png');
  await page.locator('section[data-provider="spare"] button[data-action=enable]').click();
  await page.locator('section[data-provider="spare"] td[data-role=breaker]', { hasText: 'closed' }).waitFor();
  assert.equal(await chat(CLIENT_KEY, { model: 'gpt-4o-mini' }), 200, 'enabled again');
  await shot('09-providers.png');

  log('config: the facts; reload unchanged, with a model added, with an invalid file');
  const fact = (name) => page.locator(`#config-facts-box [data-fact=${name}]`);
  await page.click('#nav a[data-page=config]');
  await page.locator('#config-facts').waitFor();
  assert.equal(await fact('version').textContent(), '0');
  assert.equal(await fact('file').textContent(), CONFIG_FILE);
  assert.equal(await fact('reload_available').textContent(), 'yes');
  assert.equal(await fact('counts').textContent(), '2 / 2');
  await page.locator('#config-last-reload', { hasText: 'No reload since the start.' }).waitFor();
  await page.click('#reload-config');
  await page.locator('#reload-result [data-status=unchanged]').waitFor();
  await fact('last_status').filter({ hasText: 'unchanged' }).waitFor();
  assert.equal(await fact('version').textContent(), '0', 'nothing changed, no new version');

  const original = readFileSync(CONFIG_FILE, 'utf8');
  assert.ok(original.includes('\nmodels:\n') && original.includes('metrics: {enabled: true}'), original);
  // A model added (applied live) and the metrics path moved (named: it needs a restart).
  writeConfig(original
    .replace('\nmodels:\n', '\nmodels:\n  gpt-4o-reloaded: {retries: {count: 0}, providers: {mock: {model_id: gpt-4o}}}\n')
    .replace('metrics: {enabled: true}', 'metrics: {enabled: true, path: /prom}'));
  assert.ok(!(await modelIds()).includes('gpt-4o-reloaded'), 'not before the reload');
  await page.click('#reload-config');
  await page.locator('#reload-result [data-status=reloaded]').waitFor();
  assert.equal(await page.locator('#reload-result [data-role=changed]').textContent(), 'models.gpt-4o-reloaded');
  assert.match(await page.locator('#reload-result [data-role=restart-required]').textContent(), /metrics\.path$/);
  await fact('last_status').filter({ hasText: 'reloaded' }).waitFor();
  assert.equal(await fact('version').textContent(), '1');
  assert.equal(await fact('counts').textContent(), '2 / 3');
  assert.equal(await fact('last_restart_required').textContent(), 'metrics.path');
  assert.ok((await modelIds()).includes('gpt-4o-reloaded'), 'GET /v1/models lists the new model');
  assert.equal(await chat(CLIENT_KEY, { model: 'gpt-4o-reloaded' }), 200, 'the new model serves');
  await shot('10-config-reloaded.png');

  // A model on a provider that does not exist: refused whole, the running config stays.
  writeConfig(original
    .replace('\nmodels:\n', '\nmodels:\n  gpt-4o-broken: {providers: {nowhere: {model_id: x}}}\n'));
  expectConfigInvalid = true;
  await page.click('#reload-config');
  const refused = page.locator('#reload-result [data-status=failed]');
  await refused.waitFor();
  assert.match(await refused.textContent(), /not reloaded.*nowhere/);
  await fact('last_status').filter({ hasText: 'failed' }).waitFor();
  expectConfigInvalid = false;
  assert.match(await fact('last_error').textContent(), /nowhere/);
  assert.equal(await fact('version').textContent(), '1', 'the running config stays');
  const ids = await modelIds();
  assert.ok(ids.includes('gpt-4o-reloaded') && !ids.includes('gpt-4o-broken'), `models: ${ids}`);
  assert.equal(await chat(CLIENT_KEY, { model: 'gpt-4o-reloaded' }), 200, 'the old config still serves');
  await shot('11-config-invalid.png');

  log('sign out; a key refused later sends the tab back to sign-in');
  await page.click('#sign-out');
  await page.locator('#sign-in').waitFor({ state: 'visible' });
  assert.deepEqual((await storage()).session, {});
  await page.evaluate(() => sessionStorage.setItem('aigw.adminKey', 'sk-stale-admin-key'));
  await page.goto(`${BASE}/admin/ui/#/providers`);
  await page.locator('#sign-in-error', { hasText: 'refused' }).waitFor({ state: 'visible' });
  assert.deepEqual((await storage()).session, {});

  assert.equal(await page.evaluate(() => window.__xss), undefined, 'no script from data ran');
  assert.deepEqual(problems, [], 'no page error, console error or foreign request');
  log('all console checks passed');
} catch (e) {
  failed = true;
  console.error('FAILED:', e && e.stack ? e.stack : e);
  if (problems.length) console.error('page problems:', problems);
  await page.screenshot({ path: join(SHOTS, 'failure.png'), fullPage: true }).catch(() => {});
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
