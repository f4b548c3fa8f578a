// The console in a real browser: Debian's Chromium, headless, driven by playwright-core,
// against `flowstate serve`. Waits have hang guards only; nothing asserts on time.
//
// Usage: FS_FLOWSTATE=build/flowstate FS_CONSOLE_NODE_MODULES=build/console/app/node_modules \
//        node --test tests/console/console_e2e_test.mjs
// Screenshots go to FS_ARTIFACTS_DIR (default build/test-artifacts/console).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { api, bigDefinition, createMachine, HANG_GUARD_MS, launchBrowser, pageUrl, startServer, waitForStatus } from './harness.mjs';

const ARTIFACTS = process.env.FS_ARTIFACTS_DIR ?? path.resolve('build/test-artifacts/console');
let server;
let browser;

before(async () => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  server = await startServer(process.env.FS_FLOWSTATE ?? 'build/flowstate');
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  const code = await server?.stop();
  assert.equal(code, 0, `flowstate serve exited with ${code}:\n${server?.log()}`);
});

async function newPage() {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 }, acceptDownloads: true });
  page.setDefaultTimeout(HANG_GUARD_MS);
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.errors = errors;
  return page;
}

// A raw request, so the test controls every header (fetch would add or refuse some).
function raw(method, target, headers = {}, body = '') {
  const url = new URL(server.base);
  return new Promise((resolve, reject) => {
    const request = http.request({ host: url.hostname, port: url.port, method, path: target, headers }, (response) => {
      let text = '';
      response.on('data', (d) => (text += d));
      response.on('end', () => resolve({ status: response.statusCode, headers: response.headers, body: text }));
    });
    request.on('error', reject);
    request.end(body);
  });
}

const DEMO = {
  Comment: 'Every kind of edge and container',
  StartAt: 'Choose',
  States: {
    Choose: { Type: 'Choice', Choices: [{ Variable: '$.go', BooleanEquals: true, Next: 'Fan' }], Default: 'Refused' },
    Refused: { Type: 'Fail', Error: 'Refused' },
    Fan: {
      Type: 'Parallel',
      Branches: [
        { StartAt: 'Left', States: { Left: { Type: 'Pass', End: true } } },
        { StartAt: 'Right', States: { Right: { Type: 'Pass', End: true } } },
      ],
      Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Refused' }],
      Next: 'Each',
    },
    Each: {
      Type: 'Map',
      ItemsPath: '$[0].items',
      ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' }, StartAt: 'Item', States: { Item: { Type: 'Pass', End: true } } },
      Next: 'Done',
    },
    Done: { Type: 'Succeed' },
  },
};

test('serves the console from the API port with content types and caching', async () => {
  const index = await raw('GET', '/');
  assert.equal(index.status, 200);
  assert.equal(index.headers['content-type'], 'text/html; charset=utf-8');
  assert.equal(index.headers['cache-control'], 'no-cache');
  assert.match(index.headers['content-security-policy'], /script-src 'self'/);
  const script = index.body.match(/src="(\/assets\/[^"]+\.js)"/)[1];
  const asset = await raw('GET', script, { 'Accept-Encoding': 'gzip' });
  assert.equal(asset.status, 200);
  assert.equal(asset.headers['content-type'], 'text/javascript; charset=utf-8');
  assert.equal(asset.headers['cache-control'], 'public, max-age=31536000, immutable');
  assert.equal(asset.headers['content-encoding'], 'gzip');
  const again = await raw('GET', '/', { 'If-None-Match': index.headers.etag });
  assert.equal(again.status, 304);
  const health = await raw('GET', '/health');
  assert.equal(health.body, '{"status":"ok"}');
});

