/**
 * The Compute panel's list as one widget: rows are plain data from the kernel (ComputeTable in
 * jupyter_compute/display/compute_table.py), drawn here; a click on an action is sent back as
 * {action, name}. Rows whose data did not change keep their DOM nodes. While shown, the view sends
 * {event: 'alive'} every heartbeat_seconds.
 */
import { DOMWidgetModel, DOMWidgetView } from '@jupyter-widgets/base';

import { version } from '../package.json';

export const MODULE_NAME = 'jupyter-compute';
// The package's one version (Python's __version__ is read from the same package.json at build time).
export const MODULE_VERSION = version;

interface Bar {
  title: string;
  info: string;
  fraction: number;
  style: string;
  error: string;
  note: string;
}

interface Row {
  name: string;
  kind: string;
  size: string;
  state: string;
  nodes: string;
  actions: string[];
  bar: Bar | null;
  message: string;
}

export class ComputeTableModel extends DOMWidgetModel {
  defaults(): any {
    return {
      ...super.defaults(),
      _model_name: 'ComputeTableModel',
      _view_name: 'ComputeTableView',
      _model_module: MODULE_NAME,
      _view_module: MODULE_NAME,
      _model_module_version: MODULE_VERSION,
      _view_module_version: MODULE_VERSION,
      rows: [],
      empty_text: ''
    };
  }
}

function element(tag: string, className: string, text?: string): HTMLElement {
  const node = document.createElement(tag);
  if (className) {
    node.className = className;
  }
  if (text !== undefined) {
    node.textContent = text;
  }
  return node;
}

function drawRow(row: Row): HTMLElement {
  const node = element('div', 'jupyter-compute-row');
  node.dataset.name = row.name;
  const summary = node.appendChild(element('div', 'jupyter-compute-row-summary'));
  summary.appendChild(element('b', '', row.name));
  summary.appendChild(element('span', 'jupyter-compute-muted', ` ${row.kind} · ${row.size}`));
  summary.appendChild(document.createElement('br'));
  summary.appendChild(element('span', 'jupyter-compute-state', row.state));
  if (row.nodes) {
    summary.appendChild(element('span', '', ` · ${row.nodes} nodes`));
  }
  if (row.bar) {
    const bar = node.appendChild(element('div', 'jupyter-compute-progress'));
    bar.appendChild(element('div', 'jupyter-compute-bar-title', row.bar.title));
    const track = bar.appendChild(element('div', 'progress'));
    const fill = track.appendChild(element('div', `progress-bar progress-bar-${row.bar.style}`));
    fill.style.width = `${Math.round(Math.max(0, Math.min(1, row.bar.fraction)) * 100)}%`;
    bar.appendChild(element('div', 'jupyter-compute-phase', row.bar.info));
    if (row.bar.error) {
      bar.appendChild(element('div', 'jupyter-compute-error', row.bar.error));
    }
    if (row.bar.note) {
      bar.appendChild(element('div', 'jupyter-compute-muted', row.bar.note));
    }
  }
  const actions = node.appendChild(element('div', 'jupyter-compute-actions'));
  for (const action of row.actions) {
    const danger = action === 'delete' || action === 'detach';
    const button = element(
      'button',
      `jupyter-button jupyter-compute-action-${action}${danger ? ' mod-danger' : ''}`,
      action
    ) as HTMLButtonElement;
    button.type = 'button';
    button.title = `${action} ${row.name}`;
    button.dataset.action = action;
    button.dataset.name = row.name;
    actions.appendChild(button);
  }
  if (row.message) {
    node.appendChild(element('div', 'jupyter-compute-error', row.message));
  }
  return node;
}

export class ComputeTableView extends DOMWidgetView {
  private drawn = new Map<string, { data: string; node: HTMLElement }>();
  private heartbeat: number | undefined;

  /** Tell the kernel a view is open (the sidebar's kernel stops polling when none has been for a while). */
  private beat(): void {
    this.send({ event: 'alive' });
    const seconds = Number(this.model.get('heartbeat_seconds')) || 30;
    this.heartbeat = window.setTimeout(() => this.beat(), seconds * 1000);
  }

  remove(): any {
    window.clearTimeout(this.heartbeat);
    return super.remove();
  }

  render(): void {
    this.beat();
    this.el.classList.add('jupyter-compute-table');
    this.el.addEventListener('click', event => {
      const button = (event.target as HTMLElement).closest('button[data-action]') as HTMLButtonElement | null;
      if (button && this.el.contains(button)) {
        this.send({ action: button.dataset.action, name: button.dataset.name });
      }
    });
    this.listenTo(this.model, 'change:rows', () => this.draw());
    this.draw();
  }

  private draw(): void {
    const rows = (this.model.get('rows') || []) as Row[];
    const next = new Map<string, { data: string; node: HTMLElement }>();
    const nodes: HTMLElement[] = [];
    for (const row of rows) {
      const data = JSON.stringify(row);
      const old = this.drawn.get(row.name);
      const entry = old && old.data === data ? old : { data, node: drawRow(row) };
      next.set(row.name, entry);
      nodes.push(entry.node);
    }
    this.drawn = next;
    if (!nodes.length) {
      nodes.push(element('div', 'jupyter-compute-empty', this.model.get('empty_text')));
    }
    this.el.replaceChildren(...nodes);
  }
}
