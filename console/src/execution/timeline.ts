// A timeline: one bar per state visit from entered to exited (or now), with a tick per task
// attempt, so retries show as segments.
import { h } from '../dom';
import type { StateVisit } from './progress';

const MAX_BARS = 2000;

export function renderTimeline(element: HTMLElement, visits: StateVisit[], now: number): void {
  element.replaceChildren();
  if (!visits.length) return;
  const shown = visits.slice(0, MAX_BARS);
  const start = Math.min(...shown.map((v) => v.enteredAt));
  const end = Math.max(now, ...shown.map((v) => v.exitedAt ?? now));
  const span = Math.max(end - start, 0.001);
  const pct = (t: number) => `${(((t - start) / span) * 100).toFixed(3)}%`;
  const width = (a: number, b: number) => `${Math.max(((b - a) / span) * 100, 0.3).toFixed(3)}%`;
  for (const visit of shown) {
    const stop = visit.exitedAt ?? now;
    const bar = h('div', { class: `bar st-${visit.status}`, style: `left:${pct(visit.enteredAt)};width:${width(visit.enteredAt, stop)}` });
    for (const attempt of visit.attempts) {
      bar.append(h('span', { class: `attempt ${attempt.ok === false ? 'failed' : ''}`, style: `left:${(((attempt.start - visit.enteredAt) / Math.max(stop - visit.enteredAt, 0.001)) * 100).toFixed(2)}%` }));
    }
    const retries = Math.max(visit.attempts.length - 1, 0);
    const label = `${visit.name}${visit.frame ? ` (${visit.frame})` : ''}${retries ? ` · ${retries} ${retries === 1 ? 'retry' : 'retries'}` : ''}`;
    element.append(
      h('div', { class: 'timeline-row' }, h('span', { class: 'timeline-label', title: label }, label), h('div', { class: 'timeline-track' }, bar)),
    );
  }
  element.append(h('p', { class: 'meta' }, `${((end - start) * 1000).toFixed(0)} ms in all${visits.length > MAX_BARS ? `; first ${MAX_BARS} of ${visits.length} visits shown` : ''}`));
}