test('refuses cross-site use of the API and allows no CORS', async () => {
  const body = JSON.stringify({});
  const json = { 'Content-Type': 'application/x-amz-json-1.0', 'X-Amz-Target': 'AWSStepFunctions.ListStateMachines' };
  const host = new URL(server.base).host;
  const same = await raw('POST', '/', { ...json, Origin: server.base, Host: host }, body);
  assert.equal(same.status, 200, same.body);
  const cross = await raw('POST', '/', { ...json, Origin: 'http://evil.example' }, body);
  assert.equal(cross.status, 403);
  assert.equal(JSON.parse(cross.body).__type, 'AccessDeniedException');
  const rebound = await raw('POST', '/', { ...json, Origin: 'http://evil.example:1', Host: 'evil.example:1' }, body);
  assert.equal(rebound.status, 403);
  const form = await raw('POST', '/', { 'Content-Type': 'text/plain', 'X-Amz-Target': json['X-Amz-Target'] }, body);
  assert.equal(form.status, 415);
  const preflight = await raw('OPTIONS', '/', { Origin: 'http://evil.example', 'Access-Control-Request-Method': 'POST' });
  assert.notEqual(preflight.status, 200);
  assert.equal(preflight.headers['access-control-allow-origin'], undefined);
  const noTarget = await raw('POST', '/', { 'Content-Type': 'application/x-amz-json-1.0' }, body);
  assert.equal(noTarget.status, 400);
  // The event stream is read-only, but other origins get nothing from it either.
  const events = await raw('GET', '/console/events?execution=x', { Origin: 'http://evil.example' });
  assert.equal(events.status, 403);
});

test('lists state machines and draws a definition as a graph', async () => {
  const arn = await createMachine(server.base, 'demo', DEMO);
  const page = await newPage();
  await page.goto(server.base + '/');
  const row = page.locator(`tr[data-arn="${arn}"]`);
  await row.getByText('STANDARD').waitFor();
  await row.getByRole('link', { name: 'demo' }).click();
  await page.locator('.graph .node[data-name="Done"]').waitFor();
  for (const name of ['Choose', 'Refused', 'Fan', 'Left', 'Right', 'Each', 'Item', 'Done', 'Start', 'End']) {
    assert.ok((await page.locator(`.graph .node[data-name="${name}"]`).count()) >= 1, name);
  }
  assert.equal(await page.locator('.graph .edge.catch').count(), 1);
  assert.equal(await page.locator('.graph .edge.default').count(), 1);
  assert.equal(await page.locator('.graph .edge.choice').count(), 1);
  // Parallel branches side by side, the Map processor nested in its box.
  const left = await page.locator('.node[data-name="Left"]').boundingBox();
  const right = await page.locator('.node[data-name="Right"]').boundingBox();
  assert.ok(Math.abs(left.y - right.y) < 1 && left.x < right.x, 'branches side by side');
  const map = await page.locator('.node[data-name="Each"] > rect').boundingBox();
  const item = await page.locator('.node[data-name="Item"]').boundingBox();
  assert.ok(item.x > map.x && item.y > map.y && item.x + item.width < map.x + map.width, 'processor inside the Map');
  // Zoom changes the drawing's scale; Fit brings it back.
  const before = await page.locator('.viewport').getAttribute('transform');
  await page.getByTitle('Zoom in').click();
  assert.notEqual(await page.locator('.viewport').getAttribute('transform'), before);
  await page.getByTitle('Fit to view').click();
  await page.locator('.graph').screenshot({ path: path.join(ARTIFACTS, 'graph.png') });
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTitle('Download the graph as SVG').click()]);
  const svg = fs.readFileSync(await download.path(), 'utf8');
  assert.match(svg, /^<svg/);
  assert.match(svg, />Each</);
  assert.match(svg, /<style>/);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('starts an execution from the page and follows it live, without polling', async () => {
  const definition = {
    StartAt: 'Prepare',
    States: { Prepare: { Type: 'Pass', Next: 'Hold' }, Hold: { Type: 'Wait', Seconds: 3600, Next: 'Never' }, Never: { Type: 'Pass', End: true } },
  };
  const arn = await createMachine(server.base, 'live', definition);
  const page = await newPage();
  await page.goto(pageUrl(server.base, 'machine', arn));
  await page.locator('.start-execution .cm-content').fill('{"order": 42}');
  await page.getByRole('button', { name: 'Start execution' }).click();
  await page.locator('.node[data-name="Hold"][data-status="inProgress"]').waitFor();
  assert.equal(await page.locator('.node[data-name="Prepare"]').getAttribute('data-status'), 'succeeded');
  assert.equal(await page.locator('.node[data-name="Never"]').getAttribute('data-status'), 'notStarted');
  assert.match(await page.locator('#execution-input').textContent(), /"order": 42/);
  await page.screenshot({ path: path.join(ARTIFACTS, 'live-execution.png'), fullPage: true });

  // From here on the page may only listen: any API call or fetch would be polling.
  const requests = [];
  page.on('request', (request) => requests.push(`${request.method()} ${request.url()}`));
  const executionArn = decodeURIComponent(page.url().split('/execution/')[1]);
  await api(server.base, 'StopExecution', { executionArn, error: 'Manual', cause: 'stopped by the test' });
  await page.locator('.node[data-name="Hold"][data-status="aborted"]').waitFor();
  await page.locator('#execution-status.ABORTED').waitFor();
  assert.equal(await page.locator('.node[data-name="Prepare"]').getAttribute('data-status'), 'succeeded');
  assert.deepEqual(requests, []);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('the Stop button stops a running execution', async () => {
  const arn = await createMachine(server.base, 'stoppable', { StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 3600, End: true } } });
  const { executionArn } = await api(server.base, 'StartExecution', { stateMachineArn: arn });
  const page = await newPage();
  await page.goto(pageUrl(server.base, 'execution', executionArn));
  await page.locator('.node[data-name="W"][data-status="inProgress"]').waitFor();
  await page.locator('#stop-execution').click();
  await page.locator('#execution-status.ABORTED').waitFor();
  assert.equal((await api(server.base, 'DescribeExecution', { executionArn })).status, 'ABORTED');
  // The machine's executions, filtered by status.
  await api(server.base, 'StartExecution', { stateMachineArn: arn, name: 'still-running' });
  await page.goto(pageUrl(server.base, 'machine', arn));
  const rows = page.locator('table.executions tbody tr');
  await rows.filter({ hasText: 'still-running' }).waitFor();
  assert.equal(await rows.count(), 2);
  await page.locator('select.status-filter').selectOption('ABORTED');
  await rows.filter({ hasText: 'still-running' }).waitFor({ state: 'detached' });
  // The filtered list replaces the table: wait for its row, not only for the other one to go.
  await rows.filter({ hasText: 'ABORTED' }).first().waitFor();
  assert.equal(await rows.count(), 1);
  assert.match(await rows.first().textContent(), /ABORTED/);
  // The list of machines counts them by status.
  await page.goto(server.base + '/#/');
  const row = page.locator(`tr[data-arn="${arn}"]`);
  await page.waitForFunction((a) => !document.querySelector(`tr[data-arn="${a}"]`)?.textContent.includes('…'), arn);
  const header = await page.locator('table.machines thead th').allTextContents();
  const cells = await row.locator('td').allTextContents();
  assert.equal(cells[header.indexOf('ABORTED')], '1');
  assert.equal(cells[header.indexOf('RUNNING')], '1');
  assert.equal(cells[header.indexOf('SUCCEEDED')], '0');
  await page.close();
});

