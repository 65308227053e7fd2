/**
 * The panel's kind menu, asked of the panel's kernel: the kinds of compute are listed in Python only
 * (`jupyter_compute.model.kinds`), and the "New …" palette commands are built from what it answers.
 */
import { Kernel } from '@jupyterlab/services';
import { callExpression, importEntry } from './entry';

/** One entry of the menu, as `jupyter_compute.panel.forms()` gives it. */
export interface IForm {
  /** The grammar word: what `sidebar_form` takes ("cluster", "vm"). */
  kind: string;
  /** The menu's text ("Compute cluster", "Attach a VM"). */
  label: string;
  verb: 'create' | 'attach';
  /** What users call it ("compute cluster"). */
  title: string;
}

/** A palette command that opens one form. */
export interface IFormCommand {
  id: string;
  label: string;
  kind: string;
}

// Run silently in the panel's kernel; the answer comes back in the execute reply's user_expressions,
// as JSON (IPython's JSON display object), so nothing is printed and no output area is involved.
const FORMS_CODE = `from IPython.display import JSON as _jupyter_compute_JSON\n${importEntry('forms').code}`;
const FORMS_EXPRESSION = `_jupyter_compute_JSON(${callExpression('forms')})`;

function isForm(value: unknown): value is IForm {
  if (typeof value !== 'object' || value === null) {
    return false;
  }
  const entry = value as Record<string, unknown>;
  return (
    typeof entry.kind === 'string' &&
    typeof entry.label === 'string' &&
    typeof entry.title === 'string' &&
    (entry.verb === 'create' || entry.verb === 'attach')
  );
}

/** The menu from the data of a `forms()` answer; throws when it is not a list of menu entries. */
export function parseForms(data: unknown): IForm[] {
  if (!Array.isArray(data) || !data.every(isForm)) {
    throw new Error(`the kernel's form list is not a list of {kind, label, verb, title}: ${JSON.stringify(data)}`);
  }
  return data;
}

/** Ask the kernel for the menu. Throws with the kernel's error when it cannot answer. */
export async function requestForms(kernel: Kernel.IKernelConnection): Promise<IForm[]> {
  const reply = await kernel.requestExecute({
    code: FORMS_CODE,
    silent: true,
    store_history: false,
    user_expressions: { forms: FORMS_EXPRESSION }
  }).done;
  const content = reply.content;
  if (content.status !== 'ok') {
    throw new Error(`the kernel could not list the forms: ${content.status}`);
  }
  const answer = content.user_expressions['forms'] as {
    status?: string;
    evalue?: string;
    data?: Record<string, unknown>;
  };
  if (answer?.status !== 'ok' || !answer.data) {
    throw new Error(`the kernel could not list the forms: ${answer?.evalue ?? 'no answer'}`);
  }
  return parseForms(answer.data['application/json']);
}

/**
 * The palette's "New …" commands: one per kind that is created ("New compute cluster"), and one
 * "Attach compute" that opens the first attached kind's form (its menu lists the others).
 */
export function formCommands(forms: IForm[]): IFormCommand[] {
  const commands = forms
    .filter(form => form.verb === 'create')
    .map(form => ({ id: `new-${form.kind}`, label: `New ${form.title}`, kind: form.kind }));
  const attach = forms.find(form => form.verb === 'attach');
  if (attach) {
    commands.push({ id: 'new-attach', label: 'Attach compute', kind: attach.kind });
  }
  return commands;
}
