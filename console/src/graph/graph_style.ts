// The graph's styles live inside the SVG itself, so an exported SVG looks like the page.
export const STATUS_NAMES = {
  notStarted: 'Not started',
  inProgress: 'In progress',
  succeeded: 'Succeeded',
  failed: 'Failed',
  caught: 'Caught error',
  aborted: 'Aborted',
} as const;

export type StateStatus = keyof typeof STATUS_NAMES;

export const GRAPH_CSS = `
.graph-root { font: 12px system-ui, sans-serif; }
.node rect, .node circle { fill: #fff; stroke: #8d99a6; stroke-width: 1.2; }
.node text { fill: #16191f; }
.node .type { fill: #5f6b7a; font-size: 10px; }
.node.marker circle { fill: #eef1f4; }
.node.container > rect { fill: #f7f9fb; stroke-dasharray: 4 3; }
.node.selected > rect { stroke: #0972d3; stroke-width: 2.5; }
.node { cursor: pointer; }
.edge path { fill: none; stroke: #8d99a6; stroke-width: 1.3; }
.edge.choice path { stroke: #6b40c4; }
.edge.default path { stroke: #6b40c4; stroke-dasharray: 6 3; }
.edge.catch path { stroke: #d13212; stroke-dasharray: 3 3; }
.edge text { fill: #414d5c; font-size: 10px; }
.edge.catch text { fill: #d13212; }
.st-inProgress > rect, .st-inProgress > circle { fill: #d3e7f9; stroke: #0972d3; }
.st-succeeded > rect, .st-succeeded > circle { fill: #dff2d8; stroke: #037f0c; }
.st-failed > rect, .st-failed > circle { fill: #fde2dd; stroke: #d91515; }
.st-caught > rect, .st-caught > circle { fill: #fff1cc; stroke: #8d6605; }
.st-aborted > rect, .st-aborted > circle { fill: #e9ebed; stroke: #414d5c; stroke-dasharray: 2 2; }
`;
