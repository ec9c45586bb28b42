/**
 * Kubernetes label selectors, as `labels.Parse` of k8s.io/apimachinery reads them (grammar:
 * https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors): `k=v`,
 * `k==v`, `k!=v`, `k in (a,b)`, `k notin (a,b)`, `k` (exists), `!k` (does not exist), a comma meaning
 * AND. Keys are an optional DNS-subdomain prefix and `/`, then a name of up to 63 characters; values are
 * up to 63 characters of the label-value syntax. Shared by the stand-ins of the Kubernetes API
 * (e2e/src/support/kubernetesStandIn.ts) and of Argo CD (deployments/__testUtils__/argoCdStandIn.ts,
 * whose `selector` query Argo CD parses with the same function).
 */

export type Requirement =
  | { op: 'eq' | 'neq'; key: string; value: string }
  | { op: 'in' | 'notin'; key: string; values: string[] }
  | { op: 'exists' | 'notexists'; key: string };

// A label key: optional DNS-subdomain prefix and '/', then a name of up to 63 characters.
const KEY =
  /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

export class SelectorError extends Error {}

function checkKey(key: string, selector: string): string {
  if (!KEY.test(key) || key.split('/').pop()!.length > 63) {
    throw new SelectorError(
      `unable to parse requirement: invalid label key "${key}" in "${selector}"`,
    );
  }
  return key;
}

function checkValue(value: string, selector: string): string {
  if (!VALUE.test(value) || value.length > 63) {
    throw new SelectorError(
      `unable to parse requirement: invalid label value "${value}" in "${selector}"`,
    );
  }
  return value;
}

export function parseLabelSelector(selector: string): Requirement[] {
  // Split on commas outside parentheses.
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of selector) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (depth < 0)
      throw new SelectorError(
        `unable to parse requirement: unbalanced ")" in "${selector}"`,
      );
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  if (depth !== 0)
    throw new SelectorError(
      `unable to parse requirement: unbalanced "(" in "${selector}"`,
    );
  parts.push(current);

  if (selector.trim() === '') return [];
  return parts
    .map(p => p.trim())
    .map(part => {
      if (part === '')
        throw new SelectorError(
          `unable to parse requirement: empty requirement in "${selector}"`,
        );
      const set = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(part);
      if (set) {
        const values = set[3]
          .split(',')
          .map(v => checkValue(v.trim(), selector));
        return {
          op: set[2] as 'in' | 'notin',
          key: checkKey(set[1], selector),
          values,
        };
      }
      const cmp = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(part);
      if (cmp) {
        return {
          op: cmp[2] === '!=' ? 'neq' : 'eq',
          key: checkKey(cmp[1], selector),
          value: checkValue(cmp[3], selector),
        } as Requirement;
      }
      const not = /^!\s*(\S+)$/.exec(part);
      if (not)
        return {
          op: 'notexists',
          key: checkKey(not[1], selector),
        } as Requirement;
      return { op: 'exists', key: checkKey(part, selector) } as Requirement;
    });
}

export function matchesSelector(
  labels: Record<string, string> | undefined,
  requirements: Requirement[],
): boolean {
  const l = labels ?? {};
  const has = (k: string) => Object.prototype.hasOwnProperty.call(l, k);
  return requirements.every(r => {
    switch (r.op) {
      case 'eq':
        return has(r.key) && l[r.key] === r.value;
      case 'neq':
        return !has(r.key) || l[r.key] !== r.value;
      case 'in':
        return has(r.key) && r.values.includes(l[r.key]);
      case 'notin':
        return !has(r.key) || !r.values.includes(l[r.key]);
      case 'exists':
        return has(r.key);
      case 'notexists':
        return !has(r.key);
      default:
        return false;
    }
  });
}
