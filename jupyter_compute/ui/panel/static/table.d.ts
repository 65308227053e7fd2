// The list's front end (./table.js) as the lab extension's first paint uses it (labextension/src/preview.ts):
// anywidget's render() over any object with the model's get/on/off/send.
export interface IListModel {
  get(key: string): unknown;
  on(event: string, callback: () => void): void;
  off(event: string, callback: () => void): void;
  send(content: unknown): void;
}

declare const table: {
  render(options: { model: IListModel; el: HTMLElement }): () => void;
};
export default table;
