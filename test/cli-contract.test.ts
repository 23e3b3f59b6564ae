/**
 * What a newcomer's first hour depends on (issue 19), through the real bin:
 * colour only on a terminal or when asked, in every command; `asyncsan report`
 * rejects a document that breaks the published schema with one line naming the
 * file and the JSON path; `asyncsan run` reads and validates the config before
 * it starts the command.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { shouldColor } from '@asyncsan/core';
import { runCli } from '@asyncsan/test-harness/cli';
import { repoRoot } from '@asyncsan/test-harness/expectations';

const sample = path.join(repoRoot, 'test/data/findings.json');
const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'asyncsan-contract-'));
const ESC = /\u001b\[/;
/** Neither colour variable set, as in a plain shell (the harness sets NO_COLOR otherwise). */
const plain = { NO_COLOR: undefined, FORCE_COLOR: undefined };

describe('colour', () => {
  it('decides from the flag, then NO_COLOR, then FORCE_COLOR, then the terminal', () => {
    const tty = { isTTY: true };
    const pipe = { isTTY: false };
    expect(shouldColor(undefined, pipe, {})).toBe(false);
    expect(shouldColor(undefined, tty, {})).toBe(true);
    expect(shouldColor(undefined, tty, { NO_COLOR: '1' })).toBe(false);
    expect(shouldColor(undefined, tty, { NO_COLOR: '' })).toBe(true);
    expect(shouldColor(undefined, pipe, { FORCE_COLOR: '1' })).toBe(true);
    expect(shouldColor(undefined, pipe, { FORCE_COLOR: '' })).toBe(false);
    expect(shouldColor(undefined, tty, { FORCE_COLOR: '0' })).toBe(false);
    expect(shouldColor(undefined, tty, { FORCE_COLOR: 'false' })).toBe(false);
    expect(shouldColor(undefined, pipe, { NO_COLOR: '1', FORCE_COLOR: '1' })).toBe(false);
    expect(shouldColor(true, pipe, { NO_COLOR: '1' })).toBe(true);
    expect(shouldColor(false, tty, { FORCE_COLOR: '1' })).toBe(false);
  });

  it('a report on a pipe or in a file has no escape codes unless asked for, in report and run alike', async () => {
    const piped = await runCli(['report', sample], { env: plain });
    expect(piped.code).toBe(1);
    expect(piped.stdout).toContain('leaked-timer');
    expect(piped.stdout).not.toMatch(ESC);
    const asked = await runCli(['report', sample, '--color'], { env: plain });
    expect(asked.stdout).toMatch(/\u001b\[31merror\u001b\[0m/);
    const forced = await runCli(['report', sample], { env: { ...plain, FORCE_COLOR: '1' } });
    expect(forced.stdout).toMatch(ESC);
    const forcedOff = await runCli(['report', sample], { env: { ...plain, FORCE_COLOR: '0' } });
    expect(forcedOff.stdout).not.toMatch(ESC);

    // `run` writes its report on stderr: a pipe there gets no colour either.
    const dir = tmp();
    writeFileSync(path.join(dir, 'job.mjs'), 'setTimeout(() => {}, 60_000);\nsetTimeout(() => process.exit(0), 20);\n');
    const run = await runCli(['run', '--', process.execPath, 'job.mjs'], { cwd: dir, env: plain });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('leaked-timer');
    expect(run.stderr).not.toMatch(ESC);
    const runForced = await runCli(['run', '--', process.execPath, 'job.mjs'], { cwd: dir, env: { ...plain, FORCE_COLOR: '1' } });
    expect(runForced.stderr).toMatch(ESC);
  });
});

describe('asyncsan report validates its input against the published schema', () => {
  it('one line with the file and the JSON path of the first problem, exit 2', async () => {
    const dir = tmp();
    const doc = JSON.parse(readFileSync(sample, 'utf8'));
    delete doc.findings[0].test.fullName;
    writeFileSync(path.join(dir, 'broken.json'), JSON.stringify(doc));
    const r = await runCli(['report', 'broken.json'], { cwd: dir });
    expect(r).toEqual({ code: 2, stdout: '', stderr: 'asyncsan: broken.json: does not match the findings schema at $.findings[0].test.fullName: is required\n' });

    doc.findings[0].test.fullName = 'x';
    doc.findings[1].location.line = '15';
    writeFileSync(path.join(dir, 'broken.json'), JSON.stringify(doc));
    const typed = await runCli(['report', 'broken.json', '--format', 'html'], { cwd: dir });
    expect(typed).toEqual({ code: 2, stdout: '', stderr: 'asyncsan: broken.json: does not match the findings schema at $.findings[1].location.line: must be an integer, got "15"\n' });

    // Every input is checked, the --compare one too.
    writeFileSync(path.join(dir, 'old.json'), JSON.stringify({ version: 1, tool: { name: 'asyncsan', version: '0' }, findings: [{ id: 'leaked-timer' }] }));
    const old = await runCli(['report', sample, '--compare', 'old.json'], { cwd: dir });
    expect(old).toEqual({ code: 2, stdout: '', stderr: 'asyncsan: old.json: does not match the findings schema at $.findings[0].severity: is required\n' });
  });
});

describe('asyncsan run reads the config before the command', () => {
  it('a broken config stops it before the command starts, exit 2', async () => {
    const dir = tmp();
    writeFileSync(path.join(dir, 'asyncsan.config.json'), JSON.stringify({ severity: { 'leaked-timr': 'off' } }));
    writeFileSync(path.join(dir, 'job.mjs'), "import { writeFileSync } from 'node:fs';\nwriteFileSync('ran', 'yes');\n");
    const r = await runCli(['run', '--', process.execPath, 'job.mjs'], { cwd: dir });
    expect(r).toEqual({
      code: 2,
      stdout: '',
      stderr: 'asyncsan: asyncsan.config.json: "severity.leaked-timr" is not a hazard id (did you mean "leaked-timer"?); see docs/rules/ for the list\n',
    });
    expect(existsSync(path.join(dir, 'ran'))).toBe(false);
  });

  it('obeys the config: an id turned off is not reported and does not fail the run', async () => {
    const dir = tmp();
    writeFileSync(path.join(dir, 'job.mjs'), 'setTimeout(() => {}, 60_000);\nsetTimeout(() => process.exit(0), 20);\n');
    const before = await runCli(['run', '--format', 'json', '--', process.execPath, 'job.mjs'], { cwd: dir });
    expect(before.code).toBe(1);
    expect(JSON.parse(before.stderr).findings.map((f: { id: string; location: { line: number } }) => `${f.id}:${f.location.line}`)).toEqual(['leaked-timer:1']);
    writeFileSync(path.join(dir, 'asyncsan.config.json'), JSON.stringify({ severity: { 'leaked-timer': 'off' } }));
    const after = await runCli(['run', '--', process.execPath, 'job.mjs'], { cwd: dir });
    expect(after).toEqual({ code: 0, stdout: '', stderr: '✔ No async hazards found\n' });
  });
});
