// The Compute panel's list (anywidget ESM, no build step): rows are plain data from the kernel
// (jupyter_compute/ui/panel/table.py), every decision about them made there (the state's colour, the
// actions the state allows, the sentences of the confirms). Here: one line per compute, expanded on a
// click or Enter; search, filter and sort in the browser; a click on an action is sent as
// {action, name} (delete and detach only from their inline confirm); {event: 'alive'} every
// heartbeat_seconds while shown. DOM from textContent only, never innerHTML from data.
// Accessible: a row's buttons are named with its compute ("stop ci-1"), the list is one tab stop (arrow
// keys between rows), focus stays on the equivalent element when a row is drawn again (or goes to the
// next row, or the search box, when it goes), every bar is a progressbar, and phase changes and outcomes
// are said once in one polite status region.

const CONFIRM_LABEL = { delete: 'Delete', detach: 'Detach' };
const MARK_KINDS = new Set(['problem', 'warning', 'image', 'stop']); // jupyter_compute/ui/rows.py marks_for
const SORTS = [
  ['name', 'by name'],
  ['state', 'by state'],
  ['created', 'newest first'],
];

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

// A web link a row may carry: the rule of jupyter_compute/model/links.py (web_link), case for case
// (tests/data/links.json is the table both are tested against). The URL is parsed, never compared as a
// string prefix: http://127.0.0.1.example.org/ and http://127.0.0.1@example.org/ go elsewhere.
const MAX_URL = 2048;
const LINK_TEXT = /^[A-Za-z0-9\-._~:/?#[\]@!$&()*+,;=%]+$/; // RFC 3986's characters but the quote
const AUTHORITY = /^(https?):\/\/([^/?#]*)/i;
const HOST_PORT = /^([A-Za-z0-9.-]+|\[::1\])(?::\d*)?$/;
const DNS = /^[a-z0-9-]+(?:\.[a-z0-9-]+)*$/;
const LOOPBACK = /^(?:localhost|127\.\d+\.\d+\.\d+|\[::1\])$/;

/** `url` when it is https, or http to a loopback host (the local workspace), with its host written as
 * the browser's parser writes it back and no credentials; else null. */
export function safeHref(url) {
  if (typeof url !== 'string' || url.length > MAX_URL || !LINK_TEXT.test(url)) return null;
  const written = AUTHORITY.exec(url);
  const hostPort = written && HOST_PORT.exec(written[2]);
  if (!hostPort) return null;
  const host = hostPort[1].toLowerCase();
  if (host !== '[::1]' && !DNS.test(host)) return null;
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  // A host the parser rewrites (127.1, 0x7f.0.0.1, 2130706433, %-escapes) is not written plainly.
  if (parsed.hostname !== host || parsed.username || parsed.password) return null;
  if (parsed.protocol === 'https:') return url;
  return parsed.protocol === 'http:' && LOOPBACK.test(host) ? url : null;
}

let ids = 0;
/** A document-unique id for aria references. */
function uid(what) {
  ids += 1;
  return `jupyter-compute-${what}-${ids}`;
}

function drawBar(bar, name) {
  const box = el('div', 'jupyter-compute-progress');
  box.appendChild(el('div', 'jupyter-compute-bar-title', bar.title));
  const track = box.appendChild(el('div', 'progress'));
  const percent = Math.round(Math.max(0, Math.min(1, Number(bar.fraction) || 0)) * 100);
  track.setAttribute('role', 'progressbar');
  track.setAttribute('aria-label', `${bar.title} ${name}`);
  track.setAttribute('aria-valuemin', '0');
  track.setAttribute('aria-valuemax', '100');
  track.setAttribute('aria-valuenow', String(percent));
  track.setAttribute('aria-valuetext', bar.spoken || bar.info || ''); // the phase and nodes (describe.py)
  const fill = track.appendChild(el('div', `progress-bar progress-bar-${bar.style || 'info'}`));
  fill.style.width = `${percent}%`;
  if (bar.colour) {
    fill.style.background = bar.colour; // the notebook bar's colour for this style (render/describe.py owns it)
  }
  box.appendChild(el('div', 'jupyter-compute-phase', bar.info));
  if (bar.error) box.appendChild(el('div', 'jupyter-compute-error', bar.error));
  if (bar.note) box.appendChild(el('div', 'jupyter-compute-muted', bar.note));
  return box;
}

/**
 * A row's marks (jupyter_compute/ui/rows.py marks_for), as drawn: what needs attention and an outdated OS image
 * as short badges on its line (their sentences in the title and, expanded, below); a stop within the hour as a
 * line of its own under the row. A mark of a kind this code does not know is left out.
 */
export function markParts(row) {
  const marks = (Array.isArray(row.marks) ? row.marks : []).filter((m) => m && MARK_KINDS.has(m.kind));
  return {
    badges: marks.filter((m) => m.kind !== 'stop'),
    notes: marks.filter((m) => m.kind === 'stop').map((m) => String(m.text)),
  };
}

/** One compute: its line, its bar and message, and (expanded) its details, links and actions. */
export function drawRow(row, ui) {
  const node = el('div', 'jupyter-compute-row');
  node.dataset.name = row.name;
  node.dataset.state = row.state || '';
  node.dataset.created = row.created || '';
  node.setAttribute('role', 'listitem');
  const expanded = ui.expanded.has(row.name);
  if (expanded) node.classList.add('jupyter-compute-expanded');
  const line = node.appendChild(el('div', 'jupyter-compute-row-summary'));
  line.tabIndex = ui.current === row.name ? 0 : -1; // the list's one tab stop (roving tabindex)
  line.setAttribute('role', 'button');
  line.setAttribute('aria-expanded', String(expanded));
  const meta = [row.kind, row.size, row.nodes ? `${row.nodes} nodes` : ''].filter(Boolean).join(' · ');
  line.title = `${row.name} · ${meta} · ${row.state}`;
  const dot = line.appendChild(el('span', 'jupyter-compute-dot'));
  const state = el('span', 'jupyter-compute-state', row.state);
  if (row.tone) {
    dot.style.background = row.tone;
    state.style.color = row.tone;
  }
  line.appendChild(el('b', 'jupyter-compute-name', row.name));
  line.appendChild(el('span', 'jupyter-compute-meta jupyter-compute-muted', meta));
  line.appendChild(state);
  const marks = markParts(row);
  for (const mark of marks.badges) {
    const badge = line.appendChild(el('span', `jupyter-compute-mark jupyter-compute-mark-${mark.kind}`, mark.text));
    badge.title = mark.title || mark.text;
  }
  for (const note of marks.notes) node.appendChild(el('div', 'jupyter-compute-muted jupyter-compute-row-note', note));
  if (row.bar) node.appendChild(drawBar(row.bar, row.name));
  if (row.message) node.appendChild(el('div', 'jupyter-compute-error jupyter-compute-row-message', row.message));
  if (!expanded) return node;

  const more = node.appendChild(el('div', 'jupyter-compute-more'));
  const facts = [meta, row.created ? `created ${row.created}` : ''].filter(Boolean).join(' · ');
  more.appendChild(el('div', 'jupyter-compute-facts jupyter-compute-muted', facts));
  for (const mark of marks.badges) {
    if (mark.title) more.appendChild(el('div', `jupyter-compute-said jupyter-compute-said-${mark.kind}`, mark.title));
  }
  const links = Array.isArray(row.links) ? row.links : [];
  if (links.length) {
    const box = more.appendChild(el('div', 'jupyter-compute-links'));
    for (const link of links) {
      const href = safeHref(link && link.url);
      if (!href) continue;
      const a = box.appendChild(el('a', 'jupyter-compute-link', (link && link.label) || href));
      a.href = href;
      a.target = '_blank';
      a.rel = 'noopener noreferrer';
    }
  }
  if (row.ssh) {
    const ssh = more.appendChild(el('div', 'jupyter-compute-ssh'));
    ssh.appendChild(el('span', 'jupyter-compute-muted', 'ssh: '));
    ssh.appendChild(el('code', '', row.ssh));
  }
  const confirming = ui.confirming.get(row.name);
  const sentence = confirming && row.confirm ? row.confirm[confirming] : null;
  if (confirming && sentence && (row.actions || []).includes(confirming)) {
    const ask = more.appendChild(el('div', 'jupyter-compute-confirm'));
    ask.setAttribute('role', 'alertdialog');
    const said = ask.appendChild(el('div', 'jupyter-compute-confirm-text', sentence));
    said.id = uid('confirm');
    ask.setAttribute('aria-labelledby', said.id);
    const buttons = ask.appendChild(el('div', 'jupyter-compute-actions'));
    const yes = buttons.appendChild(
      el('button', `jupyter-button mod-danger jupyter-compute-confirm-yes`, `${CONFIRM_LABEL[confirming]} ${row.name}`)
    );
    yes.type = 'button';
    yes.dataset.confirmed = confirming;
    yes.dataset.name = row.name;
    const no = buttons.appendChild(el('button', 'jupyter-button jupyter-compute-confirm-no', 'Cancel'));
    no.type = 'button';
    no.setAttribute('aria-label', `Cancel, keep ${row.name}`);
    no.dataset.cancel = row.name;
    return node;
  }
  const actions = more.appendChild(el('div', 'jupyter-compute-actions'));
  const waiting = ui.held
    ? el('div', 'jupyter-compute-held jupyter-compute-muted', 'Actions wait until the panel has started.')
    : null;
  if (waiting) waiting.id = uid('held');
  for (const action of row.actions || []) {
    const danger = action in CONFIRM_LABEL;
    const button = actions.appendChild(
      el('button', `jupyter-button jupyter-compute-action-${action}${danger ? ' mod-danger' : ''}`, action)
    );
    button.type = 'button';
    button.setAttribute('aria-label', `${action} ${row.name}`);
    button.dataset.action = action;
    button.dataset.name = row.name;
    // aria-disabled, not disabled: a held or busy button keeps focus and still says why it waits.
    if (ui.problem || ui.held || row.busy === action) button.setAttribute('aria-disabled', 'true');
    if (waiting) button.setAttribute('aria-describedby', waiting.id);
    else if (row.busy === action) button.title = `${action} ${row.name}: under way`;
  }
  if (!(row.actions || []).length) actions.appendChild(el('span', 'jupyter-compute-muted', 'no actions now'));
  else if (waiting) more.appendChild(waiting);
  return node;
}

/** The rows to show, in order: name search, kind and state filters, the chosen sort. */
export function arrange(rows, { search = '', kind = '', state = '', sort = 'name' } = {}) {
  const needle = search.trim().toLowerCase();
  const shown = rows.filter(
    (row) =>
      (!needle || String(row.name).toLowerCase().includes(needle)) &&
      (!kind || row.kind === kind) &&
      (!state || row.state === state)
  );
  const byName = (a, b) => String(a.name).localeCompare(String(b.name));
  const order =
    {
      name: byName,
      state: (a, b) => String(a.state).localeCompare(String(b.state)) || byName(a, b),
      created: (a, b) => String(b.created || '').localeCompare(String(a.created || '')) || byName(a, b),
    }[sort] || byName;
  return shown.sort(order);
}

function choices(select, label, values) {
  const wanted = ['', ...values];
  const have = [...select.options].map((o) => o.value);
  if (have.length === wanted.length && have.every((v, i) => v === wanted[i])) return;
  const current = select.value;
  select.replaceChildren(
    ...wanted.map((value) => {
      const option = el('option', '', value || label);
      option.value = value;
      return option;
    })
  );
  select.value = wanted.includes(current) ? current : '';
}

/** The rows after a patch from the kernel (table.py's show_rows): its changed rows in place of the old,
 * in its order. The same patch applied twice gives the same rows. */
export function applyPatch(rows, patch) {
  const byName = new Map(rows.map((row) => [row.name, row]));
  for (const row of patch.patch) byName.set(row.name, row);
  return patch.order.filter((name) => byName.has(name)).map((name) => byName.get(name));
}

/** Once per model, whatever its views: the kernel's patches update its rows (each view draws on change). */
function initialize({ model }) {
  const onMessage = (message) => {
    if (message && Array.isArray(message.patch) && Array.isArray(message.order)) {
      model.set('rows', applyPatch(model.get('rows') || [], message));
    }
  };
  model.on('msg:custom', onMessage);
  return () => model.off('msg:custom', onMessage);
}

function render({ model, el: root }) {
  // held: the lab extension's first paint (labextension/src/preview.ts), drawn from the server's rows
  // while the panel's kernel starts; its actions wait for the kernel's panel, which replaces it.
  const ui = {
    expanded: new Set(),
    confirming: new Map(),
    problem: '',
    held: Boolean(model.get('held')),
    current: '', // the row whose line is the list's tab stop
  };
  const news = new Map(); // name -> what the status region last said of its bar
  let drawnOnce = false;
  const drawn = new Map(); // name -> {data, node}
  root.classList.add('jupyter-compute-table');
  const problem = root.appendChild(el('div', 'jupyter-compute-problem'));
  problem.setAttribute('role', 'alert');
  const tools = root.appendChild(el('div', 'jupyter-compute-filters'));
  const search = tools.appendChild(el('input', 'jupyter-compute-search'));
  search.type = 'search';
  search.placeholder = 'Search by name';
  search.setAttribute('aria-label', 'Search computes by name');
  const kind = tools.appendChild(el('select', 'jupyter-compute-filter-kind'));
  kind.setAttribute('aria-label', 'Filter by kind');
  const state = tools.appendChild(el('select', 'jupyter-compute-filter-state'));
  state.setAttribute('aria-label', 'Filter by state');
  const sort = tools.appendChild(el('select', 'jupyter-compute-sort'));
  sort.setAttribute('aria-label', 'Sort');
  for (const [value, label] of SORTS) {
    const option = sort.appendChild(el('option', '', label));
    option.value = value;
  }
  const list = root.appendChild(el('div', 'jupyter-compute-rows'));
  list.setAttribute('role', 'list');
  list.setAttribute('aria-label', 'Computes');
  // The one polite status region: a bar's new phase or its outcome, said once (never each tick).
  const announce = root.appendChild(el('div', 'jupyter-compute-announce'));
  announce.setAttribute('role', 'status');
  announce.setAttribute('aria-live', 'polite');
  const empty = root.appendChild(el('div', 'jupyter-compute-empty'));
  const count = root.appendChild(el('div', 'jupyter-compute-count jupyter-compute-muted'));

  function rows() {
    return model.get('rows') || [];
  }

  function redraw(name) {
    // Draw one row again (expanded, confirm): the others keep their nodes.
    const row = rows().find((r) => r.name === name);
    const entry = drawn.get(name);
    if (!row || !entry) return;
    const node = drawRow(row, ui);
    if (entry.node.isConnected) entry.node.replaceWith(node);
    entry.node = node;
  }

  /** Where focus is in the list, to put it back on the same element of a row drawn again. */
  function focusNow() {
    const active = document.activeElement;
    const node = active && list.contains(active) ? active.closest('.jupyter-compute-row') : null;
    if (!node) return null;
    const tries = [];
    if (active.dataset.action) tries.push(`[data-action="${active.dataset.action}"]`);
    if (active.dataset.confirmed)
      tries.push('.jupyter-compute-confirm-yes', `[data-action="${active.dataset.confirmed}"]`);
    if (active.dataset.cancel) tries.push('.jupyter-compute-confirm-no');
    return { name: node.dataset.name, tries, index: [...list.children].indexOf(node) };
  }

  function summaryOf(node) {
    return node ? node.querySelector('.jupyter-compute-row-summary') : null;
  }

  /** Focus was in a row that was drawn again or went: the same element of the new row, else its line; the
   * row that took its place when it went; the search box when the list is empty. */
  function restoreFocus(was) {
    if (!was || root.contains(document.activeElement)) return;
    const entry = drawn.get(was.name);
    let target = null;
    if (entry && entry.node.isConnected) {
      for (const selector of was.tries) target = target || entry.node.querySelector(selector);
      target = target || summaryOf(entry.node);
    } else {
      const rowsNow = list.children;
      target = rowsNow.length ? summaryOf(rowsNow[Math.min(was.index, rowsNow.length - 1)]) : search;
    }
    if (target) target.focus();
  }

  /** Make `name`'s line the list's one tab stop. */
  function setCurrent(name) {
    if (ui.current === name) return;
    const before = drawn.get(ui.current);
    const line = summaryOf(before && before.node);
    if (line) line.tabIndex = -1;
    ui.current = name;
    const now = summaryOf(drawn.get(name) && drawn.get(name).node);
    if (now) now.tabIndex = 0;
  }

  function draw() {
    const began = performance.now();
    const focused = focusNow();
    let built = 0;
    const said = [];
    const all = rows();
    ui.problem = model.get('problem') || '';
    problem.textContent = ui.problem;
    problem.hidden = !ui.problem;
    const next = new Map();
    for (const row of all) {
      const data = JSON.stringify(row);
      const old = drawn.get(row.name);
      if (old && old.data === data && old.problem === ui.problem) {
        next.set(row.name, old);
        continue;
      }
      const entry = { data, problem: ui.problem, node: drawRow(row, ui) };
      built += 1;
      const bar = row.bar && typeof row.bar === 'object' ? row.bar : null;
      const phase = bar ? String(bar.news || '') : ''; // describe.py's news: changes with the phase only
      if (phase !== (news.get(row.name) || '')) {
        if (phase && drawnOnce && !ui.held) said.push(phase);
        news.set(row.name, phase);
      }
      if (old && old.node.isConnected) old.node.replaceWith(entry.node);
      next.set(row.name, entry);
    }
    for (const [name, old] of drawn) {
      if (!next.has(name)) {
        old.node.remove();
        ui.expanded.delete(name);
        ui.confirming.delete(name);
        news.delete(name);
      }
    }
    drawn.clear();
    for (const [name, entry] of next) drawn.set(name, entry);
    choices(kind, 'any kind', [...new Set(all.map((r) => r.kind))].sort());
    choices(state, 'any state', [...new Set(all.map((r) => r.state))].sort());
    const shown = arrange(all, { search: search.value, kind: kind.value, state: state.value, sort: sort.value });
    // Put the shown rows in order, moving only nodes that are out of place.
    const wanted = new Set();
    let cursor = list.firstChild;
    for (const row of shown) {
      const node = drawn.get(row.name).node;
      wanted.add(node);
      if (node === cursor) cursor = cursor.nextSibling;
      else list.insertBefore(node, cursor);
    }
    while (cursor) {
      const after = cursor.nextSibling;
      if (!wanted.has(cursor)) cursor.remove();
      cursor = after;
    }
    if (!shown.some((row) => row.name === ui.current)) {
      ui.current = '';
      setCurrent(shown.length ? shown[0].name : '');
    }
    restoreFocus(focused);
    if (said.length) announce.textContent = said.join('. ');
    drawnOnce = true;
    tools.hidden = all.length === 0;
    empty.hidden = all.length > 0 || Boolean(ui.problem);
    empty.textContent = model.get('empty_text') || '';
    count.textContent = all.length && shown.length !== all.length ? `${shown.length} of ${all.length} shown` : '';
    if (built) {
      // What the last draw that drew rows cost (bench/ and the browser tests read it).
      root.dataset.built = String(built);
      root.dataset.drawMs = (performance.now() - began).toFixed(1);
    }
  }

  function toggle(name) {
    if (ui.expanded.has(name)) {
      ui.expanded.delete(name);
      ui.confirming.delete(name);
    } else {
      ui.expanded.add(name);
    }
    redraw(name);
    const entry = drawn.get(name);
    if (entry) entry.node.querySelector('.jupyter-compute-row-summary').focus();
  }

  function cancel(name) {
    ui.confirming.delete(name);
    redraw(name);
    const entry = drawn.get(name);
    const back = entry && entry.node.querySelector('.jupyter-compute-action-delete, .jupyter-compute-action-detach');
    if (back) back.focus();
  }

  root.addEventListener('click', (event) => {
    const target = event.target;
    const yes = target.closest('button[data-confirmed]');
    if (yes && root.contains(yes)) {
      if (yes.getAttribute('aria-disabled') === 'true') return;
      const name = yes.dataset.name;
      yes.setAttribute('aria-disabled', 'true'); // sent once; focus stays until the row is drawn again
      ui.confirming.delete(name);
      model.send({ action: yes.dataset.confirmed, name });
      return;
    }
    const no = target.closest('button[data-cancel]');
    if (no && root.contains(no)) return cancel(no.dataset.cancel);
    const button = target.closest('button[data-action]');
    if (button && root.contains(button)) {
      if (button.getAttribute('aria-disabled') === 'true') return;
      const { action, name } = button.dataset;
      if (action in CONFIRM_LABEL) {
        ui.confirming.set(name, action);
        redraw(name);
        const entry = drawn.get(name);
        const focus = entry && entry.node.querySelector('.jupyter-compute-confirm-no');
        if (focus) focus.focus();
        return;
      }
      button.setAttribute('aria-disabled', 'true'); // until the row is drawn again with the operation in flight
      model.send({ action, name });
      return;
    }
    const line = target.closest('.jupyter-compute-row-summary');
    if (line && root.contains(line)) toggle(line.parentElement.dataset.name);
  });
  root.addEventListener('focusin', (event) => {
    const line = event.target.closest && event.target.closest('.jupyter-compute-row-summary');
    if (line && list.contains(line)) setCurrent(line.parentElement.dataset.name);
  });
  const MOVES = {
    ArrowDown: (node) => node.nextElementSibling,
    ArrowUp: (node) => node.previousElementSibling,
    Home: () => list.firstElementChild,
    End: () => list.lastElementChild,
  };
  root.addEventListener('keydown', (event) => {
    const node = event.target.closest && event.target.closest('.jupyter-compute-row');
    if (!node) return;
    const name = node.dataset.name;
    const onLine = event.target.classList.contains('jupyter-compute-row-summary');
    if (onLine && event.key in MOVES) {
      event.preventDefault();
      event.stopPropagation(); // not the notebook's cell selection
      const to = summaryOf(MOVES[event.key](node));
      if (to) to.focus();
      return;
    }
    if (event.key === 'Escape' && ui.confirming.has(name)) {
      event.preventDefault();
      event.stopPropagation();
      cancel(name);
    } else if (
      (event.key === 'Enter' || event.key === ' ') &&
      event.target.classList.contains('jupyter-compute-row-summary')
    ) {
      event.preventDefault();
      toggle(name);
    }
  });
  for (const control of [search, kind, state, sort]) {
    control.addEventListener(control === search ? 'input' : 'change', draw);
  }
  // The lab's shortcuts (Escape, Enter…) would act on the notebook or the sidebar too.
  search.addEventListener('keydown', (event) => event.stopPropagation());

  let timer;
  const beat = () => {
    model.send({ event: 'alive' });
    timer = setTimeout(beat, (Number(model.get('heartbeat_seconds')) || 30) * 1000);
  };
  beat();
  model.on('change:rows', draw);
  model.on('change:problem', draw);
  model.on('change:empty_text', draw);
  draw();
  return () => {
    clearTimeout(timer);
    model.off('change:rows', draw);
    model.off('change:problem', draw);
    model.off('change:empty_text', draw);
  };
}

export default { initialize, render };
