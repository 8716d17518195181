// The admin API client. The token lives in sessionStorage only: it ends with the tab and is
// never written to localStorage.
const KEY = 'pbx.session';

export class ApiError extends Error {
  constructor(status, body) {
    const e = (body && body.error) || {};
    super(e.message || `The server answered ${status}.`);
    this.status = status;
    this.code = e.code || 'error';
    this.details = e.details || {};
    this.fields = this.details.fields || {};
    this.requestId = e.request_id || '';
  }
}

export function loadSession() {
  try {
    const s = JSON.parse(sessionStorage.getItem(KEY) || 'null');
    if (s && s.token && s.expires_at > Date.now()) return s;
  } catch (_) {
    // A damaged entry is the same as none.
  }
  sessionStorage.removeItem(KEY);
  return null;
}

export function saveSession(s) {
  sessionStorage.setItem(KEY, JSON.stringify(s));
}

export function clearSession() {
  sessionStorage.removeItem(KEY);
}

let expired = () => {};
// Called with the reason when the API stops accepting the session's token.
export function onSessionEnd(fn) {
  expired = fn;
}

async function send(method, path, body, accept) {
  const s = loadSession();
  const headers = { Accept: accept };
  if (s) headers.Authorization = `Bearer ${s.token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
      credentials: 'omit',
    });
  } catch (_) {
    throw new ApiError(0, {
      error: { code: 'network', message: 'The server could not be reached. Check the connection and try again.' },
    });
  }
  if (!res.ok) {
    let data = null;
    try {
      data = await res.json();
    } catch (_) {
      data = null;
    }
    const err = new ApiError(res.status, data);
    if (res.status === 401 && s) {
      clearSession();
      expired(`Your session has ended: ${err.message}. Please sign in again.`);
    }
    throw err;
  }
  return res;
}

export async function api(method, path, body) {
  const res = await send(method, path, body, 'application/json');
  if (res.status === 204) return null;
  const text = await res.text();
  return text ? JSON.parse(text) : null;
}

export const get = (path) => api('GET', path);

// Every item of a list, following next_cursor.
export async function listAll(path) {
  const out = [];
  let cursor = null;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const page = await get(`${path}${sep}limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    out.push(...page.data);
    cursor = page.next_cursor;
  } while (cursor);
  return out;
}

// Fetches a file with the session's token (never in the URL) and hands it to the browser as
// a download.
export async function download(path, filename) {
  const res = await send('GET', path, undefined, 'text/csv');
  const blob = await res.blob();
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
  return blob;
}

export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== '' && v != null) q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : '';
}
