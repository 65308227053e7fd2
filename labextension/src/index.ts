/**
 * The lab extension's plugin: the Compute tab in the left sidebar (./sidebar.ts, its widget modules in
 * ./widgets.ts), and the palette commands (open, restart, one "New …" per kind from the kernel's kind
 * menu, ./forms.ts, each opening its form in a main-area tab, ./formtab.ts, as a row's "edit" opens its
 * edit pane). "View › Compute" opens the
 * panel in JupyterLab and in Notebook 7, whose notebook and tree pages have no sidebar tab bar to click.
 * Notebook bars whose kernel shut down are marked as gone (./orphans.ts); a bar's closed comms are let go
 * (./comms.ts).
 */
import { ILabShell, ILayoutRestorer, JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { IMainMenu } from '@jupyterlab/mainmenu';
import { INotebookTracker } from '@jupyterlab/notebook';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { IJupyterWidgetRegistry } from '@jupyter-widgets/base';
import { letClosedCommsGo } from './comms';
import { IForm, formCommands } from './forms';
import { formTitle, openEditTab, openFormTab, openSidebarForm, watchEditButtons, watchOpenButtons } from './formtab';
import { watchNotebookKernels } from './orphans';
import { ComputeSidebar } from './sidebar';

/** The extension's command ids, written once. */
const CommandIDs = {
  open: 'jupyter-compute:open',
  restart: 'jupyter-compute:restart',
  /** A "New …" command of one form (`formCommands`' ids: "new-cluster", "new-attach"). */
  newForm: (id: string): string => `jupyter-compute:${id}`
} as const;

const plugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyter-compute:panel',
  description: 'A Compute tab in the left sidebar: Azure ML compute with live state and creation forms.',
  autoStart: true,
  requires: [IRenderMimeRegistry, IJupyterWidgetRegistry],
  optional: [ICommandPalette, ILayoutRestorer, IMainMenu, INotebookTracker, ILabShell],
  activate: (
    app: JupyterFrontEnd,
    rendermime: IRenderMimeRegistry,
    _widgets: IJupyterWidgetRegistry, // required only so that the widgets plugin is active first
    palette: ICommandPalette | null,
    restorer: ILayoutRestorer | null,
    mainMenu: IMainMenu | null,
    notebooks: INotebookTracker | null,
    labShell: ILabShell | null
  ) => {
    // The page keeps no closed comm of ours (./comms.ts: JupyterLab's CommHandler never disconnects a slot).
    letClosedCommsGo();
    // A notebook's bars whose kernel shut down look like those whose kernel restarted (./orphans.ts).
    if (notebooks) {
      watchNotebookKernels(notebooks);
    }
    // Main-area tabs only in JupyterLab's shell (ILabShell, a dock panel of tabs). Notebook 7's shell
    // (INotebookShell) keeps one widget in its main area and silently drops any other added to it: there a
    // "New …" form opens under the sidebar's list and a row's edit pane under the list too (the kernel's own).
    const mainAreaTabs = labShell !== null;
    const openForm = async (kind: string, title: string): Promise<void> => {
      if (mainAreaTabs) {
        await openFormTab(app, sidebar, kind, title, () => known);
      } else {
        app.shell.activateById(sidebar.id); // a palette command: the sidebar shows the form
        await openSidebarForm(sidebar, kind, title, () => known);
      }
    };
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
        const command = CommandIDs.newForm(form.id);
        formItems.push(
          app.commands.addCommand(command, {
            label: form.label,
            execute: () => openForm(form.kind, form.label)
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
    watchOpenButtons(sidebar.node, label => {
      const form = known.find(entry => entry.label === label);
      if (form) {
        void openForm(form.kind, formTitle(form.kind, known));
      } else {
        console.warn(`Compute panel: no form labelled ${JSON.stringify(label)} (the kind menu is not loaded yet)`);
      }
    });
    // A row's "edit" in the sidebar opens its edit pane in a tab too (or shows the one open for it). Elsewhere
    // the click goes on to the kernel, which opens the pane under the list.
    if (mainAreaTabs) {
      watchEditButtons(sidebar.node, name => void openEditTab(app, sidebar, name));
    }
    restorer?.add(sidebar, sidebar.id);
    // Once the layout is back (a restored open tab has started the panel itself): the kernel starts in its
    // own process while the page finishes drawing.
    void app.restored.then(() => sidebar.prestart());
    app.commands.addCommand(CommandIDs.open, {
      label: args => (args.menu ? 'Compute' : 'Open the Compute panel'),
      caption: 'The Compute panel: Azure ML compute with live state and creation forms',
      execute: () => app.shell.activateById(sidebar.id)
    });
    palette?.addItem({ command: CommandIDs.open, category });
    mainMenu?.viewMenu.addGroup([{ command: CommandIDs.open, args: { menu: true } }], 5);
    app.commands.addCommand(CommandIDs.restart, {
      label: 'Restart the Compute panel\u2019s kernel',
      execute: async () => {
        app.shell.activateById(sidebar.id);
        await sidebar.restart();
      }
    });
    palette?.addItem({ command: CommandIDs.restart, category });
  }
};

export default plugin;
