/**
 * "New …" forms and a row's edit pane in JupyterLab main-area tabs, where there is room for them (the
 * sidebar is 250 px).
 * A tab holds an OutputArea rendered by the sidebar's own widget manager, running
 * `form_tab(kind)` in the sidebar's kernel, so a create there shows up in the sidebar's list at once.
 * The palette's "New …" commands open one; so does the sidebar's "New …" button, for the kind chosen in the
 * menu beside it (read as the user sees it: its label, one of the forms' labels). A tab's title follows the
 * kind chosen in its own form's menu, read the same way. Where the shell shows no second main-area widget
 * (Notebook 7), the same form opens under the sidebar's list instead (`openSidebarForm`).
 */
import { JupyterFrontEnd } from '@jupyterlab/application';
import { MainAreaWidget } from '@jupyterlab/apputils';
import { OutputArea } from '@jupyterlab/outputarea';
import { Panel, Widget } from '@lumino/widgets';
import { entryCode } from './entry';
import { IForm } from './forms';
import { ComputeSidebar } from './sidebar';

const WIDGET_VIEW = 'application/vnd.jupyter.widget-view+json';
// The form's first field (its name), focused when the form is drawn; the kind was chosen to open it.
const FIRST_FIELD =
  '.jupyter-compute-form .jupyter-compute-field input, .jupyter-compute-form .jupyter-compute-field select';
const FORM_DEADLINE_MS = 30_000;
// The edit pane's first field, and a row's "edit" in the kernel's list (not the first paint's, held).
const EDIT_FIRST_FIELD = '.jupyter-compute-edit input, .jupyter-compute-edit select';
const EDIT_BUTTON = '.jupyter-compute-panel button.jupyter-compute-action-edit[data-action="edit"]';
let opened = 0;

/** The tab's title: "New compute cluster", "Attach a VM". */
export function formTitle(kind: string, forms: IForm[]): string {
  const form = forms.find(entry => entry.kind === kind);
  if (!form) {
    return `New ${kind}`;
  }
  return form.verb === 'attach' ? form.label : `New ${form.title}`;
}

/** The entry chosen in a kind menu, as the user sees it (ipywidgets writes an option's spaces as no-break spaces). */
function chosenLabel(menu: HTMLSelectElement | null | undefined): string | undefined {
  return menu?.selectedOptions[0]?.textContent?.replace(/\u00a0/g, ' ').trim();
}

/** The form's title (and `node`'s `data-kind`) follow the kind chosen in its menu: `retitle` gets the new one. */
function followKind(node: HTMLElement, forms: () => IForm[], retitle: (title: string) => void): void {
  node.addEventListener('change', event => {
    const menu = (event.target as Element | null)?.closest?.<HTMLSelectElement>('.jupyter-compute-kind select');
    const form = menu ? forms().find(entry => entry.label === chosenLabel(menu)) : undefined;
    if (form && form.kind !== node.dataset.kind) {
      node.dataset.kind = form.kind;
      retitle(formTitle(form.kind, forms()));
    }
  });
}

/** What a main-area tab runs in the panel's kernel and how it looks until that is shown. */
interface ITabOptions {
  idPrefix: string; // the tab's id (a sidebar form's heading's): `${idPrefix}-N`
  className: string;
  title: string;
  code: string;
  loading: string;
  firstField: string; // focused once drawn, unless another tab was chosen meanwhile
}

/** The content of a tab (or of a form under the sidebar's list): its classes and its loading line. */
function kernelContent(options: ITabOptions): { content: Panel; status: Widget } {
  const content = new Panel();
  content.addClass('jp-ComputeTab'); // the look of both kinds of tab (./index.css)
  content.addClass(options.className);
  content.node.dataset.state = 'starting';
  const status = new Widget();
  status.node.setAttribute('role', 'status');
  status.node.textContent = options.loading;
  content.addWidget(status);
  return { content, status };
}

/** A new main-area tab (at once) showing what `options.code` returns in the sidebar's kernel, rendered by
 * the sidebar's widget manager (`area`, once shown); closing it closes its widgets in the kernel too
 * (`close_form_tab`). The area is null when the panel has no kernel (the tab says so). */
