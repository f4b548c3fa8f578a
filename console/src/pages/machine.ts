// One state machine: its definition as a graph, its executions (filtered by status), and a form
// to start an execution with a JSON input.
import { call } from '../api';
import { formatDate, h } from '../dom';
import { GraphView } from '../graph/graph_view';
import { jsonEditor } from '../json_editor';
import { link } from '../links';
import { STATUSES } from '../api';
import { firstExecutions } from './machines';

export async function renderMachine(app: HTMLElement, arn: string): Promise<void> {
  const machine = await call('DescribeStateMachine', { stateMachineArn: arn });
  const graph = new GraphView();
  app.append(
    h('h1', {}, machine.name),
    h(
      'p',
      { class: 'meta' },
      `${machine.type} · created ${formatDate(machine.creationDate)} · `,
      h('code', {}, machine.stateMachineArn),
      ' ',
      h('a', { href: link('editor', arn), class: 'button' }, 'Edit definition'),
    ),
    graph.element,
  );
  graph.show(JSON.parse(machine.definition));
  app.append(startForm(arn), executionsList(arn));
}

function startForm(arn: string): HTMLElement {
  const editor = jsonEditor('{\n  \n}');
  const name = h('input', { type: 'text', placeholder: 'name (optional)', class: 'exec-name' });
  const message = h('span', { class: 'error' });
  const start = async () => {
    message.textContent = '';
    try {
      JSON.parse(editor.text());
      const started = await call('StartExecution', { stateMachineArn: arn, input: editor.text(), name: name.value || undefined });
      location.hash = link('execution', started.executionArn);
    } catch (error) {
      message.textContent = (error as Error).message;
    }
  };
  return h(
    'section',
    { class: 'panel start-execution' },
    h('h2', {}, 'Start execution'),
    name,
    editor.element,
    h('button', { type: 'button', class: 'primary', onclick: start }, 'Start execution'),
    message,
  );
}

function executionsList(arn: string): HTMLElement {
  const filter = h('select', { class: 'status-filter' }, h('option', { value: '' }, 'All statuses'), ...STATUSES.map((st) => h('option', { value: st }, st)));
  const body = h('tbody');
  const load = async () => {
    body.replaceChildren();
    const executions = await firstExecutions(arn, filter.value);
    if (!executions.length) body.append(h('tr', {}, h('td', { colspan: 4 }, 'No executions.')));
    for (const execution of executions) {
      body.append(
        h(
          'tr',
          {},
          h('td', {}, h('a', { href: link('execution', execution.executionArn) }, execution.name)),
          h('td', {}, h('span', { class: `badge ${execution.status}` }, execution.status)),
          h('td', {}, formatDate(execution.startDate)),
          h('td', {}, formatDate(execution.stopDate)),
        ),
      );
    }
  };
  filter.addEventListener('change', load);
  load();
  return h(
    'section',
    { class: 'panel' },
    h('h2', {}, 'Executions ', filter),
    h('table', { class: 'list executions' }, h('thead', {}, h('tr', {}, h('th', {}, 'Name'), h('th', {}, 'Status'), h('th', {}, 'Started'), h('th', {}, 'Stopped'))), body),
  );
}
