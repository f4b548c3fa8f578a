// State machines: name, type, creation date and how many executions are in each status.
import { call, listAll, STATUSES } from '../api';
import { formatDate, h } from '../dom';
import { link } from '../links';

export async function renderMachines(app: HTMLElement): Promise<void> {
  app.append(h('h1', {}, 'State machines'), h('p', {}, h('a', { href: link('editor'), class: 'button' }, 'Create state machine')));
  const machines = await listAll<any>('ListStateMachines', 'stateMachines');
  const head = h('tr', {}, h('th', {}, 'Name'), h('th', {}, 'Type'), h('th', {}, 'Created'), ...STATUSES.map((st) => h('th', {}, st)));
  const body = h('tbody');
  app.append(h('table', { class: 'list machines' }, h('thead', {}, head), body));
  if (!machines.length) body.append(h('tr', {}, h('td', { colspan: 3 + STATUSES.length }, 'No state machines yet.')));
  for (const machine of machines) {
    const counts = STATUSES.map(() => h('td', { class: 'count' }, '…'));
    body.append(
      h(
        'tr',
        { 'data-arn': machine.stateMachineArn },
        h('td', {}, h('a', { href: link('machine', machine.stateMachineArn) }, machine.name)),
        h('td', {}, machine.type),
        h('td', {}, formatDate(machine.creationDate)),
        ...counts,
      ),
    );
    countExecutions(machine.stateMachineArn).then((byStatus) =>
      STATUSES.forEach((status, i) => (counts[i].textContent = String(byStatus.get(status) ?? 0))),
    );
  }
}

async function countExecutions(arn: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  try {
    for (const execution of await listAll<any>('ListExecutions', 'executions', { stateMachineArn: arn })) {
      counts.set(execution.status, (counts.get(execution.status) ?? 0) + 1);
    }
  } catch {
    // Express machines cannot list executions; leave the counts at zero.
  }
  return counts;
}

// A machine's newest executions (one page of up to 1,000), optionally of one status.
export async function firstExecutions(arn: string, status?: string): Promise<any[]> {
  const page = await call('ListExecutions', { stateMachineArn: arn, statusFilter: status || undefined, maxResults: 1000 });
  return page.executions ?? [];
}
