// @ts-check
const tseslint = require('typescript-eslint');
const importPlugin = require('eslint-plugin-import');
const { builtinModules } = require('node:module');

module.exports = tseslint.config(
  { ignores: ['dist/**', '.tools/**', '.data/**', 'node_modules/**', 'coverage/**', '*.js'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: __dirname } },
    plugins: { import: importPlugin },
    settings: { 'import/resolver': { node: { extensions: ['.ts', '.tsx', '.js', '.json'] } } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'import/no-cycle': 'error',
    },
  },
  {
    // Workflow code runs in Temporal's deterministic sandbox, at any depth under workflows/: no Node
    // built-ins, no npm package but the workflow SDK and its pure common types, and nothing from the
    // rest of the app except types.
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: builtinModules
            .flatMap((m) => [m, `node:${m}`])
            .map((name) => ({ name, message: 'Workflow code must stay deterministic.' })),
          patterns: [
            {
              group: [
                '**/activities/**',
                '**/api/**',
                '**/db/**',
                '**/clients/**',
                '**/config/**',
                '**/agent/**',
                '**/scripts/**',
              ],
              allowTypeImports: true,
              message: 'Workflows may only import types from the rest of the app.',
            },
            {
              regex: '^(?![.]{1,2}/)(?!@temporalio/(workflow|common)(/|$))',
              allowTypeImports: true,
              message:
                'Workflows may value-import only @temporalio/workflow, @temporalio/common and pure helpers of their own.',
            },
          ],
        },
      ],
    },
  },
);
