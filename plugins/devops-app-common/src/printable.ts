/**
 * A value inside an error message: quoted, at most 40 characters, anything outside printable ASCII
 * shown as `\uXXXX` so that a newline or a right-to-left override cannot forge the rest of the message.
 * Used by the backend's request layer and the scaffolder actions, so both quote a value alike.
 * @public
 */
export function printable(value: string): string {
  const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value;
  return JSON.stringify(shown).replace(
    /[^\x20-\x7e…]/g,
    c => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
