import {
  makeValidator,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { validateEnvironmentName } from '@devops-app/plugin-devops-app-common';
import { z } from 'zod';
import { kindOf, printable } from './describeValue';

/** Field schemas shared by every route: one grammar per kind of value, one wording per problem. */

export const ENTITY_REF_MAX_LENGTH = 300;

const ENTITY_REF_FORM =
  'kind:namespace/name, e.g. component:default/inference-service';

/** The catalog's default rules for kinds, namespaces and names: refs outside them name no entity. */
const catalogRules = makeValidator();

/** Control, format (bidi overrides, zero-width) and line/paragraph separator characters. */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;

function codePoint(c: string): string {
  return `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Why `value` is not an entity reference the catalog could hold, or undefined. */
export function entityRefProblem(value: string): string | undefined {
  if (value.length === 0) {
    return `is empty; expected ${ENTITY_REF_FORM}`;
  }
  if (value.length > ENTITY_REF_MAX_LENGTH) {
    return `is longer than ${ENTITY_REF_MAX_LENGTH} characters`;
  }
  const invisible = INVISIBLE.exec(value);
  if (invisible) {
    return `contains a control or invisible character (${codePoint(
      invisible[0],
    )}); expected ${ENTITY_REF_FORM}`;
  }
  let parts: { kind: string; namespace: string; name: string };
  try {
    parts = parseEntityRef(value);
  } catch {
    return `${printable(value)} is not an entity reference (${missingPart(
      value,
    )}); expected ${ENTITY_REF_FORM}`;
  }
  if (!catalogRules.isValidKind(parts.kind)) {
    return `${printable(value)}: kind ${printable(
      parts.kind,
    )} is not a kind (letters and digits, starting with a letter, at most 63)`;
  }
  if (
    !catalogRules.isValidNamespace(parts.namespace.toLocaleLowerCase('en-US'))
  ) {
    return `${printable(value)}: namespace ${printable(
      parts.namespace,
    )} is not a DNS label (a-z, 0-9 and "-", at most 63)`;
  }
  if (!catalogRules.isValidEntityName(parts.name)) {
    return `${printable(value)}: name ${printable(
      parts.name,
    )} is not an entity name (letters, digits, "-", "_" and ".", starting and ending with a letter or digit, at most 63)`;
  }
  return undefined;
}

/** Which part of `kind:namespace/name` a ref that parseEntityRef refused lacks. */
function missingPart(value: string): string {
  const colon = value.indexOf(':');
  if (colon < 0) return 'no kind';
  if (colon === 0) return 'empty kind';
  const rest = value.slice(colon + 1);
  const slash = rest.indexOf('/');
  if (slash === 0) return 'empty namespace';
  if (rest.slice(slash + 1).length === 0) return 'empty name';
  return 'not kind:namespace/name';
}

/**
 * An entity reference (`kind:namespace/name`), refused with a message naming what is wrong before any
 * route loads anything; parsed to its canonical form (`component:default/inference-service`).
 */
export const entityRefSchema = z
  .string({
    error: issue =>
      issue.input === undefined
        ? `required: an entity reference (${ENTITY_REF_FORM})`
        : `must be an entity reference (${ENTITY_REF_FORM}), not ${kindOf(
            issue.input,
          )}`,
  })
  .superRefine((value, ctx) => {
    const problem = entityRefProblem(value);
    if (problem) {
      ctx.addIssue({ code: 'custom', message: problem });
    }
  })
  .transform(value => stringifyEntityRef(parseEntityRef(value)));

/**
 * A string checked by one of the shared grammar functions (`validateEnvironmentName`,
 * `validateImageTag`), whose reason follows the quoted value: `"Prod;x" must be a lower-case DNS label`.
 */
export function checkedString(check: (value: string) => string | undefined) {
  return z.string().superRefine((value, ctx) => {
    const message = checkedProblem(check, value);
    if (message) {
      ctx.addIssue({ code: 'custom', message });
    }
  });
}

function checkedProblem(
  check: (value: string) => string | undefined,
  value: string,
): string | undefined {
  const reason = check(value);
  if (!reason) return undefined;
  return value.length > 0 ? `${printable(value)} ${reason}` : reason;
}

/** An environment name: a lower-case DNS label of at most 32 characters. */
export const environmentNameSchema = checkedString(validateEnvironmentName);

/** Why `value` is not an environment name, in the words of `environmentNameSchema`, or undefined. */
export function environmentNameProblem(value: string): string | undefined {
  return checkedProblem(validateEnvironmentName, value);
}

/**
 * An integer query parameter (`?limit=20`): digits only, so `""`, `1e3` or `0x10` are refused rather
 * than read as numbers, then checked against the range.
 */
export function integerParam(range: { min?: number; max?: number } = {}) {
  const { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } =
    range;
  const allowed =
    range.min === undefined && range.max === undefined
      ? 'must be an integer'
      : `must be an integer from ${range.min ?? '…'} to ${range.max ?? '…'}`;
  return z
    .string({ error: issue => `${allowed}, not ${kindOf(issue.input)}` })
    .regex(/^-?\d{1,15}$/, allowed)
    .transform(Number)
    .pipe(z.number().min(min, allowed).max(max, allowed));
}
