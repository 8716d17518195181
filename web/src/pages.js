// The configuration pages: one ResourcePage each, with the forms of their objects.
import { useEffect, useState } from './hooks.js';
import { api, listAll } from './api.js';
import { ResourcePage } from './resource.js';
import {
  Check, DestinationPicker, ErrorNote, Input, Loading, Select, describeDestination, formatTime, html, objectLabel,
} from './ui.js';

const STATUS = [['active', 'Active'], ['inactive', 'Inactive']];
// Optional text fields are sent as null when left empty, so that clearing one clears it.
const blankToNull = (form, keys) => {
  const out = { ...form };
  for (const k of keys) if (out[k] === '') out[k] = null;
  return out;
};

function ExtensionForm({ form, set, errors }) {
  return html`
    <${Input} form=${form} set=${set} errors=${errors} name="number" label="Number" inputmode="numeric" required hint="2 to 8 digits" />
    <${Input} form=${form} set=${set} errors=${errors} name="name" label="Name" />
    <${Select} form=${form} set=${set} errors=${errors} name="status" label="Status" options=${STATUS} />
    <${Input} form=${form} set=${set} errors=${errors} name="forward_to" label="Forward to" hint="E.164 number or SIP URI; empty to ring the extension" />
    <${Input} form=${form} set=${set} errors=${errors} name="ring_timeout" label="Ring timeout (seconds)" type="number" min="5" max="600" />
    <${Check} form=${form} set=${set} errors=${errors} name="voicemail_enabled" label="Voicemail" />
    <${Input} form=${form} set=${set} errors=${errors} name="voicemail_greeting" label="Voicemail greeting" />
    <${Check} form=${form} set=${set} errors=${errors} name="outbound_allowed" label="May call out" />
    <${Input} form=${form} set=${set} errors=${errors} name="caller_id" label="Caller ID" hint="E.164" />`;
}

export function Extensions({ can }) {
  return html`<${ResourcePage} title="Extensions" singular="Extension" path="/api/v1/extensions" canWrite=${can('manage')}
    needsObjects=${false}
    writable=${['number', 'name', 'status', 'forward_to', 'ring_timeout', 'voicemail_enabled', 'voicemail_greeting', 'outbound_allowed', 'caller_id']}
    defaults=${() => ({ number: '', name: '', status: 'active', ring_timeout: 30, voicemail_enabled: true, outbound_allowed: false })}
    toBody=${(f) => blankToNull(f, ['forward_to', 'voicemail_greeting', 'caller_id'])}
    columns=${[
      { label: 'Number', value: (x) => x.number },
      { label: 'Name', value: (x) => x.name },
      { label: 'Status', value: (x) => x.status },
      { label: 'Forward to', value: (x) => x.forward_to || '' },
      { label: 'Voicemail', value: (x) => (x.voicemail_enabled ? 'on' : 'off') },
      { label: 'Cloudonix', value: (x) => x.cloudonix_sync || '' },
    ]}
    Form=${ExtensionForm} />`;
}

function PhoneNumberForm({ form, set, errors, objects }) {
  return html`
    <${Input} form=${form} set=${set} errors=${errors} name="number" label="Number" type="tel" hint="E.164, like +12025550100" />
    <${Input} form=${form} set=${set} errors=${errors} name="name" label="Name" />
    <${Select} form=${form} set=${set} errors=${errors} name="status" label="Status" options=${STATUS} />
    <${DestinationPicker} id="f-destination" label="Destination" value=${form.destination} objects=${objects}
      errors=${errors.destination} onChange=${(d) => set({ ...form, destination: d })} />`;
}

