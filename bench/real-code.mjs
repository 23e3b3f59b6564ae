#!/usr/bin/env node
// Precision on real code (issue 17): runs `asyncsan check`, typescript-eslint's promise rules and
// eslint-plugin-asyncsan on open-source TypeScript projects nobody here wrote (plus the bench corpus),
// writes the raw JSON into the git-ignored bench/.work/real-code/, and compares every finding with the
// verdicts judged by reading the code (bench/real-code-verdicts.json): per-id counts, TRUE / BY-THE-RULE /
// FALSE per tool, precision, and which findings are new (to judge) or gone since the verdicts were written.
//
// Usage: node bench/real-code.mjs [--root DIR] [--only mcp-sdk,bullmq,ioredis,corpus,graphile-worker,pg-boss,cockatiel,tinypool,agenda,graphql-ws,piscina,rhea-promise,grpc-js,node-redis,mqtt,testcontainers,gaxios,nats,mongodb,socket.io,discord.js,bolt-js,p-queue,keyv,inngest,amqp-connection-manager,apollo-server,pubsub,centrifuge,temporal,realtime,rabbitmq,jsonrpc,elastic-transport,ably,hocuspocus,colyseus,tus,matrix-js-sdk,grammy,chokidar,libp2p,kysely,openai,storage,unleash,firebase-admin,gax,auth-js,telegraf,typesense,vercel-ai,mikro-orm,typeorm,unstorage,node-resque,crawlee,minio,ethers,got,async-mutex] [--skip-eslint]
//                                 [--skip-tsc] [--todo FILE]
//   --root DIR   where the projects are checked out (default /work/realcode, or $REALCODE_ROOT). A missing
//                project is cloned from the fetch tool's mirror (/work/.mirror/<owner+name>/repo) when present,
//                checked out at the pinned commit and installed; a project at another commit is an error.
//   --reuse      compare the last run's raw output again (no tool is run), e.g. after recording verdicts.
//   --todo FILE  also write the findings that have no verdict yet as verdict entries to fill in (JSON).
//        node bench/real-code.mjs --add FILE.tsv
//   records verdicts judged by reading the code (lines `project<TAB>file:line<TAB>id<TAB>verdict<TAB>reason`, the id
//   as the tool prints it: `floating-promise`, `@typescript-eslint/no-floating-promises`, `require-atomic-updates`)
//   against the last run's findings, into bench/real-code-verdicts.json (keyed by project, file, id, line text).
//        node bench/real-code.mjs --tables      prints the judged verdicts as markdown tables (bench/REAL-CODE.md)
// The asyncsan measured is the one this script lives in (packages/cli, eslint-plugin, built: `npx tsc -b`).
// Exit status: 0 when every finding has a verdict, 1 when some are new (still to judge), 2 on a setup error.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { ensureCorpus } from './corpus.mjs';
import { getEntry } from '../packages/core/dist/index.js';

const root = path.resolve(import.meta.dirname, '..');
const require = createRequire(import.meta.url);
const ts = require(path.join(root, 'node_modules/typescript'));
const work = path.join(import.meta.dirname, '.work', 'real-code');
const verdictsFile = path.join(import.meta.dirname, 'real-code-verdicts.json');
const asyncsanBin = path.join(root, 'packages/cli/bin/asyncsan.js');
const eslintBin = path.join(root, 'node_modules/eslint/bin/eslint.js');

const npmInstall = ['npm', 'install', '--no-audit', '--no-fund', '--ignore-scripts'];
const npmCi = ['npm', 'ci', '--no-audit', '--no-fund', '--ignore-scripts'];

