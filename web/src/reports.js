// Overview and call records: read only, for every role.
import { useEffect, useRef, useState } from './hooks.js';
import { api, download, get, query } from './api.js';
import { ErrorNote, Loading, formatTime, html } from './ui.js';

const DISPOSITIONS = ['answered', 'busy', 'no_answer', 'cancelled', 'failed', 'other'];
const DIRECTIONS = ['inbound', 'outbound', 'internal'];

function dayInZone(date, zone) {
  // en-CA formats as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', { timeZone: zone || undefined, year: 'numeric', month: '2-digit', day: '2-digit' }).format(date);
}

function CallsChart({ days }) {
  const box = useRef(null);
  const [error, setError] = useState('');
  useEffect(() => {
    let plot = null;
    let live = true;
    import('./uplot.js').then(({ default: UPlot }) => {
      if (!live || !box.current) return;
      const xs = days.map((d) => Date.parse(`${d.date}T12:00:00Z`) / 1000);
      plot = new UPlot(
        {
          width: Math.max(280, box.current.clientWidth || 600),
          height: 220,
          series: [{}, { label: 'Calls', stroke: '#2563eb', width: 2 }, { label: 'Answered', stroke: '#16a34a', width: 2 }],
          axes: [{}, { label: 'calls' }],
        },
        [xs, days.map((d) => d.total), days.map((d) => d.answered)],
        box.current,
      );
      // When the overview is complete: read by the browser tests' timing.
      performance.mark('pbx-chart-drawn');
    }, () => setError('The chart could not be drawn.'));
    return () => {
      live = false;
      if (plot) plot.destroy();
    };
  }, [days]);
  return html`<div><div ref=${box} class="chart" role="img" aria-label="Calls per day for the last 30 days"></div>${error && html`<p class="error">${error}</p>`}</div>`;
}

function ActiveCalls() {
  const [calls, setCalls] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    let live = true;
    const tick = () => get('/api/v1/calls/active?limit=100').then(
      (r) => { if (live) { setCalls(r.data); setError(null); } },
      (e) => live && setError(e),
    );
    tick();
    const timer = setInterval(tick, 5000);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, []);
  return html`<section class="panel" aria-labelledby="live-title">
    <h2 id="live-title">Calls in progress</h2>
    <${ErrorNote} error=${error} />
    ${calls === null ? html`<${Loading} what="calls" />` : calls.length === 0 ? html`<p class="muted">No calls right now.</p>` : html`<ul>
      ${calls.map((c) => html`<li key=${c.session}>${c.from} → ${c.to} · ${c.state} · since ${formatTime(c.started_at)}</li>`)}
    </ul>`}
  </section>`;
}

function WebhookHealth({ can }) {
  const [events, setEvents] = useState(null);
  const [dead, setDead] = useState(null);
  const [error, setError] = useState(null);
  const [notice, setNotice] = useState('');
  const load = () => {
    get('/api/v1/webhook-events?outcome=rejected&limit=5').then((r) => setEvents(r.data), setError);
    if (can('manage')) get('/api/v1/dead-letters?limit=5').then((r) => setDead(r.data), setError);
  };
  useEffect(load, []);
  const replay = async (id) => {
    setError(null);
    try {
      const r = await api('POST', `/api/v1/dead-letters/${id}/replay`);
      setNotice(`Replayed: ${(r && (r.outcome || r.status)) || 'done'}`);
      load();
    } catch (e) {
      setError(e);
    }
  };
  return html`<section class="panel" aria-labelledby="hooks-title">
    <h2 id="hooks-title">Webhook health</h2>
    <${ErrorNote} error=${error} />
    ${notice && html`<p class="notice" role="status">${notice}</p>`}
    <h3>Last rejected deliveries</h3>
    ${events === null ? html`<${Loading} />` : events.length === 0 ? html`<p class="muted">None.</p>` : html`<ul>
      ${events.map((e) => html`<li key=${e.id}>${formatTime(e.received_at)} · ${e.kind} · ${e.reason || e.error || 'rejected'}</li>`)}
    </ul>`}
    ${can('manage') && html`<h3>Dead letters</h3>
    ${dead === null ? html`<${Loading} />` : dead.length === 0 ? html`<p class="muted">None.</p>` : html`<ul>
      ${dead.map((d) => html`<li key=${d.id}>${formatTime(d.received_at)} · ${d.kind} · ${d.error}
        ${d.replayed_at ? html` · replayed: ${d.replay_outcome}` : html` <button type="button" class="secondary" onClick=${() => replay(d.id)}>Replay</button>`}</li>`)}
    </ul>`}`}
  </section>`;
}

