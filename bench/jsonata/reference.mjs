// Times reference jsonata (jsonata-js from npm) on bench/jsonata/cases.json: one JSON line per
// case, {"name", "ops"} (evaluations per second, the expression compiled once, the data and
// bindings built once, each evaluation awaited as jsonata 2.x requires).
// Usage: node reference.mjs <jsonata module dir> <cases.json> <seconds per case>
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const [moduleDir, casesPath, secondsText] = process.argv.slice(2);
const jsonata = createRequire(import.meta.url)(moduleDir);
const cases = JSON.parse(readFileSync(casesPath, 'utf8'));
const seconds = Number(secondsText || '1');

for (const c of cases) {
  const expr = jsonata(c.expr);
  const bindings = c.bindings || {};
  for (let i = 0; i < 200; i++) await expr.evaluate(c.data, bindings);
  const start = process.hrtime.bigint();
  let n = 0;
  let elapsed = 0;
  while (elapsed < seconds) {
    await expr.evaluate(c.data, bindings);
    if ((++n & 15) === 0) elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  }
  console.log(JSON.stringify({ name: c.name, ops: n / elapsed }));
}