/** The measured projects, pinned. `paths` is what asyncsan check is given; `tsconfig` is the project's own. */
export const projects = {
  'mcp-sdk': {
    repo: 'https://github.com/modelcontextprotocol/typescript-sdk',
    mirror: 'modelcontextprotocol+typescript-sdk',
    commit: 'e12cbd7078db388152f6e839abdbe09ba01f3f32', // v1.29.0, the last single-package layout is 1.x
    install: [npmCi],
    tsconfig: 'tsconfig.json',
    paths: ['src'],
  },
  bullmq: {
    repo: 'https://github.com/taskforcesh/bullmq',
    mirror: 'taskforcesh+bullmq',
    commit: '352d3c72bf2bc5ec851630a4cdcba7d44c313ed0', // 6.2.0 + one dependency bump
    // yarn.lock only; every version in package.json is exact, so npm resolves the same direct dependencies.
    install: [[...npmInstall, '--no-package-lock']],
    // src/scripts/*.ts (the Lua scripts as strings) are generated; src/classes imports them.
    prep: [
      ['npm', 'run', 'clean:scripts'],
      ['npm', 'run', 'generate:raw:scripts'],
      ['npm', 'run', 'transform:commands'],
    ],
    tsconfig: 'tsconfig.json',
    paths: ['src'],
  },
  ioredis: {
    repo: 'https://github.com/redis/ioredis',
    mirror: 'redis+ioredis',
    commit: 'dfd542824dfb7168420f19fdfabe9fe1156efe10', // main after 5.x, 2026-08-06
    install: [npmCi],
    tsconfig: 'tsconfig.json',
    paths: ['lib'],
  },
  // Held-out projects (2026-12-06): measured once, by a helper that had not read them, after the checks were tuned on
  // the four above; they tell whether the precision holds on code nobody here has looked at.
  'graphile-worker': {
    repo: 'https://github.com/graphile/worker',
    mirror: 'graphile+worker',
    commit: 'abfb4cff30747ad423046d117dfb88470f03ae00', // main, 0.17.3 merged, 2026-07-08
    // yarn.lock only (yarn 4); npm resolves the package.json ranges. --legacy-peer-deps: the eslint plugins among the
    // dev dependencies (lint only) have peer ranges npm's resolver may refuse; nothing analysed uses them.
    // jest-time-helpers@^1.1.1-canary.1 (yarn.lock) is not on the npm registry: 1.1.0 instead (tests' types only). The
    // website's docusaurus/react/fontawesome dev dependencies are dropped before installing: nothing analysed imports them.
    install: [
      // @tsconfig/node22 22.0.6 (what ^22.0.0 resolves to now) adds types: ["node"], which hides @types/jest's globals
      // from the tests; yarn.lock has 22.0.5.
      ['npm', 'pkg', 'set', 'devDependencies.jest-time-helpers=1.1.0', 'devDependencies.@tsconfig/node22=22.0.5'],
      ['npm', 'pkg', 'delete', ...['@docusaurus/core', '@docusaurus/module-type-aliases', '@docusaurus/preset-classic', '@docusaurus/remark-plugin-npm2yarn', '@fortawesome/fontawesome-svg-core', '@fortawesome/free-brands-svg-icons', '@fortawesome/free-regular-svg-icons', '@fortawesome/free-solid-svg-icons', '@fortawesome/react-fontawesome', '@mdx-js/react', 'clsx', 'juice', 'postcss-nested', 'prism-react-renderer', 'react', 'react-dom', 'svgo'].map((d) => `devDependencies.${d}`)],
      [...npmInstall, '--no-package-lock', '--legacy-peer-deps'],
    ],
    // tsconfig.test.json = tsconfig.json (src) plus __tests__ (35 + 26 files); src/generated/sql.ts is committed.
    tsconfig: 'tsconfig.test.json',
    paths: ['src', '__tests__'],
  },
  'pg-boss': {
    repo: 'https://github.com/timgit/pg-boss',
    mirror: 'timgit+pg-boss',
    commit: '55ee32f66f0bf683ff823c0ad8be2056dbc91ce4', // 12.27.0, 2026-08-03
    install: [npmCi],
    // tsconfig.json includes src and test (26 + 70 files); packages/ (dashboard, proxy) have their own builds.
    tsconfig: 'tsconfig.json',
    paths: ['src', 'test'],
  },
  // Held-out projects, round 2 (2026-12-06): measured once at main 75bde39, after every project above had been tuned against.
  cockatiel: {
    repo: 'https://github.com/connor4312/cockatiel',
    mirror: 'connor4312+cockatiel',
    commit: 'f475a690eedbb9dc7e495b6e4b0f42105c195ec3', // 4.0.0 (docs), 2026-05-26
    install: [npmCi],
    // tsconfig.json has no include: every file under the root, i.e. src/ with its colocated *.test.ts (29 + 20 files).
    tsconfig: 'tsconfig.json',
    paths: ['src'],
  },
  tinypool: {
    repo: 'https://github.com/tinylibs/tinypool',
    mirror: 'tinylibs+tinypool',
    commit: 'abc247f85cba0309e3f1e5655db1837a2a1c2483', // 2.1.0, 2026-01-03
    // pnpm-lock.yaml only; npm resolves the package.json ranges. --legacy-peer-deps: its lint-only typescript-eslint 7
    // wants eslint 8 while it asks for eslint 9; nothing analysed uses either.
    install: [[...npmInstall, '--no-package-lock', '--legacy-peer-deps']],
    // The tests import 'tinypool', which tsconfig's paths map to dist/index.d.ts: build it (tsdown) first.
    prep: [['npm', 'run', 'build']],
    tsconfig: 'tsconfig.json',
    paths: ['src', 'test'],
  },
  // Held-out projects, round 3 (2026-12-06): measured once at main a05a8d5, after every project above had been tuned against.
  agenda: {
    repo: 'https://github.com/agenda/agenda',
    mirror: 'agenda+agenda',
    commit: 'f9437cc22660a7752125ad6a1d5c4f7c4f70a8ef', // main, agenda 6.2.2 (packages/agenda), 2026-02-14
    // A pnpm monorepo (pnpm-lock.yaml only); only packages/agenda (the scheduler core, no database driver) is measured:
    // npm resolves its package.json ranges into packages/agenda/node_modules. The root's devDependencies are lint/docs only.
    install: [['npm', '--prefix', 'packages/agenda', 'install', '--no-audit', '--no-fund', '--ignore-scripts', '--no-package-lock']],
    // tsconfig.test.json = tsconfig.json (src) plus test (32 + 18 files).
    tsconfig: 'packages/agenda/tsconfig.test.json',
    paths: ['packages/agenda/src', 'packages/agenda/test'],
  },
  'graphql-ws': {
    repo: 'https://github.com/enisdenjo/graphql-ws',
    mirror: 'enisdenjo+graphql-ws',
    commit: 'af4f5c9df60d6b73667d7d90ad1b1c851d22b482', // main after 6.0.6, 2026-07-24
    // yarn.lock only (yarn 4); npm resolves the package.json ranges. Two dev dependencies are not on the npm registry:
    // uWebSockets.js (a GitHub tag) is taken from its npm republish @btc-vision/uwebsockets.js 20.57.0 (its .d.ts types the
    // uWebSockets adapter and the tests' servers; no script runs), and pkgroll is a yarn patch (build only: dropped).
    // --legacy-peer-deps: typedoc-plugin-markdown 4.14 (what ^4.4.1 resolves to now) wants typedoc 0.28, it asks for 0.27 (docs only).
    install: [
      ['npm', 'pkg', 'set', 'devDependencies[uWebSockets.js]=npm:@btc-vision/uwebsockets.js@20.57.0'], // brackets: the name has a dot
      ['npm', 'pkg', 'delete', 'devDependencies.pkgroll'],
      // yarn.lock's versions of the types: npm would hoist @types/node 12 (a dependency's ^12.7.1, no node:* modules), and
      // bun-types 1.4 / @types/ws 8.18 changed the generics the adapters use (21 tsc errors without these pins).
      ['npm', 'pkg', 'set', 'devDependencies.@types/node=22.10.6', 'devDependencies.@types/ws=8.5.13', 'devDependencies.bun-types=1.1.43'],
      [...npmInstall, '--no-package-lock', '--legacy-peer-deps'],
    ],
    // tsconfig.json includes src and tests (11 + 9 files).
    tsconfig: 'tsconfig.json',
    paths: ['src', 'tests'],
  },
  // Held-out projects, round 4 (2026-12-06): measured once at main c2ecf0b, after every project above had been tuned against.
  piscina: {
    repo: 'https://github.com/piscinajs/piscina',
    mirror: 'piscinajs+piscina',
    commit: '4e9791fd46b61c638e7ad05f14ec4540d40898aa', // main (package.json 4.6.1), 2024-10-15: the newest commit of the fetch mirror
    install: [npmCi],
    // tsconfig.json covers src/ only (strict, rootDir src); test/tsconfig.json covers test/ only (strict off) and its
    // rootDir (inherited: src) is wrong for test/, so tsc never type-checked the tests (tap runs them through ts-node).
    // One program for both: the tests' own options over src/ and test/ with rootDir '.'; types: ['node'] because
    // TypeScript 6 (typescript-eslint's here, and asyncsan check's) no longer loads @types/* by default, and without it
    // every Node API (worker_threads, events, timers) is unresolved. The tests import '..', i.e. dist/index.d.ts: build
    // it (tsc) first.
    prep: [
      ['npx', 'tsc'],
      ['node', '-e', "require('fs').writeFileSync('tsconfig.bench.json', JSON.stringify({ extends: './test/tsconfig.json', compilerOptions: { rootDir: '.', noEmit: true, types: ['node'] }, include: ['src', 'test'] }))"],
    ],
    tsconfig: 'tsconfig.bench.json',
    paths: ['src', 'test'],
  },
  'rhea-promise': {
    repo: 'https://github.com/amqp/rhea-promise',
    mirror: 'amqp+rhea-promise',
    commit: '28b64ade9212c0e35f56913e993d8f98ea4e73d2', // main (3.0.3, tests moved to vitest), 2026-05-06
    install: [npmCi],
    // tsconfig.json includes lib, test and examples; lib and test are measured (14 + 4 files).
    tsconfig: 'tsconfig.json',
    paths: ['lib', 'test'],
  },
  // Held-out projects, round 5 (2026-12-06): measured once at main ff7f34d, after every project above had been tuned against.
  'grpc-js': {
    repo: 'https://github.com/grpc/grpc-node',
    mirror: 'grpc+grpc-node',
    commit: '2670b37a25dcd1e7b655609b0dc041060b1d8921', // master (packages/grpc-js 1.13.4), 2026-04-02: the newest commit of the fetch mirror
    // A monorepo without a lock file; only packages/grpc-js (the pure-JS gRPC client and server) is measured: npm resolves its
    // package.json ranges into packages/grpc-js/node_modules. @grpc/proto-loader is `file:../proto-loader` (an unbuilt sibling):
    // its registry release ^0.8.0 instead (the tests load protos with it). The build/lint/format-only dev dependencies (gulp,
    // madge, clang-format, eslint 8 and its plugins, prettier, a mocha reporter) are dropped: nothing analysed imports them.
    install: [
      ['node', '-e', "const f='packages/grpc-js/package.json',p=JSON.parse(require('fs').readFileSync(f));p.devDependencies['@grpc/proto-loader']='^0.8.0';for(const d of Object.keys(p.devDependencies))if(/gulp|madge|clang-format|eslint|prettier|mocha-jenkins/.test(d))delete p.devDependencies[d];require('fs').writeFileSync(f,JSON.stringify(p,null,2))"],
      ['npm', '--prefix', 'packages/grpc-js', 'install', '--no-audit', '--no-fund', '--ignore-scripts', '--no-package-lock'],
    ],
    // tsconfig.json covers src and test (src/ 67 + 101 generated by proto-loader-gen-types, committed; test/ 33 + 7 generated); its own TypeScript 5.9.3
    // reports 0 errors. TypeScript 6 (typescript-eslint's here, and asyncsan check's) turns esModuleInterop on by default, and
    // then every `import * as assert from 'assert'; assert(x)` in the tests is an error (TS2349) and the narrowing it does is
    // lost (468 errors, all in test/). tsconfig.bench.json restores the project's own module semantics (esModuleInterop off,
    // its deprecation silenced): 0 errors under 6.0.3. Node's types come in through @grpc/proto-loader's references.
    prep: [
      ['node', '-e', "require('fs').writeFileSync('packages/grpc-js/tsconfig.bench.json', JSON.stringify({ extends: './tsconfig.json', compilerOptions: { noEmit: true, incremental: false, esModuleInterop: false, allowSyntheticDefaultImports: false, ignoreDeprecations: '6.0' } }))"],
    ],
    tsconfig: 'packages/grpc-js/tsconfig.bench.json',
    paths: ['packages/grpc-js/src', 'packages/grpc-js/test'],
  },
  'node-redis': {
    repo: 'https://github.com/redis/node-redis',
    mirror: 'redis+node-redis',
    commit: '2a92b2e51aea18b31776ede15e022217e7ea9b37', // master (packages/client 6.2.1), 2026-08-21
    // An npm-workspaces monorepo; only packages/client (commands queue, socket, reconnect, pub/sub, pool, cluster, sentinel) is
    // measured, installed alone (its package.json ranges into packages/client/node_modules, @types/node from the root's
    // devDependencies). Its tests (*.spec.ts) are not measured: they do not type-check (163 errors with the whole workspace
    // installed from its lock file and its own TypeScript 5.3.3, the private @redis/test-utils and @redis/bloom mapped to their
    // sources; mocha runs them through tsx, which strips types), and they need Docker servers. tsconfig.bench.json: the
    // package's own tsconfig (lib/ without the specs) with types: ['node'] (TypeScript 6 loads no @types by default; the base
    // tsconfig has no `types`) and no composite build. tsc: 5 errors, Buffer-vs-string narrowing in three command
    // argument parsers (parser.ts, GEOSEARCH.ts, HSET.ts) under the newer @types/node; none in asynchronous code.
    install: [
      ['node', '-e', "const f='packages/client/package.json',p=JSON.parse(require('fs').readFileSync(f));for(const d of ['@redis/test-utils','sinon','@types/sinon'])delete p.devDependencies[d];p.devDependencies['@types/node']='^20.11.16';require('fs').writeFileSync(f,JSON.stringify(p,null,2))"],
      ['npm', '--prefix', 'packages/client', 'install', '--no-audit', '--no-fund', '--ignore-scripts', '--no-package-lock'],
    ],
    prep: [
      ['node', '-e', "require('fs').writeFileSync('packages/client/tsconfig.bench.json', JSON.stringify({ extends: './tsconfig.json', compilerOptions: { noEmit: true, composite: false, declaration: false, declarationMap: false, types: ['node'] } }))"],
    ],
    tsconfig: 'packages/client/tsconfig.bench.json',
    paths: ['packages/client/lib'],
  },
  // Held-out projects, round 6 (2026-12-06): measured once at main f5f4f67, after every project above had been tuned against.
  mqtt: {
    repo: 'https://github.com/mqttjs/MQTT.js',
    mirror: 'mqttjs+MQTT.js',
    commit: 'aa03369f5f5daf9b8a98339990cc3ced800a5051', // main (mqtt 5.14.1), 2025-12-03: the newest commit of the fetch mirror
    install: [npmCi],
    // tsconfig.json (src, test without test/browser, example.ts; strict off) gives one error under TypeScript 6: its
    // `baseUrl: './'` is deprecated (TS5101). It serves only the tests' five `from 'src'` / `from 'src/lib/shared'`
    // imports, so tsconfig.bench.json unsets it (null) and maps those two specifiers with `paths` instead (ignoreDeprecations
    // '6.0' would do under 6.0.3, but the project's own TypeScript 5.8.3, the script's tsc, rejects that value): 0 errors
    // under both 5.8.3 and 6.0.3.
    prep: [
      ['node', '-e', "require('fs').writeFileSync('tsconfig.bench.json', JSON.stringify({ extends: './tsconfig.json', compilerOptions: { noEmit: true, incremental: false, baseUrl: null, paths: { src: ['./src'], 'src/*': ['./src/*'] } } }))"],
    ],
    tsconfig: 'tsconfig.bench.json',
    paths: ['src', 'test'],
  },
  testcontainers: {
    repo: 'https://github.com/testcontainers/testcontainers-node',
    mirror: 'testcontainers+testcontainers-node',
    commit: '457707f3cd19b1ff9e34ed74d33beaca4c55f507', // main, v12.1.0, 2026-08-04
    // An npm-workspaces monorepo; only packages/testcontainers (the core: container runtime clients, generic container,
    // compose, wait strategies, reaper, port forwarder) is measured, installed alone (its package.json ranges into
    // packages/testcontainers/node_modules). Its colocated *.test.ts use vitest's globals (the base tsconfig's `types`):
    // vitest and @types/node come from the root's devDependencies. Pinned to the root lock's versions where today's
    // ranges type differently: tar-stream 3.3.0 (what tar-fs's ^3.1.5 resolves to now) ships its own .d.ts, in which a
    // Pack is no Node stream (1 tsc error in docker-image-client.ts); the lock's 3.1.7 falls back to @types/tar-stream.
    install: [
      ['node', '-e', "const f='packages/testcontainers/package.json',p=JSON.parse(require('fs').readFileSync(f));p.dependencies['@types/dockerode']='4.0.1';Object.assign(p.devDependencies,{vitest:'4.1.10','@types/node':'22.15.23','@types/ssh2':'0.5.52'});p.overrides={'tar-stream':'3.1.7'};require('fs').writeFileSync(f,JSON.stringify(p,null,2))"],
      ['npm', '--prefix', 'packages/testcontainers', 'install', '--no-audit', '--no-fund', '--ignore-scripts', '--no-package-lock'],
    ],
    // tsconfig.json (src with its 62 *.test.ts; the base is composite and incremental): the same without the build.
    prep: [
      ['node', '-e', "require('fs').writeFileSync('packages/testcontainers/tsconfig.bench.json', JSON.stringify({ extends: './tsconfig.json', compilerOptions: { noEmit: true, composite: false, incremental: false, declaration: false } }))"],
    ],
    tsconfig: 'packages/testcontainers/tsconfig.bench.json',
    paths: ['packages/testcontainers/src'],
  },
  // Held-out projects, round 7 (2026-12-06): measured once at main 08d7830, after every project above had been tuned against.
  gaxios: {
    repo: 'https://github.com/googleapis/gaxios',
    mirror: 'googleapis+gaxios',
    commit: '26b6e4ae05e9af0052c5271d2fe3f67ce2755511', // main (gaxios 7.1.2), 2025-10-31: the newest commit of the fetch mirror
    // No lock file. Only the dev dependencies the sources and mocha tests import (or whose types they need) are kept: the
    // browser, webpack, karma and puppeteer ones serve browser-test/ and system-test/, which are not measured.
    install: [
      ['node', '-e', "const f='package.json',p=JSON.parse(require('fs').readFileSync(f));const keep=['@types/extend','@types/mocha','@types/node','@types/sinon','gts','mocha','nock','sinon','typescript'];for(const d of Object.keys(p.devDependencies))if(!keep.includes(d))delete p.devDependencies[d];require('fs').writeFileSync(f,JSON.stringify(p,null,2))"],
      [...npmInstall, '--no-package-lock'],
    ],
    // tsconfig.json (ESM build; gts's strict base, composite) over src/, test/, browser-test/, system-test/: the same over src/ and
    // test/ only, no build, skipLibCheck (today's sinon 21 ships fake-timers types @types/sinon 17 does not match: 2 errors,
    // both in node_modules/@types/sinon/index.d.ts). 0 errors under 6.0.3.
    prep: [
      ['node', '-e', "require('fs').writeFileSync('tsconfig.bench.json', JSON.stringify({ extends: './tsconfig.json', compilerOptions: { noEmit: true, composite: false, incremental: false, skipLibCheck: true }, include: ['src/*.*ts', 'test/*.ts'] }))"],
    ],
    tsconfig: 'tsconfig.bench.json',
    paths: ['src', 'test'],
  },
  nats: {
    repo: 'https://github.com/nats-io/nats.js',
    mirror: 'nats-io+nats.js',
    commit: '3a7b736b175d9a387130210c88f851d71e1b014f', // main (nats-core 3.4.0), 2026-06-24: the newest commit of the fetch mirror
    // A Deno-first monorepo (npm workspaces for the npm build); only core/ (connection, protocol handler, parser, subscriptions,
    // queued iterators, requests, heartbeats, transports' shared code) is measured, installed alone (@nats-io/nkeys, nuid,
    // @types/node into core/node_modules). Its tests run under Deno only (jsr: imports, Deno.* APIs) and are not measured.
    install: [['npm', '--prefix', 'core', 'install', '--no-audit', '--no-fund', '--ignore-scripts', '--no-package-lock']],
    // The sources import each other with `.ts` extensions (Deno); the npm build rewrites them (bin/cjs-fix-imports.ts, a Deno
    // script) before tsc. tsconfig.bench.json type-checks core/src as it stands: allowImportingTsExtensions, noEmit, strict
    // (deno.json's only compiler option), node types. 1 error under 6.0.3: ws_transport.ts:267 hands `frame.buffer`
    // (ArrayBufferLike) to WebSocket.send, synchronous code.
    prep: [
      ['node', '-e', "require('fs').writeFileSync('core/tsconfig.bench.json', JSON.stringify({ compilerOptions: { target: 'esnext', module: 'nodenext', moduleResolution: 'nodenext', noEmit: true, allowImportingTsExtensions: true, strict: true, types: ['node'] }, include: ['src/**/*.ts'] }))"],
    ],
    tsconfig: 'core/tsconfig.bench.json',
    paths: ['core/src'],
  },
  // Held-out projects, round 8 (2026-12-06): measured once at main 7b565f6, after every project above had been tuned against.
  mongodb: {
    repo: 'https://github.com/mongodb/node-mongodb-native',
    mirror: 'mongodb+node-mongodb-native',
    commit: 'bb35ded18aa1031d8e4be88cad4fc1cc1225b00e', // main (mongodb 7.5.0), 2026-08-21: the newest commit of the fetch mirror's main
    // Only src/ (the driver: connection pool, SDAM monitors, sessions, cursors, change streams, CSFLE, GridFS) is measured.
    // The lock is kept (npm install honours it for what stays); the dev dependencies are cut to what src/ needs for its
    // types: the optional peers it names with `typeof import(...)` (kerberos via @types/kerberos, gcp-metadata,
    // mongodb-client-encryption) and @types/node. The test, lint, build and AWS SDK ones are dropped (src/ only `require`s
    // @aws-sdk/credential-providers and types it itself). typescript 5.8.3 is dropped too, so the script's tsc is 6.0.3:
    // 5.8.3 rejects the ignoreDeprecations value below.
    install: [
      ['node', '-e', "const f='package.json',p=JSON.parse(require('fs').readFileSync(f));const keep=['@types/kerberos','@types/node','@types/saslprep','@types/whatwg-url','gcp-metadata','mongodb-client-encryption'];for(const d of Object.keys(p.devDependencies))if(!keep.includes(d))delete p.devDependencies[d];require('fs').writeFileSync(f,JSON.stringify(p,null,2))"],
      npmInstall,
    ],
    // tsconfig.json (src, strict, node16 modules, emits declarations; 0 errors under the project's 5.8.3) keeps esModuleInterop
    // off, which TypeScript 6 deprecates (TS5107, an options error that stops 6.0.3 before it checks anything).
    // tsconfig.bench.json silences that deprecation and emits nothing. 55 errors under 6.0.3, all in mongo_logger.ts's
    // defaultLogTransform (synchronous log formatting): 6.0 no longer narrows its `LoggableEvent | Record<string, any>`
    // parameter by the `switch (logObject.name)` cases (TS2339/TS2345 on the event fields).
    prep: [
      ['node', '-e', "require('fs').writeFileSync('tsconfig.bench.json', JSON.stringify({ extends: './tsconfig.json', compilerOptions: { noEmit: true, declaration: false, declarationMap: false, sourceMap: false, ignoreDeprecations: '6.0' } }))"],
    ],
    tsconfig: 'tsconfig.bench.json',
    paths: ['src'],
  },
  'socket.io': {
    repo: 'https://github.com/socketio/socket.io',
    mirror: 'socketio+socket.io',
    commit: 'd2d753fed4435015c2d83fe62e676b44e07fa3f7', // main (socket.io 4.8.3, engine.io 6.6.x), 2026-06-25: the newest commit of the fetch mirror's main
    // An npm-workspaces monorepo whose root lock pulls browser-test tooling (wdio, babel, rollup) and uWebSockets.js from
    // GitHub (not reachable here); only packages/engine.io/lib (the transport server: polling, websocket, uWS transports,
    // sockets) and packages/socket.io/lib (namespaces, sockets, broadcasts, acks) are measured, each installed alone (its
    // package.json ranges into its own node_modules; neither has dev dependencies of its own). Their mocha tests import the
    // packages' built dist/ (`from ".."`) and the GitHub-only uWebSockets.js, and are not measured.
    install: [
      ['npm', '--prefix', 'packages/engine.io', 'install', '--no-audit', '--no-fund', '--ignore-scripts', '--no-package-lock'],
      ['npm', '--prefix', 'packages/socket.io', 'install', '--no-audit', '--no-fund', '--ignore-scripts', '--no-package-lock'],
    ],
    // One tsconfig.bench.json over both lib/ folders, with what both packages' tsconfigs share (es2018-ish target, CommonJS,
    // strict off, esModuleInterop; socket.io's noImplicitReturns is left out, engine.io does not have it), Node's types from
    // engine.io's @types/node, and `engine.io` mapped to the sibling's sources (as the workspace links it) instead of the
    // registry's build. 8 errors under 6.0.3: 3 TS2307 for the missing uWebSockets.js (its types become any) and the 2
    // `@ts-expect-error`s that then expect nothing, 2 TS2339 in engine.io transports/websocket.ts (packet.options.wsPreEncodedFrame,
    // an untyped field), 1 unused `@ts-expect-error` in socket.io contrib/base64id.ts.
    prep: [
      ['node', '-e', "require('fs').writeFileSync('tsconfig.bench.json', JSON.stringify({ compilerOptions: { target: 'es2018', module: 'commonjs', noEmit: true, strict: false, esModuleInterop: true, typeRoots: ['packages/engine.io/node_modules/@types'], types: ['node'], paths: { 'engine.io': ['./packages/engine.io/lib/engine.io.ts'] } }, include: ['packages/engine.io/lib/**/*', 'packages/socket.io/lib/**/*'] }))"],
    ],
    tsconfig: 'tsconfig.bench.json',
    paths: ['packages/engine.io/lib', 'packages/socket.io/lib'],
  },
  // Held-out projects, round 9 (2026-12-06): measured once at main 4084285.
  'discord.js': {
    repo: 'https://github.com/discordjs/discord.js',
    mirror: 'discordjs+discord.js',
    commit: '219ad7ba07cccc256aa0a169d551a43686c14e23', // main (@discordjs/rest 2.5.0, @discordjs/ws 2.0.2), 2026-07-21: the newest commit of the fetch mirror's main
    // A pnpm monorepo (pnpm-lock.yaml, `workspace:^` ranges npm cannot read). Only packages/rest/src (REST client: rate-limit
    // buckets and queues, retries, timeouts) and packages/ws/src (gateway: shards, heartbeats, worker-thread strategies,
    // identify throttling) are measured. Their `workspace:` dependencies are removed from package.json (the tsconfig below
    // maps @discordjs/collection and @discordjs/util to the siblings' sources, as the workspace links them) and so are
    // their dev dependencies except @types/node and ws's zlib-sync (its types; --ignore-scripts skips the native build).
    // packages/util is installed too: its sources import discord-api-types. No lock applies, hence --no-package-lock.
    install: [
      ['node', '-e', "const fs=require('fs');for(const d of ['rest','ws','util']){const f='packages/'+d+'/package.json',p=JSON.parse(fs.readFileSync(f));for(const k of Object.keys(p.dependencies||{}))if(p.dependencies[k].startsWith('workspace:'))delete p.dependencies[k];for(const k of Object.keys(p.devDependencies||{}))if(!['@types/node','zlib-sync'].includes(k))delete p.devDependencies[k];fs.writeFileSync(f,JSON.stringify(p,null,2))}"],
      ['npm', '--prefix', 'packages/util', 'install', '--no-audit', '--no-fund', '--ignore-scripts', '--no-package-lock'],
      ['npm', '--prefix', 'packages/rest', 'install', '--no-audit', '--no-fund', '--ignore-scripts', '--no-package-lock'],
      ['npm', '--prefix', 'packages/ws', 'install', '--no-audit', '--no-fund', '--ignore-scripts', '--no-package-lock'],
    ],
    // The packages' tsconfig.json extend the root one (strict, exactOptionalPropertyTypes, noUncheckedIndexedAccess, ESNext,
    // Bundler resolution, emits declarations). tsconfig.bench.json = root tsconfig + noEmit, no declarations or source maps,
    // ignoreDeprecations '6.0' (the root keeps esModuleInterop false: TS5107 under TypeScript 6), Node's types from
    // packages/rest, the two workspace siblings mapped to their sources, and both src/ folders. 0 errors under 6.0.3.
    prep: [
      ['node', '-e', "require('fs').writeFileSync('tsconfig.bench.json', JSON.stringify({ extends: './tsconfig.json', compilerOptions: { noEmit: true, declaration: false, declarationMap: false, sourceMap: false, ignoreDeprecations: '6.0', types: ['node'], typeRoots: ['packages/rest/node_modules/@types'], paths: { '@discordjs/collection': ['./packages/collection/src/index.ts'], '@discordjs/util': ['./packages/util/src/index.ts'] } }, include: ['packages/rest/src/**/*.ts', 'packages/ws/src/**/*.ts'] }))"],
    ],
    tsconfig: 'tsconfig.bench.json',
    paths: ['packages/rest/src', 'packages/ws/src'],
  },
  'bolt-js': {
    repo: 'https://github.com/slackapi/bolt-js',
    mirror: 'slackapi+bolt-js',
    commit: '9a45c3c9a390a4d387fb255f7ac01185a726cc07', // main (@slack/bolt 5.0.0), 2026-08-07: the newest commit of the fetch mirror's main
    // Only src/ (App, receivers: HTTP, Express, Socket Mode, AWS Lambda; middleware chain, ack handling, conversation store)
    // is measured. The lock is kept (npm install honours it for what stays); the dev dependencies are cut to what src/ needs
    // for its types: @tsconfig/node20 (tsconfig.json extends it), @types/node, @types/tsscmp (@types/express is a peer
    // dependency npm installs by itself). Test, lint and release tooling and typescript 5.3.3 are dropped (the script's tsc is 6.0.3).
    install: [
      ['node', '-e', "const f='package.json',p=JSON.parse(require('fs').readFileSync(f));const keep=['@tsconfig/node20','@types/node','@types/tsscmp'];for(const d of Object.keys(p.devDependencies))if(!keep.includes(d))delete p.devDependencies[d];require('fs').writeFileSync(f,JSON.stringify(p,null,2))"],
      npmInstall,
    ],
    // tsconfig.json (src, CommonJS, moduleResolution node, emits declarations) uses moduleResolution node10, which
    // TypeScript 6 deprecates (TS5107 stops 6.0.3 before it checks). tsconfig.bench.json silences that and emits nothing.
    // 0 errors under 6.0.3.
    prep: [
      ['node', '-e', "require('fs').writeFileSync('tsconfig.bench.json', JSON.stringify({ extends: './tsconfig.json', compilerOptions: { noEmit: true, declaration: false, declarationMap: false, sourceMap: false, ignoreDeprecations: '6.0' } }))"],
    ],
    tsconfig: 'tsconfig.bench.json',
    paths: ['src'],
  },
  // Held-out projects, round 10 (2026-12-06): measured once at main d518e6b.
  'p-queue': {
    repo: 'https://github.com/sindresorhus/p-queue',
    mirror: 'sindresorhus+p-queue',
    commit: '180ab9e25cd10b6f548767d7176076b50d25e188', // main (p-queue 9.3.3, tag v9.3.3), 2026-07-22: the newest commit of the fetch mirror's main
    // Only source/ (the queue: concurrency, interval rate limit, priorities, timeouts, abort signals, events) is measured.
    // No lock is committed (.npmrc package-lock=false); the dev dependencies are cut to what source/ needs for its types:
    // @sindresorhus/tsconfig (tsconfig.json extends it) and @types/node. xo, tsd, tsx, the benchmark and test helpers
    // and typescript 5.9 are dropped (the script's tsc is 6.0.3).
    install: [
      ['node', '-e', "const f='package.json',p=JSON.parse(require('fs').readFileSync(f));const keep=['@sindresorhus/tsconfig','@types/node'];for(const d of Object.keys(p.devDependencies))if(!keep.includes(d))delete p.devDependencies[d];require('fs').writeFileSync(f,JSON.stringify(p,null,2))"],
      [...npmInstall, '--no-package-lock'],
    ],
    // tsconfig.json (source/, extends @sindresorhus/tsconfig: strict, NodeNext, emits declarations to dist).
    // tsconfig.bench.json = tsconfig.json + noEmit, no declarations or source maps, and types ['node']: TypeScript 6
    // no longer loads every @types package by default (without it, 2 TS2503 for the NodeJS.Timeout namespace). 0 errors under 6.0.3.
    prep: [
      ['node', '-e', "require('fs').writeFileSync('tsconfig.bench.json', JSON.stringify({ extends: './tsconfig.json', compilerOptions: { noEmit: true, declaration: false, declarationMap: false, sourceMap: false, types: ['node'] } }))"],
    ],
    tsconfig: 'tsconfig.bench.json',
    paths: ['source'],
  },
  keyv: {
    repo: 'https://github.com/jaredwray/keyv',
    mirror: 'jaredwray+keyv',
    commit: '90109616a94f6774c172c5f457b2195d5801d508', // main (keyv 6.x, @keyv/redis 6.x), 2026-08-03: the newest commit of the fetch mirror's main
    // A pnpm monorepo (pnpm-lock.yaml, `workspace:` ranges npm cannot read). Only core/keyv/src (the Keyv store front:
    // namespaces, TTLs, serialisation, hooks, the memory and bridge adapters) and storage/redis/src (@keyv/redis on
    // @redis/client: clusters, sockets, batch get/set/delete, namespace clearing by SCAN) are measured. The redis package's
    // `workspace:` peer (keyv) is removed (the tsconfig below maps keyv to the sibling's sources, as the workspace links
    // it) and so are both packages' dev dependencies (tests, benchmarks, lint); @types/node is added (the root has it).
    // No lock applies, hence --no-package-lock.
    install: [
      ['node', '-e', "const fs=require('fs');for(const d of ['core/keyv','storage/redis']){const f=d+'/package.json',p=JSON.parse(fs.readFileSync(f));for(const s of ['dependencies','peerDependencies'])for(const k of Object.keys(p[s]||{}))if(p[s][k].startsWith('workspace:'))delete p[s][k];p.devDependencies={'@types/node':'^24.0.0'};fs.writeFileSync(f,JSON.stringify(p,null,2))}"],
      ['npm', '--prefix', 'core/keyv', 'install', '--no-audit', '--no-fund', '--ignore-scripts', '--no-package-lock'],
      ['npm', '--prefix', 'storage/redis', 'install', '--no-audit', '--no-fund', '--ignore-scripts', '--no-package-lock'],
    ],
    // Both packages' tsconfig.json extend tsconfig.base.json (ES2024, NodeNext, strict, emits declarations).
    // tsconfig.bench.json = tsconfig.base.json + noEmit, no declarations or source maps, Node's types from core/keyv,
    // keyv mapped to core/keyv's sources, and both src/ folders.
    prep: [
      ['node', '-e', "require('fs').writeFileSync('tsconfig.bench.json', JSON.stringify({ extends: './tsconfig.base.json', compilerOptions: { noEmit: true, declaration: false, sourceMap: false, typeRoots: ['core/keyv/node_modules/@types'], types: ['node'], paths: { keyv: ['./core/keyv/src/index.ts'] } }, include: ['core/keyv/src/**/*.ts', 'storage/redis/src/**/*.ts'] }))"],
    ],
    tsconfig: 'tsconfig.bench.json',
    paths: ['core/keyv/src', 'storage/redis/src'],
  },
  inngest: {
    repo: 'https://github.com/inngest/inngest-js',
    mirror: 'inngest+inngest-js',
    commit: 'abc4a63fb8a5d8d1599ee7a3afbeb2b82d9cc875', // main (inngest 4.18.1), 2026-08-21: the newest commit of the fetch mirror's main
    // A pnpm monorepo (pnpm-lock.yaml, `workspace:` ranges npm cannot read). Only packages/inngest/src without its tests
    // (*.test.ts and src/test/) is measured: the client, the serve handler (InngestCommHandler), the execution engine
    // (steps, checkpoints, retries), connect (the worker's WebSocket connection: heartbeats, leases, reconnects), realtime,
    // middleware. Its dev dependencies are cut to @types/node, @types/ws and ws, @types/json-stringify-safe; the framework
    // adapters' optional peers (express, koa, fastify, next, h3, hono, ...) and vitest are not installed.
    install: [
      ['node', '-e', "const f='packages/inngest/package.json',p=JSON.parse(require('fs').readFileSync(f));const keep=['@types/node','@types/ws','ws','@types/json-stringify-safe'];for(const d of Object.keys(p.devDependencies))if(!keep.includes(d))delete p.devDependencies[d];delete p.peerDependencies;delete p.peerDependenciesMeta;require('fs').writeFileSync(f,JSON.stringify(p,null,2))"],
      ['npm', '--prefix', 'packages/inngest', 'install', '--no-audit', '--no-fund', '--ignore-scripts', '--no-package-lock'],
    ],
    // tsconfig.json (strict, noUncheckedIndexedAccess, module Preserve, Bundler resolution, types node + vitest/globals).
    // tsconfig.bench.json = that + no declarations or source maps, types ['node'], src/ without the tests, the benchmarks
    // (src/bench/) and connect's test-only helpers (core/mock-gateway.ts, core/test-helpers.ts: only *.test.ts import
    // them). src/version.ts is generated by the build (genversion in prebuild): prep writes it the same way.
    // 18 errors under 6.0.3: 11 TS2307 for the framework adapters' uninstalled optional peers (express, koa, fastify, h3,
    // hono, hono/adapter, next, next/server, react, @sveltejs/kit, @vercel/node) and 7 TS7006 that follow from them
    // (callback parameters of the missing types in fastify.ts and react.ts).
    prep: [
      ['node', '-e', "require('fs').writeFileSync('packages/inngest/src/version.ts', '// Generated by genversion.\\nexport const version = \"4.18.1\";\\n')"],
      ['node', '-e', "require('fs').writeFileSync('packages/inngest/tsconfig.bench.json', JSON.stringify({ extends: './tsconfig.json', compilerOptions: { declaration: false, declarationMap: false, sourceMap: false, types: ['node'] }, include: ['./src/**/*'], exclude: ['./src/**/*.test.ts', './src/test/**', './src/bench/**', './src/components/connect/strategies/core/mock-gateway.ts', './src/components/connect/strategies/core/test-helpers.ts'] }))"],
    ],
    tsconfig: 'packages/inngest/tsconfig.bench.json',
    paths: ['packages/inngest/src'],
  },
  // Held-out projects, round 11 (2026-12-06): measured once at main a539109.
  'amqp-connection-manager': {
    repo: 'https://github.com/jwalton/node-amqp-connection-manager',
    mirror: 'jwalton+node-amqp-connection-manager',
    commit: '1f26c316fbea07952ad6db7a2f9358660440c6eb', // master, 2025-09-29: the newest commit of the fetch mirror's master
    // Only src/ (AmqpConnectionManager: reconnects, round-robin URLs, heartbeats, blocked/unblocked; ChannelWrapper:
    // setup functions, a pending-message queue, publisher confirms, consumers re-created on reconnect) is measured.
    // No lock is committed; the dev dependencies are cut to what src/ needs for its types: @types/amqplib, amqplib
    // (the peer) and @types/node. Jest, eslint 8, semantic-release and typescript 5 are dropped (the script's tsc is 6.0.3).
    install: [
      ['node', '-e', "const f='package.json',p=JSON.parse(require('fs').readFileSync(f));const keep=['@types/amqplib','@types/node','amqplib'];for(const d of Object.keys(p.devDependencies))if(!keep.includes(d))delete p.devDependencies[d];delete p.scripts.prepare;require('fs').writeFileSync(f,JSON.stringify(p,null,2))"],
      [...npmInstall, '--no-package-lock'],
    ],
    // tsconfig.json (src/, strict, ES2018, module es6, node resolution, emits to dist/esm).
    // tsconfig.bench.json = tsconfig.json + noEmit, no source maps, types ['node'], ignoreDeprecations '6.0' (node10
    // resolution). 0 errors under 6.0.3.
    prep: [
      ['node', '-e', "require('fs').writeFileSync('tsconfig.bench.json', JSON.stringify({ extends: './tsconfig.json', compilerOptions: { noEmit: true, sourceMap: false, types: ['node'], ignoreDeprecations: '6.0' } }))"],
    ],
    tsconfig: 'tsconfig.bench.json',
    paths: ['src'],
  },
  'apollo-server': {
    repo: 'https://github.com/apollographql/apollo-server',
    mirror: 'apollographql+apollo-server',
    commit: '4f154060bbe57d3bd612cb09ab63467f319d4ba5', // main (@apollo/server 5.5.1), 2026-05-05: the newest commit of the fetch mirror's main
    // An npm-workspaces monorepo. Only packages/server/src without its tests (__tests__/) is measured: ApolloServer (start,
    // stop, the drain and signal handlers, the schema manager and gateway), the request pipeline, HTTP batching and
    // incremental delivery, the standalone server, and the plugins (usage reporting, schema reporting, drainHttpServer,
    // cache control, inline traces, subscription callbacks). Installed alone: its workspace siblings it imports
    // (@apollo/cache-control-types, @apollo/server-gateway-interface) come from npm at their published versions; its dev
    // dependencies are the root's pinned @types for what src/ imports, graphql 16.11.0 (the peer) and @types/node.
    install: [
      ['node', '-e', "const f='packages/server/package.json',p=JSON.parse(require('fs').readFileSync(f));p.devDependencies={'@types/async-retry':'1.4.9','@types/body-parser':'1.19.6','@types/content-type':'^1.1.9','@types/cors':'2.8.19','@types/express':'5.0.3','@types/express-serve-static-core':'5.0.7','@types/finalhandler':'1.2.4','@types/negotiator':'0.6.4','@types/node':'20.19.11','@types/whatwg-mimetype':'3.0.2',graphql:'16.11.0'};require('fs').writeFileSync(f,JSON.stringify(p,null,2))"],
      ['npm', '--prefix', 'packages/server', 'install', '--no-audit', '--no-fund', '--ignore-scripts', '--no-package-lock'],
    ],
    // tsconfig.json extends tsconfig.base.json (strict, ES2023, esnext, node resolution, composite, types node).
    // tsconfig.bench.json = that, not composite, noEmit, no declarations or source maps, ignoreDeprecations '6.0', no
    // project references (the two siblings are installed). src/generated/packageVersion.ts is written by the build
    // (scripts/precompile.mjs): prep writes it the same way. 1 error under 6.0.3: TS2345 in plugin/inlineTrace/index.ts:136 (Buffer.from of a
    // Uint8Array<ArrayBufferLike>: @types/node 20.19.11's Buffer.from overloads against TypeScript 6's generic Uint8Array).
    prep: [
      ['node', '-e', "require('fs').mkdirSync('packages/server/src/generated',{recursive:true});require('fs').writeFileSync('packages/server/src/generated/packageVersion.ts', 'export const packageVersion = \"5.5.1\";\\n')"],
      ['node', '-e', "require('fs').writeFileSync('packages/server/tsconfig.bench.json', JSON.stringify({ extends: './tsconfig.json', compilerOptions: { composite: false, noEmit: true, declaration: false, declarationMap: false, sourceMap: false, ignoreDeprecations: '6.0' }, include: ['src/**/*'], exclude: ['**/__tests__'] }))"],
    ],
    tsconfig: 'packages/server/tsconfig.bench.json',
    paths: ['packages/server/src'],
  },
  // Held-out projects, round 12 (2026-12-06): measured once at main 1995f89.
  pubsub: {
    repo: 'https://github.com/googleapis/nodejs-pubsub',
    mirror: 'googleapis+nodejs-pubsub',
    commit: '9936e12e27fa776ec45a46f20528705f6e29949e', // main (@google-cloud/pubsub 5.3.0, README deprecation notice), 2026-03-11: the newest commit of the fetch mirror's main
    // Only src/ (PubSub, Topic, Subscription; the publisher: batching queues, ordered queues, flow control; the subscriber:
    // streaming pull (message-stream), lease manager, ack/modack queues, exponential retry; OpenTelemetry tracing; the
    // generated GAPIC clients in src/v1) is measured; protos/protos.{js,d.ts,json} are committed. No lock is committed; the
    // dev dependencies are cut to what src/ needs for its types: gts (tsconfig.json extends gts/tsconfig-google.json),
    // @types/node, @types/extend, @types/lodash.snakecase. google-auth-library is pinned to 10.5.0, the exact version
    // google-gax 5.0.8 depends on: with ^10.5.0 npm installs 10.9.1 beside gax's own 10.5.0, and pubsub.ts:338 hands one's
    // AuthClient to the other's GoogleAuth (TS2345, a protected member). typescript is 6.0.3 instead of ^5.8.3: without it npm
    // installs gts's peer (typescript >=5) as 7.0.2, which the script's tsc would then be (and 7 has no esModuleInterop false).
    install: [
      ['node', '-e', "const f='package.json',p=JSON.parse(require('fs').readFileSync(f));const keep=['@types/extend','@types/lodash.snakecase','@types/node','gts'];for(const d of Object.keys(p.devDependencies))if(!keep.includes(d))delete p.devDependencies[d];p.dependencies['google-auth-library']='10.5.0';p.devDependencies.typescript='6.0.3';require('fs').writeFileSync(f,JSON.stringify(p,null,2))"],
      [...npmInstall, '--no-package-lock'],
    ],
    // tsconfig.json (gts: strict, ES2022, CommonJS, composite; src, test, system-test). tsconfig.bench.json = that over src/
    // (and the JSON it imports) only, no build, types ['node'], and the project's own module semantics: esModuleInterop and
    // allowSyntheticDefaultImports off (TypeScript 6 turns them on, and then each `import * as extend from 'extend'` call
    // is TS2349: 6 errors), the deprecation silenced. 0 errors under 6.0.3.
    prep: [
      ['node', '-e', "require('fs').writeFileSync('tsconfig.bench.json', JSON.stringify({ extends: './tsconfig.json', compilerOptions: { noEmit: true, composite: false, incremental: false, declaration: false, sourceMap: false, types: ['node'], esModuleInterop: false, allowSyntheticDefaultImports: false, ignoreDeprecations: '6.0' }, include: ['src/**/*.ts', 'src/**/*.json', 'protos/protos.json'] }))"],
    ],
    tsconfig: 'tsconfig.bench.json',
    paths: ['src'],
  },
  centrifuge: {
    repo: 'https://github.com/centrifugal/centrifuge-js',
    mirror: 'centrifugal+centrifuge-js',
    commit: 'c9e867858f703ef7e0b4c68e77004b36b3490214', // master (centrifuge 5.7.1), 2026-08-14: the newest commit of the fetch mirror's master
    // Only src/ without its colocated tests (*.test.ts) and the tests' in-process fake server (src/fakeServer.ts) is
    // measured: the Centrifuge client (connect/reconnect with backoff, pings, token refresh, RPC and command batching,
    // transports: WebSocket, HTTP-streaming, SSE, SockJS, WebTransport with fallback), Subscription (subscribe/resubscribe,
    // recovery, token refresh, map and shared-poll subscriptions), the JSON and protobuf codecs. yarn.lock only; npm
    // resolves the package.json ranges. Its dependencies are events and protobufjs; of the dev dependencies (rollup,
    // esbuild, jest, eslint 8, typedoc, the tests' ws/undici/eventsource, typescript 5.9.3) only @types/node is kept.
    install: [
      ['node', '-e', "const f='package.json',p=JSON.parse(require('fs').readFileSync(f));const keep=['@types/node'];for(const d of Object.keys(p.devDependencies))if(!keep.includes(d))delete p.devDependencies[d];delete p.scripts.prepare;require('fs').writeFileSync(f,JSON.stringify(p,null,2))"],
      [...npmInstall, '--no-package-lock'],
    ],
    // tsconfig.json (src/ without the tests and the two browser entries, strict, ES6, node10 resolution, allowJs, types node +
    // jest). tsconfig.bench.json = that + noEmit, no declarations, types ['node'], ignoreDeprecations '6.0' (node10
    // resolution), allowJs off (src/client_proto.js is protobufjs's generated code; its client_proto.d.ts types the imports),
    // the tests and fakeServer.ts excluded, the two browser entry points (browser.ts, browser.protobuf.ts) kept. 0 errors
    // under 6.0.3.
    prep: [
      ['node', '-e', "require('fs').writeFileSync('tsconfig.bench.json', JSON.stringify({ extends: './tsconfig.json', compilerOptions: { noEmit: true, declaration: false, allowJs: false, types: ['node'], ignoreDeprecations: '6.0' }, exclude: ['node_modules', '**/*.test.ts', 'src/fakeServer.ts'] }))"],
    ],
    tsconfig: 'tsconfig.bench.json',
    paths: ['src'],
  },
  // Held-out projects, round 13 (2026-12-06): measured once at main 7116032.
  temporal: {
    repo: 'https://github.com/temporalio/sdk-typescript',
    mirror: 'temporalio+sdk-typescript',
    commit: 'cd60591ca9b97dc919bd4987e9ff59f469b10609', // main (packages at 1.22.0, "Mark Nexus as GA"), 2026-08-07: the newest commit of the fetch mirror's main
    // A pnpm-workspaces monorepo. Only packages/worker/src (Worker: the Rust core bridge's poll loops for workflow, activity
    // and Nexus tasks as rxjs pipelines, shutdown and drain, the workflow runners: reusable VM / thread pool, the webpack
    // bundler; activities with heartbeats and cancellation; runtime and native connection) and packages/client/src
    // (Connection over grpc-js, WorkflowClient, schedules, task queues, async completion, interceptors) are measured, without
    // tests (they live in packages/test). The workspace siblings it imports (common, proto, core-bridge, workflow, activity,
    // nexus, client) are not built here: proto needs protos generated from the sdk-core submodule (absent from the mirror) and
    // core-bridge a Rust build. They come from npm at 1.22.0, the version the sources carry, with the native module's
    // install script skipped: the root package.json is replaced by one that depends on them, on worker's and client's
    // third-party dependencies, @types/node 20, @types/supports-color, @tsconfig/node20 and typescript 6.0.3.
    install: [
      ['node', '-e', "const fs=require('fs'),v='1.22.0',w=JSON.parse(fs.readFileSync('packages/worker/package.json')),c=JSON.parse(fs.readFileSync('packages/client/package.json')),d={};for(const [k,x] of Object.entries({...c.dependencies,...w.dependencies}))d[k]=x.startsWith('workspace:')?v:x;d['@temporalio/client']=v;fs.writeFileSync('package.json',JSON.stringify({name:'temporal-bench',private:true,dependencies:d,devDependencies:{'@types/node':'^20.19.39','@types/supports-color':'^8.1.3','@tsconfig/node20':'^20.1.4',typescript:'6.0.3'}},null,2));fs.rmSync('pnpm-workspace.yaml');fs.rmSync('pnpm-lock.yaml')"],
      [...npmInstall, '--no-package-lock'],
    ],
    // tsconfig.base.json (@tsconfig/node20: strict, ES2022; commonjs, node resolution, composite, experimentalDecorators,
    // noUncheckedIndexedAccess); each package's tsconfig.json extends it with resolveJsonModule and project references.
    // tsconfig.bench.json = the base over packages/{worker,client}/src, not composite or incremental, noEmit, no source
    // maps, resolveJsonModule, types ['node'], ignoreDeprecations '6.0' (node10 resolution), no references (the siblings are
    // installed). 6 errors under 6.0.3, all @types/node 20's Buffer/Transferable typings against TypeScript
    // 6's generic Uint8Array<ArrayBufferLike> (as apollo-server's): TS2345 worker/src/utils.ts:11, worker.ts:1345; TS2769
    // worker.ts:1971, :2033 (Buffer.from of a Uint8Array); TS2322 workflow/threaded-vm.ts:164, workflow-worker-thread.ts:155.
    prep: [
      ['node', '-e', "require('fs').writeFileSync('tsconfig.bench.json', JSON.stringify({ extends: './tsconfig.base.json', compilerOptions: { composite: false, incremental: false, noEmit: true, sourceMap: false, resolveJsonModule: true, types: ['node'], ignoreDeprecations: '6.0' }, include: ['packages/worker/src/**/*.ts', 'packages/client/src/**/*.ts'] }))"],
    ],
    tsconfig: 'tsconfig.bench.json',
    paths: ['packages/worker/src', 'packages/client/src'],
  },
  realtime: {
    repo: 'https://github.com/supabase/realtime-js',
    mirror: 'supabase+realtime-js',
    commit: '41a65b08074b8d531268e2d38792ff1e4fd28906', // master ("chore: add deprecation notice": moved into supabase-js's monorepo), 2025-10-02: the newest commit of the fetch mirror's master
    // Only src/ is measured: RealtimeClient (the Phoenix socket: connect/reconnect with backoff timer, heartbeats, optionally
    // in a Web Worker, access-token refresh, the send buffer), RealtimeChannel (join/leave, postgres changes, broadcast over
    // the socket or HTTP, presence), Push (a message awaiting its reply, with a timeout), the WebSocket factory. Its
    // dependencies are @supabase/node-fetch, ws, @types/ws and @types/phoenix; of the dev dependencies (vitest, jsdom,
    // eslint, typedoc, mock-socket, typescript 5) only typescript is kept, pinned to 6.0.3, and @types/node is added.
    install: [
      ['node', '-e', "const f='package.json',p=JSON.parse(require('fs').readFileSync(f));p.devDependencies={'@types/node':'^20.19.0',typescript:'6.0.3'};require('fs').writeFileSync(f,JSON.stringify(p,null,2))"],
      [...npmInstall, '--no-package-lock'],
    ],
    // tsconfig.json (src/, strict, ES2017, CommonJS, node10 resolution, esModuleInterop). tsconfig.bench.json = that + noEmit,
    // no declarations or source maps, types ['node'], ignoreDeprecations '6.0'. 0 errors under 6.0.3.
    prep: [
      ['node', '-e', "require('fs').writeFileSync('tsconfig.bench.json', JSON.stringify({ extends: './tsconfig.json', compilerOptions: { noEmit: true, declaration: false, declarationMap: false, sourceMap: false, types: ['node'], ignoreDeprecations: '6.0' } }))"],
    ],
    tsconfig: 'tsconfig.bench.json',
    paths: ['src'],
  },
  // Held-out projects, round 14 (2026-12-07): measured once at branch s15's 6824956 (checkSyncThrows off by default).
  rabbitmq: {
    repo: 'https://github.com/cody-greene/node-rabbitmq-client',
    mirror: 'cody-greene+node-rabbitmq-client',
    commit: '2729343807acedde3ac0b80adc2fc5c5b5d3f2a0', // master (5.0.8 + a README update), 2026-03-03: the newest commit of the fetch mirror's master
    // Only src/ is measured, without the typedoc plugin (src/typedoc-plugin-versions.ts, which tsconfig.build.json excludes
    // too): Connection (the AMQP 0-9-1 socket: connect/reconnect with backoff over a host list, heartbeats, frame reading,
    // the channel pool, lazy acquire), Channel (RPCs awaiting their reply, publisher confirms, consumers), Consumer (the
    // auto-reconnecting consumer with its concurrency and requeue), RPCClient, the Publisher, the codec. It has no runtime
    // dependencies; of the dev dependencies (eslint 9, tinybench, ts-node, typedoc, typescript 5.5.4) only @types/node 18
    // is kept, and typescript is pinned to 6.0.3.
    install: [
      ['node', '-e', "const f='package.json',p=JSON.parse(require('fs').readFileSync(f));p.devDependencies={'@types/node':p.devDependencies['@types/node'],typescript:'6.0.3'};require('fs').writeFileSync(f,JSON.stringify(p,null,2))"],
      [...npmInstall, '--no-package-lock'],
    ],
    // tsconfig.json (strict, ES2022, CommonJS, lib es2023, downlevelIteration, types node). tsconfig.bench.json = that over
    // src/*.ts without the typedoc plugin, noEmit, no declarations, types ['node'], ignoreDeprecations '6.0'
    // (downlevelIteration) and strictBuiltinIteratorReturn off: the project is written for TypeScript 5.5 (its lock file),
    // which has no such option; under 6.0.3's strict it is on and `const [tag, dfd] = map.entries().next().value`
    // (Channel.ts:217) is TS2488. 0 errors under 6.0.3.
    prep: [
      ['node', '-e', "require('fs').writeFileSync('tsconfig.bench.json', JSON.stringify({ extends: './tsconfig.json', compilerOptions: { noEmit: true, declaration: false, types: ['node'], strictBuiltinIteratorReturn: false, ignoreDeprecations: '6.0' }, include: ['src/*.ts'], exclude: ['src/typedoc-plugin-*.ts'] }))"],
    ],
    tsconfig: 'tsconfig.bench.json',
    paths: ['src'],
  },
  jsonrpc: {
    repo: 'https://github.com/microsoft/vscode-languageserver-node',
    mirror: 'microsoft+vscode-languageserver-node',
    commit: '0da5527ddf79ec7b10c953a1b1e6e007c9678326', // main ("Merge latest release into main (#1817)", vscode-jsonrpc 9.0.1), 2026-07-01: the newest commit of the fetch mirror's main
    // A monorepo (types, jsonrpc, protocol, server, client, ...). Only the vscode-jsonrpc package's jsonrpc/src/common and
    // jsonrpc/src/node are measured, without their tests (src/*/test) and without the browser folder: the JSON-RPC
    // connection (request/response with cancellation, the request and notification queue processed by a timer, trace,
    // dispose, the handlers' results), the stream/IPC/socket/pipe message readers and writers (chunking, partial-message
    // timers, a semaphore serialising writes), cancellation tokens (also over SharedArrayBuffer), events, the node RIL
    // (timers, message buffers) and the node transports (IPC, sockets, named pipes). The package has no runtime
    // dependencies; the root package.json (eslint 10, mocha, playwright, webpack, its postinstall that installs every
    // package) is replaced by one with @types/node 22.13.14 and typescript 6.0.3, the versions the root lock file pins.
    install: [
      ['node', '-e', "const fs=require('fs');fs.writeFileSync('package.json',JSON.stringify({name:'jsonrpc-bench',private:true,devDependencies:{'@types/node':'22.13.14',typescript:'6.0.3'}},null,2));fs.rmSync('package-lock.json')"],
      [...npmInstall, '--no-package-lock'],
    ],
    // jsonrpc/src/node/tsconfig.json (strict, noImplicitReturns, noUnusedLocals/Parameters, ES2022, node16 module and
    // resolution, lib es2023, types node, composite, a reference to ../common). tsconfig.bench.json = that over
    // jsonrpc/src/{common,node}/*.ts (the tests are in subfolders), rootDir jsonrpc/src, not composite or incremental, noEmit,
    // no declarations or source maps, no references. 1 error under 6.0.3, @types/node's Buffer typings against TypeScript
    // 6's generic Uint8Array<ArrayBufferLike> (as temporal's and apollo-server's): TS2345 jsonrpc/src/node/ril.ts:39
    // (Buffer.from of a Uint8Array).
    prep: [
      ['node', '-e', "require('fs').writeFileSync('tsconfig.bench.json', JSON.stringify({ extends: './jsonrpc/src/node/tsconfig.json', compilerOptions: { rootDir: 'jsonrpc/src', composite: false, incremental: false, noEmit: true, declaration: false, declarationMap: false, sourceMap: false, types: ['node'] }, include: ['jsonrpc/src/common/*.ts', 'jsonrpc/src/node/*.ts'], exclude: [], references: [] }))"],
    ],
    tsconfig: 'tsconfig.bench.json',
    paths: ['jsonrpc/src/common', 'jsonrpc/src/node'],
  },
  // Held-out projects, round 15 (2026-12-07): measured once at main 36307d1 (checkSyncThrows off by default).
  'elastic-transport': {
    repo: 'https://github.com/elastic/elastic-transport-js',
    mirror: 'elastic+elastic-transport-js',
    commit: '167cdd86c65755460ed16f304afc9ecb18bcbdda', // main ("chore(deps): update actions/checkout digest to fbc6f39 (#407)", @elastic/transport 9.4.0), 2026-08-03: the newest commit of the fetch mirror's main
    // Only src/ is measured: Transport (request with retries, timeouts and abort, sniffing on start/interval/fault,
    // compression, the product check), the connections (the undici and the http ones: sockets, timeouts, abort, stream
    // bodies), the connection pools (weighted, cluster with resurrection, cloud), the middleware engine (OpenTelemetry,
    // product check), the diagnostic events, the serializer. Its dependencies (undici 7, @opentelemetry/api and core, debug,
    // hpagent, ms, secure-json-parse, tslib) are kept; of the dev dependencies (tap, ts-standard, mitata, proxy, stoppable,
    // sinon fake timers, typescript 5.9.3, ...) only @types/node 22.17.1, @types/debug and @types/ms are kept, and
    // typescript is pinned to 6.0.3.
    install: [
      ['node', '-e', "const f='package.json',p=JSON.parse(require('fs').readFileSync(f));p.devDependencies={'@types/debug':p.devDependencies['@types/debug'],'@types/ms':p.devDependencies['@types/ms'],'@types/node':p.devDependencies['@types/node'],typescript:'6.0.3'};require('fs').writeFileSync(f,JSON.stringify(p,null,2))"],
      [...npmInstall, '--no-package-lock'],
    ],
    // tsconfig.json (src/**/*.ts, strict, noUnusedLocals, ES2019, CommonJS, node10 resolution, lib esnext + dom,
    // importHelpers). scripts/generate-version.js writes src/version.generated.ts (the build's prebuild step; Transport.ts
    // and OpenTelemetry.ts import it). tsconfig.bench.json = that + noEmit, no declarations or source maps, types ['node'],
    // ignoreDeprecations '6.0' (node10 resolution). 0 errors under 6.0.3.
    prep: [
      ['node', 'scripts/generate-version.js'],
      ['node', '-e', "require('fs').writeFileSync('tsconfig.bench.json', JSON.stringify({ extends: './tsconfig.json', compilerOptions: { noEmit: true, declaration: false, sourceMap: false, types: ['node'], ignoreDeprecations: '6.0' } }))"],
    ],
    tsconfig: 'tsconfig.bench.json',
    paths: ['src'],
  },
  ably: {
    repo: 'https://github.com/ably/ably-js',
    mirror: 'ably+ably-js',
    commit: '7fa7dc5993af3b67ab05fea2b6a242f729d9088f', // main ("Merge pull request #2282 from ably/DX-1211/rest-see-links", ably 2.26.0), 2026-08-03: the newest commit of the fetch mirror's main
    // Only src/common and src/platform/nodejs are measured (not the tests, not the web/react-native/react-hooks platforms,
    // not the push and liveobjects plugins, which the measured files import and type-check with): the realtime client
    // (ConnectionManager: transports, connect/reconnect with retry timers, the connection state machine, idle and
    // suspended timers, pending messages and their acks), the realtime channels (attach/detach with timeouts,
    // presence, annotations), the REST client (HTTP with host fallback, auth and token renewal, paginated resources),
    // the event emitter, the message encoding, and the node platform (the got-based HTTP requests, the ws WebSocket
    // transport, crypto). Its dependencies (@ably/msgpack-js, dequal, fastestsmallesttextencoderdecoder, got 11, ulid, ws)
    // are kept, its react peer dependencies are dropped; of the dev dependencies (mocha, grunt, webpack, esbuild,
    // playwright, eslint 7, typescript 4.9, ...) only @types/node 18, @types/ws and tslib are kept, and typescript is
    // pinned to 6.0.3; the lock file is removed.
    install: [
      ['node', '-e', "const f='package.json',p=JSON.parse(require('fs').readFileSync(f));p.devDependencies={'@types/node':p.devDependencies['@types/node'],'@types/ws':p.devDependencies['@types/ws'],tslib:p.devDependencies.tslib,typescript:'6.0.3'};delete p.peerDependencies;delete p.peerDependenciesMeta;require('fs').writeFileSync(f,JSON.stringify(p,null,2));require('fs').rmSync('package-lock.json')"],
      [...npmInstall, '--no-package-lock'],
    ],
    // tsconfig.json (src, test, scripts and the .d.ts files; strict, ES2017, CommonJS, node10 resolution, lib ES2017 + DOM +
    // webworker, baseUrl src). tsconfig.bench.json = that over src/common, src/platform/nodejs, ably.d.ts and modular.d.ts,
    // noEmit, types ['node'], ignoreDeprecations '6.0' (node10 resolution, baseUrl). 5 errors under 6.0.3, all typings of
    // ArrayBuffer/Buffer against TypeScript 6's generic Uint8Array<ArrayBufferLike> and its DOM BufferSource: TS2322
    // platform/nodejs/config.ts:23 (a Promise<Buffer> as Promise<ArrayBuffer>), platform/nodejs/lib/util/bufferutils.ts:49;
    // TS2345 platform/web/lib/util/bufferutils.ts:200, :220, :225 (imported by common, not measured).
    prep: [
      ['node', '-e', "require('fs').writeFileSync('tsconfig.bench.json', JSON.stringify({ extends: './tsconfig.json', compilerOptions: { noEmit: true, types: ['node'], ignoreDeprecations: '6.0' }, include: ['src/common/**/*', 'src/platform/nodejs/**/*', 'ably.d.ts', 'modular.d.ts'], exclude: [] }))"],
    ],
    tsconfig: 'tsconfig.bench.json',
    paths: ['src/common', 'src/platform/nodejs'],
  },
  // Held-out round 16 (2026-12-07). nestjs/nest was the first choice, but its snapshot (579 MB) is larger than the fetch
  // tool brings (524 MB); colyseus is the first fallback.
  hocuspocus: {
    repo: 'https://github.com/ueberdosis/hocuspocus',
    mirror: 'ueberdosis+hocuspocus',
    commit: '3ec608445b8e024e15759504cca9ff1f7b09edf8', // main ("build(deps): bump pnpm/action-setup from 5 to 6.0.9 (#1131)", 4.5.0), 2026-08-08: the newest commit of the fetch mirror's main
    // Only packages/server/src and packages/provider/src are measured (packages/common/src type-checks with them, not
    // measured; not the extensions, the tests, the playground): the server (Hocuspocus: the document lifecycle, the
    // debounced onStoreDocument with maxDebounce, loading with the hook chain, unloading; ClientConnection: the queued
    // messages until authentication, the hook chains, the timeout; Connection and Document: awareness, broadcast,
    // the mutex around saving; Server: the crossws node adapter on http), the provider (HocuspocusProviderWebsocket:
    // connect with @lifeomic/attempt retries, the connection timeout checker, the message queue, reconnect; the
    // HocuspocusProvider: sync, awareness, authentication, unsynced changes). A pnpm workspace (pnpm-lock only): the root
    // package.json's dependencies become the runtime dependencies and peer dependencies of common, server and provider
    // (lib0, async-mutex, crossws, kleur, @lifeomic/attempt, yjs, y-protocols; not the workspace:^ ones, which tsconfig
    // paths resolve to the sources); of the root dev dependencies (biome, ava, lerna, nx, rolldown, @types/bun,
    // typescript 5.8.2) none is kept: @types/node 22.19.11 (what the lock's @types/bun resolves to) and tslib 2.8.1
    // (importHelpers) are added, and typescript is pinned to 6.0.3.
    install: [
      ['node', '-e', "const fs=require('fs'),r=f=>JSON.parse(fs.readFileSync(f)),p=r('package.json'),d={};for(const n of ['common','server','provider']){const q=r('packages/'+n+'/package.json');for(const [k,v] of Object.entries({...q.dependencies,...q.peerDependencies}))if(!v.startsWith('workspace:'))d[k]=v}p.dependencies=d;p.devDependencies={'@types/node':'22.19.11',tslib:'2.8.1',typescript:'6.0.3'};delete p.packageManager;fs.writeFileSync('package.json',JSON.stringify(p,null,2))"],
      [...npmInstall, '--no-package-lock'],
    ],
    // tsconfig.json (every .ts/.tsx of the repository; strict, ES2019, module esnext, node10 resolution, lib esnext + dom,
    // baseUrl '.', paths @hocuspocus/* -> packages/*/src/index.ts, importHelpers, verbatimModuleSyntax, noEmit).
    // tsconfig.bench.json = that over packages/server/src, packages/provider/src and packages/common/src, no source maps,
    // types ['node'], ignoreDeprecations '6.0' (node10 resolution, baseUrl). 0 errors under 6.0.3.
    prep: [
      ['node', '-e', "require('fs').writeFileSync('tsconfig.bench.json', JSON.stringify({ extends: './tsconfig.json', compilerOptions: { noEmit: true, sourceMap: false, types: ['node'], ignoreDeprecations: '6.0' }, include: ['packages/server/src/**/*', 'packages/provider/src/**/*', 'packages/common/src/**/*'], exclude: [] }))"],
    ],
    tsconfig: 'tsconfig.bench.json',
    paths: ['packages/server/src', 'packages/provider/src'],
  },
  colyseus: {
    repo: 'https://github.com/colyseus/colyseus',
    mirror: 'colyseus+colyseus',
    commit: 'b21f542331ad40be6b16711dfe0560378f2622eb', // master ("fix(core): defineServer() now configures Redis on Colyseus Cloud", @colyseus/core 0.17.43), 2026-05-01: the newest commit of the fetch mirror's master
    // Only packages/core/src is measured (not the transports, drivers, presences, SDK, tools, tests): the Room (the
    // lifecycle: onCreate/onJoin/onLeave/onDispose hooks, seat reservations with their timeouts, reconnection tokens
    // with allowReconnection's deferred, the patch and simulation intervals, auto-dispose, locking), the MatchMaker
    // (create/join/reserve seats through the presence and the driver, remote room calls over IPC with timeouts,
    // graceful shutdown, healthchecks), the IPC request/response over presence pub/sub, the LocalPresence, the
    // LocalDriver, the lobby and queue rooms, the router (better-call endpoints on node http), Server.
    // A pnpm workspace (pnpm-lock only): the root package.json's dependencies become packages/core's runtime
    // dependencies that are not workspace:^ (@colyseus/msgpackr, @colyseus/timer, @standard-schema/spec, debug, nanoid),
    // plus its peer dependencies @colyseus/schema and @pm2/io (Stats.ts imports it dynamically) and @colyseus/better-call
    // 1.3.3 from npm (the workspace has it as a git submodule, packages/better-call, absent from the mirror; 1.0.25 and
    // 1.2.1 lack EndpointHandler, addEndpoint or findRoute, which core uses); @colyseus/shared-types and
    // @colyseus/greeting-banner (workspace packages) and @colyseus/core itself are resolved to their sources by tsconfig
    // paths. Of the root dev dependencies (mocha, sinon, esbuild, tsx, express, ...) only @types/debug, @types/express and
    // @types/node are kept, and typescript is pinned to 6.0.3; the root scripts (preinstall runs git submodule update)
    // are dropped.
    install: [
      ['node', '-e', "const fs=require('fs'),r=f=>JSON.parse(fs.readFileSync(f)),p=r('package.json'),c=r('packages/core/package.json'),d={};for(const [k,v] of Object.entries(c.dependencies))if(!v.startsWith('workspace:'))d[k]=v;d['@colyseus/better-call']='1.3.3';d['@colyseus/schema']=c.peerDependencies['@colyseus/schema'];d['@pm2/io']=c.peerDependencies['@pm2/io'];p.dependencies=d;p.devDependencies={'@types/debug':p.devDependencies['@types/debug'],'@types/express':p.devDependencies['@types/express'],'@types/node':p.devDependencies['@types/node'],typescript:'6.0.3'};delete p.scripts;delete p.packageManager;fs.writeFileSync('package.json',JSON.stringify(p,null,2))"],
      [...npmInstall, '--no-package-lock'],
    ],
    // tsconfig.json (extends tsconfig/tsconfig.all.json: strict but strictNullChecks and noImplicitAny off, ESNext,
    // NodeNext, lib ESNext, erasableSyntaxOnly, verbatimModuleSyntax, declarations to ../build; customConditions
    // ['@source']). tsconfig.bench.json = that over packages/core/src, noEmit, no source maps, types ['node'], paths for
    // @colyseus/core, @colyseus/shared-types and @colyseus/greeting-banner to their src/index.ts. 2 errors under 6.0.3,
    // both TS2307 at the dynamic import()s of the optional workspace packages @colyseus/redis-presence
    // (utils/Env.ts:21) and @colyseus/redis-driver (utils/Env.ts:37), which are not installed (their modules are any).
    prep: [
      ['node', '-e', "require('fs').writeFileSync('tsconfig.bench.json', JSON.stringify({ extends: './tsconfig.json', compilerOptions: { noEmit: true, sourceMap: false, inlineSources: false, types: ['node'], paths: { '@colyseus/core': ['./packages/core/src/index.ts'], '@colyseus/shared-types': ['./packages/shared-types/src/index.ts'], '@colyseus/greeting-banner': ['./packages/greeting-banner/src/index.ts'] } }, include: ['packages/core/src/**/*'], exclude: [] }))"],
    ],
    tsconfig: 'tsconfig.bench.json',
    paths: ['packages/core/src'],
  },
  tus: {
    repo: 'https://github.com/tus/tus-node-server',
    mirror: 'tus+tus-node-server',
    commit: 'fdd8cc78946e4378624394d96d134d5ce631fb68', // main ("@tus/server: validate proposed merges in CI (#862)", @tus/server 2.4.3), 2026-07-30: the newest commit of the fetch mirror's main
    // packages/server/src, packages/s3-store/src, packages/file-store/src and packages/utils/src are measured, without
    // their src/test folders (not the azure and gcs stores, not test/): the server (Server: the srvx/node request
    // handling with the per-request CancellationContext and its abort/lock release; the handlers: POST with
    // creation-with-upload, PATCH with the StreamLimiter and the locker, HEAD, GET, DELETE, OPTIONS; the MemoryLocker
    // with its acquire timeout and cancel requests), the S3 store (multipart uploads through @aws-sdk/client-s3, the
    // StreamSplitter chunks and their concurrent part uploads under a Semaphore, incomplete parts, the expiration
    // cleanup), the file store (fs streams, the KV config stores), utils (DataStore, StreamSplitter, StreamLimiter, the
    // file, memory, redis and ioredis KV stores). An npm workspace: the root package.json loses its workspaces and
    // scripts and gets the four packages' dependencies and optional dependencies that are not @tus/* (plus ioredis, which
    // utils' IoRedisKvStore imports but lists as a dev dependency) at the versions package-lock.json resolves them to;
    // of the dev dependencies only their @types/* are kept (at the lock's versions), and typescript is pinned to 6.0.3.
    install: [
      ['node', '-e', "const fs=require('fs'),r=f=>JSON.parse(fs.readFileSync(f)),p=r('package.json'),l=r('package-lock.json').packages,v=k=>l['node_modules/'+k].version,d={},t={};for(const n of ['server','s3-store','file-store','utils']){const q=r('packages/'+n+'/package.json');for(const k of Object.keys({...q.dependencies,...q.optionalDependencies}))if(!k.startsWith('@tus/'))d[k]=v(k);for(const k of Object.keys(q.devDependencies??{}))if(k.startsWith('@types/')&&!/mocha|sinon|supertest/.test(k))t[k]=v(k)}d.ioredis=v('ioredis');p.dependencies=d;p.devDependencies={...t,typescript:'6.0.3'};delete p.workspaces;delete p.scripts;fs.writeFileSync('package.json',JSON.stringify(p,null,2))"],
      [...npmInstall, '--no-package-lock'],
    ],
    // tsconfig.base.json (strict, es2022, module NodeNext, composite, declarations, useUnknownInCatchVariables off,
    // skipLibCheck); each package's tsconfig extends it over its src with project references to @tus/utils.
    // tsconfig.bench.json = the base over the four src folders without src/test, not composite, noEmit, no
    // declarations or source maps, types ['node'], paths @tus/utils -> packages/utils/src/index.ts.
    prep: [
      ['node', '-e', "require('fs').writeFileSync('tsconfig.bench.json', JSON.stringify({ extends: './tsconfig.base.json', compilerOptions: { composite: false, noEmit: true, declaration: false, declarationMap: false, sourceMap: false, types: ['node'], paths: { '@tus/utils': ['./packages/utils/src/index.ts'] } }, include: ['packages/server/src', 'packages/s3-store/src', 'packages/file-store/src', 'packages/utils/src'], exclude: ['packages/*/src/test'] }))"],
    ],
    tsconfig: 'tsconfig.bench.json',
    paths: ['packages/server/src', 'packages/s3-store/src', 'packages/file-store/src', 'packages/utils/src'],
  },
  'matrix-js-sdk': {
    repo: 'https://github.com/matrix-org/matrix-js-sdk',
    mirror: 'matrix-org+matrix-js-sdk',
    commit: '8fec0cb6408dbe4c2ef871be16a4309ced01579d', // develop ("Update npm non-major dependencies (#5447)"), 2026-07-24: the newest commit of the fetch mirror's default branch
    // src/ has 226 files (2.8 MB), too much to judge in one round: a coherent part is measured, src/matrixrtc (the
    // MatrixRTC layer: MatrixRTCSession and its manager, the MembershipManager's action scheduler with its delayed
    // events, retries and timers, the encryption managers and the to-device key transport) and src/http-api (the fetch
    // layer: requests with timeouts and abort signals, the access-token refresh, errors); the rest of src/ is
    // type-checked with them, not measured. pnpm-lock only: the runtime dependencies are kept (package.json's ranges),
    // of the dev dependencies only @types/debug 4.1.13, @types/node 22.20.1 and @types/sdp-transform 3.0.0 (the lock's
    // versions), and typescript is pinned to 6.0.3; the scripts (prepare runs husky) and devEngines (pnpm, which npm
    // refuses) are dropped.
    install: [
      ['node', '-e', "const fs=require('fs'),p=JSON.parse(fs.readFileSync('package.json'));p.devDependencies={'@types/debug':'4.1.13','@types/node':'22.20.1','@types/sdp-transform':'3.0.0',typescript:'6.0.3'};delete p.scripts;delete p.packageManager;delete p.devEngines;fs.writeFileSync('package.json',JSON.stringify(p,null,2))"],
      [...npmInstall, '--no-package-lock'],
    ],
    // tsconfig.json (strict, es2022, module preserve, bundler resolution, allowImportingTsExtensions, lib es2024 + dom,
    // noEmit, types vitest/globals + node, over src and spec). tsconfig.bench.json = that over src only, types ['node'].
    prep: [
      ['node', '-e', "require('fs').writeFileSync('tsconfig.bench.json', JSON.stringify({ extends: './tsconfig.json', compilerOptions: { noEmit: true, types: ['node'], paths: {} }, include: ['./src/**/*.ts'], exclude: [] }))"],
    ],
    tsconfig: 'tsconfig.bench.json',
    paths: ['src/matrixrtc', 'src/http-api'],
  },
  // Held-out round 18 (2026-12-07): grammY and chokidar, the first two candidates of the brief that fetched, installed and
  // type-checked.
  grammy: {
    repo: 'https://github.com/grammyjs/grammY',
    mirror: 'grammyjs+grammY',
    commit: '99c780f41679598986f1ff178f6265efa95a3121', // main ("docs: add @roshda as a contributor for code, and test (#946)", grammy 1.45.1), 2026-08-15: the newest commit of the fetch mirror's main
    // src/ is measured, its Node.js build (not the *.web.ts files, not test/): the Bot (long polling with getUpdates
    // retries and backoff, handleUpdate with its webhook reply envelope, init/start/stop, the error boundary), the
    // Composer's middleware tree (fork, lazy, branch, errorBoundary), the Context's API shortcuts, the core client (the
    // ApiClient: fetch through node-fetch with a timeout and abort signals, the transformers, the payload streaming of
    // InputFiles), webhookCallback with its timeout, the session plugin (lazy sessions, storage adapters, enhanced
    // storage), the framework adapters. A Deno-first repository: the sources import "./platform.deno.ts" and
    // "./types.deno.ts", which deno2node (the npm build) swaps for their *.node.ts variants; the prep does the same by
    // copying src/platform.node.ts and src/types.node.ts over the *.deno.ts files, which the measured set then holds (the
    // *.node.ts originals are left out so that each is measured once). The dependencies are kept; of the dev
    // dependencies the @types/* are kept (@types/node 12) and deno2node (ts-morph) is replaced by typescript 6.0.3.
    install: [
      ['node', '-e', "const fs=require('fs'),p=JSON.parse(fs.readFileSync('package.json'));p.devDependencies={'@types/debug':p.devDependencies['@types/debug'],'@types/node':p.devDependencies['@types/node'],'@types/node-fetch':p.devDependencies['@types/node-fetch'],typescript:'6.0.3'};delete p.scripts;fs.writeFileSync('package.json',JSON.stringify(p,null,2))"],
      [...npmInstall, '--no-package-lock'],
    ],
    // tsconfig.json (src/ without *.web.ts; strict, es2019, CommonJS, node10 resolution, skipLibCheck, declarations).
    // tsconfig.bench.json = that + noEmit, no declarations, allowImportingTsExtensions (the .ts specifiers), types
    // ['node'], ignoreDeprecations '6.0' (node10 resolution), without src/*.node.ts. 1 error under 6.0.3: TS2345
    // src/core/client.ts:320, the global fetch is typed by lib.dom (deno2node's shim imports node-fetch's fetch into the
    // files that use it, which the prep does not do), and lib.dom's BodyInit has no stream.Readable.
    prep: [
      ['cp', 'src/platform.node.ts', 'src/platform.deno.ts'],
      ['cp', 'src/types.node.ts', 'src/types.deno.ts'],
      ['node', '-e', "require('fs').writeFileSync('tsconfig.bench.json', JSON.stringify({ extends: './tsconfig.json', compilerOptions: { noEmit: true, declaration: false, allowImportingTsExtensions: true, types: ['node'], ignoreDeprecations: '6.0' }, exclude: ['src/*.web.ts', 'src/*.node.ts'] }))"],
    ],
    tsconfig: 'tsconfig.bench.json',
    paths: ['src'],
  },
  chokidar: {
    repo: 'https://github.com/paulmillr/chokidar',
    mirror: 'paulmillr+chokidar',
    commit: '0bc7bed37d6b018e5b11afcce329bbf797d6441f', // main ("fix: unwatch deleted watched directory on Windows (#1467)", chokidar 5.0.0), 2026-07-06: the newest commit of the fetch mirror's main
    // src/index.ts and src/handler.ts are measured (not src/index.test.ts): the FSWatcher (add/unwatch/close with the
    // pending closers, the readdirp directory walks, the awaitWriteFinish polling with its timers, the atomic-write and
    // throttle timers, the ready counting, _emit with its stat calls), the NodeFsHandler (fs.watch and fs.watchFile
    // listeners shared between watchers, symlink resolution, the directory reads and re-reads). package-lock.json
    // (typescript 6.0.3 is a dev dependency).
    install: [npmCi],
    // tsconfig.json (extends @paulmillr/jsbt's: strict, es2022, module node16, lib es2022 + dom, declarations with
    // isolatedDeclarations, verbatimModuleSyntax, allowImportingTsExtensions). tsconfig.bench.json = that + noEmit, no
    // declarations, without src/index.test.ts. 0 errors under 6.0.3.
    prep: [
      ['node', '-e', "require('fs').writeFileSync('tsconfig.bench.json', JSON.stringify({ extends: './tsconfig.json', compilerOptions: { noEmit: true, declaration: false, isolatedDeclarations: false }, exclude: ['node_modules', 'src/index.test.ts'] }))"],
    ],
    tsconfig: 'tsconfig.bench.json',
    paths: ['src'],
  },
  // Held-out round 19 (2026-12-07): js-libp2p's libp2p package and kysely's runtime layer. Of the brief's candidates,
  // telegraf (48a475d, the mirror's v4) installed but type-checked with 2 errors under TypeScript 6.0.3 (TS2322,
  // src/context.ts:1537 and :1540, type predicates no longer inferred for its has()/msg guards) and puppeteer's snapshot
  // was too large for the fetch tool: libp2p and kysely are the next two.
  libp2p: {
    repo: 'https://github.com/libp2p/js-libp2p',
    mirror: 'libp2p+js-libp2p',
    commit: '59ccecc405e49b81ade4218b84a16c036b340b61', // main ("chore: release main (#3588)", libp2p 3.x), 2026-07-30: the newest commit of the fetch mirror's main
    // packages/libp2p/src is measured (not its test/, not the *.browser.ts and *.react-native.ts variants): the Libp2p node
    // (start/stop, dial, handle), the connection manager (dial queue with per-peer dedupe, abort signals and timeouts,
    // the connection pruner, the reconnect queue), the upgrader (encryption and muxer negotiation under a deadline), the
    // transport manager (listen, dial, shutdown), the registrar and its topology callbacks, the address manager, the
    // connection monitor (pings on an interval), the random walk, peer and content routing, the Connection wrapper. An npm
    // workspaces monorepo whose packages build from TypeScript into dist/: installing the root would mean building every
    // package. Instead the package is installed alone against the registry: the root's `workspaces` is dropped (so npm
    // does not hoist into the root), packages/libp2p's dev dependencies are replaced by typescript 6.0.3 and @types/node
    // 22, and its @libp2p/* dependencies are pinned (dependencies and overrides) to the versions their folders hold at
    // this commit, since the newest published @libp2p/interface (3.4.0) has API the sources do not implement yet
    // (Libp2p.use/unuse overloads: 3 errors). The other dependencies resolve their ranges (no lock file is used).
    install: [
      ['npm', 'pkg', 'delete', 'workspaces'],
      ['node', '-e', "const fs=require('fs'),f='packages/libp2p/package.json',p=JSON.parse(fs.readFileSync(f));const pin={};for(const d of ['crypto','interface','interface-internal','logger','multistream-select','peer-collections','peer-id','peer-store','utils']){const j=JSON.parse(fs.readFileSync('packages/'+d+'/package.json'));pin[j.name]=j.version;p.dependencies[j.name]=j.version}p.overrides=pin;p.devDependencies={typescript:'6.0.3','@types/node':'^22.0.0'};delete p.scripts;fs.writeFileSync(f,JSON.stringify(p,null,2))"],
      [...npmInstall, '--no-package-lock', '--prefix', 'packages/libp2p'],
    ],
    // Its tsconfig.json extends aegir's (a dev dependency not installed) and references the sibling packages.
    // packages/libp2p/tsconfig.bench.json stands alone with aegir's settings that matter: strict, ES2023 target and lib
    // (+ DOM), module and resolution NodeNext, skipLibCheck, noEmit, allowImportingTsExtensions (the sources import
    // ".ts"), types ['node'], src/ without the *.browser.ts and *.react-native.ts variants. 0 errors under 6.0.3.
    prep: [
      ['node', '-e', "require('fs').writeFileSync('packages/libp2p/tsconfig.bench.json', JSON.stringify({ compilerOptions: { strict: true, target: 'ES2023', module: 'NodeNext', moduleResolution: 'NodeNext', lib: ['ES2023', 'DOM', 'DOM.Iterable'], skipLibCheck: true, noEmit: true, allowImportingTsExtensions: true, types: ['node'], useUnknownInCatchVariables: true, esModuleInterop: true, resolveJsonModule: true }, include: ['src'], exclude: ['src/**/*.browser.ts', 'src/**/*.react-native.ts'] }))"],
    ],
    tsconfig: 'packages/libp2p/tsconfig.bench.json',
    paths: ['packages/libp2p/src'],
  },
  kysely: {
    repo: 'https://github.com/kysely-org/kysely',
    mirror: 'kysely-org+kysely',
    commit: '478ec67b2de2568f5590a015d3e120644e81bd87', // master ("feat(site): grow the proof wall from npm's dependents … (#1985)", kysely 0.29.5), 2026-08-14: the newest commit of the fetch mirror
    // src/ is 303 files (1.26 MB), most of them the query builders, operation nodes, parsers and schema builders, whose
    // async code is execute() awaiting the executor: too large to judge whole, so its runtime layer was chosen before any
    // tool ran: src/dialect (the postgres, mysql, mssql, sqlite and pglite drivers with their pools, connections, streams
    // and cancellation; the adapters' migration locks; the introspectors), src/driver (the runtime driver's lazy init and
    // destroy, the default and single connection providers, the connection mutex), src/query-executor, src/migration (the
    // migrator with its lock and transaction), src/util (abort, deferred, controlled connections, streamable) and
    // src/kysely.ts (connection(), transaction(), the controlled transactions, destroy). Kysely has no dependencies; of
    // the dev dependencies @types/node (26.2.0) is kept and typescript 7.0.2 (and typescript-6) replaced by 6.0.3, the
    // scripts dropped; pnpm-lock.yaml only, so `npm install --no-package-lock`.
    install: [
      ['node', '-e', "const fs=require('fs'),p=JSON.parse(fs.readFileSync('package.json'));p.devDependencies={'@types/node':p.devDependencies['@types/node'],typescript:'6.0.3'};delete p.scripts;fs.writeFileSync('package.json',JSON.stringify(p,null,2))"],
      [...npmInstall, '--no-package-lock'],
    ],
    // tsconfig.json (extends tsconfig-base.json: strict, es2023, module node16, types ['node'], verbatimModuleSyntax,
    // declarations; src/**/*). tsconfig.bench.json = that + noEmit, no declarations. 0 errors under 6.0.3 (the whole src/).
    prep: [
      ['node', '-e', "require('fs').writeFileSync('tsconfig.bench.json', JSON.stringify({ extends: './tsconfig.json', compilerOptions: { noEmit: true, declaration: false } }))"],
    ],
    tsconfig: 'tsconfig.bench.json',
    paths: ['src/dialect', 'src/driver', 'src/query-executor', 'src/migration', 'src/util', 'src/kysely.ts'],
  },
  // Held-out round 20 (2026-12-07): openai-node's runtime (not its generated resources) and nodejs-storage, the brief's two
  // suggestions; both fetched, installed and type-checked.
  openai: {
    repo: 'https://github.com/openai/openai-node',
    mirror: 'openai+openai-node',
    commit: '7b7d6ca71130d37ec09792c50056b47861f2eccf', // main ("ci: check custom-code budgets against main's policy (#2447)", openai 7.5.0), 2026-08-21: the newest commit of the fetch mirror's main
    // src/ is 323 files (3.26 MB); src/resources (178 files, the generated API resources: thin wrappers that return
    // this._client.post(...)'s APIPromise) and src/_vendor (zod-to-json-schema and the partial JSON parser, synchronous)
    // were left out before any tool ran. Measured: src/client.ts (the request loop with retries, timeouts, abort signals
    // and the idempotency header), src/core (APIPromise, pagination, the SSE Stream, EventEmitter), src/internal (the
    // fetch/upload/WebSocket shims, the line decoder, stream utilities, the response accumulator), src/lib (the chat
    // completion runners and streams, AssistantStream, ResponseStream, EventStream, the pollers and uploaders),
    // src/realtime and src/beta/realtime (the WebSocket clients), src/auth (workload identity token providers),
    // src/helpers, src/providers, src/azure.ts and src/bedrock.ts. pnpm-lock.yaml only: the dev dependencies are replaced
    // by typescript 6.0.3, @types/node and @types/ws and the optional peers the sources import (ws, zod, the AWS signer),
    // the scripts dropped, `npm install --no-package-lock`.
    install: [
      ['node', '-e', "const fs=require('fs'),p=JSON.parse(fs.readFileSync('package.json'));const d=p.devDependencies;p.devDependencies={typescript:'6.0.3','@types/node':d['@types/node'],'@types/ws':d['@types/ws'],ws:d.ws,zod:d.zod,'@aws-sdk/credential-provider-node':d['@aws-sdk/credential-provider-node'],'@smithy/hash-node':d['@smithy/hash-node'],'@smithy/signature-v4':d['@smithy/signature-v4'],'@smithy/protocol-http':d['@smithy/protocol-http']};delete p.scripts;delete p.packageManager;fs.writeFileSync('package.json',JSON.stringify(p,null,2))"],
      [...npmInstall, '--no-package-lock'],
    ],
    // tsconfig.json (strict with exactOptionalPropertyTypes and noUncheckedIndexedAccess, es2020, module commonjs,
    // resolution bundler, paths openai/* -> src/*, types jest and node; src, tests, examples, scripts). tsconfig.bench.json
    // = that with types ['node'] and src/ only.
    prep: [
      ['node', '-e', "require('fs').writeFileSync('tsconfig.bench.json', JSON.stringify({ extends: './tsconfig.json', compilerOptions: { types: ['node'] }, include: ['src'], exclude: [] }))"],
    ],
    tsconfig: 'tsconfig.bench.json',
    paths: ['src/client.ts', 'src/core', 'src/internal', 'src/lib', 'src/realtime', 'src/beta', 'src/auth', 'src/helpers', 'src/providers', 'src/azure.ts', 'src/bedrock.ts'],
  },
  storage: {
    repo: 'https://github.com/googleapis/nodejs-storage',
    mirror: 'googleapis+nodejs-storage',
    commit: '5aa34a447ff6821ec594fef9a7ff361afded669a', // main ("chore(deps): update dependencies (#2725)", @google-cloud/storage 7.19.0), 2026-02-12: the newest commit of the fetch mirror's main
    // src/ is measured (20 files, 0.62 MB, most of it JSDoc): Storage, Bucket and File (callback-or-promise methods
    // through promisifyAll, createReadStream / createWriteStream with validation and retries, upload, download,
    // the combine / deleteFiles / makePublic fan-outs with p-limit), the resumable upload (its Writable, chunked
    // uploads, retries with backoff, abort controllers), the transfer manager (parallel uploads and downloads, XML
    // multipart), the hash stream validator, nodejs-common's ServiceObject / Service / util (makeRequest with
    // retry-request). No lock file: the dev dependencies are replaced by typescript 6.0.3, gts (its tsconfig-google.json
    // is what tsconfig.json extends) and the @types/* the sources use; `npm install --no-package-lock`.
    install: [
      ['node', '-e', "const fs=require('fs'),p=JSON.parse(fs.readFileSync('package.json'));const d=p.devDependencies;p.devDependencies={typescript:'6.0.3',gts:d.gts,'@types/node':d['@types/node'],'@types/async-retry':d['@types/async-retry'],'@types/duplexify':d['@types/duplexify'],'@types/mime':d['@types/mime'],'@types/uuid':d['@types/uuid']};delete p.scripts;fs.writeFileSync('package.json',JSON.stringify(p,null,2))"],
      [...npmInstall, '--no-package-lock', '--legacy-peer-deps'],
    ],
    // tsconfig.json (extends gts' tsconfig-google.json: strict, es2018, declarations; module es2020, resolution node,
    // lib es2020; src/*.ts, internal-tooling, system-test). tsconfig.bench.json = that + noEmit, no declarations,
    // ignoreDeprecations '6.0' (node10 resolution), src/**/*.ts only.
    prep: [
      ['node', '-e', "require('fs').writeFileSync('tsconfig.bench.json', JSON.stringify({ extends: './tsconfig.json', compilerOptions: { noEmit: true, declaration: false, ignoreDeprecations: '6.0' }, include: ['src/**/*.ts'] }))"],
    ],
    tsconfig: 'tsconfig.bench.json',
    paths: ['src'],
  },
  // Held-out round 21 (2026-12-07): unleash-client-node's runtime and firebase-admin-node's src/, picked from the brief's
  // ideas (Node.js SDKs with polling timers, fetch with retries, event emitters, token refresh, HTTP/2 sessions).
  unleash: {
    repo: 'https://github.com/Unleash/unleash-client-node',
    mirror: 'Unleash+unleash-client-node',
    commit: '33c3556ee294418bbaad1ed54e0ab599d2bb3278', // main ("chore(deps): update dependency debug to v4.4.1 (#731)", unleash-client 6.7.0-beta.3), 2025-08-08: the newest commit of the fetch mirror's main
    // src/ without src/test (35 runtime files, 93 KB, chosen before any tool ran; the 40 test files are ava/nock tests): the
    // Unleash client (its EventEmitter, the ready / synchronized events, the instance count, destroy), the repository
    // (polling with setTimeout and backoff, fetch through make-fetch-happen, the streaming EventSource, the bootstrap and
    // file storage providers), the metrics (periodic sending with backoff), the impact metrics, the strategies.
    // yarn.lock only: the dev dependencies are replaced by typescript 6.0.3, @tsconfig/node12 (what tsconfig.json
    // extends) and the @types/* the runtime sources use (@types/jsbn for ip-address's declarations); the scripts (husky,
    // the build), resolutions and packageManager dropped; `npm install --no-package-lock`. 0 errors under 6.0.3.
    install: [
      ['node', '-e', "const fs=require('fs'),p=JSON.parse(fs.readFileSync('package.json'));const d=p.devDependencies;p.devDependencies={typescript:'6.0.3','@tsconfig/node12':d['@tsconfig/node12'],'@types/node':d['@types/node'],'@types/make-fetch-happen':d['@types/make-fetch-happen'],'@types/murmurhash3js':d['@types/murmurhash3js'],'@types/proxy-from-env':d['@types/proxy-from-env'],'@types/semver':d['@types/semver'],'@types/jsbn':d['@types/jsbn']};delete p.scripts;delete p.resolutions;delete p.packageManager;fs.writeFileSync('package.json',JSON.stringify(p,null,2))"],
      [...npmInstall, '--no-package-lock'],
    ],
    // tsconfig.json (extends @tsconfig/node12: strict, es2019, commonjs; allowJs, declarations; src/**/*.ts and .js).
    // tsconfig.bench.json = that + noEmit, no declarations, ignoreDeprecations '6.0', without src/test.
    prep: [
      ['node', '-e', "require('fs').writeFileSync('tsconfig.bench.json', JSON.stringify({ extends: './tsconfig.json', compilerOptions: { noEmit: true, declaration: false, declarationMap: false, ignoreDeprecations: '6.0' }, exclude: ['examples/', 'lib/', 'node_modules/', 'src/test/'] }))"],
    ],
    tsconfig: 'tsconfig.bench.json',
    paths: ['src'],
  },
  'firebase-admin': {
    repo: 'https://github.com/firebase/firebase-admin-node',
    mirror: 'firebase+firebase-admin-node',
    commit: '5a203f6737ffd96e44824a22a5a9004411d088e3', // main ("[chore] Release 14.3.0 (#3237)"), 2026-08-19: the newest commit of the fetch mirror's main
    // src/ (111 files, 1.06 MB): the app lifecycle and credentials (token refresh), utils/api-request.ts (the HTTP/1 and
    // HTTP/2 clients with retries, backoff and timeouts, the authorized clients), auth (the request handlers, token
    // verification with the key fetchers), messaging (sendEach / sendEachForMulticast over HTTP/2 sessions), database,
    // firestore and storage wrappers, functions (the task queue), eventarc, remote config, machine learning, security
    // rules, project management, data connect, app check, installations. The dev dependencies (gulp, mocha, bcrypt, the
    // docs tooling) are replaced by typescript 6.0.3, @types/node and @types/jsonwebtoken, the scripts dropped; `npm
    // install` against the package-lock.json for what is left.
    install: [
      ['node', '-e', "const fs=require('fs'),p=JSON.parse(fs.readFileSync('package.json'));const d=p.devDependencies;p.devDependencies={typescript:'6.0.3','@types/node':d['@types/node'],'@types/jsonwebtoken':d['@types/jsonwebtoken']};delete p.scripts;fs.writeFileSync('package.json',JSON.stringify(p,null,2))"],
      [...npmInstall],
    ],
    // tsconfig.json (noImplicitAny, strictNullChecks and the other strict flags but strictPropertyInitialization, es2021,
    // commonjs, files: src/index.ts only). tsconfig.bench.json = that + noEmit, no declarations, every src/**/*.ts, and
    // strict false as TypeScript 5 defaulted it (6.0 turns strict on by default: 77 errors, strictPropertyInitialization
    // and unknown catch variables). 2 errors under 6.0.3: @firebase/app (dev-only in the lock) missing for
    // @firebase/database's declarations, and jwt.ts:62 calling `import * as jwks` (esModuleInterop can no longer be off).
    prep: [
      ['node', '-e', "require('fs').writeFileSync('tsconfig.bench.json', JSON.stringify({ extends: './tsconfig.json', compilerOptions: { noEmit: true, declaration: false, strict: false }, files: [], include: ['src/**/*.ts'] }))"],
    ],
    tsconfig: 'tsconfig.bench.json',
    paths: ['src'],
  },
  // Held-out round 22 (2026-12-07): gax-nodejs' runtime (google-gax, gax/src) and supabase auth-js' src/, picked from the
  // brief's ideas and from the same family (RPC clients with retries, timeouts, streaming, long-running polling, bundling
  // timers; an auth client with a lock, a refresh ticker, a broadcast channel and subscriber callbacks).
  gax: {
    repo: 'https://github.com/googleapis/gax-nodejs',
    mirror: 'googleapis+gax-nodejs',
    commit: 'acfbe801d92219693b7ea5487ef701a77657dec8', // main ("chore: update setup-node (#1810)", google-gax 5.0.4), 2025-10-15: the newest commit of the fetch mirror's main
    // gax/src (42 TS files, 0.3 MB, chosen before any tool ran; gax/test, gax/samples, tools/ and logging-utils/ left out):
    // the API callers (normal calls with retries and timeouts, streaming calls with retry and resumption, paged calls and
    // their async iterators, long-running operations with polling and cancel, bundling with timers), createApiCall, the
    // gRPC and REST fallback (fetch) stubs, the operations, IAM and locations clients. The repository root is an empty
    // workspace shell; gax/ has its own package.json and no lock file: its dev dependencies are replaced by typescript
    // 6.0.3, gts (its tsconfig-google.json is what gax/tsconfig.json extends) and the @types the sources use, the scripts
    // dropped; `npm --prefix gax install --no-package-lock`.
    install: [
      ['node', '-e', "const fs=require('fs'),f='gax/package.json',p=JSON.parse(fs.readFileSync(f));const d=p.devDependencies;p.devDependencies={typescript:'6.0.3',gts:d.gts,'@types/node':d['@types/node'],'@types/object-hash':d['@types/object-hash']};delete p.scripts;fs.writeFileSync(f,JSON.stringify(p,null,2))"],
      ['npm', '--prefix', 'gax', 'install', '--no-audit', '--no-fund', '--ignore-scripts', '--no-package-lock'],
    ],
    // gax/tsconfig.json (extends gts' tsconfig-google.json; lib ES2023 + DOM, module and resolution node16, noImplicitAny,
    // resolveJsonModule; src, test, the protos' JSON). gax/tsconfig.bench.json = that + noEmit, not composite (gts sets it),
    // no declarations, src/ and the JSON it imports only. 1 error under 6.0.3: src/fallbackServiceStub.ts:160, a
    // Uint8Array<ArrayBufferLike> request body against the DOM lib's BodyInit (the fetch call's types only).
    prep: [
      ['node', '-e', "require('fs').writeFileSync('gax/tsconfig.bench.json', JSON.stringify({ extends: './tsconfig.json', compilerOptions: { noEmit: true, composite: false, declaration: false }, include: ['src/*.ts', 'src/*/*.ts', 'protos/**/*.json', 'src/*.json'] }))"],
    ],
    tsconfig: 'gax/tsconfig.bench.json',
    paths: ['gax/src'],
  },
  'auth-js': {
    repo: 'https://github.com/supabase/auth-js',
    mirror: 'supabase+auth-js',
    commit: '25c6b427162b47f9089e0c9d2389d4ee1ca12343', // master ("chore: add deprecation notice (#1129)", 2.72.0 + six commits), 2025-10-02: the newest commit of the fetch mirror's master
    // src/ (21 files, 0.3 MB, chosen before any tool ran; test/ and example/ left out): GoTrueClient (sessions, the
    // navigator/process lock and its pending-in-lock queue, the auto-refresh ticker, visibility-change handling, the
    // BroadcastChannel, onAuthStateChange subscribers, MFA, OAuth/OTP/web3/WebAuthn sign-ins), GoTrueAdminApi, lib/fetch
    // (the request wrapper), lib/locks (navigatorLock, processLock), lib/helpers (Deferred, retryable, storage helpers),
    // lib/webauthn, lib/web3. The dev dependencies (jest, eslint, typedoc, ...) are replaced by typescript 6.0.3 and
    // @types/node, the scripts dropped; `npm install` against the repository's package-lock.json for what is left.
    install: [
      ['node', '-e', "const fs=require('fs'),p=JSON.parse(fs.readFileSync('package.json'));const d=p.devDependencies;p.devDependencies={typescript:'6.0.3','@types/node':d['@types/node']};delete p.scripts;fs.writeFileSync('package.json',JSON.stringify(p,null,2))"],
      [...npmInstall],
    ],
    // tsconfig.json (strict, ES2017 with its default libs, DOM included, CommonJS, resolution node, declarations; src).
    // tsconfig.bench.json = that + noEmit, no declarations, ignoreDeprecations '6.0' (node10 resolution), types ['node']
    // (TypeScript 4 loaded every @types package; 6.0 loads none by default, and without @types/node setInterval's number
    // narrows GoTrueClient.ts:2730's `typeof ticker === 'object'` to never: 2 errors) and skipLibCheck (the lock's
    // @types/node 18.16 does not type-check against 6.0's libs: 5 errors in declaration files, 4 in @types/node and 1 in
    // lib.esnext.intl.d.ts). 1 error under 6.0.3: src/lib/webauthn.dom.ts:537, its own PublicKeyCredentialFuture's
    // toJSON() against 6.0's lib.dom PublicKeyCredential.
    prep: [
      ['node', '-e', "require('fs').writeFileSync('tsconfig.bench.json', JSON.stringify({ extends: './tsconfig.json', compilerOptions: { noEmit: true, declaration: false, declarationMap: false, types: ['node'], skipLibCheck: true, ignoreDeprecations: '6.0' } }))"],
    ],
    tsconfig: 'tsconfig.bench.json',
    paths: ['src'],
  },
  // Held-out round 23 (2026-12-07): telegraf's src/ and typesense-js' src/, picked from the brief's ideas (a bot framework
  // with a long-polling loop, a webhook handler, middleware chains and session stores; a search client with retries
  // across nodes, node health tracking, a request cache, streaming imports and exports).
  telegraf: {
    repo: 'https://github.com/telegraf/telegraf',
    mirror: 'telegraf+telegraf',
    commit: '48a475d034ede5e01070a7e2b6b15dc48c3d3f9b', // v4, the default branch (the mirror has no main or master), "dx: Better lint (#1964)", telegraf 4.16.3 + one commit, 2024-03-04: the newest commit of the fetch mirror's v4
    // src/ (38 files, 0.24 MB, chosen before any tool ran; test/, docs/, build/ and release-notes/ left out): Telegraf
    // (launch, stop, handleUpdate, the webhook callback), core/network (the API client over node-fetch with multipart
    // streams, the long-polling loop with its AbortController, the webhook request handler), Composer and its middleware
    // combinators, scenes (Stage, BaseScene, WizardScene), session (async stores, the per-key concurrency counters),
    // Context, Telegram, the CLI (cli.mts). The dev dependencies (ava, eslint, typedoc, tsx, ...) are replaced by
    // typescript 6.0.3 and the @types/* the sources use, the scripts dropped; `npm install` against the repository's
    // package-lock.json for what is left.
    install: [
      ['node', '-e', "const fs=require('fs'),p=JSON.parse(fs.readFileSync('package.json'));const d=p.devDependencies;p.devDependencies={typescript:'6.0.3','@types/debug':d['@types/debug'],'@types/node':d['@types/node'],'@types/node-fetch':d['@types/node-fetch'],'@types/safe-compare':d['@types/safe-compare']};delete p.scripts;fs.writeFileSync('package.json',JSON.stringify(p,null,2))"],
      [...npmInstall],
    ],
    // tsconfig.json (strict, noUncheckedIndexedAccess, ES2019, module Node16, declarations into typings/, incremental,
    // skipLibCheck; src/). tsconfig.bench.json = that + noEmit, no declarations, not incremental (declarationDir and
    // tsBuildInfoFile reset to null, since they may not be set without them). 2 errors under 6.0.3: src/context.ts:1537
    // and 1540, the `Msg` object literal's isAccessible() and has() inferred as returning boolean where its interface
    // declares type predicates (types only).
    prep: [
      ['node', '-e', "require('fs').writeFileSync('tsconfig.bench.json', JSON.stringify({ extends: './tsconfig.json', compilerOptions: { noEmit: true, declaration: false, declarationMap: false, declarationDir: null, incremental: false, tsBuildInfoFile: null } }))"],
    ],
    tsconfig: 'tsconfig.bench.json',
    paths: ['src'],
  },
  typesense: {
    repo: 'https://github.com/typesense/typesense-js',
    mirror: 'typesense+typesense-js',
    commit: '651aa5cf84787b8d4f7891175108353d530bb1cc', // master ("Merge pull request #360 from tharropoulos/stream-flag", typesense 3.0.7-0), 2026-06-29: the newest commit of the fetch mirror's master
    // src/ (68 files, 0.15 MB, chosen before any tool ran; test/, doc/ and the built lib/ and dist/ left out): ApiCall (the
    // request loop over axios or fetch with retries across nodes, node health and the nearest node, timeouts, abort
    // signals, streamed responses), RequestWithCache (the response and promise caches), Documents (JSONL import and the
    // export stream), MultiSearch, SearchClient, Client and the resource classes (collections, keys, aliases, analytics,
    // conversations, presets, synonyms, stopwords, ...). pnpm-lock.yaml only: the dev dependencies (babel, webpack,
    // vitest, eslint, ...) are replaced by typescript 6.0.3 and @types/node, the scripts and packageManager dropped; `npm
    // install --no-package-lock`.
    install: [
      ['node', '-e', "const fs=require('fs'),p=JSON.parse(fs.readFileSync('package.json'));const d=p.devDependencies;p.devDependencies={typescript:'6.0.3','@types/node':d['@types/node']};delete p.scripts;delete p.packageManager;fs.writeFileSync('package.json',JSON.stringify(p,null,2))"],
      [...npmInstall, '--no-package-lock'],
    ],
    // tsconfig.json (strict but noImplicitAny false, ES5, CommonJS, resolution node, importHelpers, declarations and source
    // maps, skipLibCheck; src/**/*.ts). tsconfig.bench.json = that + noEmit, no declarations or source maps, types ['node']
    // (TypeScript 5 loaded every @types package; 6.0 loads none by default: 16 errors, http, https, fs, crypto, process
    // and Buffer not found, and Object.entries under ES5's lib, which @types/node's reference to lib es2020 brings in) and
    // ignoreDeprecations '6.0' (target ES5, node10 resolution). 0 errors under 6.0.3.
    prep: [
      ['node', '-e', "require('fs').writeFileSync('tsconfig.bench.json', JSON.stringify({ extends: './tsconfig.json', compilerOptions: { noEmit: true, declaration: false, sourceMap: false, types: ['node'], ignoreDeprecations: '6.0' } }))"],
    ],
    tsconfig: 'tsconfig.bench.json',
    paths: ['src'],
  },
  // Held-out round 24 (2026-12-07): the Vercel AI SDK's core package (packages/ai/src: streamText / generateText, tool
  // execution, retries, stream transforms, UI message streams, chat transports, realtime) and MikroORM's core package
  // (packages/core/src: EntityManager, unit of work, transactions, locks, connections, entity loading, caches), picked
  // from the brief's ideas; both fetched this round, neither measured before.
  'vercel-ai': {
    repo: 'https://github.com/vercel/ai',
    mirror: 'vercel+ai',
    commit: 'ed857f50f112e23930b0c2dd8d532cc8bebbc911', // main ("Version Packages (#19296)", ai 7.0.77), 2026-08-22: the newest commit of the fetch mirror's main
    // packages/ai/src without its tests (310 files, 1.19 MB, chosen before any tool ran): *.test.ts, *.test-d.ts,
    // __snapshots__, src/test (the mock models shipped as `ai/test`) and src/error/verify-no-object-generated-error.ts (a
    // vitest `expect` helper) left out; the providers and every other package of the pnpm monorepo too. The workspace
    // dependencies (@ai-sdk/gateway, provider, provider-utils: workspace:*) are replaced by the versions this commit
    // gives them, which ai 7.0.77 on npm pins exactly (4.0.62, 4.0.7, 5.0.29); the dev dependencies by typescript 6.0.3,
    // @types/node, @types/json-schema and zod (the peer src/util/zod.ts imports); the scripts dropped; `npm --prefix
    // packages/ai install --no-package-lock` (pnpm-lock.yaml only).
    install: [
      ['node', '-e', "const fs=require('fs'),f='packages/ai/package.json',p=JSON.parse(fs.readFileSync(f));const d=p.devDependencies;p.dependencies={'@ai-sdk/gateway':'4.0.62','@ai-sdk/provider':'4.0.7','@ai-sdk/provider-utils':'5.0.29'};p.devDependencies={typescript:'6.0.3','@types/node':d['@types/node'],'@types/json-schema':d['@types/json-schema'],zod:d.zod};delete p.scripts;fs.writeFileSync(f,JSON.stringify(p,null,2))"],
      ['npm', '--prefix', 'packages/ai', 'install', '--no-audit', '--no-fund', '--ignore-scripts', '--no-package-lock'],
    ],
    // packages/ai/tsconfig.json extends ./node_modules/@vercel/ai-tsconfig/base.json (the workspace's tools/tsconfig: strict,
    // esModuleInterop, isolatedModules, module ESNext, resolution Bundler, skipLibCheck, types @types/node, declarations)
    // and sets target ES2018, lib dom + dom.iterable + esnext, composite, project references. tsconfig.bench.json = those
    // options written out (the workspace package is not installed) + noEmit, no declarations, not composite, no
    // references, types ['node'], src/ without the tests above. 8 errors under 6.0.3, types only: Uint8Array<ArrayBufferLike>
    // against the DOM lib's BufferSource (generate-text/tool-approval-signature.ts:14, 74, 98, 120,
    // realtime/browser-realtime-transport.ts:103), TextDecoderStream against pipeThrough's pair (ui/process-text-stream.ts:8,
    // ui/text-stream-chat-transport.ts:20), and util/async-iterable-stream.ts:46's ReadableStream[Symbol.asyncIterator].
    prep: [
      ['node', '-e', "require('fs').writeFileSync('packages/ai/tsconfig.bench.json', JSON.stringify({ compilerOptions: { target: 'ES2018', lib: ['dom', 'dom.iterable', 'esnext'], module: 'ESNext', moduleResolution: 'Bundler', strict: true, esModuleInterop: true, isolatedModules: true, forceConsistentCasingInFileNames: true, skipLibCheck: true, types: ['node'], noEmit: true }, include: ['src/**/*.ts', 'src/**/*.tsx'], exclude: ['src/**/*.test.ts', 'src/**/*.test.tsx', 'src/**/*.test-d.ts', 'src/**/__snapshots__/**', 'src/test/**', 'src/error/verify-no-object-generated-error.ts'] }))"],
    ],
    tsconfig: 'packages/ai/tsconfig.bench.json',
    paths: ['packages/ai/src'],
  },
  'mikro-orm': {
    repo: 'https://github.com/mikro-orm/mikro-orm',
    mirror: 'mikro-orm+mikro-orm',
    commit: 'a6b9730585e467720b90390a1de706e0f4b8726c', // master ("chore(deps): update apify/workflows digest to 5fa871e (#8196)", @mikro-orm/core 7.1.13), 2026-08-21: the newest commit of the fetch mirror's master
    // packages/core/src (124 files, 1.36 MB, no tests in it; chosen before any tool ran): EntityManager (forks, flush,
    // transactions, locks, find/count/upsert, the dataloaders), unit-of-work (ChangeSetPersister, the commit order),
    // connections and drivers, entity (EntityLoader, Reference, Collection, EntityFactory), events, cache (file and memory
    // adapters), logging, metadata discovery, utils (Configuration, TransactionContext, fs-utils, AbstractMigrator,
    // AbstractSchemaGenerator, DataloaderUtils). The other packages (drivers, sql, cli, migrations, ...) and tests/ left
    // out. packages/core has no dependencies (dataloader is an optional peer); its package.json gets typescript 6.0.3 and
    // the root's @types/node and dataloader as dev dependencies, the scripts dropped; `npm --prefix packages/core install
    // --no-package-lock` (yarn.lock only; the root is a yarn workspace, not installed).
    install: [
      ['node', '-e', "const fs=require('fs'),f='packages/core/package.json',p=JSON.parse(fs.readFileSync(f));const r=JSON.parse(fs.readFileSync('package.json')).devDependencies;p.devDependencies={typescript:'6.0.3','@types/node':r['@types/node'],dataloader:r.dataloader};delete p.scripts;fs.writeFileSync(f,JSON.stringify(p,null,2))"],
      ['npm', '--prefix', 'packages/core', 'install', '--no-audit', '--no-fund', '--ignore-scripts', '--no-package-lock'],
    ],
    // packages/core/tsconfig.build.json extends the root tsconfig.build.json (strict, noImplicitOverride, noImplicitReturns,
    // module Node20, target ES2023, lib ES2023 + ESNext.Temporal, declarations, incremental). tsconfig.bench.json = that +
    // noEmit, no declarations, not incremental, types ['node'] (6.0 loads no @types package by default: 70 errors, Buffer,
    // process, URL, AbortSignal and node:fs not found), src/**/*.ts. The self-references (@mikro-orm/core/fs-utils, ...)
    // resolve through the package's own exports. 1 error under 6.0.3: src/utils/fs-utils.ts:38, the optional
    // `import('tinyglobby')` (no package of the repository depends on it; the code falls back when it is missing).
    prep: [
      ['node', '-e', "require('fs').writeFileSync('packages/core/tsconfig.bench.json', JSON.stringify({ extends: '../../tsconfig.build.json', compilerOptions: { noEmit: true, declaration: false, incremental: false, types: ['node'] }, include: ['src/**/*.ts'] }))"],
    ],
    tsconfig: 'packages/core/tsconfig.bench.json',
    paths: ['packages/core/src'],
  },
  // Held-out round 25 (2026-12-07): TypeORM's runtime (DataSource, EntityManager, transactions, query builders,
  // persistence, migrations, the query-result cache) with its PostgreSQL driver, and unstorage (the storage layer with
  // mounts and watchers, its HTTP server and all 33 drivers); typeorm fetched this round, unstorage's mirror already
  // present; neither measured before.
  typeorm: {
    repo: 'https://github.com/typeorm/typeorm',
    mirror: 'typeorm+typeorm',
    commit: '281bfba42a5813b106bcf5ba79bc7f7251bd1e73', // master ("fix: guard metadata access in InsertQueryBuilder for raw-table upsert (#12702)", package.json 1.1.0), 2026-07-22: the newest commit of the fetch mirror's master
    // 87 files, 1.35 MB, 490 awaits (chosen before any tool ran): src/data-source, entity-manager, repository,
    // query-runner, query-builder, persistence, migration, cache and driver/postgres. Every other driver, schema-builder,
    // commands (the CLI), decorators, metadata, subscribers, util, test/ and docs/ left out (all of src/ is compiled).
    // pnpm-lock.yaml only: the dev dependencies are replaced by typescript 6.0.3 and @types/node, @types/debug,
    // @types/yargs, @tsconfig/node20 (the tsconfig extends it); scripts, packageManager and devEngines (pnpm only) dropped.
    // The drivers are loaded with require() at run time and typed by typeorm itself, so none is installed.
    install: [
      ['node', '-e', "const fs=require('fs'),f='package.json',p=JSON.parse(fs.readFileSync(f));const d=p.devDependencies;p.devDependencies={typescript:'6.0.3','@types/node':d['@types/node'],'@types/debug':d['@types/debug'],'@types/yargs':d['@types/yargs'],'@tsconfig/node20':d['@tsconfig/node20']};delete p.scripts;delete p.packageManager;delete p.devEngines;fs.writeFileSync(f,JSON.stringify(p,null,2))"],
      [...npmInstall, '--no-package-lock'],
    ],
    // tsconfig.bench.json = tsconfig.json (extends @tsconfig/node20; commonjs, resolution node, experimentalDecorators,
    // noImplicitAny, strictFunctionTypes and strictPropertyInitialization off) + noEmit, no declarations or source maps,
    // types ['node'] (6.0 loads no @types package by default), ignoreDeprecations '6.0' (node10 resolution), src only.
    // 0 errors under 6.0.3.
    prep: [
      ['node', '-e', "require('fs').writeFileSync('tsconfig.bench.json', JSON.stringify({ extends: './tsconfig.json', compilerOptions: { noEmit: true, declaration: false, sourceMap: false, types: ['node'], ignoreDeprecations: '6.0' }, include: ['src'] }))"],
    ],
    tsconfig: 'tsconfig.bench.json',
    paths: ['src/data-source', 'src/entity-manager', 'src/repository', 'src/query-runner', 'src/query-builder', 'src/persistence', 'src/migration', 'src/cache', 'src/driver/postgres'],
  },
  unstorage: {
    repo: 'https://github.com/unjs/unstorage',
    mirror: 'unjs+unstorage',
    commit: 'afbb66ec266e0cec613cb087b49f75bf4deaaa41', // main ("build: bundle destr", 2.0.0-alpha.8, on npm), 2026-08-20: the newest commit of the fetch mirror's main
    // all of src/ (47 files, 0.19 MB, 425 awaits; chosen before any tool ran): storage.ts, server.ts, tracing.ts, utils
    // and the 33 drivers with drivers/utils. test/, docs/ and scripts/ left out. pnpm-lock.yaml only: the dev
    // dependencies are replaced by typescript 6.0.3 and the driver SDKs and @types the sources import, at the
    // package.json's ranges; scripts, packageManager and devEngines dropped.
    install: [
      ['node', '-e', "const fs=require('fs'),f='package.json',p=JSON.parse(fs.readFileSync(f));const d=p.devDependencies;const keep=['@azure/app-configuration','@azure/cosmos','@azure/data-tables','@azure/identity','@azure/keyvault-secrets','@azure/storage-blob','@capacitor/preferences','@cloudflare/workers-types','@deno/kv','@netlify/blobs','@planetscale/database','@types/deno','@types/node','@upstash/redis','@vercel/blob','@vercel/functions','aws4fetch','chokidar','db0','destr','idb-keyval','ioredis','lru-cache','mongodb','uploadthing'];p.devDependencies={typescript:'6.0.3'};for(const k of keep)p.devDependencies[k]=d[k];delete p.scripts;delete p.packageManager;delete p.devEngines;fs.writeFileSync(f,JSON.stringify(p,null,2))"],
      [...npmInstall, '--no-package-lock'],
    ],
    // tsconfig.bench.json = tsconfig.json (strict with noImplicitAny off, NodeNext, verbatimModuleSyntax,
    // noUncheckedIndexedAccess, noEmit, types node + deno) + not composite, no isolatedDeclarations (it needs
    // declarations), paths for the self-references `unstorage` and `unstorage/drivers/*` (the exports point at the unbuilt
    // dist/), src only. 4 errors under 6.0.3, types only: cloudflare-r2-binding.ts:83 (R2ObjectBody), redis.ts:228 and
    // :234 (TypedArray), drivers/utils/node-fs.ts:64 (a readFile overload).
    prep: [
      ['node', '-e', "require('fs').writeFileSync('tsconfig.bench.json', JSON.stringify({ extends: './tsconfig.json', compilerOptions: { composite: false, isolatedDeclarations: false, paths: { 'unstorage': ['./src/index.ts'], 'unstorage/drivers/*': ['./src/drivers/*.ts'] } }, include: ['src'] }))"],
    ],
    tsconfig: 'tsconfig.bench.json',
    paths: ['src'],
  },
  // Held-out round 26 (2026-12-07): node-resque (the Resque job queue: workers, multi-worker, scheduler with leader
  // election, queue, plugins) and crawlee's core (AutoscaledPool, SessionPool, storages, events); both fetched this
  // round, neither measured before.
  'node-resque': {
    repo: 'https://github.com/actionhero/node-resque',
    mirror: 'actionhero+node-resque',
    commit: 'b7089ae7165bd955cca3378edede7b22f490761f', // master ("Bump markdown-it from 14.1.1 to 14.2.0 (#1303)", node-resque 9.7.0), 2026-06-17: the newest commit of the fetch mirror's master
    // all of src/ (19 files, 150 awaits; chosen before any tool ran). __tests__/, examples/, bin/, resque-web/ left out.
    // The dev dependencies (jest, ts-jest, typedoc, prettier, ioredis-mock, node-schedule, ts-node) are replaced by
    // typescript 6.0.3 and @types/node; the scripts dropped (prepare builds); package-lock.json not used.
    install: [
      ['node', '-e', "const fs=require('fs'),f='package.json',p=JSON.parse(fs.readFileSync(f));const d=p.devDependencies;p.devDependencies={typescript:'6.0.3','@types/node':d['@types/node']};delete p.scripts;fs.writeFileSync(f,JSON.stringify(p,null,2))"],
      [...npmInstall, '--no-package-lock'],
    ],
    // tsconfig.bench.json = tsconfig.json (commonjs, es2018, strict, allowJs) + noEmit, types ['node'], src only. 0 errors
    // under 6.0.3.
    prep: [
      ['node', '-e', "require('fs').writeFileSync('tsconfig.bench.json', JSON.stringify({ extends: './tsconfig.json', compilerOptions: { noEmit: true, types: ['node'] }, include: ['src'] }))"],
    ],
    tsconfig: 'tsconfig.bench.json',
    paths: ['src'],
  },
  crawlee: {
    repo: 'https://github.com/apify/crawlee',
    mirror: 'apify+crawlee',
    commit: '69a824b77a2ce5ed48ef6bca5a0a54d5ce504ac4', // master ("refactor(core): retire TS-private test seams and convert to native private fields (#4043)", 4.x), 2026-08-21: the newest commit of the fetch mirror's master
    // packages/core/src (78 files, 0.74 MB, 479 awaits; chosen before any tool ran): autoscaling, session_pool, storages,
    // memory-storage, events, crawlers, enqueue_links, system-info and the top-level files. The workspace packages it
    // imports (@crawlee/types, utils, fs-storage, http-client) are compiled from their sources through the repository's
    // tsconfig paths, not measured; every other package, test/, docs/, website/ left out. pnpm workspace (pnpm-lock.yaml
    // only): the root package.json is replaced by one whose dependencies are the npm dependencies of those five packages
    // (zod's `catalog:` = the workspace catalog's ^4.4.3), without @crawlee/fs-storage-native (0.1.5-beta.18, not on npm:
    // a Rust extension fs-storage imports), and whose dev dependencies are typescript 6.0.3, @types/node,
    // @apify/tsconfig (tsconfig.build.json extends it) and the @types of content-type, mime-types, stream-json,
    // whatwg-mimetype, ps-tree. Files of 4 MiB and more (website docs, gifs) are absent from the mirror: the checkout warns.
    install: [
      ['node', '-e', "const fs=require('fs'),r=JSON.parse(fs.readFileSync('package.json')),d=r.devDependencies,deps={};for(const q of ['core','utils','types','fs-storage','http-client'])for(const [k,v] of Object.entries(JSON.parse(fs.readFileSync('packages/'+q+'/package.json')).dependencies||{}))if(!v.startsWith('workspace:'))deps[k]=v==='catalog:'?'^4.4.3':v;delete deps['@crawlee/fs-storage-native'];const dev={typescript:'6.0.3'};for(const k of ['@types/node','@apify/tsconfig','@types/content-type','@types/mime-types','@types/stream-json','@types/whatwg-mimetype','@types/ps-tree'])dev[k]=d[k];fs.writeFileSync('package.json',JSON.stringify({name:r.name,private:true,type:r.type,dependencies:deps,devDependencies:dev},null,2))"],
      [...npmInstall, '--no-package-lock'],
    ],
    // packages/core/tsconfig.bench.json = tsconfig.build.json (extends @apify/tsconfig: strict, module node20, resolution
    // nodenext, target es2023, noUnusedLocals, ...; lib DOM + ES2023/2024, types node, allowJs, skipLibCheck) + noEmit,
    // no declarations, the root tsconfig.json's paths (@crawlee/* -> packages/*/src/index.ts) + `@crawlee/utils/internal`
    // -> packages/utils/src/internal.ts (the package exports ./internal from its unbuilt dist/), packages/core/src only.
    // 7 errors under 6.0.3, all in packages/fs-storage (not measured): @crawlee/fs-storage-native not found (5) and two
    // implicit-any parameters that follow from it.
    prep: [
      ['node', '-e', "const fs=require('fs'),b=JSON.parse(fs.readFileSync('tsconfig.json')).compilerOptions.paths,paths={};for(const [k,v] of Object.entries({...b,'@crawlee/utils/internal':['./packages/utils/src/internal.ts']}))paths[k]=v.map((x)=>x.replace('./','../../'));fs.writeFileSync('packages/core/tsconfig.bench.json',JSON.stringify({extends:'../../tsconfig.build.json',compilerOptions:{noEmit:true,declaration:false,paths},include:['src/**/*']}))"],
    ],
    tsconfig: 'packages/core/tsconfig.bench.json',
    paths: ['packages/core/src'],
  },
  // Held-out round 27 (2026-12-07): minio-js (the S3 client: requests, multipart uploads, streams, notification poller,
  // credential providers) and ethers v6's providers and contracts (polling subscribers, JSON-RPC batching, sockets,
  // FallbackProvider, FetchRequest); both fetched this round, neither measured before.
  minio: {
    repo: 'https://github.com/minio/minio-js',
    mirror: 'minio+minio-js',
    commit: '9e59f4dfbad9e1942ea7b13468a2db33d357d40f', // master ("fix: use logStream for logging retries (#1489)", minio 8.0.8), 2026-07-30: the newest commit of the fetch mirror's master
    // all of src/ (22 files, 0.24 MB, 162 awaits; chosen before any tool ran). tests/, examples/, docs/ left out. The dev
    // dependencies (babel, mocha, eslint, husky, ...) are replaced by typescript 6.0.3 and the @types the sources import,
    // at the package.json's ranges; the scripts dropped (prepare runs husky); package-lock.json not used.
    install: [
      ['node', '-e', "const fs=require('fs'),f='package.json',p=JSON.parse(fs.readFileSync(f));const d=p.devDependencies;p.devDependencies={typescript:'6.0.3'};for(const k of ['@types/async','@types/block-stream2','@types/lodash','@types/mime-types','@types/node','@types/stream-json','@types/through2','@types/xml2js'])p.devDependencies[k]=d[k];delete p.scripts;fs.writeFileSync(f,JSON.stringify(p,null,2))"],
      [...npmInstall, '--no-package-lock'],
    ],
    // tsconfig.bench.json = tsconfig.json (ESNext, resolution node, strict, noUncheckedIndexedAccess,
    // allowImportingTsExtensions) + noEmit, no declarations, types ['node'], ignoreDeprecations 6.0 (moduleResolution
    // node10), src only. 0 errors under 6.0.3.
    prep: [
      ['node', '-e', "require('fs').writeFileSync('tsconfig.bench.json', JSON.stringify({ extends: './tsconfig.json', compilerOptions: { noEmit: true, declaration: false, emitDeclarationOnly: false, sourceMap: false, types: ['node'], ignoreDeprecations: '6.0' }, include: ['src'] }))"],
    ],
    tsconfig: 'tsconfig.bench.json',
    paths: ['src'],
  },
  ethers: {
    repo: 'https://github.com/ethers-io/ethers.js',
    mirror: 'ethers-io+ethers.js',
    commit: '98c49d091eb84a9146dfba8476f18e4c3e3d1d31', // main, tag v6.16.0 ("admin: updated dist files"), 2025-12-02: the newest commit of the fetch mirror's main
    // src.ts/providers (37 files, 0.41 MB, 242 awaits), src.ts/contract (55 awaits) and src.ts/utils/fetch.ts (chosen
    // before any tool ran); the rest of src.ts (abi, crypto, wallet, wordlists, _tests, _admin), lib.*, dist left out.
    // The dev dependencies (rollup, mocha, c8, uglify-js, ...) are replaced by typescript 6.0.3; the scripts dropped;
    // package-lock.json not used (the dependencies, @types/node 22.7.5 among them, are pinned exactly).
    install: [
      ['node', '-e', "const fs=require('fs'),f='package.json',p=JSON.parse(fs.readFileSync(f));p.devDependencies={typescript:'6.0.3'};delete p.scripts;fs.writeFileSync(f,JSON.stringify(p,null,2))"],
      [...npmInstall, '--no-package-lock'],
    ],
    // tsconfig.bench.json = tsconfig.esm.json (extends tsconfig.base.json: strict, target es2022, lib es2020, resolution
    // node16, noUnusedLocals, importHelpers) + module node16 (6.0 requires it with node16 resolution), noEmit, no
    // declarations, skipLibCheck (lib.esnext.intl.d.ts(26,135) does not compile against lib es2020), types ['node'],
    // src.ts without _tests and _admin. 1 error under 6.0.3, types only, in a measured file:
    // providers/provider-ipcsocket.ts(60,13) (Buffer<ArrayBufferLike> assigned to a let inferred Buffer<ArrayBuffer>:
    // the generic typed arrays of TypeScript 5.7+; the project builds with 5.0.4).
    prep: [
      ['node', '-e', "require('fs').writeFileSync('tsconfig.bench.json', JSON.stringify({ extends: './tsconfig.esm.json', compilerOptions: { module: 'node16', noEmit: true, declaration: false, declarationMap: false, sourceMap: false, skipLibCheck: true, types: ['node'] }, include: ['./src.ts/**/*.ts'], exclude: ['./src.ts/_tests/**', './src.ts/_admin/**'] }))"],
    ],
    tsconfig: 'tsconfig.bench.json',
    paths: ['src.ts/providers', 'src.ts/contract', 'src.ts/utils/fetch.ts'],
  },
  // Held-out round 28 (2026-12-07): got (the HTTP client: request streams, retries with backoff, timeouts, redirects,
  // the promise wrapper, pagination) and async-mutex (Mutex / Semaphore / withTimeout / tryAcquire primitives); both
  // fetched this round, neither measured for precision before. got is a case of bench/real-bugs.json (got-abort-listener,
  // an older source/core/index.ts), so it is only mostly held out (bench/REAL-CODE.md, round 28).
  got: {
    repo: 'https://github.com/sindresorhus/got',
    mirror: 'sindresorhus+got',
    commit: 'd00d845a0b435365ec73ea5a1fca6e17ee677184', // main, tag v15.0.5, 2026-05-07: the newest commit of the fetch mirror's main
    // all of source/ (23 files, 0.25 MB, 94 awaits; chosen before any tool ran). test/, benchmark/, documentation/ left
    // out. No lockfile in the repository; the package.json's dependencies and dev dependencies (xo, ava, ...) installed.
    install: [[...npmInstall, '--no-package-lock']],
    // tsconfig.bench.json = tsconfig.json (extends @sindresorhus/tsconfig: strict, module node20, resolution node16,
    // target es2024, noUncheckedIndexedAccess, skipLibCheck, ...) + noEmit, no declarations, types ['node'] (6.0 no longer
    // defaults to every @types package), source only. 0 errors under 6.0.3 in source/.
    prep: [
      ['node', '-e', "require('fs').writeFileSync('tsconfig.bench.json', JSON.stringify({ extends: './tsconfig.json', compilerOptions: { noEmit: true, declaration: false, types: ['node'] }, include: ['source'] }))"],
    ],
    tsconfig: 'tsconfig.bench.json',
    paths: ['source'],
  },
  'async-mutex': {
    repo: 'https://github.com/DirtyHairy/async-mutex',
    mirror: 'DirtyHairy+async-mutex',
    commit: 'b0bb4c5aa0e42eb5ffc8d9342e56bb6de1b95554', // master ("Add a generated API reference.", after 0.5.0), 2025-07-19: the newest commit of the fetch mirror's master
    // all of src/ (8 files, 12 KB, 7 awaits; chosen before any tool ran). test/ left out.
    // yarn.lock only (no package-lock.json, so `npm ci` refuses): npm resolves the package.json ranges.
    install: [[...npmInstall, '--no-package-lock']],
    // tsconfig.bench.json = tsconfig.json (commonjs, target es5, lib es6, resolution node, strict, importHelpers) + noEmit,
    // no declarations, ignoreDeprecations 6.0 (target es5, moduleResolution node10), types ['node'] (setTimeout),
    // skipLibCheck (@types/node 20 does not compile against lib es6). 0 errors under 6.0.3.
    prep: [
      ['node', '-e', "require('fs').writeFileSync('tsconfig.bench.json', JSON.stringify({ extends: './tsconfig.json', compilerOptions: { noEmit: true, declaration: false, ignoreDeprecations: '6.0', types: ['node'], skipLibCheck: true }, include: ['src/**/*.ts'] }))"],
    ],
    tsconfig: 'tsconfig.bench.json',
    paths: ['src'],
  },
  corpus: {
    repo: 'bench/corpus.mjs (npm packages that ship their sources)',
    corpus: true,
    tsconfig: 'tsconfig.json',
    paths: ['.'],
  },
};

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
}
const realRoot = path.resolve(arg('--root', process.env.REALCODE_ROOT ?? '/work/realcode'));
const only = arg('--only', Object.keys(projects).join(',')).split(',');
const skipEslint = process.argv.includes('--skip-eslint');
const skipTsc = process.argv.includes('--skip-tsc');
const todoFile = arg('--todo');
// --reuse: compare the raw output of the last run again (after recording verdicts) instead of running the tools.
const reuse = process.argv.includes('--reuse');