export function PhoneNumbers({ can }) {
  return html`<${ResourcePage} title="Phone numbers" singular="Phone number" path="/api/v1/phone-numbers" canWrite=${can('manage')}
    writable=${['number', 'name', 'status', 'destination']}
    defaults=${() => ({ number: '', name: '', status: 'active', destination: null })}
    columns=${[
      { label: 'Number', value: (x) => x.number },
      { label: 'Name', value: (x) => x.name },
      { label: 'Status', value: (x) => x.status },
      { label: 'Destination', value: (x, o) => describeDestination(x.destination, o) },
    ]}
    Form=${PhoneNumberForm} />`;
}

const STRATEGIES = [['simultaneous', 'Ring all at once'], ['sequential', 'One after another'], ['round_robin', 'Round robin']];

function MemberList({ members, set, objects, errors }) {
  const [dragging, setDragging] = useState(null);
  const exts = (objects && objects.extensions) || [];
  const [adding, setAdding] = useState('');
  const move = (from, to) => {
    if (to < 0 || to >= members.length) return;
    const next = members.slice();
    const [m] = next.splice(from, 1);
    next.splice(to, 0, m);
    set(next);
  };
  const label = (id) => objectLabel('extensions', exts.find((e) => e.id === id)) || id;
  const available = exts.filter((e) => !members.some((m) => m.extension_id === e.id));
  return html`<fieldset class=${`members${errors && errors.length ? ' invalid' : ''}`}>
    <legend>Members, in ringing order</legend>
    <ol class="member-list">
      ${members.map(
        (m, i) => html`<li key=${m.extension_id} draggable="true" class=${dragging === i ? 'dragging' : ''}
          onDragStart=${(e) => { setDragging(i); e.dataTransfer.effectAllowed = 'move'; e.dataTransfer.setData('text/plain', String(i)); }}
          onDragOver=${(e) => e.preventDefault()}
          onDrop=${(e) => {
            e.preventDefault();
            const from = Number.parseInt(e.dataTransfer.getData('text/plain'), 10);
            if (Number.isInteger(from)) move(from, i);
            setDragging(null);
          }}
          onDragEnd=${() => setDragging(null)}>
          <span class="grip" aria-hidden="true">⠿</span>
          <span class="member-name">${label(m.extension_id)}</span>
          <button type="button" class="secondary" aria-label=${`Move ${label(m.extension_id)} up`} disabled=${i === 0} onClick=${() => move(i, i - 1)}>↑</button>
          <button type="button" class="secondary" aria-label=${`Move ${label(m.extension_id)} down`} disabled=${i === members.length - 1} onClick=${() => move(i, i + 1)}>↓</button>
          <button type="button" class="danger" aria-label=${`Remove ${label(m.extension_id)}`} onClick=${() => set(members.filter((_, j) => j !== i))}>✕</button>
        </li>`,
      )}
    </ol>
    <label for="add-member">Add a member</label>
    <div class="inline">
      <select id="add-member" value=${adding} onChange=${(e) => setAdding(e.target.value)}>
        <option value="">Choose an extension…</option>
        ${available.map((e) => html`<option value=${e.id}>${objectLabel('extensions', e)}</option>`)}
      </select>
      <button type="button" class="secondary" id="add-member-button" disabled=${!adding}
        onClick=${() => { set([...members, { extension_id: adding }]); setAdding(''); }}>Add</button>
    </div>
    ${(errors || []).map((e) => html`<small class="field-error">${e}</small>`)}
  </fieldset>`;
}

function RingGroupForm({ form, set, errors, objects }) {
  return html`
    <${Input} form=${form} set=${set} errors=${errors} name="name" label="Name" />
    <${Input} form=${form} set=${set} errors=${errors} name="number" label="Internal number" inputmode="numeric" hint="Optional, 2 to 8 digits" />
    <${Select} form=${form} set=${set} errors=${errors} name="strategy" label="Strategy" options=${STRATEGIES} />
    <${Input} form=${form} set=${set} errors=${errors} name="ring_timeout" label="Ring timeout (seconds)" type="number" min="5" max="600" />
    <${Input} form=${form} set=${set} errors=${errors} name="ring_turns" label="Turns" type="number" min="1" max="10" />
    <${MemberList} members=${form.members || []} objects=${objects} errors=${errors.members}
      set=${(members) => set({ ...form, members })} />
    <${DestinationPicker} id="f-fallback" label="When nobody answers" optional=${true} value=${form.fallback} objects=${objects}
      errors=${errors.fallback} onChange=${(d) => set({ ...form, fallback: d })} />`;
}

