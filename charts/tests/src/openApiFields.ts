/**
 * Unknown-field check against a CRD's OpenAPI v3 schema, as the API server's strict field validation
 * does it: a field the schema does not declare is reported, unless the schema preserves unknown fields
 * there or allows additional properties.
 */
export interface OpenApiSchema {
  type?: string;
  properties?: Record<string, OpenApiSchema>;
  additionalProperties?: boolean | OpenApiSchema;
  items?: OpenApiSchema;
  required?: string[];
  enum?: unknown[];
  pattern?: string;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  /** Only in the hand-written schemas of crds/ (never in a published CRD): named parts, see resolveRefs. */
  definitions?: Record<string, OpenApiSchema>;
  $ref?: string;
}

/** The schema with every `$ref: <name>` replaced by `definitions.<name>` (schemas without cycles). */
export function resolveRefs(
  schema: OpenApiSchema,
  definitions: Record<string, OpenApiSchema> = schema.definitions ?? {},
): OpenApiSchema {
  if (schema.$ref !== undefined) {
    const target = definitions[schema.$ref];
    if (!target) {
      throw new Error(`schema: $ref ${schema.$ref} is not defined`);
    }
    return resolveRefs(target, definitions);
  }
  const { definitions: _, ...rest } = schema;
  const resolved: OpenApiSchema = { ...rest };
  if (rest.properties) {
    resolved.properties = Object.fromEntries(
      Object.entries(rest.properties).map(([key, child]) => [
        key,
        resolveRefs(child, definitions),
      ]),
    );
  }
  if (rest.items) {
    resolved.items = resolveRefs(rest.items, definitions);
  }
  if (typeof rest.additionalProperties === 'object') {
    resolved.additionalProperties = resolveRefs(
      rest.additionalProperties,
      definitions,
    );
  }
  return resolved;
}

const jsonType = (value: unknown) => {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  if (typeof value === 'number')
    return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
};

/**
 * What an API server's structural schema validation refuses besides unknown fields: a wrong type, a
 * value outside an enum, a string not matching its pattern, a missing required field.
 */
export function schemaViolations(
  value: unknown,
  schema: OpenApiSchema,
  at: string,
): string[] {
  const where = at || '(root)';
  const type = jsonType(value);
  if (
    schema.type &&
    type !== schema.type &&
    !(schema.type === 'number' && type === 'integer')
  ) {
    return [`${where}: is ${type}, expected ${schema.type}`];
  }
  const problems: string[] = [];
  if (schema.enum && !schema.enum.includes(value)) {
    problems.push(
      `${where}: ${JSON.stringify(value)} is not one of ${schema.enum.join(
        ', ',
      )}`,
    );
  }
  if (
    schema.pattern &&
    typeof value === 'string' &&
    !new RegExp(schema.pattern).test(value)
  ) {
    problems.push(`${where}: "${value}" does not match ${schema.pattern}`);
  }
  if (Array.isArray(value)) {
    if (schema.items) {
      value.forEach((item, i) =>
        problems.push(...schemaViolations(item, schema.items!, `${at}[${i}]`)),
      );
    }
  } else if (type === 'object') {
    const object = value as Record<string, unknown>;
    for (const key of schema.required ?? []) {
      if (!(key in object)) {
        problems.push(`${where}: ${key} is required`);
      }
    }
    for (const [key, child] of Object.entries(object)) {
      const declared =
        schema.properties?.[key] ??
        (typeof schema.additionalProperties === 'object'
          ? schema.additionalProperties
          : undefined);
      if (declared) {
        problems.push(
          ...schemaViolations(child, declared, at ? `${at}.${key}` : key),
        );
      }
    }
  }
  return problems;
}

export function unknownFieldsInSchema(
  value: unknown,
  schema: OpenApiSchema,
  at: string,
): string[] {
  if (value === null || typeof value !== 'object') {
    return [];
  }
  if (Array.isArray(value)) {
    return schema.items
      ? value.flatMap((item, i) =>
          unknownFieldsInSchema(item, schema.items!, `${at}[${i}]`),
        )
      : [];
  }
  const preserve = schema['x-kubernetes-preserve-unknown-fields'] === true;
  return Object.entries(value).flatMap(([key, child]) => {
    const path = at ? `${at}.${key}` : key;
    const declared = schema.properties?.[key];
    if (declared) {
      return unknownFieldsInSchema(child, declared, path);
    }
    if (typeof schema.additionalProperties === 'object') {
      return unknownFieldsInSchema(child, schema.additionalProperties, path);
    }
    if (schema.additionalProperties === true || preserve) {
      return [];
    }
    return [path];
  });
}