function fail(msg) {
  process.stderr.write(`real-code: ${msg}\n`);
  process.exit(2);
}
for (const name of only) if (!projects[name]) fail(`unknown project '${name}' (known: ${Object.keys(projects).join(', ')})`);
if (!existsSync(path.join(root, 'packages/cli/dist/main.js'))) fail('asyncsan is not built here: run `npx tsc -b` first');

function run(cmd, args, cwd, opts = {}) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 1 << 30, ...opts });
  if (r.error) fail(`${cmd} ${args.join(' ')}: ${r.error.message}`);
  return r;
}

/** Checks out (from the mirror) and installs a project when it is missing; refuses one at another commit. */
function ensureProject(name, p) {
  if (p.corpus) return ensureCorpus().dir;
  const dir = path.join(realRoot, name);
  if (!existsSync(dir)) {
    const mirror = `/work/.mirror/${p.mirror}/repo`;
    if (!existsSync(mirror)) fail(`${dir} is missing and there is no mirror at ${mirror}: clone ${p.repo} there at ${p.commit}`);
    mkdirSync(realRoot, { recursive: true });
    process.stderr.write(`${name}: cloning ${p.commit.slice(0, 10)} from ${mirror}\n`);
    execFileSync('git', ['clone', '-q', '--no-checkout', mirror, dir], { stdio: 'inherit' });
    // Files of 4 MiB and more are absent from the mirror (generated HTML docs): the checkout warns, the sources are whole.
    run('git', ['checkout', '-q', p.commit], dir, { stdio: 'inherit' });
    for (const cmd of [...p.install, ...(p.prep ?? [])]) {
      process.stderr.write(`${name}: ${cmd.join(' ')}\n`);
      const r = run(cmd[0], cmd.slice(1), dir, { stdio: ['ignore', 'ignore', 'inherit'] });
      if (r.status !== 0) fail(`${name}: \`${cmd.join(' ')}\` exited ${r.status}`);
    }
  }
  const head = run('git', ['rev-parse', 'HEAD'], dir).stdout.trim();
  if (head !== p.commit) fail(`${dir} is at ${head}, not the pinned ${p.commit}: the verdicts are for the pinned commit`);
  return dir;
}

