import { ILayoutRestorer, JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette, SessionContext } from '@jupyterlab/apputils';
import { OutputArea, OutputAreaModel } from '@jupyterlab/outputarea';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import * as base from '@jupyter-widgets/base';
import { IJupyterWidgetRegistry } from '@jupyter-widgets/base';
import { KernelWidgetManager, WidgetRenderer, output } from '@jupyter-widgets/jupyterlab-manager';
import { Panel } from '@lumino/widgets';

const WIDGET_VIEW = 'application/vnd.jupyter.widget-view+json';
const SESSION_PATH = 'jupyter-compute/panel';  // fixed: reloads reconnect instead of leaking kernels
const PANEL_CODE = [
  'from jupyter_compute.panel import panel_for',
  'from jupyter_compute.api import Workspace',
  'panel_for(Workspace.resolve()).widget'
].join('\n');

class ComputeSidebar extends Panel {
  private started = false;
  constructor(private app: JupyterFrontEnd, private rendermime: IRenderMimeRegistry) {
    super();
    this.id = 'jupyter-compute-panel';
    this.title.caption = 'Compute';
    this.title.label = 'Compute';
    this.addClass('jp-ComputePanel');
  }

  protected onAfterShow(): void {
    if (!this.started) {
      this.started = true;
      void this.start();
    }
  }

  async start(): Promise<void> {
    const session = new SessionContext({
      sessionManager: this.app.serviceManager.sessions,
      specsManager: this.app.serviceManager.kernelspecs,
      path: SESSION_PATH,
      name: 'Compute panel',
      type: 'jupyter-compute',
      kernelPreference: { name: 'python3', shouldStart: true, canStart: true, autoStartDefault: true }
    });
    await session.initialize();
    await session.ready;
    const kernel = session.session?.kernel;
    if (!kernel) {
      return;
    }
    const rendermime = this.rendermime.clone();
    const manager = new KernelWidgetManager(kernel, rendermime);
    manager.register({ name: '@jupyter-widgets/base', version: base.JUPYTER_WIDGETS_VERSION, exports: base as any });
    manager.register({
      name: '@jupyter-widgets/controls', version: '2.0.0',
      exports: () => import('@jupyter-widgets/controls') as any
    });
    manager.register({ name: '@jupyter-widgets/output', version: output.OUTPUT_WIDGET_VERSION, exports: output as any });
    rendermime.removeMimeType(WIDGET_VIEW);
    rendermime.addFactory(
      { safe: false, mimeTypes: [WIDGET_VIEW], createRenderer: options => new WidgetRenderer(options, manager) },
      -10
    );
    const area = new OutputArea({ model: new OutputAreaModel({ trusted: true }), rendermime });
    this.addWidget(area);
    await OutputArea.execute(PANEL_CODE, area, session);
  }
}

const plugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyter-compute:panel',
  autoStart: true,
  requires: [IRenderMimeRegistry, IJupyterWidgetRegistry],
  optional: [ICommandPalette, ILayoutRestorer],
  activate: (app, rendermime: IRenderMimeRegistry, _widgets: IJupyterWidgetRegistry,
             palette: ICommandPalette | null, restorer: ILayoutRestorer | null) => {
    const sidebar = new ComputeSidebar(app, rendermime);
    app.shell.add(sidebar, 'left', { rank: 900 });
    restorer?.add(sidebar, sidebar.id);
    app.commands.addCommand('jupyter-compute:open', {
      label: 'Open the Compute panel',
      execute: () => app.shell.activateById(sidebar.id)
    });
    palette?.addItem({ command: 'jupyter-compute:open', category: 'Compute' });
  }
};

export default plugin;
