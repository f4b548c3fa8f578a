// Shared by the console's browser tests and benchmark: starts `flowstate serve` on a free port,
// launches Debian's Chromium headless through playwright-core (no browser download), and calls
// the AWS JSON API. FS_CONSOLE_NODE_MODULES names the node_modules the build installed.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const require = createRequire(path.resolve(process.env.FS_CONSOLE_NODE_MODULES ?? '.', 'x.js'));
const { chromium } = require('playwright-core');

export const HANG_GUARD_MS = 60_000;
export const ROLE = 'arn:aws:iam::123456789012:role/flowstate-console';

export function chromiumPath() {
  return process.env.FS_CHROMIUM ?? '/usr/bin/chromium';
}

async function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

// Serves from a fresh data directory (SQLite), removed on stop.
export async function startServer(binary) {
  const port = await freePort();
  const data = fs.mkdtempSync(path.join(os.tmpdir(), 'flowstate-console-'));
  const child = spawn(binary, ['serve', '--host', '127.0.0.1', '--port', String(port), '--data', data], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout.on('data', (d) => (log += d));
  child.stderr.on('data', (d) => (log += d));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + HANG_GUARD_MS;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${base}/health`);
      if (response.ok) break;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    base,
    log: () => log,
    async stop() {
      let code = child.exitCode;
      if (code === null) {
        const exited = new Promise((resolve) => child.on('exit', (c) => resolve(c)));
        child.kill('SIGTERM');
        code = await exited;
      }
      fs.rmSync(data, { recursive: true, force: true });
      return code;
    },
  };
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
}

export async function api(base, operation, body = {}) {
  const response = await fetch(`${base}/`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-amz-json-1.0', 'X-Amz-Target': `AWSStepFunctions.${operation}` },
    body: JSON.stringify(body),
  });
  const parsed = await response.json();
  if (!response.ok) throw new Error(`${operation}: ${JSON.stringify(parsed)}`);
  return parsed;
}

export async function createMachine(base, name, definition, type = 'STANDARD') {
  const created = await api(base, 'CreateStateMachine', { name, definition: JSON.stringify(definition), roleArn: ROLE, type });
  return created.stateMachineArn;
}

export async function waitForStatus(base, executionArn, wanted) {
  const deadline = Date.now() + HANG_GUARD_MS;
  while (Date.now() < deadline) {
    const described = await api(base, 'DescribeExecution', { executionArn });
    if (wanted.includes(described.status)) return described;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`hang guard: ${executionArn} never reached ${wanted}`);
}

// A chain of `count` Pass states with a Choice every 10th state (branch and Default), the
// shape of a large generated workflow.
export function bigDefinition(count) {
  const states = {};
  for (let i = 0; i < count; i++) {
    const name = `S${i}`;
    const next = i + 1 < count ? `S${i + 1}` : undefined;
    if (i % 10 === 5 && i + 3 < count) {
      states[name] = { Type: 'Choice', Choices: [{ Variable: '$.x', NumericEquals: i, Next: `S${i + 3}` }], Default: next };
    } else {
      states[name] = next ? { Type: 'Pass', Next: next } : { Type: 'Pass', End: true };
    }
  }
  return { StartAt: 'S0', States: states };
}

export function pageUrl(base, page, arn) {
  return arn ? `${base}/#/${page}/${encodeURIComponent(arn)}` : `${base}/#/${page}`;
}
