// Ships the rule pages with @asyncsan/core (its package's docs/rules/), so that every
// installed front end has the page each finding's docs link names: run at build and
// before `npm pack` (core's prepack). The repository's docs/rules/ stays the one source.
import { cpSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const from = path.join(root, 'docs/rules');
const to = path.join(root, 'packages/core/docs/rules');
rmSync(to, { recursive: true, force: true });
mkdirSync(to, { recursive: true });
for (const name of readdirSync(from)) if (name.endsWith('.md')) cpSync(path.join(from, name), path.join(to, name));