export function Overview({ can, tenant }) {
  const [today, setToday] = useState(null);
  const [month, setMonth] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    const zone = tenant && tenant.timezone;
    const now = new Date();
    const day = dayInZone(now, zone);
    const start = dayInZone(new Date(now.getTime() - 29 * 86400000), zone);
    get(`/api/v1/cdrs/stats${query({ from_date: day, to_date: day })}`).then(setToday, setError);
    get(`/api/v1/cdrs/stats${query({ from_date: start, to_date: day })}`).then((s) => {
      const by = new Map((s.by_day || []).map((d) => [d.date, d]));
      const days = [];
      for (let i = 29; i >= 0; --i) {
        const d = dayInZone(new Date(now.getTime() - i * 86400000), zone);
        days.push(by.get(d) || { date: d, total: 0, answered: 0 });
      }
      setMonth(days);
    }, setError);
  }, []);
  return html`<section aria-labelledby="page-title">
    <h1 id="page-title">Overview</h1>
    <${ErrorNote} error=${error} />
    <div class="grid">
      <${ActiveCalls} />
      <section class="panel" aria-labelledby="today-title">
        <h2 id="today-title">Today</h2>
        ${today === null ? html`<${Loading} />` : html`<p class="big">${today.total} calls, ${today.answered} answered</p>
          <dl class="dispositions">${DISPOSITIONS.map((d) => html`<div><dt>${d[0].toUpperCase()}${d.slice(1).replace('_', ' ')}</dt><dd>${(today.by_disposition || {})[d] || 0}</dd></div>`)}</dl>`}
      </section>
    </div>
    <section class="panel" aria-labelledby="chart-title">
      <h2 id="chart-title">Calls per day, last 30 days</h2>
      ${month === null ? html`<${Loading} />` : html`<${CallsChart} days=${month} />`}
    </section>
    ${can('webhooks') && html`<${WebhookHealth} can=${can} />`}
  </section>`;
}

const EMPTY_FILTERS = { from_date: '', to_date: '', from: '', to: '', disposition: '', direction: '' };

function CallDetail({ cdr, onClose }) {
  const [call, setCall] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    if (cdr.session_token) get(`/api/v1/calls/${encodeURIComponent(cdr.session_token)}`).then(setCall, setError);
  }, [cdr.id]);
  const rows = [
    ['From', cdr.from], ['To', cdr.to], ['Direction', cdr.direction], ['Disposition', cdr.disposition],
    ['As Cloudonix sent it', cdr.disposition_raw], ['Started', formatTime(cdr.started_at)], ['Answered', formatTime(cdr.answered_at)],
    ['Ended', formatTime(cdr.ended_at)], ['Duration', `${cdr.duration} s`], ['Billed', `${cdr.billsec} s`],
    ['Cost', cdr.cost == null ? '' : String(cdr.cost)], ['Session', cdr.session_token], ['Call id', cdr.call_id],
  ];
  return html`<section class="panel detail" aria-labelledby="detail-title" id="call-detail">
    <div class="page-head"><h2 id="detail-title">Call ${cdr.from} → ${cdr.to}</h2>
      <button type="button" class="secondary" onClick=${onClose}>Close</button></div>
    <dl class="facts">${rows.map(([k, v]) => html`<div><dt>${k}</dt><dd>${v || ''}</dd></div>`)}</dl>
    <h3>State history</h3>
    ${error && error.status !== 404 && html`<${ErrorNote} error=${error} />`}
    ${error && error.status === 404 && html`<p class="muted">No state changes were recorded for this call.</p>`}
    ${!error && (call === null ? html`<${Loading} what="history" />` : html`<ol class="history">
      ${(call.history || []).map((s) => html`<li>${formatTime(s.at)} · ${s.status}</li>`)}
    </ol>`)}
  </section>`;
}

