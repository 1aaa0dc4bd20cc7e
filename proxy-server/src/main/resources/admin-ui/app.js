// The console's shell: sign in, hash routing (#/overview, #/logs, #/keys, #/providers, #/config), sign out.
import { api, session, Unauthorized } from './api.js';
import { note, replace } from './dom.js';
import * as overview from './pages/overview.js';
import * as logs from './pages/logs.js';
import * as keys from './pages/keys.js';
import * as providers from './pages/providers.js';
import * as config from './pages/config.js';

const PAGES = { overview, logs, keys, providers, config };
const $ = (id) => document.getElementById(id);

function showSignIn(message) {
  session.clear();
  $('nav').hidden = true;
  $('sign-out').hidden = true;
  $('main').hidden = true;
  replace($('main'));
  $('sign-in').hidden = false;
  const err = $('sign-in-error');
  err.textContent = message || '';
  err.hidden = !message;
  $('admin-key').value = '';
  $('admin-key').focus();
}

function pageName() {
  const name = location.hash.replace(/^#\/?/, '').split(/[/?]/)[0];
  return Object.hasOwn(PAGES, name) ? name : 'overview';
}

/** Renders the page of the current hash; any 401 on the way sends the tab back to sign-in. */
async function route() {
  if (!session.key()) {
    showSignIn();
    return;
  }
  const name = pageName();
  $('sign-in').hidden = true;
  $('nav').hidden = false;
  $('sign-out').hidden = false;
  const main = $('main');
  main.hidden = false;
  for (const a of $('nav').querySelectorAll('a')) {
    a.classList.toggle('active', a.dataset.page === name);
  }
  main.dataset.page = name;
  replace(main, note('info', 'Loading…'));
  try {
    await PAGES[name].render(main);
  } catch (e) {
    handleError(e, main);
  }
}

/** For the pages: a refused key ends the session; anything else is shown where the page was. */
export function handleError(e, where) {
  if (e instanceof Unauthorized) {
    showSignIn('Your admin key was refused; sign in again.');
    return;
  }
  replace(where, note('error', e && e.message ? e.message : String(e)));
}

async function signIn(event) {
  event.preventDefault();
  const key = $('admin-key').value.trim();
  if (!key) return;
  const err = $('sign-in-error');
  err.hidden = true;
  try {
    await api('GET', '/admin/providers', undefined, key);
  } catch (e) {
    err.textContent = !(e instanceof Unauthorized)
      ? `Cannot check the key: ${e.message}`
      : /admin API is off/.test(e.message) ? e.message : 'Wrong key: the gateway refused it.';
    err.hidden = false;
    return;
  }
  session.set(key);
  $('admin-key').value = '';
  if (location.hash === '' || location.hash === '#/' || location.hash === '#') location.hash = '#/overview';
  else route();
}

function signOut() {
  showSignIn();
  history.replaceState(null, '', location.pathname);
}

window.addEventListener('unhandledrejection', (ev) => {
  if (ev.reason instanceof Unauthorized) {
    ev.preventDefault();
    showSignIn('Your admin key was refused; sign in again.');
  }
});
$('sign-in-form').addEventListener('submit', signIn);
$('sign-out').addEventListener('click', signOut);
window.addEventListener('hashchange', route);
route();
