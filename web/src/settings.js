// Tenant settings: webhook URLs to copy, credential rotation, time zone and authentication.
import { useEffect, useState } from './hooks.js';
import { api, get } from './api.js';
import { CopyButton, ErrorNote, Input, Loading, Select, html } from './ui.js';

const AUTH_MODES = [
  ['any', 'Any valid credential'],
  ['hmac', 'HMAC signature'],
  ['bearer', 'Requests API key'],
  ['url_token', 'Token in the URL'],
  ['hmac_or_bearer', 'HMAC or API key'],
];

const URL_NAMES = { voice_route: 'Voice application URL', session_update: 'Session updates webhook', cdr: 'CDR webhook' };

const SECRETS = [
  ['requests-key', 'requests_api_key', 'Requests API key', 'requests API key', 'Cloudonix sends this key with every voice request. The previous key stays valid for a short grace period: give Cloudonix the new one before it ends (pbxd does it for a paired domain).'],
  ['webhook-secret', 'webhook_secret', 'Webhook secret', 'webhook secret', 'Webhooks are signed with this secret. The previous secret stays valid for a short grace period.'],
  ['webhook-token', 'webhook_token', 'Webhook URL token', 'webhook URL token', 'The token travels in the webhook URLs given to Cloudonix. The previous token stays valid for a short grace period.'],
];

function Rotation({ path, field, title, noun, explain, onRotated }) {
  const [value, setValue] = useState('');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const rotate = async () => {
    if (!window.confirm(`Generate a new ${noun}?`)) return;
    setBusy(true);
    setError(null);
    try {
      const r = await api('POST', `/api/v1/settings/${path}`);
      setValue(r[field]);
      onRotated(r);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const id = `secret-${path}`;
  return html`<div class="rotation" id=${`rotation-${path}`}>
    <h3>${title}</h3>
    <p class="muted">${explain}</p>
    <${ErrorNote} error=${error} />
    ${value
      ? html`<div class="secret" role="status">
          <p class="warning"><strong>Copy it now:</strong> this is the only time it is shown. pbxd cannot show it again; if it is lost, generate another.</p>
          <label for=${id}>New ${noun}</label>
          <div class="inline"><input id=${id} class="secret-value" readonly value=${value} onFocus=${(e) => e.target.select()} />
          <${CopyButton} text=${value} /></div>
          <button type="button" class="secondary" onClick=${() => setValue('')}>I have saved it</button>
        </div>`
      : html`<button type="button" class="danger" id=${`rotate-${path}`} disabled=${busy} onClick=${rotate}>${busy ? 'Generating…' : `Generate a new ${noun}`}</button>`}
  </div>`;
}

export function Settings({ can, onSaved }) {
  const [settings, setSettings] = useState(null);
  const [form, setForm] = useState(null);
  const [errors, setErrors] = useState({});
  const [error, setError] = useState(null);
  const [notice, setNotice] = useState('');
  const [saving, setSaving] = useState(false);
  const owner = can('settings');
  const load = () => get('/api/v1/settings').then((s) => {
    setSettings(s);
    setForm({ timezone: s.timezone, webhook_auth: s.webhook_auth, public_base_url: s.public_base_url, default_ring_timeout: s.default_ring_timeout });
  }, setError);
  useEffect(load, []);
  const save = async (e) => {
    e.preventDefault();
    setSaving(true);
    setError(null);
    setErrors({});
    try {
      const s = await api('PATCH', '/api/v1/settings', form);
      setSettings(s);
      setNotice('Settings saved.');
      // The session's tenant summary carries the time zone the reports count days in.
      get('/api/v1/auth/me').then(onSaved, () => {});
    } catch (err) {
      setError(err);
      setErrors(err.fields || {});
    } finally {
      setSaving(false);
    }
  };
  if (!settings) return html`<section><h1 id="page-title">Settings</h1><${ErrorNote} error=${error} />${!error && html`<${Loading} what="settings" />`}</section>`;
  const urls = settings.webhook_urls || {};
  return html`<section aria-labelledby="page-title">
    <h1 id="page-title">Settings</h1>
    ${notice && html`<p class="notice" role="status">${notice}</p>`}
    <section class="panel" aria-labelledby="urls-title">
      <h2 id="urls-title">Cloudonix URLs</h2>
      <p class="muted">Domain ${settings.domain_name}. Give these URLs to Cloudonix.</p>
      ${Object.entries(urls).map(([k, u]) => html`<div class="field" key=${k}>
        <label for=${`url-${k}`}>${URL_NAMES[k] || k}</label>
        <div class="inline"><input id=${`url-${k}`} readonly value=${u} onFocus=${(e) => e.target.select()} /><${CopyButton} text=${u} /></div>
      </div>`)}
    </section>
    <form class="panel" onSubmit=${save} aria-labelledby="general-title">
      <h2 id="general-title">General</h2>
      <${ErrorNote} error=${error} />
      <fieldset disabled=${!owner}>
        <${Input} form=${form} set=${setForm} errors=${errors} name="timezone" label="Time zone" hint="IANA name, like America/New_York" />
        <${Select} form=${form} set=${setForm} errors=${errors} name="webhook_auth" label="Webhook authentication" options=${AUTH_MODES.some(([v]) => v === form.webhook_auth) ? AUTH_MODES : [...AUTH_MODES, [form.webhook_auth, form.webhook_auth]]} />
        <${Input} form=${form} set=${setForm} errors=${errors} name="public_base_url" label="Public base URL" type="url" hint="How Cloudonix reaches this service" />
        <${Input} form=${form} set=${setForm} errors=${errors} name="default_ring_timeout" label="Default ring timeout (seconds)" type="number" />
      </fieldset>
      ${owner && html`<div class="actions"><button type="submit" disabled=${saving}>${saving ? 'Saving…' : 'Save settings'}</button></div>`}
    </form>
    ${owner && html`<section class="panel" aria-labelledby="keys-title">
      <h2 id="keys-title">Keys and secrets</h2>
      ${SECRETS.map(([path, field, title, noun, explain]) => html`<${Rotation} key=${path} path=${path} field=${field} title=${title} noun=${noun} explain=${explain}
        onRotated=${(r) => { if (r.webhook_urls) setSettings({ ...settings, webhook_urls: r.webhook_urls }); }} />`)}
    </section>`}
  </section>`;
}
