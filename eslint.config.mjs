// @ts-check
import { readdirSync } from 'node:fs';
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

const libs = readdirSync(new URL('./libs', import.meta.url), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name);

/**
 * Module boundaries: a lib is reached only through its alias, and never through its own barrel.
 * Tests may also import another lib's test helpers through `@throughline/<lib>/testing` (decision
 * 0018); production code may not, and the launchers in bin/ do not map that path at all.
 */
const boundaries = (self, { tests = false } = {}) => ({
  patterns: [
    {
      group: ['@throughline/*/*', ...(tests ? ['!@throughline/*/testing'] : [])],
      message: tests
        ? 'Import a lib only through its public index (@throughline/<lib>) or its test helpers (@throughline/<lib>/testing).'
        : 'Import a lib only through its public index (@throughline/<lib>); test helpers are for tests.',
    },
    { group: ['**/libs/*', '**/libs/*/**', '../../libs/**'], message: 'Use the @throughline/<lib> alias.' },
    ...(self
      ? [{ group: [`@throughline/${self}`], message: 'Do not import your own barrel from inside the lib.' }]
      : []),
  ],
});

/** Test files: the tiers by suffix, test helpers, and the apps' test folders. */
const TEST_FILES = [
  '**/*.spec.ts',
  '**/*.int-spec.ts',
  '**/*.e2e-spec.ts',
  '**/testing/**/*.ts',
  'apps/*/test/**/*.ts',
];

/** The catalogue decides dates and optional fields once (instants.ts, catalogue/dates.ts). */
const catalogueRules = {
  paths: [
    {
      name: 'class-validator',
      importNames: ['IsOptional', 'IsISO8601', 'IsDateString', 'IsRFC3339'],
      message: 'Use Optional(), IsCalendarDate(), IsInstant() or IsDateOrInstant() from catalogue/dates.',
    },
  ],
};

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'data/**',
      'coverage/**',
      'bin/**',
      '*.js',
      '*.mjs',
      // Test child processes in plain JavaScript, for dependencies jest cannot load (ES modules only).
      'apps/*/test/**/*.mjs',
      'infra/kafka/target/**',
      'infra/kafka/example-publisher/**',
    ],
  },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      // A default branch counts: folds ignore what they do not handle; deciders end in assertNever.
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true },
      ],
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-extraneous-class': 'off',
      'no-restricted-imports': ['error', boundaries(null)],
    },
  },
  {
    // The processes are wired from libs: one never reaches into another's sources (the launcher in
    // apps/cli and the bench in apps/bench start them, and may).
    files: ['apps/api/**/*.ts', 'apps/worker/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...boundaries(null).patterns,
            {
              group: ['../../*/src', '../../*/src/**'],
              message: 'An app does not import another app: move what both need into a lib.',
            },
          ],
        },
      ],
    },
  },
  ...libs.map((lib) => ({
    files: [`libs/${lib}/**/*.ts`],
    rules: {
      'no-restricted-imports': ['error', { ...boundaries(lib), ...(lib === 'domain' ? catalogueRules : {}) }],
    },
  })),
  {
    files: TEST_FILES,
    rules: { 'no-restricted-imports': ['error', boundaries(null, { tests: true })] },
  },
  ...libs.map((lib) => ({
    files: TEST_FILES.map((pattern) => `libs/${lib}/${pattern}`),
    rules: {
      'no-restricted-imports': [
        'error',
        { ...boundaries(lib, { tests: true }), ...(lib === 'domain' ? catalogueRules : {}) },
      ],
    },
  })),
  {
    files: TEST_FILES,
    rules: {
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  prettier,
);
