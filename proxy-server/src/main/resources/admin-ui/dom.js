// Element building from text nodes only: every piece of data becomes text, never parsed as markup.

/**
 * h('td', {class: 'num'}, 'text', childElement): attributes go through setAttribute, functions on
 * "on…" names become listeners, strings and numbers become text nodes, null/false are skipped.
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'value') el.value = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** Empties el and puts children in. */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
}

/** A table from column headers and rows of cells (cells are text or elements). */
export function table(headers, rows, attrs) {
  return h('table', attrs,
    h('thead', null, h('tr', null, headers.map((x) => h('th', null, x)))),
    h('tbody', null, rows));
}

export function fmtNumber(n, digits = 0) {
  if (n === null || n === undefined || Number.isNaN(n)) return '–';
  return Number(n).toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

export function fmtUsd(n) {
  if (n === null || n === undefined) return '–';
  return `$${Number(n).toFixed(n !== 0 && Math.abs(n) < 0.01 ? 6 : 2)}`;
}

/** Seconds shown as ms under one second. */
export function fmtSeconds(s) {
  if (s === null || s === undefined) return '–';
  return s < 1 ? `${(s * 1000).toFixed(s < 0.01 ? 2 : 0)} ms` : `${s.toFixed(2)} s`;
}

export function fmtTime(iso) {
  if (!iso) return '–';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

/** A message line: kind is "error", "info" or "ok". */
export function note(kind, text) {
  return h('p', { class: `note ${kind}`, role: kind === 'error' ? 'alert' : null }, text);
}

/** JSON (or text) pretty-printed into a <pre>. */
export function pre(value) {
  const text = typeof value === 'string' ? value : JSON.stringify(value, null, 2);
  return h('pre', null, text === undefined ? 'null' : text);
}
