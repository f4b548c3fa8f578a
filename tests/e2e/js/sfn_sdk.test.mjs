// End-to-end tests of `flowstate serve` through @aws-sdk/client-sfn (AWS SDK for JavaScript v3):
// the newest operations (versions, aliases with weighted routing, StartExecution on their ARNs,
// RedriveExecution) and activities with task tokens. Starts its own server; FLOWSTATE names the
// binary.
// Run: FLOWSTATE=path/to/flowstate node --test sfn_sdk.test.mjs
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as sfn from "@aws-sdk/client-sfn";

const HANG_GUARD_MS = 90_000;
const ROLE = "arn:aws:iam::123456789012:role/flowstate-e2e";
let server;
let client;
let serverLog = "";
let dataDir;

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
    probe.on("error", reject);
  });
}

async function waitHealthy(endpoint) {
  const deadline = Date.now() + HANG_GUARD_MS;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${endpoint}/health`);
      if (response.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`flowstate serve did not come up:\n${serverLog}`);
}

async function waitForEnd(executionArn) {
  const deadline = Date.now() + HANG_GUARD_MS;
  while (Date.now() < deadline) {
    const described = await client.send(new sfn.DescribeExecutionCommand({ executionArn }));
    if (described.status !== "RUNNING") return described;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${executionArn} still running`);
}

async function errorName(promise) {
  try {
    await promise;
  } catch (error) {
    return error.name;
  }
  throw new Error("the call succeeded");
}

let counter = 0;
const unique = (name) => `${name}-${process.pid}-${++counter}`;
const passMachine = (value) =>
  JSON.stringify({ StartAt: "P", States: { P: { Type: "Pass", Result: value, End: true } } });

