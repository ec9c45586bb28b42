import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { Knex } from 'knex';

/**
 * The plugin's tables (run history, locks, audit) are Knex migrations in `migrations/`, one file per
 * change, named `<yyyymmddhhmm>_<what>.js`. They run at start-up unless the database service says
 * migrations are managed elsewhere.
 */
export async function migrateDatabase(
  database: DatabaseService,
): Promise<Knex> {
  const client = await database.getClient();
  if (!database.migrations?.skip) {
    await client.migrate.latest({
      directory: resolvePackagePath(
        '@devops-app/plugin-devops-app-backend',
        'migrations',
      ),
      tableName: 'devops_app_knex_migrations',
      loadExtensions: ['.js'],
    });
  }
  return client;
}