export function RingGroups({ can }) {
  return html`<${ResourcePage} title="Ring groups" singular="Ring group" path="/api/v1/ring-groups" canWrite=${can('manage')}
    writable=${['name', 'number', 'strategy', 'ring_timeout', 'ring_turns', 'members', 'fallback']}
    defaults=${() => ({ name: '', number: '', strategy: 'sequential', ring_timeout: 20, ring_turns: 1, members: [], fallback: null })}
    toForm=${(f) => ({ ...f, members: [...(f.members || [])].sort((a, b) => (a.priority ?? 0) - (b.priority ?? 0)) })}
    toBody=${(f) => {
      // The order on screen is the ringing order: priorities are renumbered only when it
      // no longer matches them.
      const ms = f.members || [];
      const kept = ms.every((m, i) => Number.isInteger(m.priority) && (i === 0 || m.priority > ms[i - 1].priority));
      return {
        ...blankToNull(f, ['number']),
        members: ms.map((m, i) => ({ extension_id: m.extension_id, priority: kept ? m.priority : i })),
      };
    }}
    columns=${[
      { label: 'Name', value: (x) => x.name },
      { label: 'Number', value: (x) => x.number || '' },
      { label: 'Strategy', value: (x) => x.strategy },
      { label: 'Members', value: (x, o) => (x.members || []).map((m) => objectLabel('extensions', o && o.extensions.find((e) => e.id === m.extension_id)) || m.extension_id).join(', ') },
      { label: 'Fallback', value: (x, o) => describeDestination(x.fallback, o) },
    ]}
    Form=${RingGroupForm} />`;
}

const KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#'];

function IvrForm({ form, set, errors, objects }) {
  const prompt = form.prompt || {};
  const usesUrl = prompt.play_url !== undefined;
  const options = form.options || [];
  const optionFor = (k) => options.find((o) => o.digits === k);
  const setOption = (k, dest) => {
    const rest = options.filter((o) => o.digits !== k);
    set({ ...form, options: dest ? [...rest, { digits: k, destination: dest }] : rest });
  };
  return html`
    <${Input} form=${form} set=${set} errors=${errors} name="name" label="Name" />
    <${Input} form=${form} set=${set} errors=${errors} name="number" label="Internal number" hint="Optional" />
    <fieldset class=${errors.prompt ? 'invalid' : ''}><legend>Greeting</legend>
      <div class="inline choices">
        <label><input type="radio" name="prompt-kind" checked=${!usesUrl} onChange=${() => set({ ...form, prompt: { say: '' } })} /> Spoken text</label>
        <label><input type="radio" name="prompt-kind" checked=${usesUrl} onChange=${() => set({ ...form, prompt: { play_url: '' } })} /> Audio file URL</label>
      </div>
      ${usesUrl
        ? html`<label for="f-prompt-url">Audio URL</label><input id="f-prompt-url" type="url" value=${prompt.play_url} onInput=${(e) => set({ ...form, prompt: { play_url: e.target.value } })} />`
        : html`<label for="f-prompt-say">Text to speak</label><textarea id="f-prompt-say" value=${prompt.say || ''} onInput=${(e) => set({ ...form, prompt: { ...prompt, say: e.target.value } })}></textarea>`}
      ${(errors.prompt || []).map((e) => html`<small class="field-error">${e}</small>`)}
    </fieldset>
    <${Input} form=${form} set=${set} errors=${errors} name="digit_timeout" label="Seconds to wait for a key" type="number" min="1" max="60" />
    <${Input} form=${form} set=${set} errors=${errors} name="max_attempts" label="Attempts" type="number" min="1" max="10" />
    <${Input} form=${form} set=${set} errors=${errors} name="invalid_prompt" label="Said after a wrong key" />
    <fieldset class=${errors.options ? 'invalid' : ''}><legend>Keypad</legend>
      <table class="keypad">
        <thead><tr><th scope="col">Key</th><th scope="col">Destination</th></tr></thead>
        <tbody>
          ${KEYS.map((k) => html`<tr key=${k}><th scope="row" class="key">${k}</th><td>
            <${DestinationPicker} id=${`f-key-${k === '*' ? 'star' : k === '#' ? 'hash' : k}`} label=${`Key ${k}`} optional=${true}
              value=${optionFor(k) ? optionFor(k).destination : null} objects=${objects} onChange=${(d) => setOption(k, d)} />
          </td></tr>`)}
        </tbody>
      </table>
      ${(errors.options || []).map((e) => html`<small class="field-error">${e}</small>`)}
    </fieldset>
    <${DestinationPicker} id="f-timeout" label="When no key is pressed" optional=${true} value=${form.timeout_destination} objects=${objects}
      errors=${errors.timeout_destination} onChange=${(d) => set({ ...form, timeout_destination: d })} />
    <${DestinationPicker} id="f-failover" label="After the last attempt" optional=${true} value=${form.failover} objects=${objects}
      errors=${errors.failover} onChange=${(d) => set({ ...form, failover: d })} />`;
}

