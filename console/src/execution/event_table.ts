// The history as a table that stays fast at 10,000+ events: only the rows in view exist in the
// DOM (fixed row height, absolutely placed). Clicking a row expands its details below the table.
import { eventDetails, type HistoryEvent } from '../api';
import { formatDate, h, prettyJson } from '../dom';

const ROW_HEIGHT = 28;
const OVERSCAN = 10;

export class EventTable {
  readonly element: HTMLElement;
  private events: HistoryEvent[] = [];
  private readonly scroller: HTMLElement;
  private readonly spacer: HTMLElement;
  private readonly rows: HTMLElement;
  private readonly details: HTMLElement;
  private expanded: number | undefined;
  private scheduled = false;

  constructor() {
    this.spacer = h('div', { class: 'vt-spacer' });
    this.rows = h('div', { class: 'vt-rows' });
    this.scroller = h('div', { class: 'vt-scroller' }, this.spacer, this.rows);
    this.scroller.addEventListener('scroll', () => this.schedule());
    this.details = h('div', { class: 'event-details' });
    const header = h('div', { class: 'vt-row vt-head' }, ...['ID', 'Type', 'Step', 'Time'].map((t) => h('span', {}, t)));
    this.element = h('div', { class: 'event-table' }, header, this.scroller, this.details);
  }

  setEvents(events: HistoryEvent[]): void {
    this.events = events;
    this.spacer.style.height = `${events.length * ROW_HEIGHT}px`;
    this.element.dataset.count = String(events.length);
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    requestAnimationFrame(() => {
      this.scheduled = false;
      this.draw();
    });
  }

  private draw(): void {
    const top = this.scroller.scrollTop;
    const height = this.scroller.clientHeight || 400;
    const first = Math.max(0, Math.floor(top / ROW_HEIGHT) - OVERSCAN);
    const last = Math.min(this.events.length, Math.ceil((top + height) / ROW_HEIGHT) + OVERSCAN);
    const rows: HTMLElement[] = [];
    for (let i = first; i < last; i++) rows.push(this.row(this.events[i], i));
    this.rows.replaceChildren(...rows);
  }

  private row(event: HistoryEvent, index: number): HTMLElement {
    const details = eventDetails(event);
    const step = details?.name ?? details?.resource ?? '';
    const failed = /Failed|TimedOut|Aborted/.test(event.type);
    const row = h(
      'div',
      {
        class: `vt-row${failed ? ' failed' : ''}${this.expanded === event.id ? ' expanded' : ''}`,
        style: `top:${index * ROW_HEIGHT}px`,
        'data-event-id': event.id,
      },
      h('span', {}, String(event.id)),
      h('span', {}, event.type),
      h('span', {}, String(step)),
      h('span', {}, formatDate(event.timestamp)),
    );
    row.addEventListener('click', () => this.expand(event));
    return row;
  }

  private expand(event: HistoryEvent): void {
    this.expanded = this.expanded === event.id ? undefined : event.id;
    this.details.replaceChildren();
    if (this.expanded !== undefined) {
      const details = { ...(eventDetails(event) ?? {}) };
      for (const key of ['input', 'output', 'parameters', 'cause']) {
        if (typeof details[key] === 'string') details[key] = prettyJson(details[key]);
      }
      const lines = Object.entries(details).map(([key, value]) =>
        h('div', { class: 'detail' }, h('strong', {}, key), h('pre', {}, typeof value === 'string' ? value : JSON.stringify(value, null, 2))),
      );
      this.details.append(h('h3', {}, `Event ${event.id}: ${event.type}`), ...(lines.length ? lines : [h('p', {}, 'No details.')]));
    }
    this.draw();
  }
}
