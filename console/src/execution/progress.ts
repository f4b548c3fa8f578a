// Follows an execution's history event by event (as the live stream delivers it) and keeps,
// for every visit of a state, its status, data and timing. A visit's frame says where it ran:
// "" at the top level, "Map[3]" inside iteration 3 of the Map state "Map" (nested: "A[0]/B[2]").
import { eventDetails, type HistoryEvent } from '../api';
import type { StateStatus } from '../graph/graph_style';

export interface StateVisit {
  name: string;
  type: string; // from the event type: "TaskStateEntered" -> "Task"
  frame: string;
  status: StateStatus;
  enteredAt: number;
  exitedAt?: number;
  input?: string;
  output?: string;
  events: HistoryEvent[]; // every event of the visit, entered to exited
  attempts: { start: number; end?: number; ok?: boolean }[]; // task attempts (retries)
  lastFailure?: { error?: string; cause?: string; id: number };
  lastSuccessId: number;
}

export interface MapIteration {
  mapName: string;
  mapFrame: string; // the frame the Map state ran in
  index: number;
  frame: string; // the frame of the states inside it
  status: StateStatus;
}

const TERMINAL = new Set(['ExecutionSucceeded', 'ExecutionFailed', 'ExecutionTimedOut', 'ExecutionAborted']);

export class ExecutionProgress {
  readonly events: HistoryEvent[] = [];
  readonly visits: StateVisit[] = [];
  readonly iterations: MapIteration[] = [];
  status = 'RUNNING';
  private readonly visitOfEvent = new Map<number, StateVisit>();
  private readonly frameOfEvent = new Map<number, string>();
  private readonly iterationOfEvent = new Map<number, MapIteration>();
  // What the end of the execution closed, so a redrive can reopen it.
  private closedAtEnd: { visits: StateVisit[]; iterations: MapIteration[] } = { visits: [], iterations: [] };

  add(events: HistoryEvent[]): void {
    for (const event of events) {
      if (this.events.length && event.id <= this.events[this.events.length - 1].id) continue;
      this.events.push(event);
      this.apply(event);
    }
  }

  // The visit that decides how a state looks: the latest one in `frame` (or in any frame when
  // `frame` is undefined).
  latestVisit(name: string, framePrefix?: string): StateVisit | undefined {
    for (let i = this.visits.length - 1; i >= 0; i--) {
      const visit = this.visits[i];
      if (visit.name !== name) continue;
      if (framePrefix === undefined || visit.frame === framePrefix || visit.frame.startsWith(`${framePrefix}/`)) {
        return visit;
      }
    }
    return undefined;
  }

  private apply(event: HistoryEvent): void {
    const details = eventDetails(event) ?? {};
    const previousFrame = this.frameOfEvent.get(event.previousEventId) ?? '';
    const previousVisit = this.visitOfEvent.get(event.previousEventId);
    const iterationBefore = this.iterationOfEvent.get(event.previousEventId);
    let frame = iterationBefore && event.type !== 'MapIterationStarted' ? iterationBefore.frame : previousFrame;

    if (event.type.startsWith('MapIteration')) {
      this.applyIteration(event, details);
      return;
    }
    if (event.type.endsWith('StateEntered')) {
      const visit: StateVisit = {
        name: String(details.name ?? ''),
        type: event.type.slice(0, -'StateEntered'.length),
        frame,
        status: 'inProgress',
        enteredAt: event.timestamp,
        input: details.input,
        events: [event],
        attempts: [],
        lastSuccessId: 0,
      };
      if (visit.type === 'Fail') visit.status = 'failed';
      this.visits.push(visit);
      this.record(event, frame, visit);
      return;
    }
    let visit = previousVisit;
    if (event.type.endsWith('StateExited')) {
      const name = String(details.name);
      if (visit?.name !== name || visit.exitedAt !== undefined) visit = this.openVisit(name, event.type, visit);
      if (visit) frame = visit.frame;
    } else if (/^(Map|Parallel)State/.test(event.type)) {
      visit = this.openVisit(undefined, event.type, visit);
      if (visit) frame = visit.frame;
    }
    if (event.type === 'ExecutionRedriven') this.redrive();
    this.record(event, frame, visit);
    if (TERMINAL.has(event.type)) {
      this.finish(event);
      return;
    }
    if (!visit) return;
    visit.events.push(event);
    this.applyToVisit(visit, event, details);
  }