function openKernelTab(
  app: JupyterFrontEnd,
  sidebar: ComputeSidebar,
  options: ITabOptions
): { tab: MainAreaWidget<Panel>; area: Promise<OutputArea | null> } {
  const { content, status } = kernelContent(options);
  const tab = new MainAreaWidget({ content });
  tab.id = `${options.idPrefix}-${++opened}`;
  tab.title.label = options.title;
  tab.title.caption = `${options.title} (Compute)`;
  tab.title.closable = true;
  app.shell.add(tab, 'main');
  app.shell.activateById(tab.id);
  const area = showIn(sidebar, tab, content, status, options, () => app.shell.currentWidget === tab);
  return { tab, area };
}

/** Run `options.code` in the sidebar's kernel and show its widget in `content` (in place of `status`), its
 * first field focused while `current()`; the widgets go from the kernel when `host` is disposed. */
async function showIn(
  sidebar: ComputeSidebar,
  host: Widget,
  content: Panel,
  status: Widget,
  options: ITabOptions,
  current: () => boolean
): Promise<OutputArea | null> {
  const area = await sidebar.outputArea(options.code, content);
  status.dispose();
  if (area) {
    content.node.dataset.state = 'ready';
    void whenFound(content.node, options.firstField, FORM_DEADLINE_MS).then(first => {
      if (first && current()) {
        first.focus(); // unless another tab was chosen meanwhile
      }
    });
    // A form is about two hundred models: they go with the tab.
    const shown = area.model.length ? area.model.get(0).data[WIDGET_VIEW] : undefined;
    const modelId = (shown as { model_id?: string } | undefined)?.model_id;
    if (modelId) {
      host.disposed.connect(() => {
        void sidebar.run(entryCode('close_form_tab', modelId));
      });
    }
  } else {
    content.node.dataset.state = 'failed';
    const failed = new Widget();
    failed.node.textContent = 'The Compute panel has no kernel; open the Compute tab to start one.';
    content.addWidget(failed);
  }
  return area;
}

/** Open the form of `kind` in a new main-area tab and show it once the kernel has built it; its title is
 * `title`, then follows the kind chosen in it (one of `forms`). */
export async function openFormTab(
  app: JupyterFrontEnd,
  sidebar: ComputeSidebar,
  kind: string,
  title: string,
  forms: () => IForm[]
): Promise<MainAreaWidget<Panel>> {
  const { tab, area } = openKernelTab(app, sidebar, {
    idPrefix: 'jupyter-compute-form',
    className: 'jp-ComputeFormTab',
    title,
    code: entryCode('form_tab', kind),
    loading: 'Loading the form…',
    firstField: FIRST_FIELD
  });
  tab.content.node.dataset.kind = kind;
  if (await area) {
    followKind(tab.content.node, forms, label => {
      tab.title.label = label;
      tab.title.caption = `${label} (Compute)`;
    });
  }
  return tab;
}

/**
 * Open the form of `kind` under the sidebar's list, where the shell shows no main-area tab (Notebook 7's
 * keeps one widget in its main area and drops the others), as the panel in a notebook holds its form under
 * its list. The same `form_tab(kind)` as a tab's, under a heading with its title (which follows the kind
 * chosen in the form) and a Close button; one form at a time: "New …" again shows the open one when its kind
 * is chosen, else replaces it. Its first field is focused once drawn; closing it sends the focus back to
 * the sidebar's "New …" button and closes its widgets in the kernel.
 */
export async function openSidebarForm(
  sidebar: ComputeSidebar,
  kind: string,
  title: string,
  forms: () => IForm[]
): Promise<Panel> {
  const open = sidebar.formUnder();
  if (open && open.node.dataset.kind === kind) {
    open.node.querySelector<HTMLElement>(open.node.dataset.state === 'ready' ? FIRST_FIELD : 'button')?.focus();
    return open;
  }
  const options: ITabOptions = {
    idPrefix: 'jupyter-compute-sidebar-form',
    className: 'jp-ComputeSidebarForm',
    title,
    code: entryCode('form_tab', kind),
    loading: 'Loading the form…',
    firstField: FIRST_FIELD
  };
  const { content, status } = kernelContent(options);
  content.node.dataset.kind = kind;
  content.node.setAttribute('role', 'group');
  const head = new Widget({ node: document.createElement('div') });
  head.addClass('jp-ComputeSidebarForm-head');
  const heading = document.createElement('h3');
  heading.id = `${options.idPrefix}-${++opened}`;
  heading.textContent = title;
  content.node.setAttribute('aria-labelledby', heading.id);
  const close = document.createElement('button');
  close.type = 'button';
  close.className = 'jp-Button jp-mod-minimal jp-ComputeSidebarForm-close';
  close.textContent = 'Close';
  close.setAttribute('aria-label', `Close the form ${title}`);
  close.addEventListener('click', () => {
    content.dispose();
    sidebar.node.querySelector<HTMLElement>('.jupyter-compute-open-form')?.focus();
  });
  head.node.append(heading, close);
  content.insertWidget(0, head);
  sidebar.showUnder(content);
  content.node.scrollIntoView({ block: 'nearest' });
  const area = await showIn(sidebar, content, content, status, options, () => !content.isDisposed && sidebar.isVisible);
  if (area) {
    followKind(content.node, forms, label => {
      heading.textContent = label;
      close.setAttribute('aria-label', `Close the form ${label}`);
    });
  }
  return content;
}

