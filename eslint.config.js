// @ts-check
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

/**
 * Imports run downwards only: dsl → topology → state → serde → windowing / kafka → errors, logger;
 * runtime and testing sit above topology and state (testing above runtime too; its embedded-broker
 * helpers use the client port); cli (the `tributary` bin) sits on top. Each folder lists
 * the folders it must not import; a relative import climbing into one of them is an error.
 */
const layers = {
  kafka: ['dsl', 'topology', 'state', 'serde', 'windowing', 'runtime', 'testing', 'cli'],
  windowing: ['dsl', 'topology', 'state', 'serde', 'kafka', 'runtime', 'testing', 'cli'],
  serde: ['dsl', 'topology', 'state', 'kafka', 'runtime', 'testing', 'cli'],
  state: ['dsl', 'topology', 'kafka', 'runtime', 'testing', 'cli'],
  topology: ['dsl', 'kafka', 'runtime', 'testing', 'cli'],
  dsl: ['kafka', 'runtime', 'testing', 'cli'],
  runtime: ['dsl', 'testing', 'cli'],
  testing: ['dsl', 'cli'],
};
const boundaries = Object.entries(layers).map(([folder, forbidden]) => ({
  files: [`src/${folder}/**/*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          {
            regex: `^(\\.\\./)+(${forbidden.join('|')})/`,
            message: `src/${folder} sits below these folders: imports only run downwards (see docs/architecture.md).`,
          },
        ],
      },
    ],
  },
}));

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'dist-check/**',
      'node_modules/**',
      'bench/kafka-streams/target/**',
      'test/fidelity/oracle/target/**',
      'coverage/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  ...boundaries,
  prettier,
);
