/**
 * The Compute tab's first paint. A new panel kernel takes a second or more to start and list the
 * workspace; meanwhile the server extension lists it (jupyter_compute/frontends/server.py) and the list's
 * own front end (jupyter_compute/ui/panel/static/table.js, bundled here from the Python package: one
 * renderer for both) draws those rows, searchable and sortable, their actions held. The kernel's panel
 * replaces it the moment its list is drawn, keeping what was typed in the search and chosen in the menus.
 */
import { ServerConnection } from '@jupyterlab/services';
import { Widget } from '@lumino/widgets';
import type { IRow } from '../../jupyter_compute/ui/panel/static/row';
import table, { IListModel, IListState } from '../../jupyter_compute/ui/panel/static/table.js';
import '../../jupyter_compute/ui/panel/static/table.css';

/** What the server answers (jupyter_compute.frontends.server.first_paint). */
export interface IFirstPaint {
  header: string;
  title: string;
  notice: string;
  rows: IRow[];
  empty_text: string;
}

const CONTROLS = ['search', 'filter-kind', 'filter-state', 'sort'];

/** The server's rows for a panel kernel at `path`, or null when it has none to give (it says why). */
export async function fetchFirstPaint(settings: ServerConnection.ISettings, path: string): Promise<IFirstPaint | null> {
  const url = `${settings.baseUrl}jupyter-compute/rows?path=${encodeURIComponent(path)}`;
  try {
    const response = await ServerConnection.makeRequest(url, {}, settings);
    if (!response.ok) {
      const reason = await response.text();
      console.info(`Compute panel: no first paint (${response.status}): ${reason}`);
      return null;
    }
    return (await response.json()) as IFirstPaint;
  } catch (reason) {
    console.info(`Compute panel: no first paint: ${reason}`);
    return null;
  }
}

/** The list drawn from the server's rows until the kernel's panel is drawn. */
export class FirstPaint extends Widget {
  private readonly cleanup: () => void;

  constructor(paint: IFirstPaint) {
    super();
    this.addClass('jupyter-compute-first-paint');
    const header = this.node.appendChild(document.createElement('div'));
    header.className = 'jupyter-compute-header';
    const title = header.appendChild(document.createElement('b'));
    title.textContent = 'Compute';
    title.title = paint.title;
    const count = header.appendChild(document.createElement('span'));
    count.style.opacity = '.7';
    count.textContent = paint.header.replace(/^Compute/, '');
    if (paint.notice) {
      const notice = this.node.appendChild(document.createElement('div'));
      notice.className = 'jupyter-compute-error';
      notice.textContent = paint.notice;
    }
    const list = this.node.appendChild(document.createElement('div'));
    const data: IListState = {
      rows: paint.rows,
      empty_text: paint.empty_text,
      problem: '',
      heartbeat_seconds: 3600,
      held: true
    };
    const model: IListModel = {
      get: key => data[key],
      on: () => undefined,
      off: () => undefined,
      send: () => undefined // a held action is never sent: the kernel's panel takes the clicks
    };
    this.cleanup = table.render({ model, el: list });
  }

  /** Hand what the user did here (search, filters, sort, and the focus) to the kernel's list `live`. */
  handOver(live: Element): void {
    const focus = this.equivalent(live);
    for (const name of CONTROLS) {
      const from = this.node.querySelector<HTMLInputElement | HTMLSelectElement>(`.jupyter-compute-${name}`);
      const to = live.querySelector<HTMLInputElement | HTMLSelectElement>(`.jupyter-compute-${name}`);
      if (!from || !to || from.value === to.value) {
        continue;
      }
      if (to instanceof HTMLSelectElement && !Array.from(to.options).some(option => option.value === from.value)) {
        continue; // a kind or state the kernel's list no longer has
      }
      to.value = from.value;
      to.dispatchEvent(new Event(to instanceof HTMLSelectElement ? 'change' : 'input'));
    }
    focus?.focus();
  }

  /** The element of `live` that matches the one focused here: the same control, the same action or line of
   * the same row, else the search box; null when the focus is not here. */
  private equivalent(live: Element): HTMLElement | null {
    const active = document.activeElement;
    if (!(active instanceof HTMLElement) || !this.node.contains(active)) {
      return null;
    }
    const search = live.querySelector<HTMLElement>('.jupyter-compute-search');
    const control = CONTROLS.find(name => active.classList.contains(`jupyter-compute-${name}`));
    if (control) {
      return live.querySelector<HTMLElement>(`.jupyter-compute-${control}`) ?? search;
    }
    const name = active.closest<HTMLElement>('.jupyter-compute-row')?.dataset.name;
    const row = name ? live.querySelector(`.jupyter-compute-row[data-name="${CSS.escape(name)}"]`) : null;
    if (!row) {
      return search;
    }
    const action = active.dataset.action;
    return (
      (action ? row.querySelector<HTMLElement>(`[data-action="${CSS.escape(action)}"]`) : null) ??
      row.querySelector<HTMLElement>('.jupyter-compute-row-summary')
    );
  }

  dispose(): void {
    if (!this.isDisposed) {
      this.cleanup();
    }
    super.dispose();
  }
}
