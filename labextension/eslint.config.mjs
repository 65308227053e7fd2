// eslint for the lab extension's TypeScript and the panel's front-end modules (anywidget ESM shipped in the
// Python package). Run by ./dev check from the repository root: `eslint -c labextension/eslint.config.mjs`.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/lib/**', '**/node_modules/**', 'jupyter_compute/labextension/**'] },
  {
    files: ['labextension/src/**/*.ts'],
    extends: [js.configs.recommended, ...tseslint.configs.recommended],
    languageOptions: { globals: globals.browser }
  },
  {
    files: ['jupyter_compute/ui/panel/static/**/*.js', 'labextension/test/**/*.mjs'],
    extends: [js.configs.recommended],
    languageOptions: { sourceType: 'module', globals: { ...globals.browser, ...globals.node } },
    rules: { 'no-unused-vars': ['error', { argsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' }] }
  }
);
