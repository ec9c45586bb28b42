/** How a request's values appear inside error messages. */

export function article(expected: string): string {
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

/** What a value is, in the words of a query string or JSON body. */
export function kindOf(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return article(typeof value);
}

/** Quoting a value inside a message is shared with the scaffolder actions. */
export { printable } from '@devops-app/plugin-devops-app-common';