export function CallRecords() {
  const [filters, setFilters] = useState(EMPTY_FILTERS);
  const [applied, setApplied] = useState(EMPTY_FILTERS);
  const [pages, setPages] = useState([null]); // cursors of the pages seen, for "Previous"
  const [page, setPage] = useState(null);
  const [error, setError] = useState(null);
  const [selected, setSelected] = useState(null);
  const [busy, setBusy] = useState(false);
  const load = (f, cursor) => {
    setPage(null);
    setError(null);
    get(`/api/v1/cdrs${query({ ...f, limit: 25, cursor })}`).then(setPage, (e) => {
      setError(e);
      setPage({ data: [], next_cursor: null });
    });
  };
  useEffect(() => load(applied, pages[pages.length - 1]), [applied, pages]);
  const apply = (e) => {
    e.preventDefault();
    setSelected(null);
    setApplied(filters);
    setPages([null]);
  };
  const csv = async () => {
    setBusy(true);
    setError(null);
    try {
      await download(`/api/v1/cdrs${query({ ...applied, format: 'csv' })}`, 'call-records.csv');
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const field = (name, label, type = 'text') => html`<div class="field">
    <label for=${`filter-${name}`}>${label}</label>
    <input id=${`filter-${name}`} type=${type} value=${filters[name]} onInput=${(e) => setFilters({ ...filters, [name]: e.target.value })} />
    ${error && error.fields && error.fields[name] && error.fields[name].map((m) => html`<small class="field-error">${m}</small>`)}
  </div>`;
  const choice = (name, label, values) => html`<div class="field">
    <label for=${`filter-${name}`}>${label}</label>
    <select id=${`filter-${name}`} value=${filters[name]} onChange=${(e) => setFilters({ ...filters, [name]: e.target.value })}>
      <option value="">Any</option>
      ${values.map((v) => html`<option value=${v}>${v.replace('_', ' ')}</option>`)}
    </select>
  </div>`;
  return html`<section aria-labelledby="page-title">
    <h1 id="page-title">Call records</h1>
    <form class="filters" onSubmit=${apply}>
      ${field('from_date', 'From day', 'date')} ${field('to_date', 'To day', 'date')}
      ${field('from', 'Caller')} ${field('to', 'Called number')}
      ${choice('disposition', 'Disposition', DISPOSITIONS)} ${choice('direction', 'Direction', DIRECTIONS)}
      <div class="actions">
        <button type="submit" id="apply-filters">Apply</button>
        <button type="button" class="secondary" onClick=${() => { setFilters(EMPTY_FILTERS); setApplied(EMPTY_FILTERS); setPages([null]); }}>Clear</button>
        <button type="button" class="secondary" id="download-csv" onClick=${csv} disabled=${busy}>${busy ? 'Preparing…' : 'Download CSV'}</button>
      </div>
    </form>
    <p class="muted">Days are in the tenant's time zone. The CSV holds every call that matches the filters.</p>
    <${ErrorNote} error=${error} />
    ${selected && html`<${CallDetail} cdr=${selected} onClose=${() => setSelected(null)} />`}
    ${page === null ? html`<${Loading} what="calls" />` : html`<div class="table-wrap"><table id="cdr-table">
      <thead><tr><th scope="col">Started</th><th scope="col">From</th><th scope="col">To</th><th scope="col">Direction</th><th scope="col">Disposition</th><th scope="col">Duration</th><th scope="col"><span class="sr-only">Detail</span></th></tr></thead>
      <tbody>
        ${page.data.length === 0 && html`<tr><td colspan="7" class="muted">No calls match.</td></tr>`}
        ${page.data.map((c) => html`<tr key=${c.id} data-id=${c.id}>
          <td data-label="Started">${formatTime(c.started_at)}</td><td data-label="From">${c.from}</td><td data-label="To">${c.to}</td>
          <td data-label="Direction">${c.direction}</td><td data-label="Disposition" class="disposition">${c.disposition}</td><td data-label="Duration">${c.duration} s</td>
          <td><button type="button" class="secondary" onClick=${() => setSelected(c)}>Details</button></td>
        </tr>`)}
      </tbody></table></div>
      <div class="pager">
        <button type="button" class="secondary" disabled=${pages.length < 2} onClick=${() => setPages(pages.slice(0, -1))}>Previous</button>
        <button type="button" class="secondary" disabled=${!page.next_cursor} onClick=${() => setPages([...pages, page.next_cursor])}>Next</button>
      </div>`}
  </section>`;
}
