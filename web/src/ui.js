// Shared components. Every API value goes into the page as a text node or an attribute value
// through Preact, never as markup.
import { h } from './preact.js';
import { useEffect, useRef, useState } from './hooks.js';
import htm from './htm.js';
import { listAll } from './api.js';

export const html = htm.bind(h);

export function Loading({ what }) {
  return html`<p class="loading" role="status">Loading ${what || ''}…</p>`;
}

const KIND_NAMES = {
  extension: 'Extension',
  extensions: 'Extension',
  ring_group: 'Ring group',
  ring_groups: 'Ring group',
  ivr_menu: 'IVR menu',
  ivr_menus: 'IVR menu',
  business_hours: 'Business hours',
  phone_number: 'Phone number',
  phone_numbers: 'Phone number',
  voicemail: 'Voicemail',
  conference: 'Conference',
  conference_room: 'Conference room',
  conference_rooms: 'Conference room',
  forward: 'Forward',
  hangup: 'Hang up',
};
export const kindName = (k) => KIND_NAMES[k] || k;

export function ErrorNote({ error }) {
  if (!error) return null;
  const refs = error.details && error.details.referenced_by;
  return html`<div class="error" role="alert">
    <p>${error.status === 403 ? 'Not allowed: ' : ''}${error.message}</p>
    ${Array.isArray(refs) && refs.length > 0 &&
    html`<p>It is used by:</p>
      <ul>
        ${refs.map((r) => html`<li key=${r.id}>${kindName(r.type)} “${r.name}”</li>`)}
      </ul>
      <p>Point those elsewhere first.</p>`}
    ${error.status === 422 && Object.keys(error.fields).length > 0 &&
    html`<p>Check the fields marked below.</p>`}
    ${error.requestId && html`<p class="muted">Request ${error.requestId}</p>`}
  </div>`;
}

// A labelled control with its field errors beside it.
export function Field({ label, errors, hint, children, id }) {
  const list = errors || [];
  return html`<div class=${`field${list.length ? ' invalid' : ''}`}>
    <label for=${id}>${label}</label>
    ${children}
    ${hint && html`<small class="hint">${hint}</small>`}
    ${list.map((e) => html`<small class="field-error" id=${`${id}-error`}>${e}</small>`)}
  </div>`;
}

// Text, number or select bound to form[name].
export function Input({ form, set, name, label, errors, type = 'text', hint, ...rest }) {
  const id = `f-${name}`;
  const err = errors && errors[name];
  const value = form[name] == null ? '' : form[name];
  const onInput = (e) =>
    set({ ...form, [name]: type === 'number' ? (e.target.value === '' ? null : Number(e.target.value)) : e.target.value });
  return html`<${Field} label=${label} errors=${err} hint=${hint} id=${id}>
    <input id=${id} name=${name} type=${type} value=${value} onInput=${onInput}
      aria-invalid=${err ? 'true' : 'false'} aria-describedby=${err ? `${id}-error` : undefined} ...${rest} />
  </${Field}>`;
}

export function Select({ form, set, name, label, errors, options, hint, ...rest }) {
  const id = `f-${name}`;
  const err = errors && errors[name];
  return html`<${Field} label=${label} errors=${err} hint=${hint} id=${id}>
    <select id=${id} name=${name} value=${form[name] == null ? '' : form[name]}
      onChange=${(e) => set({ ...form, [name]: e.target.value })} aria-invalid=${err ? 'true' : 'false'} ...${rest}>
      ${options.map(([v, l]) => html`<option value=${v}>${l}</option>`)}
    </select>
  </${Field}>`;
}

export function Check({ form, set, name, label, errors }) {
  const id = `f-${name}`;
  const err = errors && errors[name];
  return html`<div class="field check">
    <input id=${id} name=${name} type="checkbox" checked=${!!form[name]}
      onChange=${(e) => set({ ...form, [name]: e.target.checked })} />
    <label for=${id}>${label}</label>
    ${(err || []).map((e) => html`<small class="field-error">${e}</small>`)}
  </div>`;
}

export function CopyButton({ text, label = 'Copy' }) {
  const [done, setDone] = useState('');
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setDone('Copied');
    } catch (_) {
      setDone('Select the text and copy it');
    }
  };
  return html`<button type="button" class="secondary" onClick=${copy}>${label}</button>
    <span class="muted" role="status">${done}</span>`;
}

// The tenant's objects that destinations can point at, loaded once per page.
export function useObjects() {
  const [objects, setObjects] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    let live = true;
    const kinds = [
      ['extensions', '/api/v1/extensions'],
      ['ring_groups', '/api/v1/ring-groups'],
      ['ivr_menus', '/api/v1/ivr-menus'],
      ['business_hours', '/api/v1/business-hours'],
      ['conference_rooms', '/api/v1/conference-rooms'],
    ];
    Promise.all(kinds.map(([, path]) => listAll(path).catch(() => [])))
      .then((lists) => {
        if (!live) return;
        const out = {};
        kinds.forEach(([k], i) => {
          out[k] = lists[i];
        });
        setObjects(out);
      })
      .catch((e) => live && setError(e));
    return () => {
      live = false;
    };
  }, []);
  return [objects, error];
}

