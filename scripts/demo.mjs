#!/usr/bin/env node
// `npm run demo`: asyncsan on the bundled example service (fixtures/demo/).
// Finding hazards there is the point, so exit code 1 ("findings") counts as success here;
// 2 (a usage, config or internal error) does not.
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const bin = path.join(root, 'packages/cli/bin/asyncsan.js');

function step(title, args) {
  process.stdout.write(`\n\u001b[1m$ asyncsan ${args.join(' ')}\u001b[0m   # ${title}\n\n`);
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0 && r.status !== 1) {
    process.stderr.write(`demo: asyncsan ${args[0]} failed with exit code ${r.status}\n`);
    process.exit(r.status ?? 2);
  }
  return r.status;
}

step('static analysis of the demo service (the same checks as the ESLint rules, plus whole-program ones)', ['check', 'fixtures/demo']);
process.stdout.write('\nThe demo service has these hazards on purpose: see fixtures/demo/README.md.\n');
