// Lint: typescript-eslint's recommended rules, no import cycles, and the layer rule
// core ← api ← components (scheduler, node, controllers, cloud, faults, gpu models) ← drivers ← cli.
// A lower layer never imports a higher one; the input helpers (scenario/yaml-field, input-error, input-file)
// are usable from every layer, since every component parses its own part of a scenario.
import tseslint from 'typescript-eslint';
import { importX } from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

const CORE = ['./engine/core/**'];
const API = ['./engine/api/**'];
// GPU files that drive the arrival-only replay or report on it belong to the drivers; the rest of gpu/ is the GPU model
// (cluster columns, fragmentation, typical pods, resources), which the scheduler's GPU plugins use.
const GPU_DRIVER_NAMES = 'experiment|command|report|metrics|replay|replay-spec';
const COMPONENTS = [
  './engine/scheduler/**',
  './engine/node/**',
  './engine/controllers/**',
  './engine/cloud/**',
  './engine/faults/**',
  `./engine/gpu/!(${GPU_DRIVER_NAMES}).ts`,
];
// Every scenario module but the input helpers.
const SCENARIO = './engine/scenario/!(yaml-field|input-error|input-file).ts';
const SCENARIO_PARTS = ['./engine/scenario/importers/**', './engine/scenario/workloads/**'];
const DRIVERS = [
  SCENARIO,
  ...SCENARIO_PARTS,
  './engine/@(run).ts',
  './engine/workload/**',
  './engine/metrics/**',
  './engine/report/**',
  './engine/sweep/**',
  './engine/explain/**',
  `./engine/gpu/@(${GPU_DRIVER_NAMES}).ts`,
];
const CLI = ['./engine/@(cli|index).ts'];

const above = (target, from) => ({ target, from, message: 'a lower layer may not import a higher one (eslint.config.js)' });

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'reports/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })] },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            above(CORE, [...API, ...COMPONENTS, ...DRIVERS, ...CLI]),
            above(API, [...COMPONENTS, ...DRIVERS, ...CLI]),
            above(COMPONENTS, [...DRIVERS, ...CLI]),
            above(DRIVERS, CLI),
          ],
        },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // A plugin's tests live beside it (engine/scheduler/plugins/<name>/) and may drive it through any layer.
    files: ['**/*.test.ts'],
    rules: { 'import-x/no-restricted-paths': 'off' },
  },
);
