import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Tests import workspace packages from their TypeScript sources, so no build is needed before a
// test run. (The `@sotamail/source` export condition does the same for tsc and tsx; vite's runners
// do not all honour custom conditions, aliases they do.)
const packagesDir = fileURLToPath(new URL('./packages', import.meta.url));
const alias = readdirSync(packagesDir).map((name) => ({
  find: new RegExp(`^@sotamail/${name}$`),
  replacement: `${packagesDir}/${name}/src/index.ts`,
}));

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          sequence: { groupOrder: 0 },
          include: [
            '{apps,packages}/*/src/**/*.test.ts',
            'packages/mail-core/test/**/*.test.ts',
            'bench/**/*.test.ts',
          ],
          exclude: ['**/*.int.test.ts', '**/node_modules/**'],
        },
      },
      {
        extends: true,
        test: {
          name: 'int',
          sequence: { groupOrder: 1 },
          include: ['{apps,packages}/*/{src,test}/**/*.int.test.ts', 'test/**/*.int.test.ts'],
          globalSetup: ['./packages/test-support/src/global-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
          // Integration files share one PostgreSQL server and one Redis; each file gets its own
          // database and queue prefix, so two files may run at once on our two cores.
          maxWorkers: 2,
        },
      },
    ],
  },
});
