/**
 * The widget modules the panel's own KernelWidgetManager knows. jupyterlab-manager's module registry is
 * private to its plugin and feeds only the managers it creates (notebooks, consoles), so a hand-made
 * manager registers every module it will meet by hand (../shared/JUPYTER-NOTES.md, "Empty module registry").
 *
 * The panel's list is an anywidget (jupyter_compute/ui/panel/table.py, its front end in the Python
 * package): notebooks get the `anywidget` module from anywidget's own lab extension (the Python package
 * installs it); the sidebar's manager gets it here, from the npm `anywidget` package bundled in.
 */
import * as base from '@jupyter-widgets/base';
import { KernelWidgetManager, output } from '@jupyter-widgets/jupyterlab-manager';

import { dependencies } from '../package.json';
import { captureDefine } from './define';

// The npm package's version, pinned exactly in package.json: the Python side asks for `~0.11.*`.
const ANYWIDGET_VERSION = dependencies.anywidget;

let anywidget: Promise<base.ExportMap> | undefined;

/**
 * anywidget's module (its AnyModel and AnyView): its bundle's factory (./define.ts) called with the shared
 * @jupyter-widgets/base, so that its classes extend ours.
 */
function anywidgetExports(): Promise<base.ExportMap> {
  anywidget ??= captureDefine<base.ExportMap>(() => import('anywidget')).then(factory => factory(base));
  return anywidget;
}

/** Start loading the modules of the panel's views (the kernel's comm opens wait for each in turn). */
export function preloadModules(): void {
  void import('@jupyter-widgets/controls');
  void anywidgetExports().catch(() => undefined); // a failure is met again, and said, where the list needs it
}

/** Register the standard widget modules and anywidget with the panel's manager. */
export function registerModules(manager: KernelWidgetManager): void {
  // A module's namespace holds more than its widget classes; the manager looks up only the classes.
  manager.register({
    name: '@jupyter-widgets/base',
    version: base.JUPYTER_WIDGETS_VERSION,
    exports: base as unknown as base.ExportMap
  });
  manager.register({
    name: '@jupyter-widgets/controls',
    version: '2.0.0',
    exports: () => import('@jupyter-widgets/controls') as unknown as Promise<base.ExportMap>
  });
  manager.register({
    name: '@jupyter-widgets/output',
    version: output.OUTPUT_WIDGET_VERSION,
    exports: output as unknown as base.ExportMap
  });
  manager.register({ name: 'anywidget', version: ANYWIDGET_VERSION, exports: anywidgetExports });
}
