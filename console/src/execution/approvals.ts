// Human approval: the task tokens an execution waits on (`.waitForTaskToken` tasks and
// activities in progress), each with an Approve form (SendTaskSuccess with a JSON output) and a
// Reject form (SendTaskFailure with an error and a cause). The list arrives with the live stream.
import { call } from '../api';
import { h } from '../dom';
import type { ExecutionProgress } from './progress';

export interface PendingToken {
  taskToken: string;
}

export class Approvals {
  readonly element: HTMLElement;
  private readonly list: HTMLElement;
  private shown = '';

  constructor() {
    this.list = h('div', {}, h('p', { class: 'meta' }, 'No pending task tokens.'));
    this.element = h('section', { class: 'panel approvals', id: 'approvals' }, h('h2', {}, 'Pending approvals'), this.list);
  }

  update(tokens: PendingToken[] | undefined, progress: ExecutionProgress): void {
    const signature = (tokens ?? []).map((t) => t.taskToken).join('\n');
    if (signature === this.shown) return;
    this.shown = signature;
    if (!tokens?.length) {
      this.list.replaceChildren(h('p', { class: 'meta' }, 'No pending task tokens.'));
      return;
    }
    this.list.replaceChildren(...tokens.map((token) => this.form(token, stateOf(token.taskToken, progress))));
  }

  private form(token: PendingToken, state: string | undefined): HTMLElement {
    const output = h('textarea', { class: 'approve-output', spellcheck: false });
    output.value = '{\n  "approved": true\n}';
    const error = h('input', { type: 'text', class: 'reject-error', value: 'Rejected' });
    const cause = h('textarea', { class: 'reject-cause', placeholder: 'cause (optional)' });
    const message = h('span', { class: 'result' });
    const send = (operation: string, body: () => object) => async () => {
      message.textContent = '';
      message.className = 'result';
      try {
        await call(operation, { taskToken: token.taskToken, ...body() });
        message.textContent = operation === 'SendTaskSuccess' ? 'Approved.' : 'Rejected.';
      } catch (err) {
        message.textContent = (err as Error).message;
        message.className = 'result error';
      }
    };
    const approve = () => {
      try {
        JSON.parse(output.value);
      } catch (err) {
        message.textContent = `The output must be JSON: ${(err as Error).message}`;
        message.className = 'result error';
        return;
      }
      send('SendTaskSuccess', () => ({ output: output.value }))();
    };
    return h(
      'div',
      { class: 'approval', 'data-token': token.taskToken },
      h('p', {}, h('strong', {}, state ?? 'Task'), ' waits on token ', h('code', { title: token.taskToken }, short(token.taskToken))),
      h(
        'div',
        { class: 'approval-forms' },
        h('div', {}, h('label', {}, 'Output (JSON)'), output, h('button', { type: 'button', class: 'primary approve', onclick: approve }, 'Approve')),
        h(
          'div',
          {},
          h('label', {}, 'Error '),
          error,
          cause,
          h('button', { type: 'button', class: 'danger reject', onclick: send('SendTaskFailure', () => ({ error: error.value, cause: cause.value })) }, 'Reject'),
        ),
      ),
      message,
    );
  }
}

// The state waiting on a token: the open visit whose scheduling event carries it (a
// `.waitForTaskToken` task passes it in its parameters), else the latest open Task.
function stateOf(token: string, progress: ExecutionProgress): string | undefined {
  const open = progress.visits.filter((v) => v.status === 'inProgress' && v.type === 'Task');
  const carrying = open.find((v) => v.events.some((e) => JSON.stringify(e).includes(token)));
  return (carrying ?? open[open.length - 1])?.name;
}

function short(token: string): string {
  return token.length > 24 ? `${token.slice(0, 12)}…${token.slice(-8)}` : token;
}
