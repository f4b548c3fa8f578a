// One execution, live: the graph coloured by state status, the event table, per-state data flow,
// a timeline, Map iteration pickers, Stop and Redrive. Updates come from the server-sent event
// stream GET /console/events (no polling).
import { call, type HistoryEvent } from '../api';
import { formatDate, h, prettyJson } from '../dom';
import { GraphView } from '../graph/graph_view';
import { Approvals, type PendingToken } from '../execution/approvals';
import { EventTable } from '../execution/event_table';
import { ExecutionProgress, type StateVisit } from '../execution/progress';
import { renderTimeline } from '../execution/timeline';
import { link } from '../links';
import { findState } from '../execution/state_lookup';

export async function renderExecution(app: HTMLElement, arn: string): Promise<() => void> {
  const [execution, machine] = await Promise.all([
    call('DescribeExecution', { executionArn: arn }),
    call('DescribeStateMachineForExecution', { executionArn: arn }),
  ]);
  const definition = JSON.parse(machine.definition);
  const progress = new ExecutionProgress();
  const graph = new GraphView(true);
  const table = new EventTable();
  const badge = h('span', { class: `badge ${execution.status}`, id: 'execution-status' }, execution.status);
  const actions = h('span', { class: 'actions' });
  const redrives = h('span', { class: 'meta', id: 'redrive-count' });
  const message = h('span', { class: 'error' });
  const pickers = h('div', { class: 'iteration-pickers' });
  const stateDetails = h('section', { class: 'panel state-details' }, h('p', { class: 'meta' }, 'Select a state in the graph.'));
  const timeline = h('div', { class: 'timeline' });
  const outputPanel = h('section', { class: 'panel' });
  const approvals = new Approvals();
  let tokens: PendingToken[] | undefined;
  let redrivable: Redrivable = {};
  const chosenIteration = new Map<string, number | undefined>(); // Map state name -> index
  let selected: string | undefined;

  app.append(
    h('h1', {}, execution.name, ' ', badge, ' ', redrives),
    h(
      'p',
      { class: 'meta' },
      'State machine ',
      h('a', { href: link('machine', execution.stateMachineArn) }, machine.name ?? execution.stateMachineArn),
      ` · started ${formatDate(execution.startDate)} `,
      actions,
      message,
    ),
    h('div', { class: 'split' }, h('div', { class: 'graph-column' }, pickers, graph.element), h('div', {}, approvals.element, stateDetails)),
    h('section', { class: 'panel' }, h('h2', {}, 'Events'), table.element),
    h('section', { class: 'panel' }, h('h2', {}, 'Timeline'), timeline),
    outputPanel,
  );
  graph.show(definition);

  // The frame whose visits colour the graph, per Map state: one iteration, or all of them.
  const framePrefix = (nodeId: string): string | undefined => {
    const maps = [...nodeId.matchAll(/\/([^/#]+)#map/g)].map((m) => m[1]);
    if (!maps.length) return undefined;
    const parts: string[] = [];
    for (const map of maps) {
      const index = chosenIteration.get(map);
      if (index === undefined) return parts.length ? parts.join('/') : undefined;
      parts.push(`${map}[${index}]`);
    }
    return parts.join('/');
  };

  const refresh = () => {
    graph.setStatuses((id, name) => progress.latestVisit(name, framePrefix(id))?.status);
    table.setEvents(progress.events);
    badge.textContent = progress.status;
    badge.className = `badge ${progress.status}`;
    const redriveCount = progress.events.filter((e) => e.type === 'ExecutionRedriven').length;
    redrives.textContent = redriveCount ? `redriven ${redriveCount} time${redriveCount > 1 ? 's' : ''}` : '';
    renderActions(actions, arn, progress.status, redrivable, message);
    renderPickers(pickers, progress, chosenIteration, refresh);
    if (selected) showState(stateDetails, selected, definition, progress, arn);
    const now = progress.status === 'RUNNING' ? Date.now() / 1000 : progress.events.at(-1)?.timestamp ?? Date.now() / 1000;
    renderTimeline(timeline, progress.visits, now);
    renderInputOutput(outputPanel, progress.events);
    approvals.update(tokens, progress);
  };
  graph.onSelect = (name, id) => {
    selected = name;
    graph.select(id);
    showState(stateDetails, name, definition, progress, arn);
  };

  let pending = false;
  const source = new EventSource(`/console/events?execution=${encodeURIComponent(arn)}`);
  source.addEventListener('history', (message) => {
    const batch = JSON.parse((message as MessageEvent).data) as {
      events: HistoryEvent[];
      status: string;
      taskTokens?: PendingToken[];
      redriveStatus?: string;
      redriveStatusReason?: string;
    };
    progress.add(batch.events);
    if (batch.status) progress.status = batch.status;
    tokens = batch.taskTokens;
    redrivable = { status: batch.redriveStatus, reason: batch.redriveStatusReason };
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      refresh();
    });
  });
  source.addEventListener('failure', (event) => {
    message.textContent = JSON.parse((event as MessageEvent).data).message ?? 'live updates failed';
    source.close();
  });
  return () => source.close();
}

// Whether RedriveExecution would accept the execution now, as the live stream reports it
// (DescribeExecution's redriveStatus: Standard only, within 14 days, history not full...).
interface Redrivable {
  status?: string;
  reason?: string;
}

// Stop for a running execution; Redrive for one that failed, timed out or was aborted, enabled
// when the server says it can be redriven. Both call the API like any client (POST / with
// X-Amz-Target), which refuses cross-site requests. After a redrive the stream carries on with
// the execution's new events.
function renderActions(element: HTMLElement, arn: string, status: string, redrivable: Redrivable, message: HTMLElement): void {
  const key = `${status}|${redrivable.status}|${redrivable.reason}`;
  if (element.dataset.for === key) return;
  element.dataset.for = key;
  element.replaceChildren();
  const run = (operation: string) => async (event: Event) => {
    const button = event.currentTarget as HTMLButtonElement;
    message.textContent = '';
    button.disabled = true;
    try {
      await call(operation, { executionArn: arn });
    } catch (error) {
      message.textContent = (error as Error).message;
      button.disabled = false;
    }
  };
  if (status === 'RUNNING') {
    element.append(h('button', { type: 'button', class: 'danger', id: 'stop-execution', onclick: run('StopExecution') }, 'Stop'));
  } else if (['FAILED', 'ABORTED', 'TIMED_OUT'].includes(status)) {
    const blocked = redrivable.status !== undefined && redrivable.status !== 'REDRIVABLE';
    element.append(
      h(
        'button',
        { type: 'button', id: 'redrive-execution', onclick: run('RedriveExecution'), disabled: blocked, title: blocked ? redrivable.reason ?? redrivable.status : undefined },
        'Redrive',
      ),
    );
  }
}

function renderPickers(element: HTMLElement, progress: ExecutionProgress, chosen: Map<string, number | undefined>, changed: () => void): void {
  const byMap = new Map<string, number[]>();
  for (const it of progress.iterations) {
    const list = byMap.get(it.mapName) ?? [];
    if (!list.includes(it.index)) list.push(it.index);
    byMap.set(it.mapName, list);
  }
  const signature = JSON.stringify([...byMap]);
  if (element.dataset.signature === signature) return;
  element.dataset.signature = signature;
  element.replaceChildren();
  for (const [mapName, indexes] of byMap) {
    const select = h('select', { 'data-map': mapName }, h('option', { value: '' }, 'all iterations'));
    for (const index of indexes) select.append(h('option', { value: String(index) }, `iteration ${index}`));
    select.value = chosen.get(mapName)?.toString() ?? '';
    select.addEventListener('change', () => {
      chosen.set(mapName, select.value === '' ? undefined : Number(select.value));
      changed();
    });
    element.append(h('label', { class: 'picker' }, `Map ${mapName}: `, select));
  }
}

// The selected state: its last visit's value after each data-flow stage, next to the
// definition's field for that stage; its attempts and error. The stages come from the server
// (POST /console/dataflow), which computes them with the engine's own data-flow code on what
// history recorded ($$, variables, JSONata included) and says when one cannot be recovered.
function showState(element: HTMLElement, name: string, definition: unknown, progress: ExecutionProgress, arn: string): void {
  const state = findState(definition, name) ?? {};
  const visit = progress.latestVisit(name);
  const key = `${name}|${visit?.events.length}|${visit?.status}`;
  if (element.dataset.showing === key) return;
  element.dataset.showing = key;
  element.replaceChildren(h('h2', {}, name, ' ', h('span', { class: 'meta' }, String(state.Type ?? ''))));
  if (!visit) {
    element.append(h('p', { class: 'meta' }, 'Not started.'));
    return;
  }
  element.append(h('p', {}, h('span', { class: `badge st-${visit.status}` }, visit.status), visit.frame ? ` in ${visit.frame}` : ''));
  const body = h('tbody', {}, h('tr', {}, h('td', { colspan: 3, class: 'meta' }, 'Replaying the data flow…')));
  element.append(
    h('table', { class: 'dataflow' }, h('thead', {}, h('tr', {}, h('th', {}, 'Stage'), h('th', {}, 'Definition'), h('th', {}, 'Value after it'))), body),
  );
  element.append(
    h(
      'p',
      { class: 'meta dataflow-legend' },
      h('span', { class: 'recorded' }, 'as history recorded it'),
      ' · ',
      h('span', { class: 'replayed' }, "computed from history by the engine's data-flow code"),
    ),
  );
  if (visit.attempts.length > 1) element.append(h('p', {}, `${visit.attempts.length} attempts (${visit.attempts.length - 1} retries)`));
  if (visit.lastFailure) {
    element.append(h('div', { class: 'failure' }, h('strong', {}, visit.lastFailure.error ?? 'Error'), h('pre', {}, visit.lastFailure.cause ?? '')));
  }
  showStages(body, state, arn, visit.events[0].id, () => element.dataset.showing === key);
}

interface Stage {
  stage: string;
  recorded: boolean;
  value?: string;
  note?: string;
}

// The definition field a stage applies (none for Input, Result, Variables and a JSONPath Output).
function stageField(state: any, stage: string): string | undefined {
  const jsonata = (state.QueryLanguage ?? '') === 'JSONata' || stage === 'Arguments' || stage === 'Items';
  const fields: Record<string, string> = {
    InputPath: 'InputPath',
    Parameters: 'Parameters',
    ItemsPath: 'ItemsPath',
    ItemSelector: 'ItemSelector',
    ResultSelector: 'ResultSelector',
    ResultPath: 'ResultPath',
    OutputPath: 'OutputPath',
    Assign: 'Assign',
    Arguments: 'Arguments',
    Items: 'Items',
  };
  if (stage === 'Output' && (jsonata || state.Output !== undefined)) return 'Output';
  if (stage.endsWith('(Catch)') && stage !== 'Output (Catch)') return 'Catch';
  return fields[stage];
}

async function showStages(body: HTMLElement, state: any, executionArn: string, enteredEventId: number, current: () => boolean): Promise<void> {
  let stages: Stage[];
  try {
    const response = await fetch('/console/dataflow', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ executionArn, enteredEventId }),
    });
    const answer = await response.json();
    if (!response.ok) throw new Error(answer.message ?? `HTTP ${response.status}`);
    stages = answer.stages;
  } catch (error) {
    if (current()) body.replaceChildren(h('tr', {}, h('td', { colspan: 3, class: 'stage-error' }, `Data flow not available: ${(error as Error).message}`)));
    return;
  }
  if (!current()) return; // another state or a newer visit is shown now
  body.replaceChildren(
    ...stages.map((stage) => {
      const field = stageField(state, stage.stage);
      const definition = field === undefined ? '' : state[field] === undefined ? '—' : JSON.stringify(state[field], null, 2);
      const value =
        stage.value !== undefined
          ? h('pre', { class: stage.recorded ? 'recorded' : 'replayed', title: stage.recorded ? 'as history recorded it' : 'computed by the engine from history' }, prettyJson(stage.value))
          : h('pre', { class: 'stage-error' }, stage.note ?? '');
      return h('tr', { 'data-stage': stage.stage }, h('th', {}, stage.stage), h('td', {}, h('pre', {}, definition)), h('td', {}, value));
    }),
  );
}

