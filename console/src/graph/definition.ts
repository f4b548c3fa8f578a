// Turns an ASL definition into nested graph scopes: one scope per state list (the top level,
// each Parallel branch, each Map processor), with Start and End markers, transitions, Choice
// rules and Default, and Catch edges. Tolerant: the editor previews definitions still being typed.
export type EdgeKind = 'next' | 'choice' | 'default' | 'catch';

export interface GraphNode {
  id: string; // unique across the whole graph: scope path + state name
  name: string;
  type: string; // ASL Type, or 'Start' / 'End' for the markers
  scopes: GraphScope[]; // Parallel branches, or the Map processor
}

export interface GraphEdge {
  from: string;
  to: string;
  kind: EdgeKind;
  label?: string;
}

export interface GraphScope {
  id: string;
  nodes: GraphNode[];
  edges: GraphEdge[];
}

export function graphFromDefinition(definition: any): GraphScope {
  return scopeOf(definition, 'root');
}

function scopeOf(states: any, id: string): GraphScope {
  const scope: GraphScope = { id, nodes: [], edges: [] };
  const start = `${id}:start`;
  const end = `${id}:end`;
  const nodeId = (name: string) => `${id}/${name}`;
  scope.nodes.push({ id: start, name: 'Start', type: 'Start', scopes: [] });
  const entries = Object.entries<any>(isObject(states?.States) ? states.States : {});
  const known = new Set(entries.map(([name]) => name));
  const link = (from: string, to: unknown, kind: EdgeKind, label?: string) => {
    if (typeof to === 'string' && known.has(to)) {
      scope.edges.push({ from, to: nodeId(to), kind, label });
    }
  };
  if (typeof states?.StartAt === 'string') link(start, states.StartAt, 'next');
  let needsEnd = false;
  for (const [name, state] of entries) {
    const self = nodeId(name);
    const type = typeof state?.Type === 'string' ? state.Type : '?';
    scope.nodes.push({ id: self, name, type, scopes: innerScopes(state, self) });
    if (type === 'Choice') {
      const choices: any[] = Array.isArray(state.Choices) ? state.Choices : [];
      choices.forEach((choice, i) => link(self, choice?.Next, 'choice', ruleLabel(choice, i)));
      link(self, state.Default, 'default', 'Default');
    } else {
      link(self, state?.Next, 'next');
    }
    for (const handler of Array.isArray(state?.Catch) ? state.Catch : []) {
      const errors = Array.isArray(handler?.ErrorEquals) ? handler.ErrorEquals.join(', ') : '';
      link(self, handler?.Next, 'catch', errors);
    }
    if (state?.End === true || type === 'Succeed' || type === 'Fail') {
      scope.edges.push({ from: self, to: end, kind: 'next' });
      needsEnd = true;
    }
  }
  if (needsEnd || entries.length === 0) {
    scope.nodes.push({ id: end, name: 'End', type: 'End', scopes: [] });
  }
  return scope;
}

function innerScopes(state: any, id: string): GraphScope[] {
  if (state?.Type === 'Parallel' && Array.isArray(state.Branches)) {
    return state.Branches.map((branch: any, i: number) => scopeOf(branch, `${id}#b${i}`));
  }
  if (state?.Type === 'Map') {
    const processor = state.ItemProcessor ?? state.Iterator;
    if (isObject(processor)) return [scopeOf(processor, `${id}#map`)];
  }
  return [];
}

function ruleLabel(choice: any, index: number): string {
  if (typeof choice?.Comment === 'string') return choice.Comment;
  if (typeof choice?.Condition === 'string') return choice.Condition;
  const variable = typeof choice?.Variable === 'string' ? choice.Variable : '';
  const op = Object.keys(choice ?? {}).find((k) => !['Variable', 'Next', 'Comment', 'Assign', 'Output'].includes(k));
  if (variable && op) return `${variable} ${op}`;
  return `Rule #${index + 1}`;
}

function isObject(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// Every state node, depth first (for lookups by name).
export function* allNodes(scope: GraphScope): Generator<GraphNode> {
  for (const node of scope.nodes) {
    yield node;
    for (const inner of node.scopes) yield* allNodes(inner);
  }
}
