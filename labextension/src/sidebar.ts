/**
 * The "Compute" tab of the JupyterLab left sidebar: a Lumino panel with its own kernel session at a
 * fixed path (reloads reconnect to it instead of leaking kernels), a KernelWidgetManager with the widget
 * modules registered by hand (./widgets.ts), and a trusted OutputArea that runs `sidebar()`. After a
 * kernel restart or change the panel is rebuilt from the workspace. Once the panel is shown, the kernel
 * is asked for its kind menu (./forms.ts). Views wait for the manager's restore of the kernel's widgets,
 * and a browser that opened the panel before starts it hidden at page load (prestart). While a new kernel
 * starts, the list is drawn from the server extension's rows (./preview.ts) until the kernel's list is.
 * Recipe and pitfalls: ../shared/JUPYTER-NOTES.md, "Rendering ipywidgets in a left-sidebar panel".
 */
import { JupyterFrontEnd } from '@jupyterlab/application';
import { SessionContext } from '@jupyterlab/apputils';
import { signalToPromise } from '@jupyterlab/coreutils';
import { OutputArea, OutputAreaModel } from '@jupyterlab/outputarea';
import { ILatexTypesetter, IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { Kernel } from '@jupyterlab/services';
import { KernelWidgetManager, WidgetRenderer } from '@jupyter-widgets/jupyterlab-manager';
import { Panel, Widget } from '@lumino/widgets';
import { entryCode } from './entry';
import { IForm, requestForms } from './forms';
import { FirstPaint, fetchFirstPaint } from './preview';
import { preloadModules, registerModules } from './widgets';

const WIDGET_VIEW = 'application/vnd.jupyter.widget-view+json';
const SESSION_PATH = 'jupyter-compute/panel';
const PANEL_CODE = entryCode('sidebar');
// A manager restores the kernel's widgets over the control comm (jupyterlab-manager answers within
// CONTROL_COMM_TIMEOUT, 4 s, or falls back to asking each comm); past this the panel is shown anyway.
const RESTORE_DEADLINE_MS = 15_000;
// The panel's widgets hold no mathematics, but prices: "$0.23/h … $1.20/h" would be typeset as math, and
// ipywidgets typesets every HTML widget and description with the rendermime's typesetter, whose first use
// loads MathJax (about 800 KB of script parsed on the page's one thread while the list is drawn).
const NO_MATH: ILatexTypesetter = { typeset: () => undefined };
// Set in this browser once the panel has been shown: a later page load starts the panel in the background.
const USED_KEY = 'jupyter-compute:panel-used';
// The kernel's list is drawn when its view is in the output area (ui/panel/static/table.js's root).
const LIVE_LIST = '.jupyter-compute-panel .jupyter-compute-table';
// Past this after the kernel's panel is shown without a list (an error in its place), the first paint goes.
const FIRST_PAINT_DEADLINE_MS = 10_000;

/** Resolve once `manager` has restored the kernel's live widget models (or the deadline passed). */
async function restored(manager: KernelWidgetManager): Promise<boolean> {
  if (manager.restoredStatus) {
    return true;
  }
  try {
    await signalToPromise(manager.restored, RESTORE_DEADLINE_MS);
    return true;
  } catch {
    return false; // the deadline passed
  }
}

/**
 * A widget view that is drawn only once its manager has restored the kernel's live models. The manager's
 * constructor starts that restore and the panel's code runs at the same time (so a reload costs one round
 * trip, not two); the panel's display names models that exist in the kernel since an earlier page, and
 * drawn while the restore is still creating them, a view could look one up before it is there and stay
 * on "Error displaying widget: model not found" (issue 13, point 4). Models the code creates after the
 * restore's snapshot arrive as comm opens ahead of the display on the same channel.
 */
class RestoredWidgetRenderer extends WidgetRenderer {
  constructor(
    options: ConstructorParameters<typeof WidgetRenderer>[0],
    manager: KernelWidgetManager,
    private readonly ready: Promise<void>
  ) {
    super(options, manager);
  }

  async renderModel(model: Parameters<WidgetRenderer['renderModel']>[0]): Promise<void> {
    await this.ready;
    return super.renderModel(model);
  }
}

export class ComputeSidebar extends Panel {
  private session: SessionContext | null = null;
  private manager: KernelWidgetManager | null = null;
  private area: OutputArea | null = null;
  private widgetRendermime: IRenderMimeRegistry | null = null;
  private starting: Promise<void> | null = null;
  private restarting = false;
  private renders = 0;
  private builds = 0;
  private firstPaint: FirstPaint | null = null;
  private live = false; // the kernel's list is drawn (or the start failed): no first paint any more
  private under: Panel | null = null; // a "New …" form under the list, where there is no main-area tab
  private readonly status: Widget;

  constructor(
    private readonly app: JupyterFrontEnd,
    private readonly rendermime: IRenderMimeRegistry,
    private readonly onForms: (forms: IForm[]) => void
  ) {
    super();
    this.id = 'jupyter-compute-panel';
    this.title.caption = 'Compute (Azure ML)';
    this.title.label = 'Compute';
    this.addClass('jp-ComputePanel');
    // A landmark a screen reader lists and jumps to.
    this.node.setAttribute('role', 'region');
    this.node.setAttribute('aria-label', 'Compute');
    this.status = new Widget();
    this.status.addClass('jupyter-compute-status');
    this.status.node.setAttribute('role', 'status');
    this.addWidget(this.status);
    this.setState('idle', 'The Compute panel starts when you open it.');
    showOpenedPanes(this.node);
  }

  /** Start the panel's kernel and show the panel once; later calls wait for the same start. */
  ensureStarted(): Promise<void> {
    if (!this.starting) {
      this.starting = this.start().catch(reason => {
        this.starting = null;
        this.dropFirstPaint(null); // rows nothing will refresh: the line says why
        this.setState('failed', `The Compute panel could not start: ${reason}`);
      });
    }
    return this.starting;
  }

  /** Run Python in the panel's kernel without output (used by the "new form" commands). */
  async run(code: string): Promise<void> {
    await this.ensureStarted();
    const kernel = this.session?.session?.kernel;
    if (kernel) {
      await kernel.requestExecute({ code, silent: true, store_history: false }).done;
    }
  }

  /** A new output area in `parent`, rendered by this panel's widget manager, running `code` in its kernel
   * (the main-area forms, ./formtab.ts); null when the panel has no kernel. */
  async outputArea(code: string, parent: Panel): Promise<OutputArea | null> {
    await this.ensureStarted();
    if (!this.session || !this.widgetRendermime) {
      return null;
    }
    const area = new OutputArea({ model: new OutputAreaModel({ trusted: true }), rendermime: this.widgetRendermime });
    parent.addWidget(area);
    await OutputArea.execute(code, area, this.session);
    return area;
  }

  /** Show `form` under the panel's list (a "New …" form where the shell shows no main-area tab,
   * ./formtab.ts openSidebarForm), in place of the one shown there before, which is disposed. */
  showUnder(form: Panel): void {
    this.under?.dispose();
    this.under = form;
    form.disposed.connect(() => {
      if (this.under === form) {
        this.under = null;
      }
    });
    this.addWidget(form);
  }

  /** The form shown under the list, if any. */
  formUnder(): Panel | null {
    return this.under;
  }

  /** Restart the panel's kernel; the panel is rebuilt from the workspace when it is back. */
  async restart(): Promise<void> {
    await this.ensureStarted();
    await this.session?.restartKernel();
  }

  /** At page load: start the panel hidden when it was used in this browser before, so that opening the
   * tab shows a running panel (issue 13, point 8). Nothing starts for someone who never opened it. */
  prestart(): void {
    if (!this.starting && window.localStorage.getItem(USED_KEY)) {
      performance.mark('jupyter-compute:prestart');
      void this.ensureStarted();
    }
  }

  protected onAfterShow(): void {
    window.localStorage.setItem(USED_KEY, '1');
    void this.ensureStarted().then(() => this.tellShown(true));
  }

  protected onAfterHide(): void {
    void this.tellShown(false);
  }

  /** The kernel's panel lists the workspace only while its tab is shown (and refreshes at once when shown). */
  private async tellShown(shown: boolean): Promise<void> {
    if (this.session?.session?.kernel) {
      await this.run(entryCode('sidebar_shown', shown));
    }
  }

  private setState(state: string, text: string): void {
    this.node.dataset.state = state;
    this.status.node.textContent = text;
    this.status.setHidden(state === 'ready');
  }

  private async start(): Promise<void> {
    performance.mark('jupyter-compute:start');
    preloadModules(); // the panel's views need them: load them while the kernel starts
    this.setState('starting', 'Starting the Compute panel…');
    void this.paintFirst();
    const session = new SessionContext({
      sessionManager: this.app.serviceManager.sessions,
      specsManager: this.app.serviceManager.kernelspecs,
      path: SESSION_PATH,
      name: 'Compute panel',
      type: 'jupyter-compute',
      kernelPreference: { name: 'python3', shouldStart: true, canStart: true, autoStartDefault: true }
    });
    this.session = session;
    await session.initialize();
    await session.ready;
    performance.mark('jupyter-compute:kernel-ready');
    session.kernelChanged.connect(() => void this.render(false));
    session.statusChanged.connect((_, status: Kernel.Status) => {
      if (status === 'restarting' || status === 'autorestarting') {
        this.restarting = true;
        this.setState('starting', 'The Compute panel\u2019s kernel is restarting…');
      } else if (status === 'idle' && this.restarting) {
        this.restarting = false;
        void this.render(false);
      }
    });
    await this.render(true);
  }

  /** Build the widget manager for the current kernel and show the panel in a fresh output area. When
   * the panel connected to a running kernel (`reconnected`: a page load), its views wait for the
   * manager's restore of the widgets that kernel holds; a restarted or new kernel holds none. */
  private async render(reconnected: boolean): Promise<void> {
    const build = ++this.builds; // a restart can report idle twice: the last build is the panel
    const session = this.session;
    const kernel = session?.session?.kernel;
    if (!session || !kernel) {
      this.setState('failed', 'The Compute panel has no kernel; reopen the tab to start one.');
      return;
    }
    this.setState('starting', 'Loading the Compute panel…');
    this.manager?.dispose();
    this.under?.dispose(); // its widgets were the last kernel's (or manager's)
    const rendermime = this.rendermime.clone({ latexTypesetter: NO_MATH });
    const manager = new KernelWidgetManager(kernel, rendermime);
    registerModules(manager);
    const ready = (reconnected ? restored(manager) : Promise.resolve(true)).then(inTime => {
      performance.mark('jupyter-compute:restored');
      if (!inTime) {
        console.warn('Compute panel: the widget manager did not restore the kernel\u2019s widgets in time');
      }
    });
    rendermime.removeMimeType(WIDGET_VIEW);
    rendermime.addFactory(
      {
        safe: false,
        mimeTypes: [WIDGET_VIEW],
        createRenderer: options => new RestoredWidgetRenderer(options, manager, ready)
      },
      -10
    );
    this.manager = manager;
    this.widgetRendermime = rendermime;
    this.area?.dispose();
    const area = new OutputArea({ model: new OutputAreaModel({ trusted: true }), rendermime });
    this.area = area;
    this.addWidget(area);
    await OutputArea.execute(PANEL_CODE, area, session);
    if (build !== this.builds) {
      return;
    }
    performance.mark('jupyter-compute:panel-shown');
    this.node.dataset.renders = String(++this.renders);
    this.setState('ready', '');
    if (!this.isVisible) {
      void this.tellShown(false); // started hidden (prestart): it lists nothing until shown
    }
    this.replaceFirstPaint(area);
    void this.loadForms(kernel);
  }

  /** Draw the server's rows while a new kernel starts (not when the panel reconnects to a running one:
   * its panel is back in a moment, and may show another workspace than the configured one). */
  private async paintFirst(): Promise<void> {
    const sessions = this.app.serviceManager.sessions;
    await sessions.ready; // the sessions as the page found them, before this start makes one
    if ([...sessions.running()].some(model => model.path === SESSION_PATH)) {
      return;
    }
    const paint = await fetchFirstPaint(this.app.serviceManager.serverSettings, SESSION_PATH);
    if (!paint || this.live || this.isDisposed) {
      return;
    }
    this.firstPaint = new FirstPaint(paint);
    this.insertWidget(1, this.firstPaint); // under the status line, above the kernel's output area
    this.node.dataset.firstPaint = String(paint.rows.length);
    performance.mark('jupyter-compute:first-paint');
  }

  /** The kernel's panel is shown in `area`: once its list is drawn, the first paint goes, handing over
   * what was typed and chosen in it (or after a deadline, when the panel shows an error instead). */
  private replaceFirstPaint(area: OutputArea): void {
    const live = (): Element | null => area.node.querySelector(LIVE_LIST);
    if (live() || area.isDisposed) {
      this.dropFirstPaint(live());
      return;
    }
    const observer = new MutationObserver(() => {
      const found = live();
      if (found) {
        stop();
        this.dropFirstPaint(found);
      }
    });
    const timer = setTimeout(() => {
      stop();
      this.dropFirstPaint(null);
    }, FIRST_PAINT_DEADLINE_MS);
    const stop = (): void => {
      observer.disconnect();
      clearTimeout(timer);
    };
    observer.observe(area.node, { childList: true, subtree: true });
  }

  /** No first paint from now on; the one shown goes, after handing what was done in it (and the focus,
   * when it was there) to `live`. */
  private dropFirstPaint(live: Element | null): void {
    this.live = true;
    const hadFocus = Boolean(this.firstPaint?.node.contains(document.activeElement));
    if (live) {
      this.firstPaint?.handOver(live);
    }
    if (hadFocus && !live) {
      this.node.tabIndex = -1; // the panel itself, rather than the page's body
      this.node.focus();
    }
    this.firstPaint?.dispose();
    this.firstPaint = null;
  }

  /** Ask the kernel for the panel's kind menu and hand it on (after the panel, so it never delays it). */
  private async loadForms(kernel: Kernel.IKernelConnection): Promise<void> {
    try {
      const forms = await requestForms(kernel);
      this.node.dataset.forms = forms.map(form => form.kind).join(' ');
      this.onForms(forms);
    } catch (reason) {
      console.warn(`Compute panel: no "New …" commands: ${reason}`);
    }
  }
}

// A row's pane (details, resize) opens under the list, which may be long: once drawn, it is scrolled into the
// sidebar's view, its Apply button included (each pane once). The edit pane opens in a main-area tab
// (./formtab.ts, watchEditButtons); the selector keeps it for a kernel that draws one here all the same.
const PANE_DRAWN =
  '.jupyter-compute-tools:not([data-shown]):has(.jupyter-compute-edit-apply, .jupyter-compute-resize-apply, .jupyter-compute-details)';

function showOpenedPanes(node: HTMLElement): void {
  new MutationObserver(() => {
    for (const pane of Array.from(node.querySelectorAll<HTMLElement>(PANE_DRAWN))) {
      pane.dataset.shown = 'yes';
      pane.scrollIntoView({ block: 'nearest' });
    }
  }).observe(node, { childList: true, subtree: true, attributes: true, attributeFilter: ['class'] }); // ipywidgets add classes after insertion
}
