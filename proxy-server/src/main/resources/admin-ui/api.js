// The admin API, with the admin key from this tab's sessionStorage (never localStorage, a cookie or a URL).
const STORAGE_KEY = 'aigw.adminKey';

/** The key was refused: the app goes back to the sign-in form. */
export class Unauthorized extends Error {}

/** Any other non-2xx answer, with the gateway's OpenAI-shaped error when there is one. */
export class ApiError extends Error {
  constructor(status, body) {
    const e = body && body.error;
    super(e && e.message ? e.message : `HTTP ${status}`);
    this.status = status;
    this.code = e ? e.code : null;
  }
}

export const session = {
  key: () => sessionStorage.getItem(STORAGE_KEY),
  set: (key) => sessionStorage.setItem(STORAGE_KEY, key),
  clear: () => sessionStorage.removeItem(STORAGE_KEY),
};

/** Calls the admin API; the key defaults to the session's. Resolves to the parsed JSON body. */
export async function api(method, path, body, key = session.key()) {
  const headers = { Authorization: `Bearer ${key}`, Accept: 'application/json' };
  const init = { method, headers, cache: 'no-store', credentials: 'omit', redirect: 'error' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const r = await fetch(path, init);
  const text = await r.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (r.status === 401) {
    throw new Unauthorized(data && data.error ? data.error.message : 'unauthorized');
  }
  if (!r.ok) {
    throw new ApiError(r.status, data);
  }
  return data;
}

/** A query string from the non-empty entries of obj. */
export function query(obj) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(obj)) {
    if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  }
  const s = p.toString();
  return s ? `?${s}` : '';
}
