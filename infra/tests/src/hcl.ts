import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parse } from '@cdktf/hcl2json';

/** A JSON-like value as @cdktf/hcl2json returns it; expressions stay strings of the form "${...}". */
export type HclValue =
  | string
  | number
  | boolean
  | null
  | HclValue[]
  | { [key: string]: HclValue };

export type HclObject = { [key: string]: HclValue };

export interface Validation {
  condition: string;
  errorMessage: string;
}

export interface Variable {
  name: string;
  file: string;
  /** The parsed block as written, for twin comparison. */
  block: HclObject;
  type?: string;
  description?: string;
  hasDefault: boolean;
  defaultValue?: HclValue;
  sensitive: boolean;
  validations: Validation[];
}

export interface Output {
  name: string;
  file: string;
  description?: string;
  sensitive: boolean;
}

export interface RemoteState {
  name: string;
  file: string;
  backend: string;
  config: HclObject;
  /** Outputs read through `self.outputs.<name>` inside the data block (postconditions). */
  selfOutputs: string[];
}

export interface ModuleCall {
  name: string;
  file: string;
  source: string;
  inputs: HclObject;
}

/** A managed resource block, as parsed (nested blocks are lists of bodies). */
export interface ResourceBlock {
  type: string;
  name: string;
  file: string;
  block: HclObject;
}

export interface Backend {
  type: string;
  settings: HclObject;
}

/** Everything the structural checks need to know about one Terraform root or child module. */
export interface TerraformConfig {
  dir: string;
  files: string[];
  variables: Map<string, Variable>;
  outputs: Map<string, Output>;
  remoteStates: RemoteState[];
  modules: ModuleCall[];
  /** Every managed resource block, for checks of what it grants. */
  resources: ResourceBlock[];
  /** local name -> value as parsed (lists and objects included). */
  localValues: Map<string, HclValue>;
  /** Types of the managed resources (resource blocks) and of the data sources. */
  resourceTypes: Set<string>;
  dataSourceTypes: Set<string>;
  /** local name -> expression, e.g. cluster -> ${data.terraform_remote_state.cluster.outputs} */
  locals: Map<string, string>;
  backend?: Backend;
  requiredVersion?: string;
  requiredProviders: Map<string, { source?: string; version?: string }>;
  /** Every parsed block serialised, to search references in (comments are already gone). */
  expressions: string;
}

const MODULE_META_ARGUMENTS = new Set([
  'source',
  'version',
  'providers',
  'depends_on',
  'count',
  'for_each',
]);

export function isObject(value: HclValue | undefined): value is HclObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asObject(value: HclValue | undefined): HclObject {
  return isObject(value) ? value : {};
}

function asString(value: HclValue | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** hcl2json wraps every block body in a one-element list; this yields [label, body] pairs. */
function labelledBlocks(
  section: HclValue | undefined,
): Array<[string, HclObject]> {
  const result: Array<[string, HclObject]> = [];
  for (const [label, bodies] of Object.entries(asObject(section))) {
    const list = Array.isArray(bodies) ? bodies : [bodies];
    for (const body of list) {
      result.push([label, asObject(body)]);
    }
  }
  return result;
}

function blockList(value: HclValue | undefined): HclObject[] {
  if (Array.isArray(value)) return value.filter(isObject);
  return isObject(value) ? [value] : [];
}

/** Strips the "${...}" wrapper hcl2json puts around a whole-expression attribute. */
export function unwrapExpression(
  value: HclValue | undefined,
): string | undefined {
  const text = asString(value);
  if (text === undefined) return undefined;
  const match = /^\$\{([\s\S]*)\}$/.exec(text);
  return match ? match[1] : undefined;
}

export async function parseHclFile(file: string): Promise<HclObject> {
  const contents = await fs.readFile(file, 'utf8');
  try {
    return (await parse(path.basename(file), contents)) as HclObject;
  } catch (error) {
    throw new Error(`${file}: HCL does not parse: ${String(error)}`);
  }
}

/** Top-level attributes of a .tfvars or backend .hcl file. */
export async function parseAttributes(file: string): Promise<HclObject> {
  return parseHclFile(file);
}

export async function loadConfig(dir: string): Promise<TerraformConfig> {
  const files = (await fs.readdir(dir)).filter(f => f.endsWith('.tf')).sort();
  const config: TerraformConfig = {
    dir,
    files,
    variables: new Map(),
    outputs: new Map(),
    remoteStates: [],
    modules: [],
    resources: [],
    localValues: new Map(),
    resourceTypes: new Set(),
    dataSourceTypes: new Set(),
    locals: new Map(),
    requiredProviders: new Map(),
    expressions: '',
  };
  const serialised: string[] = [];

  for (const file of files) {
    const parsed = await parseHclFile(path.join(dir, file));
    serialised.push(JSON.stringify(parsed));

    for (const [name, block] of labelledBlocks(parsed.variable)) {
      config.variables.set(name, {
        name,
        file,
        block,
        type: unwrapExpression(block.type) ?? asString(block.type),
        description: asString(block.description),
        hasDefault: Object.prototype.hasOwnProperty.call(block, 'default'),
        defaultValue: block.default,
        sensitive: block.sensitive === true,
        validations: blockList(block.validation).map(v => ({
          condition: asString(v.condition) ?? '',
          errorMessage: asString(v.error_message) ?? '',
        })),
      });
    }

    for (const [name, block] of labelledBlocks(parsed.output)) {
      config.outputs.set(name, {
        name,
        file,
        description: asString(block.description),
        sensitive: block.sensitive === true,
      });
    }

    for (const [type, byName] of Object.entries(asObject(parsed.resource))) {
      config.resourceTypes.add(type);
      for (const [name, block] of labelledBlocks(byName)) {
        config.resources.push({ type, name, file, block });
      }
    }
    Object.keys(asObject(parsed.data)).forEach(t =>
      config.dataSourceTypes.add(t),
    );

    for (const [name, block] of labelledBlocks(
      asObject(parsed.data).terraform_remote_state,
    )) {
      const text = JSON.stringify(block);
      config.remoteStates.push({
        name,
        file,
        backend: asString(block.backend) ?? '',
        config: asObject(block.config),
        selfOutputs: [
          ...text.matchAll(/\bself\.outputs\.([A-Za-z_][\w-]*)/g),
        ].map(m => m[1]),
      });
    }

    for (const [name, block] of labelledBlocks(parsed.module)) {
      const inputs = Object.fromEntries(
        Object.entries(block).filter(
          ([key]) => !MODULE_META_ARGUMENTS.has(key),
        ),
      );
      config.modules.push({
        name,
        file,
        source: asString(block.source) ?? '',
        inputs,
      });
    }

    for (const locals of blockList(parsed.locals)) {
      for (const [name, value] of Object.entries(locals)) {
        config.localValues.set(name, value);
        const expression = unwrapExpression(value);
        if (expression !== undefined)
          config.locals.set(name, expression.trim());
      }
    }

    for (const terraform of blockList(parsed.terraform)) {
      const requiredVersion = asString(terraform.required_version);
      if (requiredVersion) config.requiredVersion = requiredVersion;
      for (const providers of blockList(terraform.required_providers)) {
        for (const [name, requirement] of Object.entries(providers)) {
          const req = asObject(requirement);
          config.requiredProviders.set(name, {
            source: asString(req.source),
            version: asString(req.version),
          });
        }
      }
      for (const [type, settings] of labelledBlocks(terraform.backend)) {
        config.backend = { type, settings };
      }
    }
  }

  config.expressions = serialised.join('\n');
  return config;
}