test('shows each state and the data flow stages of the one selected', async () => {
  const arn = await createMachine(server.base, 'flow', {
    StartAt: 'Shape',
    States: { Shape: { Type: 'Pass', InputPath: '$.order', Parameters: { 'id.$': '$.id' }, ResultPath: '$.shaped', End: true } },
  });
  const { executionArn } = await api(server.base, 'StartExecution', { stateMachineArn: arn, input: '{"order":{"id":7}}' });
  await waitForStatus(server.base, executionArn, ['SUCCEEDED']);
  const page = await newPage();
  await page.goto(pageUrl(server.base, 'execution', executionArn));
  await page.locator('#execution-status.SUCCEEDED').waitFor();
  await page.locator('.node[data-name="Shape"]').click();
  const stage = (name) => page.locator(`.dataflow tr[data-stage="${name}"]`);
  await stage('Output').waitFor();
  assert.match(await stage('InputPath').textContent(), /\$\.order/);
  assert.match(await stage('Parameters').textContent(), /id\.\$/);
  assert.match(await stage('ResultPath').textContent(), /\$\.shaped/);
  assert.match(await stage('Output').textContent(), /"shaped"/);
  // Each stage's value, replayed by the server: InputPath picks the order, Parameters reshapes
  // it, ResultPath puts it back into the whole input.
  const value = (name) => stage(name).locator('td').nth(1);
  await page.waitForFunction(() => document.querySelector('.dataflow tr[data-stage="OutputPath"] td:last-child pre')?.textContent !== '');
  assert.deepEqual(JSON.parse(await value('InputPath').textContent()), { id: 7 });
  assert.deepEqual(JSON.parse(await value('Parameters').textContent()), { id: 7 });
  assert.deepEqual(JSON.parse(await value('ResultPath').textContent()), { order: { id: 7 }, shaped: { id: 7 } });
  assert.deepEqual(JSON.parse(await value('OutputPath').textContent()), JSON.parse(await value('Output').textContent()));
  // The timeline has a bar for the state, the event table every event.
  assert.equal(await page.locator('.timeline .bar').count(), 1);
  await page.locator('.vt-rows .vt-row', { hasText: 'PassStateEntered' }).click();
  await page.locator('.event-details h3', { hasText: 'PassStateEntered' }).waitFor();
  await page.close();
});

