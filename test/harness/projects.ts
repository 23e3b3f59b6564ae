/**
 * What the fixture projects under fixtures/projects/ are expected to do when a
 * test runner runs them with the plugin: one place, shared by every test that
 * runs them (pools, Vitest 5, detectAsyncLeaks, reports).
 */
export { tracerIds } from './ids.js';

/** Per project, each test's full name and its verdict. */
export const expectedVerdicts = {
  'vitest-basic': {
    'poller leaks its interval': 'fail',
    'poller stops cleanly': 'pass',
    'poller cleanup in afterEach counts is judged after its hooks': 'pass',
    'concurrent A leaks a timeout': 'fail',
    'concurrent B is clean while A runs': 'pass',
    'listeners adds a listener to a long-lived emitter': 'fail',
    'waits for an event nobody sends': 'fail',
    'a plain failure stays a plain failure': 'fail',
  },
  'vitest-options': {
    'advances a fake clock without hanging': 'pass',
    'leaves a fake interval armed, then restores real timers': 'pass',
    'leaks a real timer while the clock is fake': 'fail',
    'turns asyncsan off from its body': 'pass',
    'downgrades itself to warn': 'pass',
    'registers a listener the config ignores': 'pass',
    'leaks but its file is excluded': 'pass',
    'A leaves a timeout that fires later': 'fail',
    'B is running when it fires': 'pass',
  },
  // Without the plugin (ASYNCSAN_MODE=plain): what warn mode must reproduce test by test.
  'vitest-verdicts': {
    'generates an RSA key with WebCrypto': 'pass',
    'digests, derives and signs with WebCrypto': 'pass',
    'derives keys with pbkdf2, scrypt and hkdf': 'pass',
    'generates a key pair, primes and random bytes': 'pass',
    'gzips a buffer and streams through gzip and gunzip': 'pass',
    'compresses a streamed body with CompressionStream': 'pass',
    'hashes through a native-addon-like job': 'pass',
    'asks a worker started in beforeAll': 'pass',
    'imports a module the main process is slow to transform': 'pass',
    'waits for a ready event only it would send': 'fail',
    'leaves a rejection unhandled': 'pass',
    'runs after it': 'pass',
    'fails its own assertion': 'fail',
    passes: 'pass',
    'outlives its own timeout': 'fail',
    'notifies every user': 'pass',
    'sends nothing when there are no users': 'fail',
  },
  'vitest-shared-worker': {
    'leaves a timeout behind': 'fail',
    'runs in the same worker when it fires': 'pass',
  },
} as const satisfies Record<string, Record<string, 'pass' | 'fail'>>;
