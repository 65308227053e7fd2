/**
 * A notebook bar whose kernel has shut down never looks alive (issue 22, point 12). On a restart
 * jupyterlab-manager disconnects the widget models and their views get `jupyter-widgets-disconnected`; on a
 * shutdown it does not, so this marks the bars in that notebook's outputs with the same class, and the
 * stylesheet (index.css) says the same sentence for both.
 */
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';

/** The class index.css keys the "kernel gone" look on (ipywidgets' own, set on restart). */
export const GONE = 'jupyter-widgets-disconnected';
const BAR = '.jupyter-compute-progress';

/** Mark every bar now in `panel`'s outputs: the kernel that followed them has gone. */
function markBars(panel: NotebookPanel): void {
  panel.content.node.querySelectorAll(BAR).forEach(bar => bar.classList.add(GONE));
}

/**
 * Watch one notebook's session: its kernel shut down, died or was swapped for another (a restart keeps the
 * same kernel connection and is ipywidgets' own case) marks the bars the old one left.
 */
function watchPanel(panel: NotebookPanel): void {
  const context = panel.sessionContext;
  // Bars drawn afterwards belong to the next kernel: only those present at the change are marked.
  const onKernel = (_: unknown, change: { oldValue: unknown; newValue: unknown }): void => {
    if (change.oldValue && change.oldValue !== change.newValue) {
      markBars(panel);
    }
  };
  const onStatus = (): void => {
    if (context.session?.kernel?.status === 'dead') {
      markBars(panel);
    }
  };
  context.kernelChanged.connect(onKernel);
  context.sessionChanged.connect(onKernel);
  context.statusChanged.connect(onStatus);
  panel.disposed.connect(() => {
    context.kernelChanged.disconnect(onKernel);
    context.sessionChanged.disconnect(onKernel);
    context.statusChanged.disconnect(onStatus);
  });
}

/** Watch every notebook the tracker knows, now and later. */
export function watchNotebookKernels(tracker: INotebookTracker): void {
  tracker.forEach(watchPanel);
  tracker.widgetAdded.connect((_, panel) => watchPanel(panel));
}