export function IvrMenus({ can }) {
  return html`<${ResourcePage} title="IVR menus" singular="IVR menu" noun="IVR menu" path="/api/v1/ivr-menus" canWrite=${can('manage')}
    writable=${['name', 'number', 'prompt', 'digit_timeout', 'max_attempts', 'invalid_prompt', 'options', 'timeout_destination', 'failover']}
    defaults=${() => ({ name: '', number: '', prompt: { say: '' }, digit_timeout: 5, max_attempts: 3, options: [], timeout_destination: null, failover: null })}
    toBody=${(f) => blankToNull(f, ['number', 'invalid_prompt'])}
    columns=${[
      { label: 'Name', value: (x) => x.name },
      { label: 'Number', value: (x) => x.number || '' },
      { label: 'Keys', value: (x, o) => (x.options || []).map((op) => `${op.digits}: ${describeDestination(op.destination, o)}`).join('; ') },
    ]}
    Form=${IvrForm} />`;
}

const DAYS = [['mon', 'Monday'], ['tue', 'Tuesday'], ['wed', 'Wednesday'], ['thu', 'Thursday'], ['fri', 'Friday'], ['sat', 'Saturday'], ['sun', 'Sunday']];

function RangeList({ ranges, set, idPrefix }) {
  return html`<div class="ranges">
    ${ranges.map((r, i) => html`<div class="inline" key=${i}>
      <label for=${`${idPrefix}-${i}-start`} class="sr-only">Opens</label>
      <input id=${`${idPrefix}-${i}-start`} type="time" value=${r.start} onInput=${(e) => set(ranges.map((x, j) => (j === i ? { ...x, start: e.target.value } : x)))} />
      <span aria-hidden="true">–</span>
      <label for=${`${idPrefix}-${i}-end`} class="sr-only">Closes</label>
      <input id=${`${idPrefix}-${i}-end`} type="time" value=${r.end} onInput=${(e) => set(ranges.map((x, j) => (j === i ? { ...x, end: e.target.value } : x)))} />
      ${r.end && r.start && r.end <= r.start && html`<small class="hint">overnight</small>`}
      <button type="button" class="danger" aria-label="Remove this range" onClick=${() => set(ranges.filter((_, j) => j !== i))}>✕</button>
    </div>`)}
    <button type="button" class="secondary" onClick=${() => set([...ranges, { start: '09:00', end: '17:00' }])}>Add hours</button>
  </div>`;
}

