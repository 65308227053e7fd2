// The list's front end (./table.js) as the lab extension's first paint uses it (labextension/src/preview.ts):
// anywidget's render() over any object with the model's get/on/off/send (anywidget's own model type).
import type { AnyModel } from '@anywidget/types';
import type { IRow } from './row';

/** The list model's state: jupyter_compute/ui/panel/table.py's traits (`held`: the first paint's only). */
export interface IListState {
  rows: IRow[];
  empty_text: string;
  problem: string;
  heartbeat_seconds: number;
  held?: boolean;
}

/** What render() uses of a model. */
export type IListModel = Pick<AnyModel<IListState>, 'get' | 'on' | 'off' | 'send'>;

/** A patch the kernel sends when a few rows change (table.py's show_rows). */
export interface IRowsPatch {
  patch: IRow[];
  order: string[];
}

export function applyPatch(rows: IRow[], patch: IRowsPatch): IRow[];

declare const table: {
  initialize(options: { model: AnyModel<IListState> }): () => void;
  render(options: { model: IListModel; el: HTMLElement }): () => void;
};
export default table;