  private applyToVisit(visit: StateVisit, event: HistoryEvent, details: Record<string, any>): void {
    const type = event.type;
    if (type.endsWith('StateExited')) {
      visit.exitedAt = event.timestamp;
      visit.output = details.output;
      const caught = visit.lastFailure && visit.lastFailure.id > visit.lastSuccessId;
      visit.status = caught ? 'caught' : 'succeeded';
    } else if (type.endsWith('Scheduled') || type === 'ActivityScheduled') {
      visit.attempts.push({ start: event.timestamp });
    } else if (type.endsWith('Succeeded')) {
      visit.lastSuccessId = event.id;
      this.closeAttempt(visit, event, true);
    } else if (type.endsWith('Failed') || type.endsWith('TimedOut')) {
      visit.lastFailure = { error: details.error, cause: details.cause, id: event.id };
      this.closeAttempt(visit, event, false);
    } else if (type.endsWith('Aborted')) {
      visit.status = 'aborted';
    }
  }

  private closeAttempt(visit: StateVisit, event: HistoryEvent, ok: boolean): void {
    const attempt = visit.attempts[visit.attempts.length - 1];
    if (attempt && attempt.end === undefined) {
      attempt.end = event.timestamp;
      attempt.ok = ok;
    }
  }

  private applyIteration(event: HistoryEvent, details: Record<string, any>): void {
    const mapName = String(details.name ?? '');
    const index = Number(details.index ?? 0);
    const map = this.openVisit(mapName, 'MapState', undefined);
    const mapFrame = map?.frame ?? '';
    let iteration = this.iterations.find((it) => it.mapName === mapName && it.mapFrame === mapFrame && it.index === index);
    if (!iteration) {
      const frame = `${mapFrame ? `${mapFrame}/` : ''}${mapName}[${index}]`;
      iteration = { mapName, mapFrame, index, frame, status: 'inProgress' };
      this.iterations.push(iteration);
    }
    if (event.type === 'MapIterationStarted') iteration.status = 'inProgress';
    if (event.type === 'MapIterationSucceeded') iteration.status = 'succeeded';
    if (event.type === 'MapIterationFailed') iteration.status = 'failed';
    if (event.type === 'MapIterationAborted') iteration.status = 'aborted';
    this.record(event, iteration.frame, map);
    this.iterationOfEvent.set(event.id, iteration);
    map?.events.push(event);
  }

  // The open visit an event belongs to: by name when the event names its state, else the
  // innermost open Map or Parallel for Map*/Parallel* events, else the chain's visit.
  private openVisit(name: string | undefined, eventType: string, fallback: StateVisit | undefined) {
    const kind = eventType.startsWith('Map') ? 'Map' : eventType.startsWith('Parallel') ? 'Parallel' : undefined;
    for (let i = this.visits.length - 1; i >= 0; i--) {
      const visit = this.visits[i];
      if (visit.exitedAt !== undefined || visit.status !== 'inProgress') continue;
      if (name !== undefined ? visit.name === name : visit.type === kind) return visit;
    }
    return fallback;
  }

  private record(event: HistoryEvent, frame: string, visit: StateVisit | undefined): void {
    this.frameOfEvent.set(event.id, frame);
    if (visit) this.visitOfEvent.set(event.id, visit);
  }

  private finish(event: HistoryEvent): void {
    const ending: Record<string, string> = {
      ExecutionSucceeded: 'SUCCEEDED',
      ExecutionFailed: 'FAILED',
      ExecutionTimedOut: 'TIMED_OUT',
      ExecutionAborted: 'ABORTED',
    };
    this.status = ending[event.type];
    const left: StateStatus = event.type === 'ExecutionAborted' ? 'aborted' : 'failed';
    this.closedAtEnd = { visits: [], iterations: [] };
    for (const visit of this.visits) {
      if (visit.status === 'inProgress') {
        visit.status = event.type === 'ExecutionSucceeded' ? 'succeeded' : left;
        if (visit.exitedAt === undefined) {
          visit.exitedAt = event.timestamp;
          this.closedAtEnd.visits.push(visit);
        }
      }
    }
    for (const iteration of this.iterations) {
      if (iteration.status === 'inProgress') {
        iteration.status = left;
        this.closedAtEnd.iterations.push(iteration);
      }
    }
  }

  // A redrive continues the Parallel and Map states the end interrupted (their branches and
  // iterations run again); other states it interrupted are entered again, as new visits.
  private redrive(): void {
    this.status = 'RUNNING';
    for (const visit of this.closedAtEnd.visits) {
      if (visit.type !== 'Parallel' && visit.type !== 'Map') continue;
      visit.status = 'inProgress';
      visit.exitedAt = undefined;
    }
    for (const iteration of this.closedAtEnd.iterations) iteration.status = 'inProgress';
    this.closedAtEnd = { visits: [], iterations: [] };
  }
}
