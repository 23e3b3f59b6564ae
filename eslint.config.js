// The repo lints its own code with typescript-eslint and asyncsan's own recommended rules
// (ESLint's defineConfig: typescript-eslint deprecates its own tseslint.config).
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';
import asyncsan from 'eslint-plugin-asyncsan';

export default defineConfig(
  {
    ignores: ['**/dist/**', '**/node_modules/**', 'fixtures/**', 'test/data/**', 'bench/corpus/**', 'bench/.work/**', 'test/.output/**', 'docs/**', '**/*.d.ts'],
  },
  tseslint.configs.recommended,
  // Our own rules on our own code (the plugin is built by `npm run build` before lint runs).
  asyncsan.configs.recommended,
  {
    languageOptions: {
      parserOptions: { project: './tsconfig.eslint.json', tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'separate-type-imports' }],
    },
  },
  {
    // The engine takes the typescript module as a parameter: only type imports here.
    files: ['packages/checks/src/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { paths: [{ name: 'typescript', message: 'Use ctx.ts; only `import type` from typescript in the engine.', allowTypeImports: true }] }],
    },
  },
  {
    // The shared harness is a workspace package: tests import it by name, not by a path into test/harness/.
    files: ['test/**/*.ts', 'packages/*/test/**/*.ts', 'eslint-plugin/tests/**/*.ts'],
    ignores: ['test/harness/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [{ regex: '(^|/)harness/', message: "Import the harness by name: '@asyncsan/test-harness/<module>'." }] }],
    },
  },
);
