import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from './paths';

/** The new-environment template's skeleton (templates/new-environment/skeleton). */
export const skeletonDir = path.join(
  repoRoot,
  'templates',
  'new-environment',
  'skeleton',
);

export type SkeletonValues = Record<
  string,
  string | number | boolean | undefined
>;

/**
 * A skeleton file as the template writes it, for the few nunjucks forms the chart files use:
 * `${{ values.x }}` and `{% if values.x %}...{% else %}...{% endif %}`. The scaffolder's own test
 * (plugins/scaffolder-backend-module-devops-app, newEnvironment.test.ts) renders them with the real engine.
 */
export function renderSkeletonFile(
  file: string,
  values: SkeletonValues,
): string {
  const value = (name: string) => {
    if (!(name in values))
      throw new Error(`${file}: values.${name} is not given`);
    return values[name];
  };
  return fs
    .readFileSync(path.join(skeletonDir, file), 'utf8')
    .replace(
      /\{% if values\.(\w+) %\}([\s\S]*?)(?:\{% else %\}([\s\S]*?))?\{% endif %\}/g,
      (_, name: string, then: string, otherwise?: string) =>
        value(name) ? then : otherwise ?? '',
    )
    .replace(/\$\{\{ values\.(\w+) \}\}/g, (_, name: string) =>
      String(value(name) ?? ''),
    );
}
