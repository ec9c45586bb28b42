import { TerraformConfig } from '../hcl';

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function attributesAfter(expressions: string, prefix: string): string[] {
  const pattern = new RegExp(
    `(?<![\\w.])${escape(prefix)}\\.([A-Za-z_][\\w-]*)`,
    'g',
  );
  return [...expressions.matchAll(pattern)].map(m => m[1]);
}

/**
 * Names read from `<object>` in a configuration: directly (`<object>.name`) and through locals that
 * alias it (`locals { cluster = <object> }` then `local.cluster.name`).
 */
export function attributesRead(
  config: TerraformConfig,
  object: string,
): Set<string> {
  const names = new Set(attributesAfter(config.expressions, object));
  for (const [local, expression] of config.locals) {
    if (expression === object) {
      attributesAfter(config.expressions, `local.${local}`).forEach(n =>
        names.add(n),
      );
    }
  }
  return names;
}
