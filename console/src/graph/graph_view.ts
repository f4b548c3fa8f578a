// Draws a laid-out graph as SVG with zoom, pan, fit and SVG export, and colours states by
// status. Every label goes in as a text node (dom.ts), so state names cannot inject markup.
import { h, s } from '../dom';
import { graphFromDefinition, type GraphScope } from './definition';
import { GRAPH_CSS, STATUS_NAMES, type StateStatus } from './graph_style';
import { layoutGraph, type PlacedNode, type PlacedScope } from './layout';

export interface GraphTiming {
  layoutMs: number;
  renderMs: number;
  states: number;
}

export class GraphView {
  readonly element: HTMLElement;
  onSelect: (name: string, id: string) => void = () => {};
  private readonly svg: SVGSVGElement;
  private readonly viewport: SVGElement;
  private readonly nodes = new Map<string, SVGElement>();
  private view = { x: 0, y: 0, k: 1 };
  private size = { width: 0, height: 0 };
  private graph: GraphScope | undefined;

  constructor(withLegend = false) {
    this.svg = s('svg', { class: 'graph-root', xmlns: 'http://www.w3.org/2000/svg' }) as SVGSVGElement;
    this.svg.append(s('style', {}, GRAPH_CSS), markerDefs());
    this.viewport = s('g', { class: 'viewport' });
    this.svg.append(this.viewport);
    const button = (label: string, title: string, action: () => void) =>
      h('button', { type: 'button', title, class: 'small', onclick: action }, label);
    const toolbar = h(
      'div',
      { class: 'graph-toolbar' },
      button('+', 'Zoom in', () => this.zoomBy(1.25)),
      button('−', 'Zoom out', () => this.zoomBy(0.8)),
      button('Fit', 'Fit to view', () => this.fit()),
      button('Export SVG', 'Download the graph as SVG', () => this.exportSvg()),
    );
    this.element = h('div', { class: 'graph' }, toolbar, this.svg as unknown as Node);
    if (withLegend) this.element.append(legend());
    this.enablePanZoom();
  }

  // Lays out and draws `definition` (an ASL object); returns how long that took.
  show(definition: unknown): GraphTiming {
    const t0 = performance.now();
    this.graph = graphFromDefinition(definition);
    const placed = layoutGraph(this.graph);
    const t1 = performance.now();
    this.nodes.clear();
    const content = s('g', { class: 'content' });
    this.drawScope(content, placed, 0, 0);
    this.viewport.replaceChildren(content);
    this.size = { width: placed.width, height: placed.height };
    const t2 = performance.now();
    const timing = { layoutMs: t1 - t0, renderMs: t2 - t1, states: this.nodes.size };
    this.element.dataset.layoutMs = timing.layoutMs.toFixed(1);
    this.element.dataset.renderMs = timing.renderMs.toFixed(1);
    this.element.dataset.states = String(timing.states);
    delete this.element.dataset.paintMs;
    requestAnimationFrame(() => {
      this.fit();
      // The frame after this one has styled, laid out and painted the drawing.
      requestAnimationFrame(() => (this.element.dataset.paintMs = (performance.now() - t0).toFixed(1)));
    });
    return timing;
  }

  // Colours states: `statusOf` gives a state's status by node id (undefined: not started).
  setStatuses(statusOf: (id: string, name: string) => StateStatus | undefined): void {
    for (const [id, el] of this.nodes) {
      const status = statusOf(id, el.dataset.name ?? '') ?? 'notStarted';
      for (const name of Object.keys(STATUS_NAMES)) el.classList.remove(`st-${name}`);
      el.classList.add(`st-${status}`);
      el.dataset.status = status;
    }
  }

  select(id: string | undefined): void {
    for (const [nodeId, el] of this.nodes) el.classList.toggle('selected', nodeId === id);
  }

  fit(): void {
    const box = this.svg.getBoundingClientRect();
    if (!box.width || !this.size.width) return;
    const k = Math.min(box.width / (this.size.width + 20), box.height / (this.size.height + 20), 1.5);
    this.view = {
      k,
      x: (box.width - this.size.width * k) / 2,
      y: Math.max(10, (box.height - this.size.height * k) / 2),
    };
    this.apply();
  }