/** The project's own source files that asyncsan check analyses: the tsconfig's files under `paths`. */
function sourceFiles(dir, p) {
  const parsed = ts.getParsedCommandLineOfConfigFile(path.join(dir, p.tsconfig), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => fail(ts.flattenDiagnosticMessageText(d.messageText, '\n')) });
  const under = p.paths.map((q) => path.resolve(dir, q) + path.sep);
  // A path may also name one file (kysely's src/kysely.ts), as asyncsan check's paths may.
  const exact = new Set(p.paths.map((q) => path.resolve(dir, q)));
  // TypeScript sources only: an allowJs tsconfig (graphile-worker's tsconfig.test.json) also lists .cjs/.mjs fixtures.
  return parsed.fileNames.filter((f) => /\.[cm]?tsx?$/.test(f) && !/\.d\.[cm]?ts$/.test(f) && (exact.has(path.resolve(f)) || under.some((u) => path.resolve(f).startsWith(u)))).map((f) => path.relative(dir, f));
}

function eslintConfig(file, dir, p, withTseslint, withAsyncsan) {
  const tseslint = path.join(root, 'node_modules/typescript-eslint/dist/index.js');
  const plugin = path.join(root, 'eslint-plugin/dist/index.js');
  const rules = withTseslint ? { '@typescript-eslint/no-floating-promises': 'error', '@typescript-eslint/no-misused-promises': 'error', 'require-atomic-updates': 'error' } : {};
  writeFileSync(
    file,
    `// Written by bench/real-code.mjs: typed linting of ${dir} with its own tsconfig, default rule options.
import tseslint from ${JSON.stringify(tseslint)};
${withAsyncsan ? `import asyncsan from ${JSON.stringify(plugin)};` : ''}
export default [
  ${p.corpus ? "{ ignores: ['!**/node_modules/'] }, // the corpus lives under node_modules" : ''}
  { files: ['**/*.ts', '**/*.mts', '**/*.cts', '**/*.tsx'], languageOptions: { parser: tseslint.parser, parserOptions: { project: ${JSON.stringify(path.join(dir, p.tsconfig))}, tsconfigRootDir: ${JSON.stringify(dir)} } },
    plugins: { '@typescript-eslint': tseslint.plugin },
    linterOptions: { reportUnusedDisableDirectives: 'off', noInlineConfig: true },
    rules: ${JSON.stringify(rules)} },
  ${withAsyncsan ? 'asyncsan.configs.strict, // strict = every rule; recommended is the subset marked in the table' : ''}
  ${withAsyncsan ? "// Every rule at its default options: strict's checkSyncThrows and checkAllCallees off, so that dropping the strict-only\n  // ids gives exactly the recommended config's reports (the options' extra reports are asyncsan check --strict's, measured apart).\n  { rules: { 'asyncsan/floating-promise': ['error', { checkSyncThrows: false }], 'asyncsan/misused-async-callback': ['error', { checkSyncThrows: false }], 'asyncsan/missing-abort-propagation': ['error', { checkAllCallees: false }] } }," : ''}
];
`,
  );
}

