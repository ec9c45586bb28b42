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

/**
 * A value inside a message: quoted, at most 40 characters, anything outside printable ASCII shown as
 * `\uXXXX` so a newline or a right-to-left override cannot forge the rest of the message.
 */
export function printable(value: string): string {
  const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value;
  return JSON.stringify(shown).replace(
    /[^\x20-\x7e…]/g,
    c => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