  exportSvg(): void {
    const copy = this.svg.cloneNode(true) as SVGSVGElement;
    copy.querySelector('.viewport')?.removeAttribute('transform');
    copy.setAttribute('viewBox', `-10 -10 ${this.size.width + 20} ${this.size.height + 20}`);
    copy.setAttribute('width', String(this.size.width + 20));
    copy.setAttribute('height', String(this.size.height + 20));
    const text = new XMLSerializer().serializeToString(copy);
    const url = URL.createObjectURL(new Blob([text], { type: 'image/svg+xml' }));
    const link = h('a', { href: url, download: 'state-machine.svg' });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  private drawScope(parent: SVGElement, scope: PlacedScope, ox: number, oy: number): void {
    const group = s('g', { transform: `translate(${ox + scope.x},${oy + scope.y})` });
    parent.append(group);
    for (const placed of scope.edges) {
      const { edge, points } = placed;
      if (points.length < 2) continue;
      const d = points.map((p, i) => `${i ? 'L' : 'M'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ');
      const g = s('g', { class: `edge ${edge.kind}` }, s('path', { d, 'marker-end': `url(#arrow-${edge.kind})` }));
      if (edge.label && placed.labelAt) {
        const label = edge.label.length > 30 ? `${edge.label.slice(0, 29)}…` : edge.label;
        g.append(s('text', { x: placed.labelAt.x, y: placed.labelAt.y + 4, 'text-anchor': 'middle' }, label));
      }
      group.append(g);
    }
    for (const node of scope.nodes) this.drawNode(group, node);
  }

  private drawNode(parent: SVGElement, placed: PlacedNode): void {
    const { node, x, y, width, height } = placed;
    const marker = node.type === 'Start' || node.type === 'End';
    const classes = ['node', `type-${node.type}`, marker ? 'marker' : '', placed.inner.length ? 'container' : ''];
    const g = s('g', { class: classes.join(' '), transform: `translate(${x},${y})`, 'data-name': node.name, 'data-id': node.id });
    if (marker) {
      g.append(s('circle', { cx: width / 2, cy: height / 2, r: width / 2 }));
      g.append(s('text', { x: width / 2, y: height / 2 + 4, 'text-anchor': 'middle' }, node.name));
      parent.append(g);
      return;
    }
    g.append(s('rect', { width, height, rx: 6 }));
    const titleY = 19;
    g.append(s('text', { x: 10, y: titleY, class: 'name' }, node.name));
    g.append(s('text', { x: 10, y: titleY + 15, class: 'type' }, node.type));
    g.append(s('title', {}, `${node.name} (${node.type})`));
    g.addEventListener('click', (event) => {
      event.stopPropagation();
      this.onSelect(node.name, node.id);
    });
    this.nodes.set(node.id, g);
    parent.append(g);
    for (const inner of placed.inner) this.drawScope(g, inner, 0, 0);
  }

  private zoomBy(factor: number, cx?: number, cy?: number): void {
    const box = this.svg.getBoundingClientRect();
    const px = cx ?? box.width / 2;
    const py = cy ?? box.height / 2;
    const k = Math.min(4, Math.max(0.05, this.view.k * factor));
    this.view.x = px - ((px - this.view.x) * k) / this.view.k;
    this.view.y = py - ((py - this.view.y) * k) / this.view.k;
    this.view.k = k;
    this.apply();
  }

  private apply(): void {
    this.viewport.setAttribute('transform', `translate(${this.view.x},${this.view.y}) scale(${this.view.k})`);
  }

  private enablePanZoom(): void {
    this.svg.addEventListener('wheel', (event) => {
      event.preventDefault();
      const box = this.svg.getBoundingClientRect();
      this.zoomBy(event.deltaY < 0 ? 1.1 : 1 / 1.1, event.clientX - box.left, event.clientY - box.top);
    });
    let drag: { x: number; y: number } | undefined;
    this.svg.addEventListener('pointerdown', (event) => {
      drag = { x: event.clientX - this.view.x, y: event.clientY - this.view.y };
    });
    this.svg.addEventListener('pointermove', (event) => {
      if (!drag) return;
      this.view.x = event.clientX - drag.x;
      this.view.y = event.clientY - drag.y;
      this.apply();
    });
    const end = () => (drag = undefined);
    this.svg.addEventListener('pointerup', end);
    this.svg.addEventListener('pointercancel', end);
    this.svg.addEventListener('pointerleave', end);
  }
}

function markerDefs(): SVGElement {
  const defs = s('defs');
  const colours: Record<string, string> = { next: '#8d99a6', choice: '#6b40c4', default: '#6b40c4', catch: '#d13212' };
  for (const [kind, colour] of Object.entries(colours)) {
    defs.append(
      s(
        'marker',
        { id: `arrow-${kind}`, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' },
        s('path', { d: 'M0,0 L10,5 L0,10 z', fill: colour }),
      ),
    );
  }
  return defs;
}

function legend(): HTMLElement {
  const items = Object.entries(STATUS_NAMES).map(([status, label]) =>
    h('span', { class: 'legend-item' }, h('span', { class: `swatch sw-${status}` }), label),
  );
  return h('div', { class: 'legend' }, ...items);
}