function BusinessHoursForm({ form, set, errors, objects }) {
  const weekly = form.weekly || {};
  const exceptions = form.exceptions || [];
  const setEx = (i, patch) => set({ ...form, exceptions: exceptions.map((x, j) => (j === i ? { ...x, ...patch } : x)) });
  return html`
    <${Input} form=${form} set=${set} errors=${errors} name="name" label="Name" />
    <${Input} form=${form} set=${set} errors=${errors} name="timezone" label="Time zone" hint="IANA name, like Europe/London; empty for the tenant's" />
    <fieldset class=${errors.weekly ? 'invalid' : ''}><legend>Weekly hours</legend>
      <table class="week">
        <tbody>
          ${DAYS.map(([d, name]) => html`<tr key=${d}><th scope="row">${name}</th><td>
            <${RangeList} idPrefix=${`f-${d}`} ranges=${weekly[d] || []} set=${(r) => set({ ...form, weekly: { ...weekly, [d]: r } })} />
          </td></tr>`)}
        </tbody>
      </table>
      ${(errors.weekly || []).map((e) => html`<small class="field-error">${e}</small>`)}
    </fieldset>
    <fieldset class=${errors.exceptions ? 'invalid' : ''}><legend>Exceptions</legend>
      ${exceptions.map((x, i) => html`<div class="exception" key=${i}>
        <label for=${`f-ex-${i}-date`}>Date</label>
        <input id=${`f-ex-${i}-date`} type="date" value=${x.date || ''} onInput=${(e) => setEx(i, { date: e.target.value })} />
        <label for=${`f-ex-${i}-name`}>Name</label>
        <input id=${`f-ex-${i}-name`} value=${x.name || ''} onInput=${(e) => setEx(i, { name: e.target.value })} />
        <div class="field check">
          <input id=${`f-ex-${i}-closed`} type="checkbox" checked=${!!x.closed}
            onChange=${(e) => setEx(i, e.target.checked ? { closed: true, ranges: undefined } : { closed: undefined, ranges: [] })} />
          <label for=${`f-ex-${i}-closed`}>Closed all day</label>
        </div>
        ${!x.closed && html`<${RangeList} idPrefix=${`f-ex-${i}`} ranges=${x.ranges || []} set=${(r) => setEx(i, { ranges: r })} />`}
        <button type="button" class="danger" onClick=${() => set({ ...form, exceptions: exceptions.filter((_, j) => j !== i) })}>Remove exception</button>
      </div>`)}
      <button type="button" class="secondary" onClick=${() => set({ ...form, exceptions: [...exceptions, { date: '', name: '', closed: true }] })}>Add exception</button>
      ${(errors.exceptions || []).map((e) => html`<small class="field-error">${e}</small>`)}
    </fieldset>
    <${DestinationPicker} id="f-open" label="While open" value=${form.open_destination} objects=${objects}
      errors=${errors.open_destination} onChange=${(d) => set({ ...form, open_destination: d })} />
    <${DestinationPicker} id="f-closed" label="While closed" value=${form.closed_destination} objects=${objects}
      errors=${errors.closed_destination} onChange=${(d) => set({ ...form, closed_destination: d })} />`;
}

