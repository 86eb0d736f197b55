import { defineConfig } from 'drizzle-kit';

// Used only to generate migrations from the schema (`npm run db:generate`); the services run the
// checked-in SQL with the migrator in src/migrate.ts.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/schema/index.ts',
  out: './migrations',
  casing: 'snake_case',
});
