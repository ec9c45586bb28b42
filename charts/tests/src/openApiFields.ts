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
  'x-kubernetes-preserve-unknown-fields'?: boolean;
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
