/**
 * The lab extension's plugin: the Compute tab in the left sidebar (./sidebar.ts), our widget modules
 * for notebooks (./widgets.ts), and the palette commands (open, restart, one "New …" per kind from the
 * kernel's kind menu, ./forms.ts, each opening its form in a main-area tab, ./formtab.ts).
 */
import { ILayoutRestorer, JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { IJupyterWidgetRegistry } from '@jupyter-widgets/base';
import { IForm, formCommands } from './forms';
import { formTitle, openFormTab, watchOpenButtons } from './formtab';
import { ComputeSidebar } from './sidebar';
import { registerNotebookModules } from './widgets';

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
    registerNotebookModules(widgets);
    const category = 'Compute';
    let formItems: { dispose(): void }[] = [];
    let registered = '';
    let known: IForm[] = [];
    // The "New …" commands of the kinds the kernel lists; built again only when that list changes.
    const registerForms = (forms: IForm[]): void => {
      known = forms;
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
              await openFormTab(app, sidebar, form.kind, form.label);
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
    // The sidebar's "New …" button (the kind chosen in its menu): the form opens in a tab too.
    watchOpenButtons(sidebar.node, kind => void openFormTab(app, sidebar, kind, formTitle(kind, known)));
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
