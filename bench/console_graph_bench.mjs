#!/usr/bin/env node
// How long the console takes to lay out and draw a large definition: a 500-state machine
// (bigDefinition: a Pass chain with a Choice every 10th state) opened on its page in Debian's
// headless Chromium. The page records its own times (GraphView sets data-layout-ms,
// data-render-ms, and data-paint-ms once the frame after the drawing has been painted).
// Target: under 1 s from definition to drawn graph.
//
// Usage: FS_CONSOLE_NODE_MODULES=build/console/app/node_modules \
//        node bench/console_graph_bench.mjs build/flowstate [states=500] [reps=7]
import { bigDefinition, createMachine, launchBrowser, pageUrl, startServer } from '../tests/console/harness.mjs';

const [binary = 'build/flowstate', statesArg = '500', repsArg = '7'] = process.argv.slice(2);
const states = Number(statesArg);
const reps = Number(repsArg);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const server = await startServer(binary);
const browser = await launchBrowser();
try {
  const arn = await createMachine(server.base, `big-${states}`, bigDefinition(states));
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const rounds = [];
  for (let rep = 0; rep <= reps; rep++) {
    // A fresh page each round (a hash change alone would not reload it).
    await page.goto('about:blank');
    await page.goto(pageUrl(server.base, 'machine', arn));
    await page.locator('.graph[data-states]').waitFor({ timeout: 60_000 });
    const layout = Number(await page.locator('.graph').getAttribute('data-layout-ms'));
    const render = Number(await page.locator('.graph').getAttribute('data-render-ms'));
    await page.locator('.graph[data-paint-ms]').waitFor({ timeout: 60_000 });
    const total = Number(await page.locator('.graph').getAttribute('data-paint-ms'));
    if (rep > 0) rounds.push({ layout, render, total }); // the first round warms the JIT
  }
  const load = (await import('node:os')).loadavg()[0].toFixed(1);
  console.log(`console graph, ${states} states, median of ${reps} (1 warm-up), load ${load}:`);
  console.log(`  layout (dagre) ${median(rounds.map((r) => r.layout)).toFixed(0)} ms`);
  console.log(`  SVG build      ${median(rounds.map((r) => r.render)).toFixed(0)} ms`);
  console.log(`  each round (ms): ${rounds.map((r) => r.total.toFixed(0)).join(" ")}`);
  console.log(`  definition to painted graph ${median(rounds.map((r) => r.total)).toFixed(0)} ms` +
              ` (fastest ${Math.min(...rounds.map((r) => r.total)).toFixed(0)} ms; target < 1000 ms)`);
} finally {
  await browser.close();
  await server.stop();
}