export function BusinessHours({ can }) {
  return html`<${ResourcePage} title="Business hours" singular="Schedule" path="/api/v1/business-hours" canWrite=${can('manage')}
    writable=${['name', 'timezone', 'weekly', 'exceptions', 'open_destination', 'closed_destination']}
    defaults=${() => ({ name: '', timezone: '', weekly: { mon: [{ start: '09:00', end: '17:00' }], tue: [{ start: '09:00', end: '17:00' }], wed: [{ start: '09:00', end: '17:00' }], thu: [{ start: '09:00', end: '17:00' }], fri: [{ start: '09:00', end: '17:00' }] }, exceptions: [], open_destination: null, closed_destination: null })}
    toBody=${(f) => {
      const out = blankToNull(f, ['timezone']);
      if (out.timezone === null) delete out.timezone;
      out.exceptions = (f.exceptions || []).map((x) => (x.closed ? { date: x.date, name: x.name, closed: true } : { date: x.date, name: x.name, ranges: x.ranges || [] }));
      return out;
    }}
    columns=${[
      { label: 'Name', value: (x) => x.name },
      { label: 'Time zone', value: (x) => x.timezone || '' },
      { label: 'Now', value: (x) => (x.open_now ? 'open' : 'closed') },
      { label: 'Open', value: (x, o) => describeDestination(x.open_destination, o) },
      { label: 'Closed', value: (x, o) => describeDestination(x.closed_destination, o) },
    ]}
    Form=${BusinessHoursForm} />`;
}

const ROLES = [['owner', 'Owner'], ['admin', 'Administrator'], ['user', 'User'], ['reporter', 'Reporter']];

// Why a user's e-mail, password and role cannot be changed here: 'self' (My account does it)
// or 'admin' (only an owner changes another administrator's), else ''.
function credentialsLock(item, me, role) {
  if (!item) return '';
  if (item.id === me.id) return 'self';
  return role !== 'owner' && item.role === 'admin' ? 'admin' : '';
}

function UserForm({ form, set, errors, isNew, item, me, role }) {
  const lock = credentialsLock(item, me, role);
  // Only an owner grants owner; an administrator is not offered it.
  const roles = role === 'owner' || form.role === 'owner' ? ROLES : ROLES.filter(([r]) => r !== 'owner');
  return html`
    ${lock === 'self' && html`<p class="notice" id="users-self-note">
      This is your own account: change your e-mail or password in <a href="#/account" id="users-account-link">My account</a>. No one changes their own role.
    </p>`}
    ${lock === 'admin' && html`<p class="warning" id="users-admin-note">Only an owner may change another administrator’s e-mail, password or role.</p>`}
    <${Input} form=${form} set=${set} errors=${errors} name="email" label="E-mail" type="email" autocomplete="off" readonly=${!!lock} />
    <${Input} form=${form} set=${set} errors=${errors} name="name" label="Name" />
    <${Select} form=${form} set=${set} errors=${errors} name="role" label="Role" options=${roles} disabled=${!!lock} />
    ${!lock && html`<${Input} form=${form} set=${set} errors=${errors} name="password" label=${isNew ? 'Password' : 'New password'} type="password" autocomplete="new-password"
      hint=${isNew ? 'At least 10 characters' : 'Leave empty to keep the current one'} />`}`;
}

export function Users({ can, user, role }) {
  // What the API refuses is not offered: an administrator changes no owner (403), and no one
  // deletes themselves (409).
  const mayChange = (it) => role === 'owner' || it.role !== 'owner';
  return html`<${ResourcePage} title="Users" singular="User" path="/api/v1/users" canWrite=${can('manage')} needsObjects=${false}
    writable=${['email', 'name', 'role']}
    defaults=${() => ({ email: '', name: '', role: 'user', password: '' })}
    toBody=${(f) => {
      const out = { ...f };
      if (!out.password) delete out.password;
      return out;
    }}
    canEdit=${mayChange}
    canDelete=${(it) => mayChange(it) && it.id !== user.id}
    formProps=${{ me: user, role }}
    columns=${[
      { label: 'E-mail', value: (x) => x.email },
      { label: 'Name', value: (x) => x.name },
      { label: 'Role', value: (x) => x.role },
    ]}
    Form=${UserForm} />`;
}

