// A list / search / create / edit / delete page over one admin API collection.
import { useEffect, useState } from './hooks.js';
import { api, listAll } from './api.js';
import { ErrorNote, Loading, html, useFocus, useObjects } from './ui.js';

// Unsaved forms survive a failed save and a session that ends mid-edit (kept in memory only),
// for the user who typed them.
const drafts = new Map();
let draftOwner = null;
export function draftsFor(userId) {
  if (userId !== draftOwner) drafts.clear();
  draftOwner = userId;
}

function pick(item, keys) {
  const out = {};
  for (const k of keys) if (item[k] !== undefined) out[k] = item[k];
  return out;
}

// canEdit and canDelete (optional) take a row: its buttons show only where they return true.
// formProps go to Form as they are, with the row being edited as `item`.
export function ResourcePage({
  title, singular, noun = singular.toLowerCase(), path, columns, writable, defaults, Form, canWrite, toForm, toBody, needsObjects = true,
  canEdit = () => true, canDelete = () => true, formProps = {},
}) {
  const [items, setItems] = useState(null);
  const [loadError, setLoadError] = useState(null);
  const [search, setSearch] = useState('');
  const [editing, setEditing] = useState(null); // {id, form}
  const [errors, setErrors] = useState({});
  const [saveError, setSaveError] = useState(null);
  const [saving, setSaving] = useState(false);
  const [notice, setNotice] = useState('');
  const [objects] = needsObjects ? useObjects() : [null];
  const heading = useFocus(editing && editing.id);

  const load = () => {
    setLoadError(null);
    listAll(path).then(setItems, (e) => {
      setItems([]);
      setLoadError(e);
    });
  };
  useEffect(load, [path]);

  const open = (item) => {
    const key = `${path}:${item ? item.id : 'new'}`;
    const draft = drafts.get(key);
    const form = draft || (item ? (toForm || ((x) => x))(pick(item, writable)) : { ...defaults() });
    setEditing({ id: item ? item.id : null, key, form, item });
    setErrors({});
    setSaveError(null);
    setNotice(draft ? 'Your unsaved changes were restored.' : '');
  };
  const setForm = (form) => {
    drafts.set(editing.key, form);
    setEditing({ ...editing, form });
  };
  const close = () => {
    drafts.delete(editing.key);
    setEditing(null);
  };
  const save = async (e) => {
    e.preventDefault();
    setSaving(true);
    setSaveError(null);
    setNotice('');
    try {
      const body = toBody ? toBody(editing.form) : editing.form;
      if (editing.id) await api('PATCH', `${path}/${editing.id}`, body);
      else await api('POST', path, body);
      drafts.delete(editing.key);
      setEditing(null);
      setNotice(`${singular} saved.`);
      load();
    } catch (err) {
      setErrors(err.fields || {});
      setSaveError(err);
    } finally {
      setSaving(false);
    }
  };
  const remove = async (item) => {
    if (!window.confirm(`Delete ${noun} “${item.name || item.number || item.email}”?`)) return;
    setSaveError(null);
    setNotice('');
    try {
      await api('DELETE', `${path}/${item.id}`);
      setNotice(`${singular} deleted.`);
      load();
    } catch (err) {
      setSaveError(err);
    }
  };

  const needle = search.trim().toLowerCase();
  const first = (it) => String(columns[0].value(it, objects) ?? '');
  const shown = (items || [])
    .filter((it) => !needle || columns.some((c) => String(c.value(it, objects) ?? '').toLowerCase().includes(needle)))
    .sort((a, b) => first(a).localeCompare(first(b), undefined, { numeric: true }));

  return html`<section aria-labelledby="page-title">
    <div class="page-head">
      <h1 id="page-title">${title}</h1>
      ${canWrite && !editing && html`<button type="button" id="new-item" onClick=${() => open(null)}>New ${noun}</button>`}
    </div>
    ${notice && html`<p class="notice" role="status">${notice}</p>`}
    ${editing &&
    html`<form class="editor" onSubmit=${save} novalidate aria-labelledby="editor-title">
      <h2 id="editor-title" tabindex="-1" ref=${heading}>${editing.id ? `Edit ${noun}` : `New ${noun}`}</h2>
      <${ErrorNote} error=${saveError} />
      <${Form} form=${editing.form} set=${setForm} errors=${errors} objects=${objects} isNew=${!editing.id} item=${editing.item} ...${formProps} />
      <div class="actions">
        <button type="submit" id="save" disabled=${saving}>${saving ? 'Saving…' : 'Save'}</button>
        <button type="button" class="secondary" onClick=${close}>Cancel</button>
      </div>
    </form>`}
    ${!editing && saveError && html`<${ErrorNote} error=${saveError} />`}
    <div class="toolbar">
      <label for="search">Search</label>
      <input id="search" type="search" value=${search} onInput=${(e) => setSearch(e.target.value)} />
    </div>
    <${ErrorNote} error=${loadError} />
    ${items === null
      ? html`<${Loading} what=${title.toLowerCase()} />`
      : html`<div class="table-wrap"><table>
          <thead><tr>${columns.map((c) => html`<th scope="col">${c.label}</th>`)}${canWrite && html`<th scope="col"><span class="sr-only">Actions</span></th>`}</tr></thead>
          <tbody>
            ${shown.length === 0 && html`<tr><td colspan=${columns.length + 1} class="muted">Nothing here yet.</td></tr>`}
            ${shown.map(
              (it) => html`<tr key=${it.id}>
                ${columns.map((c) => html`<td data-label=${c.label}>${c.value(it, objects)}</td>`)}
                ${canWrite &&
                html`<td class="row-actions">
                  ${canEdit(it) && html`<button type="button" class="secondary" onClick=${() => open(it)}>Edit</button>`}
                  ${canDelete(it) && html`<button type="button" class="danger" onClick=${() => remove(it)}>Delete</button>`}
                </td>`}
              </tr>`,
            )}
          </tbody>
        </table></div>`}
  </section>`;
}