function renderInputOutput(element: HTMLElement, events: HistoryEvent[]): void {
  const started = events.find((e) => e.type === 'ExecutionStarted');
  // The last end, unless a redrive reopened it.
  const last = [...events].reverse().find((e) => /^Execution(Succeeded|Failed|TimedOut|Aborted|Redriven)$/.test(e.type));
  const ended = last?.type === 'ExecutionRedriven' ? undefined : last;
  const signature = `${started?.id}-${ended?.id}`;
  if (element.dataset.signature === signature) return;
  element.dataset.signature = signature;
  const endDetails = ended ? (Object.entries(ended).find(([k]) => k.endsWith('EventDetails'))?.[1] as any) : undefined;
  element.replaceChildren(
    h('h2', {}, 'Execution input and output'),
    h('div', { class: 'io' },
      h('div', {}, h('h3', {}, 'Input'), h('pre', { id: 'execution-input' }, prettyJson(started?.executionStartedEventDetails?.input))),
      h('div', {}, h('h3', {}, ended ? ended.type : 'Output'),
        h('pre', { id: 'execution-output' }, endDetails ? (endDetails.output !== undefined ? prettyJson(endDetails.output) : `${endDetails.error ?? ''}\n${endDetails.cause ?? ''}`) : '…')),
    ),
  );
}

export type { StateVisit };