const editTabs = new Map<string, MainAreaWidget<Panel>>(); // by compute name (lower case): one tab each

/** The tab's title: "Edit gpu-cluster". */
export function editTitle(name: string): string {
  return `Edit ${name}`;
}

/** Open the edit pane of compute `name` (`edit_tab`) in a main-area tab, or show the one already open for
 * it; its Cancel button closes the tab. */
export async function openEditTab(
  app: JupyterFrontEnd,
  sidebar: ComputeSidebar,
  name: string
): Promise<MainAreaWidget<Panel>> {
  const key = name.toLowerCase();
  const open = editTabs.get(key);
  if (open && !open.isDisposed) {
    app.shell.activateById(open.id);
    return open;
  }
  const { tab, area } = openKernelTab(app, sidebar, {
    idPrefix: 'jupyter-compute-edit',
    className: 'jp-ComputeEditTab',
    title: editTitle(name),
    code: entryCode('edit_tab', name),
    loading: `Loading the edit pane of ${name}…`,
    firstField: EDIT_FIRST_FIELD
  });
  tab.content.node.dataset.compute = name;
  editTabs.set(key, tab); // now: a second click while it loads shows this tab too
  tab.disposed.connect(() => {
    if (editTabs.get(key) === tab) {
      editTabs.delete(key);
    }
  });
  tab.content.node.addEventListener('click', event => {
    if ((event.target as Element | null)?.closest?.('.jupyter-compute-edit-cancel')) {
      tab.close();
    }
  });
  await area;
  return tab;
}

/** Clicks (and Enter or Space) on a row's "edit" in the sidebar's list open its edit pane in a main-area
 * tab (`open` gets the compute's name) instead of under the list, where there is no room. They are caught on
 * their way down, so the list's own handler never sends them to the kernel. */
export function watchEditButtons(node: HTMLElement, open: (name: string) => void): void {
  node.addEventListener(
    'click',
    event => {
      const button = (event.target as Element | null)?.closest?.<HTMLElement>(EDIT_BUTTON);
      if (!button || !node.contains(button) || button.getAttribute('aria-disabled') === 'true') {
        return;
      }
      const name = button.dataset.name;
      if (name) {
        event.stopPropagation();
        open(name);
      }
    },
    true
  );
}

/** Clicks on the sidebar's "New …" button open the form chosen in the kind menu beside it: `open` gets the
 * chosen entry's label. */
export function watchOpenButtons(node: HTMLElement, open: (label: string) => void): void {
  node.addEventListener('click', event => {
    const button = (event.target as Element | null)?.closest?.('.jupyter-compute-open-form');
    const label = chosenLabel(button?.parentElement?.querySelector<HTMLSelectElement>('.jupyter-compute-kind select'));
    if (label) {
      open(label);
    }
  });
}

/** Resolve with the first element under `root` that matches `selector` (null after `ms`). */
export function whenFound(root: HTMLElement, selector: string, ms: number): Promise<HTMLElement | null> {
  const found = root.querySelector<HTMLElement>(selector);
  if (found) {
    return Promise.resolve(found);
  }
  return new Promise(resolve => {
    const done = (element: HTMLElement | null): void => {
      observer.disconnect();
      clearTimeout(timer);
      resolve(element);
    };
    const observer = new MutationObserver(() => {
      const now = root.querySelector<HTMLElement>(selector);
      if (now) {
        done(now);
      }
    });
    const timer = setTimeout(() => done(null), ms);
    observer.observe(root, { subtree: true, childList: true });
  });
}