test('a JSONata state shows its Arguments, result, Assign and Output, with the variables it read', async () => {
  const { activityArn } = await api(server.base, 'CreateActivity', { name: 'jsonata-review' });
  const arn = await createMachine(server.base, 'jsonata-flow', {
    QueryLanguage: 'JSONata',
    StartAt: 'Init',
    States: {
      Init: { Type: 'Pass', Assign: { limit: 100 }, Output: { order: '{% $states.input.order %}' }, Next: 'Review' },
      Review: {
        Type: 'Task',
        Resource: activityArn,
        Arguments: { order: '{% $states.input.order %}', limit: '{% $limit %}', execution: '{% $states.context.Execution.Name %}' },
        Assign: { approvedBy: '{% $states.result.by %}' },
        Output: { id: '{% $states.input.order.id %}', approved: '{% $states.result.amount <= $limit %}' },
        End: true,
      },
    },
  });
  const { executionArn } = await api(server.base, 'StartExecution', { stateMachineArn: arn, name: 'jsonata-run', input: '{"order":{"id":7,"amount":40}}' });
  const page = await newPage();
  await page.goto(pageUrl(server.base, 'execution', executionArn));
  const form = page.locator('#approvals .approval');
  await form.waitFor();
  await form.locator('.approve-output').fill('{"by": "ops", "amount": 40}');
  await form.locator('button.approve').click();
  await page.locator('#execution-status.SUCCEEDED').waitFor();
  await page.locator('.node[data-name="Review"]').click();
  const stage = (name) => page.locator(`.dataflow tr[data-stage="${name}"]`);
  const value = (name) => stage(name).locator('td').nth(1);
  await stage('Output').waitFor();
  // The stages AWS shows for JSONata, each computed by the engine from history.
  assert.deepEqual(JSON.parse(await value('Input').textContent()), { order: { id: 7, amount: 40 } });
  assert.deepEqual(JSON.parse(await value('Variables').textContent()), { limit: 100 });
  assert.deepEqual(JSON.parse(await value('Arguments').textContent()), { order: { id: 7, amount: 40 }, limit: 100, execution: 'jsonata-run' });
  assert.match(await stage('Arguments').locator('td').nth(0).textContent(), /\$states\.input\.order/);
  assert.deepEqual(JSON.parse(await value('Result').textContent()), { by: 'ops', amount: 40 });
  assert.deepEqual(JSON.parse(await value('Assign').textContent()), { approvedBy: 'ops' });
  assert.deepEqual(JSON.parse(await value('Output').textContent()), { id: 7, approved: true });
  assert.equal(await stage('InputPath').count(), 0, 'a JSONata state has no JSONPath stages');
  await page.locator('.state-details').screenshot({ path: path.join(ARTIFACTS, 'dataflow-jsonata.png') });
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('renders names and payloads carrying markup as text', async () => {
  const evil = '<img src=x onerror="window.__pwned=1">';
  const script = '<script>window.__pwned=2</script>';
  const arn = await createMachine(server.base, 'xss', {
    Comment: script,
    StartAt: evil,
    States: {
      [evil]: { Type: 'Pass', Result: { html: script, img: evil }, Next: script },
      [script]: { Type: 'Fail', Error: evil, Cause: script },
    },
  });
  const { executionArn } = await api(server.base, 'StartExecution', { stateMachineArn: arn, input: JSON.stringify({ note: evil }) });
  await waitForStatus(server.base, executionArn, ['FAILED']);
  const page = await newPage();
  for (const url of [server.base + '/', pageUrl(server.base, 'machine', arn), pageUrl(server.base, 'execution', executionArn)]) {
    await page.goto(url);
    await page.locator('main h1').waitFor();
  }
  await page.locator('#execution-status.FAILED').waitFor();
  await page.locator(`.node[data-name="${evil.replace(/"/g, '\\"')}"]`).click();
  await page.locator('.dataflow tr[data-stage="Output"]').waitFor();
  await page.locator('.vt-rows .vt-row', { hasText: 'ExecutionFailed' }).click();
  await page.screenshot({ path: path.join(ARTIFACTS, 'escaped.png'), fullPage: true });
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  assert.equal(await page.locator('main img, main script').count(), 0);
  const text = await page.locator('main').textContent();
  assert.ok(text.includes(evil), 'the state name is shown as text');
  assert.ok(text.includes(script), 'the payload is shown as text');
  await page.close();
});

test('a 500-state definition lays out and renders', async () => {
  const arn = await createMachine(server.base, 'big', bigDefinition(500));
  const page = await newPage();
  await page.goto(pageUrl(server.base, 'machine', arn));
  const graph = page.locator('.graph[data-states]');
  await graph.waitFor();
  assert.equal(await graph.getAttribute('data-states'), '500');
  assert.equal(await page.locator('.graph .node:not(.marker)').count(), 500);
  await page.close();
});

test('the event table stays small in the DOM with 10,000+ events', async () => {
  const items = Array.from({ length: 2600 }, (_, i) => i);
  const arn = await createMachine(server.base, 'many', {
    StartAt: 'Each',
    States: { Each: { Type: 'Map', ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' }, StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }, End: true } },
  });
  const { executionArn } = await api(server.base, 'StartExecution', { stateMachineArn: arn, input: JSON.stringify(items) });
  await waitForStatus(server.base, executionArn, ['SUCCEEDED']);
  const page = await newPage();
  await page.goto(pageUrl(server.base, 'execution', executionArn));
  // The stream delivers the history in batches of 500: wait for the last event.
  const history = await api(server.base, 'GetExecutionHistory', { executionArn, reverseOrder: true, maxResults: 1 });
  const total = history.events[0].id;
  await page.waitForFunction((n) => Number(document.querySelector('.event-table')?.dataset.count) === n, total);
  const table = page.locator('.event-table');
  const count = Number(await table.getAttribute('data-count'));
  assert.ok(count > 10000, `${count} events`);
  assert.ok((await page.locator('.vt-rows .vt-row').count()) < 100);
  await page.locator('.vt-scroller').evaluate((el) => (el.scrollTop = el.scrollHeight));
  await page.locator(`.vt-row[data-event-id="${count}"]`).waitFor();
  // One iteration picked: only its state visit colours the graph.
  await page.locator('select[data-map="Each"]').selectOption('7');
  assert.equal(await page.locator('.node[data-name="P"]').getAttribute('data-status'), 'succeeded');
  await page.close();
});

test('the definition editor validates live, previews the graph, and creates the machine', async () => {
  const page = await newPage();
  await page.goto(pageUrl(server.base, 'editor'));
  await page.locator('.graph .node[data-name="Hello"]').waitFor();
  await page.locator('.diagnostics li.ok').waitFor();
  const broken = { StartAt: 'First', States: { First: { Type: 'Pass', Next: 'Missing' } } };
  await page.locator('.json-editor .cm-content').fill(JSON.stringify(broken, null, 2));
  await page.locator('.diagnostics li.ERROR', { hasText: 'MISSING_TRANSITION_TARGET' }).waitFor();
  await page.locator('.cm-lintRange-error').first().waitFor();
  await page.locator('.graph .node[data-name="First"]').waitFor();
  const fixed = { StartAt: 'First', States: { First: { Type: 'Pass', Next: 'Second' }, Second: { Type: 'Succeed' } } };
  await page.locator('.json-editor .cm-content').fill(JSON.stringify(fixed, null, 2));
  await page.locator('.diagnostics li.ok').waitFor();
  await page.locator('.graph .node[data-name="Second"]').waitFor();
  await page.locator('.machine-name').fill('edited');
  await page.locator('#save-machine').click();
  await page.waitForURL(/#\/machine\//);
  const arn = decodeURIComponent(page.url().split('/machine/')[1]);
  const described = await api(server.base, 'DescribeStateMachine', { stateMachineArn: arn });
  assert.deepEqual(JSON.parse(described.definition), fixed);
  // Update: the same editor, opened on the machine.
  await page.getByRole('link', { name: 'Edit definition' }).click();
  await page.locator('#save-machine', { hasText: 'Update' }).waitFor();
  const updated = { ...fixed, Comment: 'updated from the console' };
  await page.locator('.json-editor .cm-content').fill(JSON.stringify(updated, null, 2));
  await page.locator('.diagnostics li.ok').waitFor();
  await page.locator('#save-machine').click();
  await page.waitForURL(/#\/machine\//);
  const after = await api(server.base, 'DescribeStateMachine', { stateMachineArn: arn });
  assert.equal(JSON.parse(after.definition).Comment, 'updated from the console');
  assert.deepEqual(page.errors, []);
  await page.close();
});

async function approvalMachine(name) {
  const { activityArn } = await api(server.base, 'CreateActivity', { name: `${name}-approval` });
  return createMachine(server.base, name, {
    StartAt: 'Review',
    States: {
      Review: { Type: 'Task', Resource: activityArn, ResultPath: '$.review', Next: 'Ship' },
      Ship: { Type: 'Pass', End: true },
    },
  });
}

test('a person approves a pending task token from the execution page', async () => {
  const arn = await approvalMachine('approve');
  const page = await newPage();
  await page.goto(pageUrl(server.base, 'machine', arn));
  await page.locator('.start-execution .cm-content').fill('{"order": 7}');
  await page.getByRole('button', { name: 'Start execution' }).click();
  const form = page.locator('#approvals .approval');
  await form.waitFor();
  await page.locator('.node[data-name="Review"][data-status="inProgress"]').waitFor();
  assert.match(await form.textContent(), /Review/);
  await form.locator('.approve-output').fill('{"approved": true, "by": "<b>ops</b>"}');
  await page.locator('#approvals').screenshot({ path: path.join(ARTIFACTS, 'approval-form.png') });
  await form.locator('button.approve').click();
  await page.locator('#execution-status.SUCCEEDED').waitFor();
  await page.locator('.node[data-name="Ship"][data-status="succeeded"]').waitFor();
  assert.equal(await page.locator('.node[data-name="Review"]').getAttribute('data-status'), 'succeeded');
  await page.locator('#approvals .approval').waitFor({ state: 'detached' });
  const executionArn = decodeURIComponent(page.url().split('/execution/')[1]);
  const described = await api(server.base, 'DescribeExecution', { executionArn });
  assert.deepEqual(JSON.parse(described.output), { order: 7, review: { approved: true, by: '<b>ops</b>' } });
  await page.screenshot({ path: path.join(ARTIFACTS, 'approved-execution.png'), fullPage: true });
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('a person rejects a pending task token, failing the task', async () => {
  const arn = await approvalMachine('reject');
  const { executionArn } = await api(server.base, 'StartExecution', { stateMachineArn: arn });
  const page = await newPage();
  await page.goto(pageUrl(server.base, 'execution', executionArn));
  const form = page.locator('#approvals .approval');
  await form.waitFor();
  await form.locator('.reject-error').fill('Denied');
  await form.locator('.reject-cause').fill('not today');
  await form.locator('button.reject').click();
  await page.locator('#execution-status.FAILED').waitFor();
  assert.equal(await page.locator('.node[data-name="Review"]').getAttribute('data-status'), 'failed');
  const described = await api(server.base, 'DescribeExecution', { executionArn });
  assert.equal(described.error, 'Denied');
  assert.equal(described.cause, 'not today');
  await page.close();
});

test('retries show on the timeline and a caught error has its own colour', async () => {
  const { activityArn } = await api(server.base, 'CreateActivity', { name: 'flaky-review' });
  const arn = await createMachine(server.base, 'retry-catch', {
    StartAt: 'Review',
    States: {
      Review: {
        Type: 'Task',
        Resource: activityArn,
        Retry: [{ ErrorEquals: ['Flaky'], IntervalSeconds: 1, MaxAttempts: 1 }],
        Catch: [{ ErrorEquals: ['Denied'], Next: 'Handle' }],
        Next: 'Ship',
      },
      Ship: { Type: 'Pass', End: true },
      Handle: { Type: 'Pass', End: true },
    },
  });
  const { executionArn } = await api(server.base, 'StartExecution', { stateMachineArn: arn });
  const page = await newPage();
  await page.goto(pageUrl(server.base, 'execution', executionArn));
  const form = page.locator('#approvals .approval');
  await form.waitFor();
  const first = await form.getAttribute('data-token');
  await form.locator('.reject-error').fill('Flaky');
  await form.locator('button.reject').click();
  // The retry is a new attempt with a new token.
  await page.locator(`#approvals .approval:not([data-token="${first}"])`).waitFor();
  await form.locator('.reject-error').fill('Denied');
  await form.locator('button.reject').click();
  await page.locator('#execution-status.SUCCEEDED').waitFor();
  await page.locator('.node[data-name="Review"][data-status="caught"]').waitFor();
  assert.equal(await page.locator('.node[data-name="Handle"]').getAttribute('data-status'), 'succeeded');
  assert.equal(await page.locator('.node[data-name="Ship"]').getAttribute('data-status'), 'notStarted');
  const review = page.locator('.timeline-row', { hasText: 'Review' });
  assert.match(await review.textContent(), /1 retry/);
  assert.equal(await review.locator('.attempt').count(), 2);
  await page.close();
});

test('Redrive runs a failed execution again from where it failed, followed live', async () => {
  const arn = await approvalMachine('redrive');
  const { executionArn } = await api(server.base, 'StartExecution', { stateMachineArn: arn, input: '{"order": 9}' });
  const page = await newPage();
  await page.goto(pageUrl(server.base, 'execution', executionArn));
  // The first answer rejects the task, and with no Retry or Catch the execution fails.
  const form = page.locator('#approvals .approval');
  await form.waitFor();
  const first = await form.getAttribute('data-token');
  await form.locator('.reject-error').fill('NotYet');
  await form.locator('button.reject').click();
  await page.locator('#execution-status.FAILED').waitFor();
  assert.equal(await page.locator('#stop-execution').count(), 0);
  const redrive = page.locator('#redrive-execution:not([disabled])');
  await redrive.waitFor();
  await redrive.click();
  // The page follows the redriven execution: it runs again, the failed task is entered again
  // with a new token, and this time it is approved.
  await page.locator(`#approvals .approval:not([data-token="${first}"])`).waitFor();
  await page.locator('#redrive-count', { hasText: 'redriven 1 time' }).waitFor();
  await form.locator('.approve-output').fill('{"approved": true}');
  await form.locator('button.approve').click();
  await page.locator('#execution-status.SUCCEEDED').waitFor();
  await page.locator('.node[data-name="Ship"][data-status="succeeded"]').waitFor();
  assert.equal(await page.locator('.node[data-name="Review"]').getAttribute('data-status'), 'succeeded');
  assert.equal(await page.locator('#redrive-execution').count(), 0);
  assert.deepEqual(JSON.parse(await page.locator('#execution-output').textContent()), { order: 9, review: { approved: true } });
  const described = await api(server.base, 'DescribeExecution', { executionArn });
  assert.equal(described.status, 'SUCCEEDED');
  assert.equal(described.redriveCount, 1);
  assert.deepEqual(JSON.parse(described.output), { order: 9, review: { approved: true } });
  // The redriven visit's data flow: the approved result merged by ResultPath.
  await page.locator('.node[data-name="Review"]').click();
  const value = (name) => page.locator(`.dataflow tr[data-stage="${name}"] td`).nth(1);
  await page.locator('.dataflow tr[data-stage="Output"]').waitFor();
  assert.deepEqual(JSON.parse(await value('Result').textContent()), { approved: true });
  assert.deepEqual(JSON.parse(await value('ResultPath').textContent()), { order: 9, review: { approved: true } });
  await page.screenshot({ path: path.join(ARTIFACTS, 'redriven-execution.png'), fullPage: true });
  assert.deepEqual(page.errors, []);
  await page.close();
});
