// ESLint flat config. `npm run lint` runs it, then Prettier and knip.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

const YAML_DOOR = 'YAML is parsed and written only in src/yaml, the one YAML front door: import what you need from there.';
const LOADED_ON_USE = 'loaded on first use, so that a run that needs none of it does not pay for it: take it from its accessor';
/**
 * Packages most runs never need, each loaded on first use by one accessor: src/yaml/yaml-package.ts,
 * src/codec/io-ts-package.ts, src/preview/unified.ts. Elsewhere they are imported for their types only.
 */
const LAZY_PACKAGES = [
  { name: 'io-ts', allowTypeImports: true, message: `io-ts is ${LOADED_ON_USE} (src/codec/io-ts-package.ts).` },
  { name: 'diff', allowTypeImports: true, message: `jsdiff is ${LOADED_ON_USE} (src/preview/unified.ts).` },
];

export default defineConfig(
  {
    // Build output, coverage, and the real-world packages test/real-world/fetch.sh unpacks (whole Debian packages,
    // with .js files of their own) are not ours to lint.
    ignores: ['dist/', 'coverage/', '.real-world/'],
  },
  js.configs.recommended,
  // Type-aware: its rules see the types tsc sees (floating promises, `any` leaking in, awaiting non-promises).
  // On a 2-core machine it takes about 20 s of the lint, against about 5 s without types.
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
  },
  {
    files: ['**/*.ts'],
    rules: {
      // The code is written for noUncheckedIndexedAccess (tsc --noUncheckedIndexedAccess finds nothing): a `!` after
      // an index or a Map lookup says "checked, present". tsconfig.json does not turn that option on yet, so every
      // such `!` looks unnecessary to this rule (312 reports). Turn it back on together with the option, when it
      // finds only real unneeded casts.
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
      // tsc's noFallthroughCasesInSwitch (tsconfig.json) already checks this and knows that `process.exit()` never
      // returns; ESLint's own rule does not, and flags every `case` that ends in one.
      'no-fallthrough': 'off',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // Types are already imported as types, `import type { X }` or inline `type X` beside values.
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/yaml/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'yaml', message: YAML_DOOR }, { name: 'js-yaml', message: YAML_DOOR }, ...LAZY_PACKAGES],
          patterns: [
            { regex: '^(js-)?yaml/', message: YAML_DOOR },
            { regex: '^(io-ts|fp-ts|diff)/', message: LOADED_ON_USE },
          ],
        },
      ],
    },
  },
  {
    files: ['src/yaml/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'yaml', allowTypeImports: true, message: `the yaml package is ${LOADED_ON_USE} (yaml-package.ts).` },
            ...LAZY_PACKAGES,
          ],
          patterns: [{ regex: '^yaml/', message: LOADED_ON_USE }],
        },
      ],
    },
  },
  {
    // Outside tsconfig.json's program (src, test, bench): linted without types.
    files: ['**/*.js', '**/*.cjs'],
    extends: [tseslint.configs.disableTypeChecked],
  },
  {
    // CommonJS on purpose: bench.ts loads them with `node --require` and runs them as plain scripts.
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', process: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  // Last: turns off every stylistic rule that Prettier owns, so that the two never disagree.
  prettier,
);