before(async () => {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  dataDir = mkdtempSync(join(tmpdir(), "flowstate-js-"));
  server = spawn(process.env.FLOWSTATE, ["serve", "--host", "127.0.0.1", "--port", String(port),
                                         "--data", dataDir]);
  server.stdout.on("data", (chunk) => { serverLog += chunk; });
  server.stderr.on("data", (chunk) => { serverLog += chunk; });
  await waitHealthy(endpoint);
  client = new sfn.SFNClient({
    endpoint, region: "us-east-1", disableHostPrefix: true, maxAttempts: 1,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
});

after(async () => {
  client?.destroy();
  if (server) {
    const exited = new Promise((resolve) => server.on("exit", (code) => resolve(code)));
    server.kill("SIGTERM");
    assert.equal(await exited, 0, `flowstate serve did not exit cleanly:\n${serverLog}`);
  }
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

test("versions: publish on create and update, list, describe, start, delete", async () => {
  const created = await client.send(new sfn.CreateStateMachineCommand({
    name: unique("js-versioned"), definition: passMachine("one"), roleArn: ROLE,
    publish: true, versionDescription: "v1" }));
  const machine = created.stateMachineArn;
  assert.equal(created.stateMachineVersionArn, `${machine}:1`);
  await client.send(new sfn.UpdateStateMachineCommand({
    stateMachineArn: machine, definition: passMachine("two") }));
  const published = await client.send(new sfn.PublishStateMachineVersionCommand({
    stateMachineArn: machine, description: "v2" }));
  assert.equal(published.stateMachineVersionArn, `${machine}:2`);
  assert.ok(published.creationDate instanceof Date);
  const listed = await client.send(new sfn.ListStateMachineVersionsCommand({
    stateMachineArn: machine }));
  assert.deepEqual(listed.stateMachineVersions.map((v) => v.stateMachineVersionArn),
                   [`${machine}:2`, `${machine}:1`]);
  const described = await client.send(new sfn.DescribeStateMachineCommand({
    stateMachineArn: `${machine}:1` }));
  assert.equal(described.description, "v1");
  assert.deepEqual(JSON.parse(described.definition), JSON.parse(passMachine("one")));
  const { executionArn } = await client.send(new sfn.StartExecutionCommand({
    stateMachineArn: `${machine}:1` }));
  const done = await waitForEnd(executionArn);
  assert.equal(done.output, '"one"');
  assert.equal(done.stateMachineVersionArn, `${machine}:1`);
  await client.send(new sfn.DeleteStateMachineVersionCommand({
    stateMachineVersionArn: `${machine}:1` }));
  assert.equal(await errorName(client.send(new sfn.StartExecutionCommand({
    stateMachineArn: `${machine}:1` }))), "StateMachineDoesNotExist");
  assert.equal(await errorName(client.send(new sfn.PublishStateMachineVersionCommand({
    stateMachineArn: machine, revisionId: "not-the-current-one" }))), "ConflictException");
});

test("aliases: create, describe, weighted routing, update, list, delete", async () => {
  const created = await client.send(new sfn.CreateStateMachineCommand({
    name: unique("js-aliased"), definition: passMachine("blue"), roleArn: ROLE, publish: true }));
  const machine = created.stateMachineArn;
  const blue = created.stateMachineVersionArn;
  const green = (await client.send(new sfn.UpdateStateMachineCommand({
    stateMachineArn: machine, definition: passMachine("green"), publish: true })))
    .stateMachineVersionArn;
  const { stateMachineAliasArn } = await client.send(new sfn.CreateStateMachineAliasCommand({
    name: "prod", description: "canary",
    routingConfiguration: [{ stateMachineVersionArn: blue, weight: 50 },
                           { stateMachineVersionArn: green, weight: 50 }] }));
  assert.equal(stateMachineAliasArn, `${machine}:prod`);
  const described = await client.send(new sfn.DescribeStateMachineAliasCommand({
    stateMachineAliasArn }));
  assert.equal(described.name, "prod");
  assert.equal(described.routingConfiguration.length, 2);
  const outputs = new Set();
  for (let i = 0; i < 40; ++i) {  // P(a version never picked) = 2 * 2^-40
    const { executionArn } = await client.send(new sfn.StartExecutionCommand({
      stateMachineArn: stateMachineAliasArn }));
    const done = await waitForEnd(executionArn);
    assert.equal(done.stateMachineAliasArn, stateMachineAliasArn);
    outputs.add(done.output);
  }
  assert.deepEqual([...outputs].sort(), ['"blue"', '"green"']);
  const updated = await client.send(new sfn.UpdateStateMachineAliasCommand({
    stateMachineAliasArn, routingConfiguration: [{ stateMachineVersionArn: green, weight: 100 }] }));
  assert.ok(updated.updateDate instanceof Date);
  const { executionArn } = await client.send(new sfn.StartExecutionCommand({
    stateMachineArn: stateMachineAliasArn }));
  assert.equal((await waitForEnd(executionArn)).output, '"green"');
  const aliases = await client.send(new sfn.ListStateMachineAliasesCommand({
    stateMachineArn: machine }));
  assert.deepEqual(aliases.stateMachineAliases.map((a) => a.stateMachineAliasArn),
                   [stateMachineAliasArn]);
  assert.equal(await errorName(client.send(new sfn.DeleteStateMachineVersionCommand({
    stateMachineVersionArn: green }))), "ConflictException");
  assert.equal(await errorName(client.send(new sfn.CreateStateMachineAliasCommand({
    name: "bad", routingConfiguration: [{ stateMachineVersionArn: blue, weight: 30 }] }))),
  "ValidationException");
  await client.send(new sfn.DeleteStateMachineAliasCommand({ stateMachineAliasArn }));
  assert.equal(await errorName(client.send(new sfn.DescribeStateMachineAliasCommand({
    stateMachineAliasArn }))), "ResourceNotFound");
});

test("activities and task tokens", async () => {
  const { activityArn } = await client.send(new sfn.CreateActivityCommand({
    name: unique("js-activity"), tags: [{ key: "sdk", value: "js" }] }));
  const tags = await client.send(new sfn.ListTagsForResourceCommand({ resourceArn: activityArn }));
  assert.deepEqual(tags.tags, [{ key: "sdk", value: "js" }]);
  const machine = (await client.send(new sfn.CreateStateMachineCommand({
    name: unique("js-worker"), roleArn: ROLE, definition: JSON.stringify({
      StartAt: "Work", States: { Work: { Type: "Task", Resource: activityArn,
                                         HeartbeatSeconds: 60, End: true } } }) })))
    .stateMachineArn;
  const { executionArn } = await client.send(new sfn.StartExecutionCommand({
    stateMachineArn: machine, input: JSON.stringify({ n: 21 }) }));
  const task = await client.send(new sfn.GetActivityTaskCommand({ activityArn,
                                                                   workerName: "js-worker" }));
  assert.deepEqual(JSON.parse(task.input), { n: 21 });
  await client.send(new sfn.SendTaskHeartbeatCommand({ taskToken: task.taskToken }));
  await client.send(new sfn.SendTaskSuccessCommand({ taskToken: task.taskToken,
                                                     output: JSON.stringify({ n: 42 }) }));
  assert.equal((await waitForEnd(executionArn)).output, '{"n":42}');
  assert.equal(await errorName(client.send(new sfn.SendTaskSuccessCommand({
    taskToken: task.taskToken, output: "{}" }))), "TaskDoesNotExist");
  assert.equal(await errorName(client.send(new sfn.SendTaskFailureCommand({
    taskToken: "forged" }))), "InvalidToken");
});

test("redrive: only the failed Map iteration runs again", async () => {
  const { activityArn } = await client.send(new sfn.CreateActivityCommand({
    name: unique("js-review") }));
  const stateMachineArn = (await client.send(new sfn.CreateStateMachineCommand({
    name: unique("js-redrive"), roleArn: ROLE, definition: JSON.stringify({
      StartAt: "Review", States: { Review: {
        Type: "Map", End: true, ItemProcessor: { StartAt: "Check", States: {
          Check: { Type: "Task", Resource: activityArn, End: true } } } } } }) })))
    .stateMachineArn;
  const { executionArn } = await client.send(new sfn.StartExecutionCommand({
    stateMachineArn, input: JSON.stringify([{ doc: "a" }, { doc: "b" }, { doc: "c" }]) }));
  const tasks = {};
  for (let i = 0; i < 3; i++) {
    const task = await client.send(new sfn.GetActivityTaskCommand({ activityArn }));
    tasks[JSON.parse(task.input).doc] = task.taskToken;
  }
  // The reviewer approves a and c, then rejects b: the Map (and the execution) fail.
  for (const doc of ["a", "c"]) {
    await client.send(new sfn.SendTaskSuccessCommand({ taskToken: tasks[doc],
                                                       output: JSON.stringify({ ok: doc }) }));
  }
  await client.send(new sfn.SendTaskFailureCommand({ taskToken: tasks.b, error: "Rejected" }));
  const failed = await waitForEnd(executionArn);
  assert.equal(failed.status, "FAILED");
  assert.equal(failed.error, "Rejected");
  assert.equal(failed.redriveStatus, "REDRIVABLE");

  const { redriveDate } = await client.send(new sfn.RedriveExecutionCommand({ executionArn }));
  assert.ok(redriveDate instanceof Date);
  const again = await client.send(new sfn.GetActivityTaskCommand({ activityArn }));
  assert.deepEqual(JSON.parse(again.input), { doc: "b" });
  await client.send(new sfn.SendTaskSuccessCommand({ taskToken: again.taskToken,
                                                     output: JSON.stringify({ ok: "b" }) }));
  const done = await waitForEnd(executionArn);
  assert.equal(done.status, "SUCCEEDED");
  assert.deepEqual(JSON.parse(done.output), [{ ok: "a" }, { ok: "b" }, { ok: "c" }]);
  assert.equal(done.redriveCount, 1);
  assert.equal(done.redriveDate.getTime(), redriveDate.getTime());

  const { events } = await client.send(new sfn.GetExecutionHistoryCommand({
    executionArn, maxResults: 1000 }));
  const redriven = events.findIndex((event) => event.type === "ExecutionRedriven");
  assert.deepEqual(events[redriven].executionRedrivenEventDetails, { redriveCount: 1 });
  const after = events.slice(redriven + 1);
  assert.deepEqual(after.filter((event) => event.type === "MapIterationStarted")
    .map((event) => event.mapIterationStartedEventDetails.index), [1]);
  assert.equal(after.filter((event) => event.type === "ActivityScheduled").length, 1);
  assert.equal(after.at(-1).type, "ExecutionSucceeded");

  const listed = await client.send(new sfn.ListExecutionsCommand({
    stateMachineArn, redriveFilter: "REDRIVEN" }));
  assert.deepEqual(listed.executions.map((item) => [item.executionArn, item.redriveCount]),
                   [[executionArn, 1]]);
  assert.equal(await errorName(client.send(new sfn.RedriveExecutionCommand({ executionArn }))),
               "ExecutionNotRedrivable");
});
