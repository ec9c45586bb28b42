/**
 * The hostile corpus every input of the portal is tested with: the backend's routes
 * (request/hostileInputs.test.ts) and the new-environment template's parameters
 * (scaffolder module, template/newEnvironment.hostile.test.ts).
 *
 * A hostile value is made from the field's valid value (so "valid + newline" is tested, not only
 * junk); `only` names the fields it is hostile to when not every field (`x` is a fine environment
 * name or tag).
 */
export type Hostile = [
  name: string,
  value: (valid: string) => unknown,
  only?: string[],
];

export const HOSTILE_VALUES: Hostile[] = [
  ['empty', () => ''],
  ['301 characters', () => `component:default/${'a'.repeat(283)}`],
  ['a newline', v => `${v}\ninjected: true`],
  ['NUL', v => `${v}\u0000`],
  ['component:', () => 'component:'],
  [':x/y', () => ':x/y'],
  ['a/b/c', () => 'a/b/c'],
  ['x', () => 'x', ['entityRef']],
  ['a right-to-left override', v => `\u202e${v}`],
  ['../../etc', () => '../../etc'],
  ['an object', v => ({ value: v })],
  ['an array', v => [v, '../../etc']],
  ['a number', () => 1.5],
];
