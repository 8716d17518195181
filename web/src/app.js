// The console's shell: sign-in, navigation by role, and the hash routes of the pages.
import { render } from './preact.js';
import { useEffect, useState } from './hooks.js';
import { api, clearSession, get, loadSession, onSessionEnd, saveSession } from './api.js';
import { BusinessHours, Conferences, Extensions, IvrMenus, PhoneNumbers, RingGroups, Users, Voicemail } from './pages.js';
import { CallRecords, Overview } from './reports.js';
import { draftsFor } from './resource.js';
import { Settings } from './settings.js';
import { ErrorNote, html, useFocus } from './ui.js';

const STAFF = ['owner', 'admin', 'user'];
const MANAGERS = ['owner', 'admin'];
const ALL = ['owner', 'admin', 'user', 'reporter'];

// What each role may do, as the API enforces it; controls for anything else are not shown.
const ABILITIES = {
  manage: MANAGERS,
  settings: ['owner'],
  webhooks: ['owner', 'admin', 'reporter'],
  voicemail: STAFF,
};

const PAGES = [
  ['overview', 'Overview', ALL, Overview],
  ['extensions', 'Extensions', STAFF, Extensions],
  ['phone-numbers', 'Phone numbers', STAFF, PhoneNumbers],
  ['ring-groups', 'Ring groups', STAFF, RingGroups],
  ['ivr-menus', 'IVR menus', STAFF, IvrMenus],
  ['business-hours', 'Business hours', STAFF, BusinessHours],
  ['conferences', 'Conference rooms', STAFF, Conferences],
  ['voicemail', 'Voicemail', STAFF, Voicemail],
  ['calls', 'Call records', ALL, CallRecords],
  ['users', 'Users', MANAGERS, Users],
  ['settings', 'Settings', MANAGERS, Settings],
];

function SignIn({ reason, onSignedIn }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [domain, setDomain] = useState('');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const first = useFocus(reason);
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      // The domain only chooses among tenants that share the e-mail: sent when given.
      const r = await api('POST', '/api/v1/auth/login', domain.trim() ? { email, password, domain } : { email, password });
      const session = { token: r.access_token, expires_at: Date.now() + r.expires_in * 1000, user: r.user };
      saveSession(session);
      try {
        session.tenant = (await get('/api/v1/auth/me')).tenant;
        saveSession(session);
      } catch (_) {
        // The tenant's name and zone are a nicety; the pages work without them.
      }
      onSignedIn(session);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return html`<main class="signin">
    <form onSubmit=${submit} aria-labelledby="signin-title">
      <h1 id="signin-title">Sign in to pbxd</h1>
      ${reason && html`<p class="notice" role="status" id="signin-reason">${reason}</p>`}
      <${ErrorNote} error=${error} />
      <div class="field"><label for="email">E-mail</label>
        <input id="email" type="email" autocomplete="username" required value=${email} ref=${first} onInput=${(e) => setEmail(e.target.value)} /></div>
      <div class="field"><label for="password">Password</label>
        <input id="password" type="password" autocomplete="current-password" required value=${password} onInput=${(e) => setPassword(e.target.value)} /></div>
      <div class="field"><label for="domain">Domain <span class="hint">(only if your e-mail is used in several organisations)</span></label>
        <input id="domain" type="text" autocomplete="organization" placeholder="acme.cloudonix.net" value=${domain} onInput=${(e) => setDomain(e.target.value)} /></div>
      <button type="submit" id="signin" disabled=${busy}>${busy ? 'Signing in…' : 'Sign in'}</button>
    </form>
  </main>`;
}

const currentRoute = () => (location.hash.replace(/^#\/?/, '') || 'overview').split('?')[0];

function Shell({ session, onSignOut }) {
  const [route, setRoute] = useState(currentRoute());
  const [menuOpen, setMenuOpen] = useState(false);
  const role = session.user.role;
  const can = (what) => (ABILITIES[what] || []).includes(role);
  const pages = PAGES.filter(([, , roles]) => roles.includes(role));
  useEffect(() => {
    const on = () => {
      setRoute(currentRoute());
      setMenuOpen(false);
    };
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  const page = pages.find(([p]) => p === route) || pages[0];
  const Page = page[3];
  useEffect(() => {
    document.title = `${page[1]} · pbxd`;
  }, [page[0]]);
  return html`<div class="shell">
    <a class="skip" href="#main">Skip to the page</a>
    <header class="top">
      <button type="button" class="menu-toggle secondary" aria-expanded=${menuOpen ? 'true' : 'false'} aria-controls="nav" onClick=${() => setMenuOpen(!menuOpen)}>Menu</button>
      <span class="brand">pbxd</span>
      <span class="who" id="who">${session.user.email} · ${role}${session.tenant ? ` · ${session.tenant.name}` : ''}</span>
      <button type="button" class="secondary" id="signout" onClick=${onSignOut}>Sign out</button>
    </header>
    <nav id="nav" class=${menuOpen ? 'open' : ''} aria-label="Pages">
      <ul>${pages.map(([p, label]) => html`<li><a href=${`#/${p}`} id=${`nav-${p}`} aria-current=${p === page[0] ? 'page' : undefined}>${label}</a></li>`)}</ul>
    </nav>
    <main id="main" tabindex="-1"><${Page} key=${page[0]} can=${can} tenant=${session.tenant} role=${role} /></main>
  </div>`;
}

function App() {
  const [session, setSession] = useState(loadSession());
  const [reason, setReason] = useState('');
  const end = (why) => {
    clearSession();
    setSession(null);
    setReason(why);
  };
  useEffect(() => {
    onSessionEnd(end);
    // When the console first answers input: read by the browser tests' timing.
    performance.mark('pbx-interactive');
  }, []);
  useEffect(() => {
    if (!session) return undefined;
    const timer = setTimeout(() => end('Your session expired. Please sign in again.'), Math.min(2 ** 31 - 1, Math.max(0, session.expires_at - Date.now())));
    return () => clearTimeout(timer);
  }, [session]);
  const signOut = async () => {
    try {
      await api('POST', '/api/v1/auth/logout');
      end('You signed out.');
    } catch (err) {
      end(err.status === 401 ? 'You signed out.' : `You signed out here, but the server could not be told (${err.message}).`);
    }
  };
  if (!session) return html`<${SignIn} reason=${reason} onSignedIn=${(s) => { setReason(''); setSession(s); }} />`;
  draftsFor(session.user.id);
  return html`<${Shell} session=${session} onSignOut=${signOut} />`;
}

const root = document.getElementById('app');
root.textContent = '';
render(html`<${App} />`, root);
