// Lays out nested graph scopes with dagre, innermost first: a Map processor or each Parallel
// branch is laid out on its own, and its box becomes one fixed-size node of the scope around it
// (Parallel branches side by side). Pure geometry, no DOM.
import dagre from '@dagrejs/dagre';
import type { GraphEdge, GraphNode, GraphScope } from './definition';

export interface Point {
  x: number;
  y: number;
}

export interface PlacedNode {
  node: GraphNode;
  x: number; // top-left, relative to its scope
  y: number;
  width: number;
  height: number;
  inner: PlacedScope[]; // positioned relative to this node
}

export interface PlacedEdge {
  edge: GraphEdge;
  points: Point[];
  labelAt?: Point;
}

export interface PlacedScope {
  scope: GraphScope;
  x: number;
  y: number;
  width: number;
  height: number;
  nodes: PlacedNode[];
  edges: PlacedEdge[];
}

const STATE_HEIGHT = 44;
const MARKER_SIZE = 44;
const CHAR_WIDTH = 7.2;
const CONTAINER_HEADER = 30;
const CONTAINER_PAD = 12;
const BRANCH_GAP = 16;

export function layoutGraph(root: GraphScope): PlacedScope {
  return layoutScope(root);
}

function layoutScope(scope: GraphScope): PlacedScope {
  const g = new dagre.graphlib.Graph({ multigraph: true });
  g.setGraph({ rankdir: 'TB', nodesep: 28, ranksep: 44, edgesep: 12, marginx: 8, marginy: 8 });
  g.setDefaultEdgeLabel(() => ({}));
  const placed = new Map<string, PlacedNode>();
  for (const node of scope.nodes) {
    const p = sizeNode(node);
    placed.set(node.id, p);
    g.setNode(node.id, { width: p.width, height: p.height });
  }
  scope.edges.forEach((edge, i) => {
    const label = edge.label ? { width: Math.min(edge.label.length * 6.2, 180), height: 14 } : {};
    g.setEdge(edge.from, edge.to, { ...label, labelpos: 'c' }, `e${i}`);
  });
  dagre.layout(g);
  for (const [id, p] of placed) {
    const laid = g.node(id);
    p.x = laid.x - p.width / 2;
    p.y = laid.y - p.height / 2;
  }
  const edges: PlacedEdge[] = scope.edges.map((edge, i) => {
    const laid = g.edge(edge.from, edge.to, `e${i}`);
    const labelAt = edge.label && laid.x !== undefined ? { x: laid.x, y: laid.y } : undefined;
    return { edge, points: laid.points ?? [], labelAt };
  });
  const info = g.graph();
  return {
    scope,
    x: 0,
    y: 0,
    width: info.width ?? 0,
    height: info.height ?? 0,
    nodes: [...placed.values()],
    edges,
  };
}

function sizeNode(node: GraphNode): PlacedNode {
  if (node.type === 'Start' || node.type === 'End') {
    return { node, x: 0, y: 0, width: MARKER_SIZE, height: MARKER_SIZE, inner: [] };
  }
  const labelWidth = Math.max(node.name.length, node.type.length + 2) * CHAR_WIDTH + 28;
  if (node.scopes.length === 0) {
    return { node, x: 0, y: 0, width: clamp(labelWidth, 110, 280), height: STATE_HEIGHT, inner: [] };
  }
  // A container: its scopes side by side under a header.
  const inner = node.scopes.map(layoutScope);
  let x = CONTAINER_PAD;
  let height = 0;
  for (const placedScope of inner) {
    placedScope.x = x;
    placedScope.y = CONTAINER_HEADER;
    x += placedScope.width + BRANCH_GAP;
    height = Math.max(height, placedScope.height);
  }
  const width = Math.max(x - BRANCH_GAP + CONTAINER_PAD, clamp(labelWidth, 110, 280));
  return { node, x: 0, y: 0, width, height: CONTAINER_HEADER + height + CONTAINER_PAD, inner };
}

function clamp(value: number, min: number, max: number): number {
  return Math.max(min, Math.min(max, value));
}
