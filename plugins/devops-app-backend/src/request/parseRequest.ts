import { InputError } from '@backstage/errors';
import { Request } from 'express';
import { z } from 'zod';
import { article, kindOf, printable } from './describeValue';

/**
 * The one place a request's query or body becomes typed input: a zod schema (every object schema
 * `.strict()`), and the first problem as an `InputError` (400) whose message starts with the field it
 * is about. Routes call this before anything else, so nothing runs on input that was refused.
 */

/** Fields a schema names only to refuse with their own message (e.g. raw PromQL). */
const refusals = new WeakSet<z.ZodType>();

/**
 * A field that is refused whenever it is sent, with `message`: for parameters callers are known to
 * try (raw PromQL), where "unknown field" would not say what to do instead.
 */
export function refusedField(message: string) {
  const schema = z.undefined({ error: message }).optional();
  refusals.add(schema);
  return schema;
}

/**
 * Parses `req.query` with `schema`. Names that the query-string parser dropped before the schema saw
 * them (`__proto__`, `constructor[...]`) are refused as unknown fields too, so a hostile key is never
 * silently ignored.
 */
export function parseQuery<T extends z.ZodType>(
  schema: T,
  req: Request,
): z.output<T> {
  const query = (req.query ?? {}) as Record<string, unknown>;
  const dropped = rawQueryNames(req).filter(
    name => !Object.prototype.hasOwnProperty.call(query, name),
  );
  if (dropped.length > 0) {
    throw new InputError(unknownFieldsMessage(schema, [], dropped));
  }
  return parseOrThrow(schema, query, 'query');
}

/**
 * Parses `req.body` (already read by `express.json()`) with `schema`. A request without a body is
 * parsed as `{}`, so a missing field is named rather than "body: required".
 */
export function parseBody<T extends z.ZodType>(
  schema: T,
  req: Request,
): z.output<T> {
  if (hasBody(req) && !req.is('application/json')) {
    throw new InputError(
      `Content-Type: must be application/json, not ${JSON.stringify(
        String(req.headers['content-type'] ?? 'none').slice(0, 64),
      )}`,
    );
  }
  return parseOrThrow(schema, req.body ?? {}, 'body');
}

/**
 * The one conversion from a zod schema to an `InputError`: `input` parsed by `schema`, or a 400 whose
 * message starts with the field of the first problem (`files.tfvars.cluster: ...`), `what` when the
 * problem is the value as a whole. `parseQuery` and `parseBody` are this on a request's query and body.
 */
export function parseOrThrow<T extends z.ZodType>(
  schema: T,
  input: unknown,
  what: string,
): z.output<T> {
  const parsed = schema.safeParse(input, { error: describeIssue });
  if (parsed.success) {
    return parsed.data;
  }
  throw new InputError(issueMessage(schema, parsed.error.issues[0], what));
}

/** `files.tfvars.cluster`, `environment[2]`. */
function fieldPath(path: PropertyKey[]): string {
  return path
    .map((p, i) =>
      typeof p === 'number' ? `[${p}]` : `${i > 0 ? '.' : ''}${String(p)}`,
    )
    .join('');
}

function issueMessage(
  schema: z.ZodType,
  issue: z.core.$ZodIssue,
  what: string,
): string {
  if (issue.code === 'unrecognized_keys') {
    return unknownFieldsMessage(schema, issue.path, issue.keys);
  }
  return `${fieldPath(issue.path) || what}: ${issue.message}`;
}

function unknownFieldsMessage(
  schema: z.ZodType,
  path: PropertyKey[],
  keys: string[],
): string {
  const names = keys
    .map(k => (/^[A-Za-z0-9_.-]{1,40}$/.test(k) ? k : printable(k)))
    .join(', ');
  const allowed = allowedFields(schema, path);
  const where = path.length > 0 ? `${fieldPath(path)}: ` : '';
  return `${where}unknown field(s): ${names}${
    allowed ? ` (allowed: ${allowed.join(', ') || 'none'})` : ''
  }`;
}

/** The fields the object schema at `path` accepts, when the schema can be walked there. */
function allowedFields(
  schema: z.ZodType,
  path: PropertyKey[],
): string[] | undefined {
  let current: z.ZodType | undefined = schema;
  for (const key of path) {
    const shape = objectShape(current);
    current = shape && typeof key === 'string' ? shape[key] : undefined;
  }
  const shape = objectShape(current);
  return shape
    ? Object.keys(shape).filter(k => !refusals.has(shape[k]))
    : undefined;
}

function objectShape(
  schema: z.ZodType | undefined,
): Record<string, z.ZodType> | undefined {
  let current = schema;
  while (current instanceof z.ZodOptional || current instanceof z.ZodNullable) {
    current = current.unwrap() as z.ZodType;
  }
  return current instanceof z.ZodObject
    ? (current.shape as Record<string, z.ZodType>)
    : undefined;
}

/**
 * Wording for the problems schemas leave to zod ("Invalid input: expected string", "Invalid option"),
 * saying what is allowed; a schema's own message wins.
 */
function describeIssue(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined
        ? 'required'
        : `must be ${article(issue.expected)}, not ${kindOf(issue.input)}`;
    case 'invalid_value':
      return `must be one of ${issue.values
        .map(v => JSON.stringify(v))
        .join(', ')}`;
    case 'too_big':
    case 'too_small': {
      const bound = issue.code === 'too_big' ? 'at most' : 'at least';
      const limit = String(
        issue.code === 'too_big' ? issue.maximum : issue.minimum,
      );
      if (issue.origin === 'string')
        return `must be ${bound} ${limit} characters`;
      if (issue.origin === 'array') return `must hold ${bound} ${limit} values`;
      return `must be ${bound} ${limit}`;
    }
    default:
      return undefined;
  }
}

/** The top-level names of the raw query string (`a[b]=1` is `a`). */
function rawQueryNames(req: Request): string[] {
  const url = req.originalUrl ?? req.url ?? '';
  const at = url.indexOf('?');
  if (at < 0) return [];
  const names = new Set<string>();
  try {
    for (const key of new URLSearchParams(url.slice(at + 1)).keys()) {
      const name = key.split('[')[0];
      if (name) names.add(name);
    }
  } catch {
    // A query string URLSearchParams cannot read was read by express's own parser already.
  }
  return [...names];
}

function hasBody(req: Request): boolean {
  const length = req.headers['content-length'];
  return (
    req.headers['transfer-encoding'] !== undefined ||
    (length !== undefined && length !== '0')
  );
}