const DEST_TYPES = [
  ['extension', 'Extension', 'extensions'],
  ['ring_group', 'Ring group', 'ring_groups'],
  ['ivr_menu', 'IVR menu', 'ivr_menus'],
  ['voicemail', 'Voicemail of', 'extensions'],
  ['business_hours', 'Business hours', 'business_hours'],
  ['conference', 'Conference room', null],
  ['forward', 'Forward to a number', null],
  ['hangup', 'Hang up', null],
];

export function objectLabel(kind, o) {
  if (!o) return '';
  if (kind === 'extensions') return `${o.number} ${o.name || ''}`.trim();
  return o.number ? `${o.name} (${o.number})` : o.name;
}

export function describeDestination(d, objects) {
  if (!d || !d.type) return '';
  const t = DEST_TYPES.find(([v]) => v === d.type);
  if (!t) return d.type;
  if (d.type === 'forward') return `Forward to ${d.number}`;
  if (d.type === 'conference') return `Conference “${d.name}”`;
  if (d.type === 'hangup') return 'Hang up';
  const o = objects && objects[t[2]] && objects[t[2]].find((x) => x.id === d.id);
  return `${t[1]} ${o ? objectLabel(t[2], o) : d.id}`;
}

// A destination chosen from the tenant's own objects (or a number, a room name, hang up).
export function DestinationPicker({ value, onChange, objects, label, errors, id, optional }) {
  const v = value || (optional ? null : { type: 'extension', id: '' });
  const type = v ? v.type : '';
  const kind = (DEST_TYPES.find(([t]) => t === type) || [])[2];
  // Rooms are joined by name; a name with no room of its own (an ad-hoc room) stays possible.
  const rooms = (objects && objects.conference_rooms) || [];
  const [otherRoom, setOtherRoom] = useState(false);
  const knownRoom = type === 'conference' && rooms.some((r) => r.name === v.name);
  const typingRoom = type === 'conference' && (otherRoom || rooms.length === 0 || !knownRoom);
  const setType = (t) => {
    setOtherRoom(false);
    if (t === '') return onChange(null);
    if (t === 'forward') return onChange({ type: t, number: '' });
    if (t === 'conference') return onChange({ type: t, name: rooms.length ? rooms[0].name : '' });
    if (t === 'hangup') return onChange({ type: t });
    const list = (objects && objects[DEST_TYPES.find(([x]) => x === t)[2]]) || [];
    return onChange({ type: t, id: list.length ? list[0].id : '' });
  };
  return html`<fieldset class=${`destination${errors && errors.length ? ' invalid' : ''}`}>
    <legend>${label}</legend>
    <label for=${`${id}-type`}>Send calls to</label>
    <select id=${`${id}-type`} value=${type} onChange=${(e) => setType(e.target.value)}>
      ${optional && html`<option value="">Nothing</option>`}
      ${DEST_TYPES.map(([t, l]) => html`<option value=${t}>${l}</option>`)}
    </select>
    ${kind &&
    html`<label for=${`${id}-id`}>Which one</label>
      <select id=${`${id}-id`} value=${v.id || ''} onChange=${(e) => onChange({ type, id: e.target.value })}>
        ${!v.id && html`<option value="">Choose…</option>`}
        ${((objects && objects[kind]) || []).map((o) => html`<option value=${o.id}>${objectLabel(kind, o)}</option>`)}
      </select>`}
    ${type === 'forward' &&
    html`<label for=${`${id}-number`}>Number or SIP URI</label>
      <input id=${`${id}-number`} value=${v.number || ''} placeholder="+14155550100"
        onInput=${(e) => onChange({ type, number: e.target.value })} />`}
    ${type === 'conference' && rooms.length > 0 &&
    html`<label for=${`${id}-room`}>Which room</label>
      <select id=${`${id}-room`} value=${typingRoom ? '' : v.name}
        onChange=${(e) => {
          setOtherRoom(e.target.value === '');
          if (e.target.value !== '') onChange({ type, name: e.target.value });
        }}>
        ${rooms.map((r) => html`<option value=${r.name}>${objectLabel('conference_rooms', r)}</option>`)}
        <option value="">Another name…</option>
      </select>`}
    ${typingRoom &&
    html`<label for=${`${id}-name`}>Room name</label>
      <input id=${`${id}-name`} value=${v.name || ''} onInput=${(e) => onChange({ type, name: e.target.value })} />`}
    ${(errors || []).map((e) => html`<small class="field-error">${e}</small>`)}
  </fieldset>`;
}

export function useFocus(dep) {
  const ref = useRef(null);
  useEffect(() => {
    if (ref.current) ref.current.focus();
  }, [dep]);
  return ref;
}

export function formatTime(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : d.toLocaleString();
}