function ConferenceRoomForm({ form, set, errors }) {
  return html`
    <${Input} form=${form} set=${set} errors=${errors} name="name" label="Name" hint="Letters, digits, _ . - (up to 64); destinations join the room by this name" />
    <${Input} form=${form} set=${set} errors=${errors} name="number" label="Internal number" inputmode="numeric" hint="Optional, 2 to 8 digits" />
    <${Input} form=${form} set=${set} errors=${errors} name="max_participants" label="Most participants" type="number" min="2" max="250" />
    <${Check} form=${form} set=${set} errors=${errors} name="beep" label="Beep when someone joins or leaves" />
    <${Check} form=${form} set=${set} errors=${errors} name="record" label="Record from the start" />`;
}

export function Conferences({ can }) {
  return html`<${ResourcePage} title="Conference rooms" singular="Conference room" path="/api/v1/conference-rooms" canWrite=${can('manage')}
    needsObjects=${false}
    writable=${['name', 'number', 'max_participants', 'beep', 'record']}
    defaults=${() => ({ name: '', number: '', max_participants: 250, beep: true, record: false })}
    toBody=${(f) => blankToNull(f, ['number'])}
    columns=${[
      { label: 'Name', value: (x) => x.name },
      { label: 'Number', value: (x) => x.number || '' },
      { label: 'Most participants', value: (x) => x.max_participants },
      { label: 'Beep', value: (x) => (x.beep ? 'on' : 'off') },
      { label: 'Recorded', value: (x) => (x.record ? 'yes' : 'no') },
    ]}
    Form=${ConferenceRoomForm} />`;
}

export function Voicemail({ can }) {
  const [exts, setExts] = useState(null);
  const [messages, setMessages] = useState(null);
  const [ext, setExt] = useState('');
  const [error, setError] = useState(null);
  const load = () => {
    setError(null);
    Promise.all([listAll('/api/v1/extensions').catch(() => []), listAll('/api/v1/voicemails')]).then(([e, m]) => {
      setExts(e);
      setMessages(m);
    }, (err) => {
      setError(err);
      setMessages([]);
    });
  };
  useEffect(load, []);
  const act = async (fn) => {
    setError(null);
    try {
      await fn();
      load();
    } catch (err) {
      setError(err);
    }
  };
  const extLabel = (id) => objectLabel('extensions', (exts || []).find((e) => e.id === id)) || id;
  const shown = (messages || []).filter((m) => !ext || m.extension_id === ext);
  const ids = [...new Set((messages || []).map((m) => m.extension_id))];
  return html`<section aria-labelledby="page-title">
    <h1 id="page-title">Voicemail</h1>
    <div class="toolbar">
      <label for="vm-ext">Extension</label>
      <select id="vm-ext" value=${ext} onChange=${(e) => setExt(e.target.value)}>
        <option value="">All</option>
        ${ids.map((id) => html`<option value=${id}>${extLabel(id)}</option>`)}
      </select>
    </div>
    <${ErrorNote} error=${error} />
    ${messages === null ? html`<${Loading} what="messages" />` : html`<ul class="cards">
      ${shown.length === 0 && html`<li class="muted">No messages.</li>`}
      ${shown.map((m) => html`<li key=${m.id} class=${m.read ? '' : 'unread'}>
        <p><strong>${m.from || 'Unknown caller'}</strong> for ${extLabel(m.extension_id)}, ${formatTime(m.created_at)}, ${m.duration || 0} s ${m.read ? '' : '(new)'}</p>
        ${m.recording_url && html`<audio controls preload="none" src=${m.recording_url}></audio>`}
        ${can('voicemail') && html`<div class="actions">
          ${!m.read && html`<button type="button" class="secondary" onClick=${() => act(() => api('PATCH', `/api/v1/voicemails/${m.id}`, { read: true }))}>Mark as heard</button>`}
          <button type="button" class="danger" onClick=${() => window.confirm('Delete this message?') && act(() => api('DELETE', `/api/v1/voicemails/${m.id}`))}>Delete</button>
        </div>`}
      </li>`)}
    </ul>`}
  </section>`;
}
