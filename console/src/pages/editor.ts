// The definition editor: JSON with live diagnostics from ValidateStateMachineDefinition, a live
// graph preview, and Create (new machine) or Update (existing one).
import type { Diagnostic } from '@codemirror/lint';
import { call } from '../api';
import { h } from '../dom';
import { GraphView } from '../graph/graph_view';
import { jsonEditor } from '../json_editor';
import { link } from '../links';

const TEMPLATE = {
  Comment: 'A new state machine',
  StartAt: 'Hello',
  States: { Hello: { Type: 'Pass', Result: 'world', End: true } },
};

export async function renderEditor(app: HTMLElement, arn?: string): Promise<void> {
  const machine = arn ? await call('DescribeStateMachine', { stateMachineArn: arn }) : undefined;
  const initial = machine ? prettyDefinition(machine.definition) : JSON.stringify(TEMPLATE, null, 2);
  const graph = new GraphView();
  const problems = h('ul', { class: 'diagnostics' });
  const message = h('span', { class: 'error' });
  const editor = jsonEditor(initial, {
    minHeight: '28em',
    onChange: (text) => preview(text),
    extraDiagnostics: validate,
  });
  const preview = (text: string) => {
    try {
      graph.show(JSON.parse(text));
    } catch {
      // still being typed: keep the last good preview
    }
  };

  async function validate(text: string): Promise<Diagnostic[]> {
    const result = await call('ValidateStateMachineDefinition', { definition: text, type: machine?.type ?? 'STANDARD' });
    const found: any[] = result.diagnostics ?? [];
    problems.replaceChildren(...found.map((d) => h('li', { class: d.severity }, `${d.code}: ${d.message}${d.location ? ` (${d.location})` : ''}`)));
    if (!found.length) problems.append(h('li', { class: 'ok' }, 'Definition is valid.'));
    return found.map((d) => ({ ...rangeOf(text, d.location), severity: d.severity === 'WARNING' ? 'warning' : 'error', message: `${d.code}: ${d.message}` }));
  }

  const name = h('input', { type: 'text', placeholder: 'name', value: machine?.name ?? '', disabled: !!machine, class: 'machine-name' });
  const role = h('input', { type: 'text', value: machine?.roleArn ?? 'arn:aws:iam::123456789012:role/flowstate', class: 'role-arn' });
  const type = h('select', { disabled: !!machine }, h('option', {}, 'STANDARD'), h('option', {}, 'EXPRESS'));
  if (machine) type.value = machine.type;
  const save = async () => {
    message.textContent = '';
    try {
      if (machine) {
        await call('UpdateStateMachine', { stateMachineArn: arn, definition: editor.text(), roleArn: role.value });
        location.hash = link('machine', arn);
      } else {
        const created = await call('CreateStateMachine', { name: name.value, definition: editor.text(), roleArn: role.value, type: type.value });
        location.hash = link('machine', created.stateMachineArn);
      }
    } catch (error) {
      message.textContent = (error as Error).message;
    }
  };
  app.append(
    h('h1', {}, machine ? `Edit ${machine.name}` : 'Create state machine'),
    h('p', { class: 'form-row' }, h('label', {}, 'Name ', name), h('label', {}, 'Type ', type), h('label', {}, 'Role ARN ', role)),
    h('div', { class: 'split editor-split' }, h('div', {}, editor.element, problems), graph.element),
    h('p', {}, h('button', { type: 'button', class: 'primary', id: 'save-machine', onclick: save }, machine ? 'Update' : 'Create'), ' ', message),
  );
  preview(initial);
}

function prettyDefinition(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

// The text range a diagnostic's JSON Pointer location names (/States/A/Next); the whole text when
// it cannot be found. Finds the last key of the pointer after its parents, a close enough guess.
function rangeOf(text: string, location: string | undefined): { from: number; to: number } {
  if (!location) return { from: 0, to: Math.min(text.length, 1) };
  let at = 0;
  for (const part of location.split('/').filter(Boolean)) {
    const key = `"${part.replace(/~1/g, '/').replace(/~0/g, '~')}"`;
    const found = text.indexOf(key, at);
    if (found < 0) break;
    at = found;
  }
  const end = text.indexOf('\n', at);
  return { from: at, to: end < 0 ? text.length : end };
}
