import { describe, expect, it } from 'vitest';
import type { Finding } from '@asyncsan/core';
import { reporters } from '@asyncsan/core';

const hostile: Finding = {
  id: 'check-then-act',
  severity: 'error',
  message: 'cache "<k>" & | checked\nbefore await',
  engine: 'analyzer',
  location: { file: 'src/a&b.ts', line: 2, column: 1 },
  test: { file: 't.ts', name: '<script>', fullName: 'suite > <script>' },
};
const ctx = { cwd: '/nowhere', toolVersion: '0.1.0', readLine: () => undefined };

describe('reporters escape what they carry', () => {
  it('junit escapes XML and drops control characters', () => {
    const xml = reporters.junit([{ ...hostile, message: `${hostile.message}\u0007` }], ctx);
    expect(xml).toContain('message="cache &quot;&lt;k&gt;&quot; &amp; | checked\nbefore await"');
    expect(xml).toContain('name="suite &gt; &lt;script&gt; › check-then-act"');
    expect(xml).not.toContain('\u0007');
    expect(xml).not.toMatch(/<script>/);
  });

  it('junit shows a passing case for a clean run', () => {
    expect(reporters.junit([], { ...ctx, baselined: 2 })).toContain('<testcase classname="asyncsan" name="no async hazards (2 baselined)"/>');
  });

  it('markdown neutralises pipes, HTML and newlines in table cells', () => {
    const md = reporters.markdown([hostile], ctx);
    expect(md).toContain('| error | `src/a&b.ts:2:1` | `check-then-act` | cache "&lt;k&gt;" & \\| checked before await<br>test: suite &gt; &lt;script&gt; |');
    expect(md).toContain('| [`check-then-act`](https://github.com/asyncsan/asyncsan/blob/main/docs/rules/check-then-act.md) | 1 | Check-then-act across await |');
  });

  it('github escapes newlines in data and commas and colons in properties', () => {
    const gh = reporters.github([{ ...hostile, location: { file: 'src/a,b:c.ts', line: 2, column: 1 } }], ctx);
    expect(gh.startsWith('::error file=src/a%2Cb%3Ac.ts,line=2,col=1,title=asyncsan/check-then-act::cache "<k>" & | checked%0Abefore await')).toBe(true);
  });

  it('text says so when nothing was found', () => {
    expect(reporters.text([], ctx)).toBe('✔ No async hazards found\n');
  });
});
