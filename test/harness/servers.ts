/**
 * Drives the server fixtures (fixtures/runtime/<id>/*-server-*.mjs): they print `ready <port>` once
 * listening and log `<METHOD> <url>` as each request's handler starts. Two uploads are sent at once,
 * and their bodies only once both handlers have started, so the handlers interleave the same way on
 * every run, however loaded the machine.
 */
import http from 'node:http';

/** Polls `read()` until `pattern` matches it; rejects with the output so far after `timeoutMs`. */
export function waitForLine(read: () => string, pattern: RegExp, timeoutMs = 60_000): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = () => {
      const m = pattern.exec(read());
      if (m) resolve(m);
      else if (Date.now() - started > timeoutMs) reject(new Error(`timed out waiting for ${pattern}; output so far:\n${read()}`));
      else setTimeout(poll, 20);
    };
    poll();
  });
}

const uploadsLogged = (text: string) => text.match(/^POST \/upload$/gm)?.length ?? 0;

/** Two concurrent `POST /upload` requests; each body is sent once both handlers have logged their start. Resolves with the replies. */
export async function twoConcurrentUploads(port: number, stdout: () => string, bodies: [string, string] = ['12345', '1234567']): Promise<string[]> {
  const before = uploadsLogged(stdout());
  const requests = bodies.map(() => {
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/upload', agent: false, headers: { 'transfer-encoding': 'chunked' } });
    // The headers go now, the body later: the server's handler starts and waits for the body.
    req.flushHeaders();
    const reply = new Promise<string>((resolve, reject) => {
      req.on('response', (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (d: string) => (text += d));
        res.on('end', () => resolve(text.trim()));
        res.on('error', reject);
      });
      req.on('error', reject);
    });
    return { req, reply };
  });
  await waitForLine(() => (uploadsLogged(stdout()) >= before + 2 ? 'both started' : ''), /both started/);
  requests.forEach(({ req }, i) => req.end(bodies[i]));
  return Promise.all(requests.map((r) => r.reply));
}
