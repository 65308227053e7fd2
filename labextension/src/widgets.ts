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

// The npm package's version, pinned exactly in package.json: the Python side asks for `~0.11.*`.
const ANYWIDGET_VERSION = dependencies.anywidget;

let anywidget: Promise<any> | undefined;

/**
 * anywidget's npm build is its classic-notebook bundle: it exports nothing and ends with
 * `define(["@jupyter-widgets/base"], factory)`. Evaluate it once with a `define` that keeps the factory,
 * and call that with the shared @jupyter-widgets/base (its AnyModel and AnyView extend our classes).
 */
function anywidgetExports(): Promise<any> {
  anywidget ??= (async () => {
    const scope = globalThis as any;
    const before = scope.define;
    let factory: ((b: typeof base) => any) | undefined;
    scope.define = (_deps: string[], made: (b: typeof base) => any) => {
      factory = made;
    };
    try {
      await import('anywidget');
    } finally {
      scope.define = before;
    }
    if (!factory) {
      throw new Error('the anywidget bundle did not define its module');
    }
    return factory(base);
  })();
  return anywidget;
}

/** Start loading the modules of the panel's views (the kernel's comm opens wait for each in turn). */
export function preloadModules(): void {
  void import('@jupyter-widgets/controls');
  void anywidgetExports().catch(() => undefined); // a failure is met again, and said, where the list needs it
}

/** Register the standard widget modules and anywidget with the panel's manager. */
export function registerModules(manager: KernelWidgetManager): void {
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
  manager.register({ name: 'anywidget', version: ANYWIDGET_VERSION, exports: anywidgetExports });
}
