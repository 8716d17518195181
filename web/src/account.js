// My account: every role's own name, e-mail and password, and signing out everywhere.
import { useEffect, useState } from './hooks.js';
import { api, get } from './api.js';
import { ErrorNote, Input, Loading, html } from './ui.js';

// A form that sends a PATCH of /auth/me and keeps the API's field errors beside its fields.
function useAccountForm(initial, onSaved) {
  const [form, setForm] = useState(initial);
  const [errors, setErrors] = useState({});
  const [error, setError] = useState(null);
  const [notice, setNotice] = useState('');
  const [busy, setBusy] = useState(false);
  const send = async (body, done) => {
    setBusy(true);
    setError(null);
    setErrors({});
    setNotice('');
    try {
      const r = await api('PATCH', '/api/v1/auth/me', body);
      onSaved(r);
      setNotice(done);
      return true;
    } catch (err) {
      setErrors(err.fields || {});
      setError(err);
      return false;
    } finally {
      setBusy(false);
    }
  };
  // Refused before asking the API: marked the same way as its field errors.
  const invalid = (fields) => {
    setError(null);
    setNotice('');
    setErrors(fields);
  };
  return { form, setForm, errors, error, notice, busy, send, invalid };
}

function NameForm({ user, onSaved }) {
  const f = useAccountForm({ name: user.name || '' }, onSaved);
  const save = (e) => {
    e.preventDefault();
    f.send({ name: f.form.name }, 'Your name was saved.');
  };
  return html`<form class="panel" id="account-name" onSubmit=${save} novalidate aria-labelledby="name-title">
    <h2 id="name-title">Your name</h2>
    ${f.notice && html`<p class="notice" role="status">${f.notice}</p>`}
    <${ErrorNote} error=${f.error} />
    <${Input} form=${f.form} set=${f.setForm} errors=${f.errors} name="name" label="Name" autocomplete="name" />
    <div class="actions"><button type="submit" id="save-name" disabled=${f.busy}>${f.busy ? 'Saving…' : 'Save name'}</button></div>
  </form>`;
}

function CredentialsForm({ user, onSaved }) {
  const blank = { email: user.email, password: '', repeat: '', current_password: '' };
  const f = useAccountForm(blank, onSaved);
  const save = async (e) => {
    e.preventDefault();
    const body = {};
    if (f.form.email.trim() !== user.email) body.email = f.form.email.trim();
    if (f.form.password) body.password = f.form.password;
    if (body.password !== undefined && f.form.repeat !== f.form.password) {
      f.invalid({ repeat: ['does not match the new password'] });
      return;
    }
    if (!body.email && body.password === undefined) {
      f.invalid({ email: ['change the e-mail or give a new password'] });
      return;
    }
    body.current_password = f.form.current_password;
    const what = body.email && body.password ? 'e-mail and password were' : body.email ? 'e-mail was' : 'password was';
    const ok = await f.send(body, `Your ${what} changed. Every other session of your account was signed out; this one stays signed in.`);
    if (ok) f.setForm({ ...blank, email: body.email || user.email });
  };
  return html`<form class="panel" id="account-credentials" onSubmit=${save} novalidate aria-labelledby="credentials-title">
    <h2 id="credentials-title">E-mail and password</h2>
    <p class="muted">A new e-mail or password signs out every other session of your account.</p>
    ${f.notice && html`<p class="notice" role="status" id="credentials-notice">${f.notice}</p>`}
    <${ErrorNote} error=${f.error} />
    <${Input} form=${f.form} set=${f.setForm} errors=${f.errors} name="email" label="E-mail" type="email" autocomplete="username" />
    <${Input} form=${f.form} set=${f.setForm} errors=${f.errors} name="password" label="New password" type="password" autocomplete="new-password"
      hint="At least 10 characters; leave empty to keep the current one" />
    <${Input} form=${f.form} set=${f.setForm} errors=${f.errors} name="repeat" label="New password again" type="password" autocomplete="new-password" />
    <${Input} form=${f.form} set=${f.setForm} errors=${f.errors} name="current_password" label="Current password" type="password" autocomplete="current-password"
      hint="Needed to change your e-mail or password" />
    <div class="actions"><button type="submit" id="save-credentials" disabled=${f.busy}>${f.busy ? 'Saving…' : 'Change e-mail or password'}</button></div>
  </form>`;
}

export function Account({ user, tenant, onSaved, onSignOutEverywhere }) {
  const [loaded, setLoaded] = useState(false);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  // The session keeps the user as at sign-in: the forms start from what the API has now.
  useEffect(() => {
    get('/api/v1/auth/me').then((r) => {
      onSaved(r);
      setLoaded(true);
    }, setError);
  }, []);
  const everywhere = async () => {
    if (!window.confirm('Sign out of every session of your account, this one included?')) return;
    setBusy(true);
    setError(null);
    try {
      await api('POST', '/api/v1/auth/logout-all');
      onSignOutEverywhere();
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  return html`<section class="account" aria-labelledby="page-title">
    <h1 id="page-title">My account</h1>
    <p class="muted" id="account-summary">${user.email}, ${user.role}${tenant ? ` at ${tenant.name}` : ''}</p>
    ${loaded ? html`<${NameForm} user=${user} onSaved=${onSaved} />
      <${CredentialsForm} user=${user} onSaved=${onSaved} />` : !error && html`<${Loading} what="your account" />`}
    <section class="panel" aria-labelledby="sessions-title">
      <h2 id="sessions-title">Sessions</h2>
      <p class="muted">Signing out everywhere ends every session of your account, on every device and this one too.</p>
      <${ErrorNote} error=${error} />
      <button type="button" class="danger" id="signout-all" disabled=${busy} onClick=${everywhere}>${busy ? 'Signing out…' : 'Sign out everywhere'}</button>
    </section>
  </section>`;
}