/** Every finding as { tool, id, file, line, column, text }, text being the trimmed source line. */
function normalise(dir, tool, raw) {
  const lines = new Map();
  const textOf = (file, line) => {
    if (!lines.has(file)) lines.set(file, readFileSync(path.join(dir, file), 'utf8').split(/\r?\n/));
    return (lines.get(file)[line - 1] ?? '').trim();
  };
  const out = [];
  if (tool === 'asyncsan') {
    for (const f of raw.findings) out.push({ tool, id: f.id, file: f.location.file, line: f.location.line, column: f.location.column, message: f.message });
  } else {
    for (const r of raw) {
      const file = path.relative(dir, r.filePath);
      for (const m of r.messages) {
        // noInlineConfig: both tools report raw, as asyncsan check does; ESLint notes each disable comment it skipped.
        if (m.ruleId === null && /has no effect because you have 'noInlineConfig'/.test(m.message)) continue;
        // Plugin rules carry the same ids as asyncsan check; the verdict of a site is shared by both front ends.
        const id = m.ruleId === null ? 'eslint:fatal' : m.ruleId.startsWith('asyncsan/') ? m.ruleId.slice('asyncsan/'.length) : m.ruleId;
        out.push({ tool, id, file, line: m.line ?? 0, column: m.column ?? 0, message: m.message });
      }
    }
  }
  for (const f of out) f.text = f.line > 0 ? textOf(f.file, f.line) : '';
  out.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.id.localeCompare(b.id));
  // Key: project, file, id and the line's text (stable across unrelated line shifts); #n tells repeats apart.
  const seen = new Map();
  for (const f of out) {
    const base = `${f.file}|${f.id}|${f.text}`;
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    f.key = n === 1 ? base : `${base}#${n}`;
  }
  return out;
}

