/**
 * Declarations standing in for effect's generator API (`Effect.gen`, `Effect.fn`, `yield*`), prepended to
 * the code strings of the check-then-act and lost-update tests: the check's own tests (packages/checks/test)
 * and the ESLint rules' RuleTester tests (eslint-plugin/tests/rules) run the same cases.
 */

/** For check-then-act: `load` yields a string, `loop` and `all` drive fibers. */
export const CHECK_THEN_ACT_GEN = `type Eff<A> = { [Symbol.iterator](): Generator<unknown, A, unknown>; pipe<B>(f: (e: Eff<A>) => B): B };
declare function gen<A>(body: () => Generator<unknown, A, unknown>): Eff<A>;
declare function gen<S, A>(self: S, body: (this: S) => Generator<unknown, A, unknown>): Eff<A>;
declare function fn<X extends unknown[], A>(body: (...args: X) => Generator<unknown, A, unknown>, ...stages: Array<(e: Eff<A>) => Eff<A>>): (...args: X) => Eff<A>;
declare function sleep(ms: number): Eff<void>;
declare function load(k: string): Eff<string>;
declare function loop(step: () => Eff<boolean>): Eff<void>;
declare function onStart<A>(e: Eff<A>, f: () => void): Eff<A>;
declare function all<A>(xs: Eff<A>[], options?: { concurrency?: number }): Eff<A[]>;
`;

/** For lost-update: `load` yields a number, `forEach` and a semaphore's `withPermits` drive fibers. */
export const LOST_UPDATE_GEN = `type Eff<A> = { [Symbol.iterator](): Generator<unknown, A, unknown>; pipe<B>(f: (e: Eff<A>) => B): B };
declare function gen<A>(body: () => Generator<unknown, A, unknown>): Eff<A>;
declare function gen<S, A>(self: S, body: (this: S) => Generator<unknown, A, unknown>): Eff<A>;
declare function fn<X extends unknown[], A>(body: (...args: X) => Generator<unknown, A, unknown>, ...stages: Array<(e: Eff<A>) => Eff<A>>): (...args: X) => Eff<A>;
declare function sleep(ms: number): Eff<void>;
declare function load(k: string): Eff<number>;
declare function forEach<T, B>(xs: T[], f: (x: T) => Eff<B>, options?: { concurrency?: number }): Eff<B[]>;
declare function onStart<A>(e: Eff<A>, f: () => void): Eff<A>;
declare const sem: { withPermits(n: number): <A>(e: Eff<A>) => Eff<A> };
`;
