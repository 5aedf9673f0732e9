// The web page of snoop serve: a router over the URL's #fragment, the fleet API's client, and
// small DOM helpers. Every number shown comes from /v1 with the visitor's token (docs/fleet.md).
import { workloadsView, workloadView, imageView, diffView } from './views.js';

const TOKEN_KEY = 'snoop.token';
const PAGE_LIMIT = 1000;

/** The API refused the token (or there was none): the page asks for one. */
export class Unauthorized extends Error {}

/** A digest or image key in a URL path: its ':' stays as the API's examples write it. */
function pathPart(s) {
  return encodeURIComponent(s).replaceAll('%3A', ':');
}

/** GET /v1/{path} with the query's non-empty parameters; the parsed JSON, or an Error naming the status. */
export async function api(path, params = {}) {
  const url = new URL('/v1/' + path, location.origin);
  for (const [k, v] of Object.entries(params)) {
    if (v !== null && v !== undefined && v !== '') url.searchParams.set(k, v);
  }
  const headers = { Accept: 'application/json' };
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) headers.Authorization = 'Bearer ' + token;
  const r = await fetch(url, { headers, credentials: 'omit', cache: 'no-store' });
  if (r.status === 401) throw new Unauthorized();
  const body = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(`${url.pathname} answered ${r.status}: ${body.error || r.statusText}`);
  return body;
}

/** The items of every page of a paged route, following next_cursor to the end. */
export async function all(path, params, key) {
  const items = [];
  let cursor = null;
  do {
    const page = await api(path, { ...params, limit: PAGE_LIMIT, cursor });
    items.push(...page[key]);
    cursor = page.next_cursor;
  } while (cursor);
  return items;
}

/** The route of an image: /v1/images/{key}/{what}. */
export function imagePath(key, what) {
  return 'images/' + pathPart(key) + '/' + what;
}

/** An element with attributes and children; text is always text (never parsed as HTML). */
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c !== null && c !== undefined && c !== false) e.append(c instanceof Node ? c : String(c));
  }
  return e;
}

/** A link to a route of this page, e.g. link('/image', {digest: d}, 'text'). */
export function href(route, params = {}) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== null && v !== undefined && v !== '') q.set(k, v);
  }
  const qs = q.toString();
  return '#' + route + (qs ? '?' + qs : '');
}

/** The breadcrumbs: [text, href] pairs, the last one without a link. */
export function crumbs(...parts) {
  const nav = document.getElementById('crumbs');
  nav.replaceChildren(...parts.filter(Boolean).flatMap(([text, link], i) => [
    i ? ' / ' : '',
    link ? el('a', { href: link, text }) : el('span', { text }),
  ]));
}

const ROUTES = { '/': workloadsView, '/workload': workloadView, '/image': imageView, '/diff': diffView };

async function render() {
  const [route, query] = (location.hash.slice(1) || '/').split('?');
  const params = Object.fromEntries(new URLSearchParams(query || ''));
  const view = ROUTES[route] || workloadsView;
  const main = document.getElementById('main');
  const login = document.getElementById('login');
  document.getElementById('forget').hidden = !sessionStorage.getItem(TOKEN_KEY);
  login.hidden = true;
  main.hidden = false;
  main.replaceChildren(el('p', { class: 'loading', text: 'loading...' }));
  main.removeAttribute('data-ready');
  try {
    main.replaceChildren(...(await view(params)).flat(Infinity).filter((n) => n !== null && n !== undefined && n !== false));
    main.setAttribute('data-ready', route);
  } catch (e) {
    if (e instanceof Unauthorized) {
      main.hidden = true;
      login.hidden = false;
      document.getElementById('login-error').textContent =
        sessionStorage.getItem(TOKEN_KEY) ? 'the server did not accept this token' : '';
      crumbs(['sign in', null]);
      document.getElementById('token').focus();
    } else {
      main.replaceChildren(el('p', { class: 'error', role: 'alert', text: e.message }));
      main.setAttribute('data-ready', 'error');
    }
  }
}

document.getElementById('login').addEventListener('submit', (event) => {
  event.preventDefault();
  sessionStorage.setItem(TOKEN_KEY, document.getElementById('token').value.trim());
  document.getElementById('token').value = '';
  render();
});
document.getElementById('forget').addEventListener('click', () => {
  sessionStorage.removeItem(TOKEN_KEY);
  render();
});
window.addEventListener('hashchange', render);
render();