/**
 * --add FILE: records verdicts, one a line `project<TAB>file:line<TAB>id<TAB>TRUE|BY-THE-RULE|FALSE<TAB>reason`, against the
 * findings of the last run (bench/.work/real-code/<project>/*.normalised.json), keyed as the comparison keys them.
 */
function addVerdicts(file) {
  const store = existsSync(verdictsFile) ? JSON.parse(readFileSync(verdictsFile, 'utf8')) : { findings: [] };
  let added = 0;
  for (const [i, line] of readFileSync(file, 'utf8').split('\n').entries()) {
    if (!line.trim() || line.startsWith('#')) continue;
    const [project, site, id, verdict, reason] = line.split('\t');
    const where = /^(.*):(\d+)$/.exec(site ?? '');
    if (!where || !id || !['TRUE', 'BY-THE-RULE', 'FALSE'].includes(verdict) || !reason) fail(`${file}:${i + 1}: expected project, file:line, id, verdict, reason separated by tabs`);
    const tools = {};
    for (const tool of ['asyncsan', 'tseslint', 'eslint-plugin']) {
      const f = path.join(work, project, `${tool}.normalised.json`);
      if (!existsSync(f)) continue;
      for (const x of JSON.parse(readFileSync(f, 'utf8'))) if (x.file === where[1] && x.line === Number(where[2]) && x.id === id) (tools[x.key] ??= []).push(tool);
    }
    const keys = Object.keys(tools);
    if (keys.length === 0) fail(`${file}:${i + 1}: no ${id} finding at ${site} in the last run of ${project}`);
    for (const key of keys) {
      const n = Number(/#(\d+)$/.exec(key)?.[1] ?? 1);
      const text = key.slice(`${where[1]}|${id}|`.length).replace(/#\d+$/, '');
      const entry = { project, file: where[1], line: Number(where[2]), id, text, ...(n > 1 ? { n } : {}), tools: tools[key], verdict, reason };
      const at = store.findings.findIndex((v) => v.project === project && v.file === entry.file && v.id === id && v.text === text && (v.n ?? 1) === n);
      if (at >= 0) store.findings[at] = entry;
      else store.findings.push(entry);
      added++;
    }
  }
  store.findings.sort((a, b) => a.project.localeCompare(b.project) || a.file.localeCompare(b.file) || a.line - b.line || a.id.localeCompare(b.id));
  writeFileSync(verdictsFile, `${JSON.stringify(store, null, 1)}\n`);
  console.log(`${added} verdict(s) recorded in ${path.relative(root, verdictsFile)} (${store.findings.length} in all)`);
  process.exit(0);
}
if (arg('--add')) addVerdicts(arg('--add'));

/** --tables: prints the judged findings as markdown tables (for bench/REAL-CODE.md), asyncsan's then typescript-eslint's. */
function printTables() {
  const store = JSON.parse(readFileSync(verdictsFile, 'utf8'));
  const theirs = (v) => v.id.startsWith('@typescript-eslint/') || v.id === 'require-atomic-updates';
  const short = (f) => f.replace(/^node_modules\//, '').replace('@trpc/server/src/unstable-core-do-not-import/', '@trpc/server/…/').replace('@tanstack/query-core/src/', 'query-core/');
  const cell = (t) => t.replaceAll('|', '\\|');
  for (const [title, pick] of [
    ['asyncsan (asyncsan check and eslint-plugin-asyncsan)', (v) => !theirs(v)],
    ["typescript-eslint's no-floating-promises, no-misused-promises and ESLint's require-atomic-updates", theirs],
  ]) {
    for (const name of Object.keys(projects)) {
      const rows = store.findings.filter((v) => v.project === name && pick(v));
      if (!rows.length) continue;
      const count = (l) => rows.filter((v) => v.verdict === l).length;
      console.log(`\n#### ${name}: ${title}, ${rows.length} findings: TRUE ${count('TRUE')}, BY-THE-RULE ${count('BY-THE-RULE')}, FALSE ${count('FALSE')}\n`);
      console.log('| project | file:line | id | front ends | verdict | reason |\n| --- | --- | --- | --- | --- | --- |');
      for (const v of rows) {
        const tools = (v.tools ?? []).map((t) => ({ asyncsan: 'check', 'eslint-plugin': 'eslint', tseslint: 'ts-eslint' })[t]).join('+');
        console.log(`| ${name} | ${short(v.file)}:${v.line} | ${v.id.replace('@typescript-eslint/', '')} | ${tools} | ${v.verdict} | ${cell(v.reason)} |`);
      }
    }
  }
  process.exit(0);
}
if (process.argv.includes('--tables')) printTables();

const verdicts = existsSync(verdictsFile) ? JSON.parse(readFileSync(verdictsFile, 'utf8')) : { findings: [] };
const verdictOf = new Map(verdicts.findings.map((v) => [`${v.project}|${v.file}|${v.id}|${v.text}${v.n > 1 ? `#${v.n}` : ''}`, v]));
const LABELS = ['TRUE', 'BY-THE-RULE', 'FALSE'];

mkdirSync(work, { recursive: true });
const summary = { date: new Date().toISOString(), machine: `${os.cpus()[0]?.model ?? '?'} × ${os.cpus().length}, Node ${process.version}`, asyncsan: run('git', ['rev-parse', 'HEAD'], root).stdout.trim(), projects: {} };
const todo = [];
const report = [];
let unjudged = 0;

for (const name of only) {
  const p = projects[name];
  const dir = ensureProject(name, p);
  const out = path.join(work, name);
  mkdirSync(out, { recursive: true });
  const files = sourceFiles(dir, p);
  writeFileSync(path.join(out, 'files.txt'), `${files.join('\n')}\n`);
  const res = { dir, commit: p.commit ?? null, files: files.length, tools: {} };
  process.stderr.write(`${name}: ${files.length} source files in ${dir}\n`);

  if (!skipTsc && !p.corpus && !reuse) {
    // The project's own TypeScript, as its developers type-check it.
    const tsc = existsSync(path.join(dir, 'node_modules/typescript/bin/tsc')) ? path.join(dir, 'node_modules/typescript/bin/tsc') : path.join(root, 'node_modules/typescript/bin/tsc');
    const r = run(process.execPath, [tsc, '--noEmit', '--pretty', 'false', '-p', p.tsconfig], dir);
    res.tscErrors = (r.stdout.match(/error TS\d+/g) ?? []).length;
    writeFileSync(path.join(out, 'tsc.txt'), r.stdout);
    process.stderr.write(`${name}: tsc --noEmit -p ${p.tsconfig}: ${res.tscErrors} errors\n`);
  }

  const t0 = Date.now();
  if (!reuse) {
    const check = run(process.execPath, [asyncsanBin, 'check', '--project', p.tsconfig, '--format', 'json', '--output', path.join(out, 'asyncsan.json'), ...p.paths], dir);
    // 3: a file did not parse (listed in the JSON's diagnostics); the rest was analysed and written.
    if (check.status !== 0 && check.status !== 1 && check.status !== 3) fail(`${name}: asyncsan check exited ${check.status}: ${check.stderr.trim()}`);
  } else if (!existsSync(path.join(out, 'asyncsan.json'))) fail(`--reuse: no earlier run of ${name} in ${out}`);
  res.checkSeconds = (Date.now() - t0) / 1000;
  const found = { asyncsan: normalise(dir, 'asyncsan', JSON.parse(readFileSync(path.join(out, 'asyncsan.json'), 'utf8'))) };

  if (!skipEslint) {
    for (const [tool, withTs, withOurs] of [
      ['tseslint', true, false],
      ['eslint-plugin', false, true],
    ]) {
      const cfg = path.join(out, `eslint.${tool}.config.mjs`);
      eslintConfig(cfg, dir, p, withTs, withOurs);
      const file = path.join(out, `eslint-${tool}.json`);
      const t1 = Date.now();
      if (!reuse) {
        const r = run(process.execPath, [eslintBin, '--config', cfg, '--no-config-lookup', '--no-warn-ignored', '--format', 'json', '-o', file, ...files], dir);
        if (r.status !== 0 && r.status !== 1) fail(`${name}: eslint (${tool}) exited ${r.status}: ${r.stderr.trim().slice(0, 2000)}`);
      } else if (!existsSync(file)) fail(`--reuse: no earlier ESLint run of ${name} in ${out}`);
      res[`${tool}Seconds`] = (Date.now() - t1) / 1000;
      found[tool] = normalise(dir, tool, JSON.parse(readFileSync(file, 'utf8')));
    }
  }

  for (const [tool, list] of Object.entries(found)) {
    const byId = {};
    const now = new Set();
    for (const f of list) {
      const v = verdictOf.get(`${name}|${f.key}`);
      now.add(`${name}|${f.key}`);
      const row = (byId[f.id] ??= { count: 0, TRUE: 0, 'BY-THE-RULE': 0, FALSE: 0, unjudged: 0 });
      row.count++;
      if (v && LABELS.includes(v.verdict)) row[v.verdict]++;
      else {
        row.unjudged++;
        unjudged++;
        const open = todo.find((t) => t.project === name && t.key === f.key);
        if (open) open.tools.push(tool);
        else {
          const n = Number(/#(\d+)$/.exec(f.key)?.[1] ?? 1);
          todo.push({ project: name, file: f.file, line: f.line, id: f.id, text: f.text, ...(n > 1 ? { n } : {}), tools: [tool], verdict: '?', reason: '', message: f.message, key: f.key });
        }
      }
    }
    // Judged findings this tool reported before and no longer does (ids of this tool only).
    const ids = tool === 'tseslint' ? (id) => id.startsWith('@typescript-eslint/') || id === 'require-atomic-updates' : (id) => !id.startsWith('@typescript-eslint/') && id !== 'require-atomic-updates';
    const gone = verdicts.findings.filter((v) => v.project === name && ids(v.id) && (v.tools ?? ['asyncsan']).includes(tool) && !now.has(`${name}|${v.file}|${v.id}|${v.text}${v.n > 1 ? `#${v.n}` : ''}`));
    // A TRUE finding the default no longer reports may be reported by --strict (a strict-only id, or an option the
    // strict set turns on, such as checkSyncThrows): asked of asyncsan check --strict on this project, only then.
    const strictKeys = new Set();
    if (tool === 'asyncsan' && gone.some((v) => v.verdict === 'TRUE' && getEntry(v.id)?.recommended !== false)) {
      const strictFile = path.join(out, 'asyncsan-strict.json');
      if (!reuse) {
        const r = run(process.execPath, [asyncsanBin, 'check', '--strict', '--project', p.tsconfig, '--format', 'json', '--output', strictFile, ...p.paths], dir);
        if (r.status !== 0 && r.status !== 1 && r.status !== 3) fail(`${name}: asyncsan check --strict exited ${r.status}: ${r.stderr.trim()}`);
      }
      if (existsSync(strictFile)) for (const f of normalise(dir, 'asyncsan', JSON.parse(readFileSync(strictFile, 'utf8')))) strictKeys.add(`${name}|${f.key}`);
    }
    res.tools[tool] = {
      total: list.length,
      byId,
      gone: gone.map((v) => ({ file: v.file, line: v.line, id: v.id, verdict: v.verdict, reason: v.reason, strict: strictKeys.has(`${name}|${v.file}|${v.id}|${v.text}${v.n > 1 ? `#${v.n}` : ''}`) })),
    };
    writeFileSync(path.join(out, `${tool}.normalised.json`), `${JSON.stringify(list, null, 1)}\n`);
  }
  summary.projects[name] = res;
}
for (const t of todo) delete t.key;

// The report: per project and tool, per id counts with their verdicts, precision, and what is new or gone.
const pct = (a, b) => (b ? `${((100 * a) / b).toFixed(0)}%` : 'n/a');
report.push(`asyncsan ${summary.asyncsan.slice(0, 10)}, ${summary.machine}, ${summary.date}`);
const totals = {};
for (const [name, res] of Object.entries(summary.projects)) {
  report.push('', `## ${name}: ${res.files} files${res.tscErrors !== undefined ? `, tsc ${res.tscErrors} errors` : ''}${reuse ? ' (raw output of the last run)' : `, asyncsan check ${res.checkSeconds.toFixed(1)} s`}`);
  report.push('', '| tool | id | reported | TRUE | BY-THE-RULE | FALSE | not judged |', '| --- | --- | ---: | ---: | ---: | ---: | ---: |');
  for (const [tool, t] of Object.entries(res.tools)) {
    const sum = { count: 0, TRUE: 0, 'BY-THE-RULE': 0, FALSE: 0, unjudged: 0 };
    for (const [id, row] of Object.entries(t.byId).sort()) {
      report.push(`| ${tool} | ${id} | ${row.count} | ${row.TRUE} | ${row['BY-THE-RULE']} | ${row.FALSE} | ${row.unjudged} |`);
      for (const k of Object.keys(sum)) sum[k] += row[k];
    }
    report.push(`| **${tool}** | **all** (precision ${pct(sum.TRUE, sum.count - sum.unjudged)} of judged) | **${sum.count}** | ${sum.TRUE} | ${sum['BY-THE-RULE']} | ${sum.FALSE} | ${sum.unjudged} |`);
    const tot = (totals[tool] ??= { count: 0, TRUE: 0, 'BY-THE-RULE': 0, FALSE: 0, unjudged: 0 });
    for (const k of Object.keys(sum)) tot[k] += sum[k];
    t.sum = sum;
  }
  for (const [tool, t] of Object.entries(res.tools)) {
    // A TRUE finding gone is a lost true positive (issue 17: every TRUE finding of the previous version still found).
    // asyncsan check runs the default (recommended) set: a TRUE finding of a strict-only id is still found by --strict.
    const lost = (g) =>
      g.verdict !== 'TRUE'
        ? ''
        : tool === 'asyncsan' && getEntry(g.id)?.recommended === false
          ? '(TRUE, strict-only: `asyncsan check --strict` runs it) '
          : g.strict
            ? '(TRUE, found by `asyncsan check --strict`: an option the strict set turns on) '
            : '**LOST TRUE** ';
    for (const g of t.gone) report.push(`- ${lost(g)}gone from ${tool}: ${g.file}:${g.line} ${g.id} (was ${g.verdict}: ${g.reason})`);
  }
}
report.push('', '## All projects', '', '| tool | reported | TRUE | BY-THE-RULE | FALSE | not judged | precision (TRUE / judged) |', '| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const [tool, s] of Object.entries(totals)) report.push(`| ${tool} | ${s.count} | ${s.TRUE} | ${s['BY-THE-RULE']} | ${s.FALSE} | ${s.unjudged} | ${pct(s.TRUE, s.count - s.unjudged)} |`);
// The issue's comparison: every TRUE site typescript-eslint's rules find, asyncsan must find too.
const trueMissed = [];
for (const [name, res] of Object.entries(summary.projects)) {
  if (!res.tools.tseslint) continue;
  const ours = JSON.parse(readFileSync(path.join(work, name, 'asyncsan.normalised.json'), 'utf8'));
  const theirs = JSON.parse(readFileSync(path.join(work, name, 'tseslint.normalised.json'), 'utf8'));
  for (const f of theirs) {
    const v = verdictOf.get(`${name}|${f.key}`);
    if (v?.verdict !== 'TRUE') continue;
    if (!ours.some((o) => o.file === f.file && Math.abs(o.line - f.line) <= (v.lineSlack ?? 0) && ['floating-promise', 'misused-async-callback', 'lost-update', 'check-then-act'].includes(o.id))) {
      trueMissed.push(`${name} ${f.file}:${f.line} ${f.id}`);
    }
  }
}
summary.trueFoundByTseslintOnly = trueMissed;
// The issue's goal, per project: asyncsan's promise checks against typescript-eslint's promise rules (and the races
// against require-atomic-updates), counting TRUE and harmless (BY-THE-RULE + FALSE) reports and the unjudged.
const families = [
  ['promise hygiene', ['floating-promise', 'misused-async-callback'], ['@typescript-eslint/no-floating-promises', '@typescript-eslint/no-misused-promises']],
  ['races', ['lost-update', 'check-then-act'], ['require-atomic-updates']],
];
const cmp = ['', '## asyncsan check against typescript-eslint', '', '| project | family | asyncsan check: reports / TRUE / harmless | typescript-eslint: reports / TRUE / harmless | fewer harmless? |', '| --- | --- | --- | --- | --- |'];
for (const [name, res] of Object.entries(summary.projects)) {
  if (!res.tools.tseslint) continue;
  for (const [family, ours, theirs] of families) {
    const tally = (t, ids) => {
      const s = { n: 0, t: 0, h: 0, u: 0 };
      for (const id of ids) {
        const row = res.tools[t].byId[id];
        if (!row) continue;
        s.n += row.count; s.t += row.TRUE; s.h += row['BY-THE-RULE'] + row.FALSE; s.u += row.unjudged;
      }
      return s;
    };
    const a = tally('asyncsan', ours);
    const b = tally('tseslint', theirs);
    const fmt = (x) => `${x.n} / ${x.t} / ${x.h}${x.u ? ` (+${x.u} not judged)` : ''}`;
    cmp.push(`| ${name} | ${family} | ${fmt(a)} | ${fmt(b)} | ${a.n + b.n === 0 ? '—' : a.h < b.h ? 'yes' : a.h === b.h ? 'no (equal)' : 'no'} |`);
  }
}
if (totals.tseslint) report.push(...cmp);
if (totals.tseslint) report.push('', `TRUE typescript-eslint findings with no asyncsan check finding on the same line: ${trueMissed.length ? trueMissed.join('; ') : 'none'}`);
report.push('', `Raw output: ${path.relative(root, work)}/<project>/ (asyncsan.json, eslint-tseslint.json, eslint-eslint-plugin.json, *.normalised.json).`);
if (unjudged) report.push(`${unjudged} finding(s) have no verdict yet${todoFile ? `: templates in ${todoFile}` : ' (--todo FILE writes templates)'}.`);

writeFileSync(path.join(work, 'summary.json'), `${JSON.stringify(summary, null, 1)}\n`);
writeFileSync(path.join(work, 'summary.md'), `${report.join('\n')}\n`);
if (todoFile) writeFileSync(todoFile, `${JSON.stringify(todo, null, 1)}\n`);
console.log(report.join('\n'));
process.exit(unjudged ? 1 : 0);
