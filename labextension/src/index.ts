/**
 * The "Compute" tab of the JupyterLab left sidebar.
 *
 * The panel itself is Python (jupyter_compute.panel, ipywidgets over the same API as the magics); this
 * extension gives it a home that needs no notebook: its own kernel session at a fixed path (reloads
 * reconnect to it instead of leaking kernels), a KernelWidgetManager with the widget modules registered
 * by hand (the jupyterlab-manager registry is private to its plugin), and a trusted OutputArea that runs
 * `sidebar()`. After a kernel restart or change the panel is rebuilt from the workspace. Once the panel is
 * shown, the kernel is asked for its kind menu and the "New …" palette commands are built from it (./forms.ts).
 * Recipe and pitfalls: ../shared/JUPYTER-NOTES.md, "Rendering ipywidgets in a left-sidebar panel".
 */
import { ILayoutRestorer, JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette, SessionContext } from '@jupyterlab/apputils';
import { OutputArea, OutputAreaModel } from '@jupyterlab/outputarea';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { Kernel } from '@jupyterlab/services';
import * as base from '@jupyter-widgets/base';
import { IJupyterWidgetRegistry } from '@jupyter-widgets/base';
import { KernelWidgetManager, WidgetRenderer, output } from '@jupyter-widgets/jupyterlab-manager';
import { Panel, Widget } from '@lumino/widgets';
import { IForm, formCommands, requestForms } from './forms';
import { ComputeTableModel, ComputeTableView, MODULE_NAME, MODULE_VERSION } from './table';

const TABLE_EXPORTS = { ComputeTableModel, ComputeTableView };

const WIDGET_VIEW = 'application/vnd.jupyter.widget-view+json';
const SESSION_PATH = 'jupyter-compute/panel';
const PANEL_CODE = 'from jupyter_compute.panel import sidebar\nsidebar()';

class ComputeSidebar extends Panel {
  private session: SessionContext | null = null;
  private manager: KernelWidgetManager | null = null;
  private area: OutputArea | null = null;
  private starting: Promise<void> | null = null;
  private restarting = false;
  private renders = 0;
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
    this.status = new Widget();
    this.status.addClass('jupyter-compute-status');
    this.addWidget(this.status);
    this.setState('idle', 'The Compute panel starts when you open it.');
  }

  /** Start the panel's kernel and show the panel once; later calls wait for the same start. */
  ensureStarted(): Promise<void> {
    if (!this.starting) {
      this.starting = this.start().catch(reason => {
        this.starting = null;
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

  /** Restart the panel's kernel; the panel is rebuilt from the workspace when it is back. */
  async restart(): Promise<void> {
    await this.ensureStarted();
    await this.session?.restartKernel();
  }

  protected onAfterShow(): void {
    void this.ensureStarted();
  }

  private setState(state: string, text: string): void {
    this.node.dataset.state = state;
    this.status.node.textContent = text;
    this.status.setHidden(state === 'ready');
  }

  private async start(): Promise<void> {
    performance.mark('jupyter-compute:start');
    this.setState('starting', 'Starting the Compute panel…');
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
    session.kernelChanged.connect(() => void this.render());
    session.statusChanged.connect((_, status: Kernel.Status) => {
      if (status === 'restarting' || status === 'autorestarting') {
        this.restarting = true;
        this.setState('starting', 'The Compute panel\u2019s kernel is restarting…');
      } else if (status === 'idle' && this.restarting) {
        this.restarting = false;
        void this.render();
      }
    });
    await this.render();
  }

  /** (Re)build the widget manager for the current kernel and show the panel in a fresh output area. */
  private async render(): Promise<void> {
    const session = this.session;
    const kernel = session?.session?.kernel;
    if (!session || !kernel) {
      this.setState('failed', 'The Compute panel has no kernel; reopen the tab to start one.');
      return;
    }
    this.setState('starting', 'Loading the Compute panel…');
    this.manager?.dispose();
    const rendermime = this.rendermime.clone();
    const manager = new KernelWidgetManager(kernel, rendermime);
    manager.register({ name: '@jupyter-widgets/base', version: base.JUPYTER_WIDGETS_VERSION, exports: base as any });
    manager.register({
      name: '@jupyter-widgets/controls',
      version: '2.0.0',
      exports: () => import('@jupyter-widgets/controls') as any
    });
    manager.register({
      name: '@jupyter-widgets/output',
      version: output.OUTPUT_WIDGET_VERSION,
      exports: output as any
    });
    manager.register({ name: MODULE_NAME, version: MODULE_VERSION, exports: TABLE_EXPORTS as any });
    rendermime.removeMimeType(WIDGET_VIEW);
    rendermime.addFactory(
      { safe: false, mimeTypes: [WIDGET_VIEW], createRenderer: options => new WidgetRenderer(options, manager) },
      -10
    );
    this.manager = manager;
    this.area?.dispose();
    const area = new OutputArea({ model: new OutputAreaModel({ trusted: true }), rendermime });
    this.area = area;
    this.addWidget(area);
    await OutputArea.execute(PANEL_CODE, area, session);
    performance.mark('jupyter-compute:panel-shown');
    this.node.dataset.renders = String(++this.renders);
    this.setState('ready', '');
    void this.loadForms(kernel);
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

const plugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyter-compute:panel',
  description: 'A Compute tab in the left sidebar: Azure ML compute with live state and creation forms.',
  autoStart: true,
  requires: [IRenderMimeRegistry, IJupyterWidgetRegistry],
  optional: [ICommandPalette, ILayoutRestorer],
  activate: (
    app: JupyterFrontEnd,
    rendermime: IRenderMimeRegistry,
    widgets: IJupyterWidgetRegistry,
    palette: ICommandPalette | null,
    restorer: ILayoutRestorer | null
  ) => {
    // The list widget in notebooks too (`%compute panel`): their widget managers get it from this registry.
    widgets.registerWidget({ name: MODULE_NAME, version: MODULE_VERSION, exports: TABLE_EXPORTS as any });
    const category = 'Compute';
    let formItems: { dispose(): void }[] = [];
    let registered = '';
    // The "New …" commands of the kinds the kernel lists; built again only when that list changes.
    const registerForms = (forms: IForm[]): void => {
      const commands = formCommands(forms);
      if (JSON.stringify(commands) === registered) {
        return;
      }
      formItems.forEach(item => item.dispose());
      formItems = [];
      registered = JSON.stringify(commands);
      for (const form of commands) {
        const command = `jupyter-compute:${form.id}`;
        formItems.push(
          app.commands.addCommand(command, {
            label: form.label,
            execute: async () => {
              app.shell.activateById(sidebar.id);
              await sidebar.run(
                `from jupyter_compute.panel import sidebar_form\nsidebar_form(${JSON.stringify(form.kind)})`
              );
            }
          })
        );
        if (palette) {
          formItems.push(palette.addItem({ command, category }));
        }
      }
    };
    const sidebar = new ComputeSidebar(app, rendermime, registerForms);
    app.shell.add(sidebar, 'left', { rank: 900 });
    restorer?.add(sidebar, sidebar.id);
    app.commands.addCommand('jupyter-compute:open', {
      label: 'Open the Compute panel',
      execute: () => app.shell.activateById(sidebar.id)
    });
    palette?.addItem({ command: 'jupyter-compute:open', category });
    app.commands.addCommand('jupyter-compute:restart', {
      label: 'Restart the Compute panel\u2019s kernel',
      execute: async () => {
        app.shell.activateById(sidebar.id);
        await sidebar.restart();
      }
    });
    palette?.addItem({ command: 'jupyter-compute:restart', category });
  }
};

export default plugin;
