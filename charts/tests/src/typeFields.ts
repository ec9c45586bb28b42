import path from 'node:path';
import ts from 'typescript';
import { packageDir } from './paths';

/** Where a kind's TypeScript interface lives, e.g. `kubernetes-models/v1/Service` and `IService`. */
export interface TypeLocation {
  module: string;
  name: string;
}

// A virtual file inside the package, so module resolution finds the package's node_modules.
const ENTRY_FILE = path.join(packageDir, 'src', '__type_fields_entry__.ts');

/**
 * Unknown-field check against the TypeScript declarations the kubernetes-models packages generate from
 * the Kubernetes OpenAPI document. Their validate() accepts any extra field; their types do not, so
 * walking an object along its interface finds every field the API does not declare.
 */
export class TypeFieldChecker {
  private readonly checker: ts.TypeChecker;
  private readonly roots = new Map<string, ts.Type>();

  constructor(locations: TypeLocation[]) {
    const keyOf = (location: TypeLocation) =>
      `${location.module}#${location.name}`;
    const entry = [
      ...locations.map(
        (location, i) =>
          `import type { ${location.name} as T${i} } from '${location.module}';`,
      ),
      'export interface Roots {',
      ...locations.map((_, i) => `  r${i}: T${i};`),
      '}',
    ].join('\n');
    const options: ts.CompilerOptions = {
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      target: ts.ScriptTarget.ES2022,
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      types: [],
    };
    const host = ts.createCompilerHost(options);
    const getSourceFile = host.getSourceFile.bind(host);
    const fileExists = host.fileExists.bind(host);
    host.getSourceFile = (fileName, languageVersion, ...rest) =>
      fileName === ENTRY_FILE
        ? ts.createSourceFile(fileName, entry, languageVersion)
        : getSourceFile(fileName, languageVersion, ...rest);
    host.fileExists = fileName =>
      fileName === ENTRY_FILE || fileExists(fileName);
    const program = ts.createProgram([ENTRY_FILE], options, host);
    const unresolved = ts
      .getPreEmitDiagnostics(program)
      .filter(diagnostic => diagnostic.file?.fileName === ENTRY_FILE);
    if (unresolved.length > 0) {
      throw new Error(
        `type declarations not found: ${ts.flattenDiagnosticMessageText(
          unresolved[0].messageText,
          '\n',
        )}`,
      );
    }
    this.checker = program.getTypeChecker();
    const source = program.getSourceFile(ENTRY_FILE)!;
    const rootsSymbol = this.checker
      .getSymbolAtLocation(source)!
      .exports!.get(ts.escapeLeadingUnderscores('Roots'))!;
    const rootsType = this.checker.getDeclaredTypeOfSymbol(rootsSymbol);
    locations.forEach((location, i) => {
      this.roots.set(
        keyOf(location),
        this.checker.getTypeOfSymbol(rootsType.getProperty(`r${i}`)!),
      );
    });
  }

  /** The dotted paths of the fields of `value` that the interface at `location` does not declare. */
  unknownFields(value: unknown, location: TypeLocation, at = ''): string[] {
    const type = this.roots.get(`${location.module}#${location.name}`);
    if (!type) {
      throw new Error(`${location.module}#${location.name} was not loaded`);
    }
    return this.walk(value, type, at);
  }

  private walk(value: unknown, type: ts.Type, at: string): string[] {
    if (value === null || typeof value !== 'object') {
      return [];
    }
    const members = (type.isUnion() ? type.types : [type]).filter(
      member => !(member.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null)),
    );
    if (Array.isArray(value)) {
      const arrayType = members.find(member =>
        this.checker.isArrayType(member),
      );
      if (!arrayType) {
        return [];
      }
      const [element] = this.checker.getTypeArguments(
        arrayType as ts.TypeReference,
      );
      return value.flatMap((item, i) =>
        this.walk(item, element, `${at}[${i}]`),
      );
    }
    const objects = members.filter(
      member =>
        member.flags & ts.TypeFlags.Object && !this.checker.isArrayType(member),
    );
    if (objects.length === 0) {
      // any/unknown: the API takes free-form data here.
      return [];
    }
    return Object.entries(value).flatMap(([key, child]) => {
      const fieldPath = at ? `${at}.${key}` : key;
      const property = objects
        .map(member => member.getProperty(key))
        .find(Boolean);
      if (property) {
        return this.walk(
          child,
          this.checker.getTypeOfSymbol(property),
          fieldPath,
        );
      }
      const index = objects
        .map(member =>
          this.checker.getIndexInfoOfType(member, ts.IndexKind.String),
        )
        .find(Boolean);
      return index ? this.walk(child, index.type, fieldPath) : [fieldPath];
    });
  }
}
