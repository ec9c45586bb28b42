import {
  environmentValuesFile,
  ANNOTATION_ARGOCD_URL,
  ANNOTATION_KUBERNETES_API_SERVER,
  ANNOTATION_KUBERNETES_API_SERVER_CA,
  ANNOTATION_KUBERNETES_CLUSTER,
  ANNOTATION_PROMETHEUS_URL,
  ENVIRONMENT_ENTITY_TYPE,
  KUBERNETES_CLUSTER_ENTITY_TYPE,
  REDACTED,
  TerraformStackName,
} from '@devops-app/plugin-devops-app-common';
import { isDeepStrictEqual } from 'node:util';
import { Document, parseAllDocuments } from 'yaml';

/**
 * Terraform outputs -> the files that use them: the environment's catalog file (its environment
 * Resource and its kubernetes-cluster Resource) and its Helm values. Pure: texts in, texts out, so the
 * run service, the infra tests and anyone else compute the same edit.
 */

/** Where the portal keeps a created environment's catalog file in the GitOps repository. @public */
export function environmentCatalogFile(environment: string): string {
  return `catalog/environments/${environment}.yaml`;
}

/** `terraform output` values per stack, as the run service records them (sensitive ones replaced). @public */
export type EnvironmentStackOutputs = Partial<
  Record<TerraformStackName, Record<string, unknown> | undefined>
>;

type ValueKind =
  | 'url'
  | 'https-url'
  | 'client-id'
  | 'container'
  | 'base64'
  | 'registry';

/** One output and the place it is written to. @public */
export interface EnvironmentOutputMapping {
  stack: TerraformStackName;
  output: string;
  file: 'catalog' | 'values';
  /** Catalog only: the environment document or its kubernetes-cluster document. */
  document?: 'environment' | 'cluster';
  /** Path in the document, e.g. `['metadata', 'annotations', 'devops-app.io/prometheus-url']`. */
  path: string[];
  kind: ValueKind;
}

const annotation = (name: string) => ['metadata', 'annotations', name];

/**
 * Every output the portal writes, and where. The values keys are the chart's (charts/inference/values.yaml):
 * `azureWorkloadIdentity.clientId` feeds the ServiceAccount's `azure.workload.identity/client-id` and the
 * pods' `AZURE_CLIENT_ID`, `storage.accountUrl` the pods' `AZURE_STORAGE_ACCOUNT_URL`, `image.registry`
 * the registry of every image, `training.identity.clientId` the training Job's identity.
 * @public
 */
export const ENVIRONMENT_OUTPUT_MAPPINGS: readonly EnvironmentOutputMapping[] =
  [
    {
      stack: 'monitoring',
      output: 'prometheus_url',
      file: 'catalog',
      document: 'environment',
      path: annotation(ANNOTATION_PROMETHEUS_URL),
      kind: 'url',
    },
    {
      stack: 'monitoring',
      output: 'argocd_url',
      file: 'catalog',
      document: 'environment',
      path: annotation(ANNOTATION_ARGOCD_URL),
      kind: 'url',
    },
    {
      stack: 'cluster',
      output: 'kube_api_host',
      file: 'catalog',
      document: 'cluster',
      path: annotation(ANNOTATION_KUBERNETES_API_SERVER),
      kind: 'url',
    },
    {
      // The non-sensitive twin of cluster_ca_certificate (infra/stacks/cluster/outputs.tf says why).
      stack: 'cluster',
      output: 'cluster_ca_certificate_public',
      file: 'catalog',
      document: 'cluster',
      path: annotation(ANNOTATION_KUBERNETES_API_SERVER_CA),
      kind: 'base64',
    },
    {
      // The environment's container registry: the chart pulls every image from image.registry.
      stack: 'cluster',
      output: 'acr_login_server',
      file: 'values',
      path: ['image', 'registry'],
      kind: 'registry',
    },
    {
      stack: 'storage',
      output: 'inference_identity_client_id',
      file: 'values',
      path: ['azureWorkloadIdentity', 'clientId'],
      kind: 'client-id',
    },
    {
      stack: 'storage',
      output: 'blob_endpoint',
      file: 'values',
      path: ['storage', 'accountUrl'],
      kind: 'https-url',
    },
    {
      stack: 'storage',
      output: 'container_name',
      file: 'values',
      path: ['storage', 'container'],
      kind: 'container',
    },
    {
      // The training Job's own identity (write on the models container only).
      stack: 'storage',
      output: 'training_identity_client_id',
      file: 'values',
      path: ['training', 'identity', 'clientId'],
      kind: 'client-id',
    },
  ];

/** What {@link applyEnvironmentOutputs} reads. @public */
export interface EnvironmentOutputsInput {
  environment: string;
  outputs: EnvironmentStackOutputs;
  /** Text of {@link environmentCatalogFile}; undefined when the repository has no such file. */
  catalog?: string;
  /** Text of {@link environmentValuesFile}; undefined when the repository has no such file. */
  values?: string;
}

/** One value written. @public */
export interface EnvironmentOutputChange {
  file: string;
  /** Dotted place, e.g. `resource:default/load-test-cluster kubernetes.io/api-server` or `storage.container`. */
  key: string;
  output: string;
  before?: string;
  after: string;
}

/** The edit: new texts of the files that change (absent when unchanged), what changed, and what was left and why. @public */
export interface EnvironmentOutputsResult {
  /** Path in the repository -> new text; only files whose values change. Empty: nothing to commit. */
  files: Record<string, string>;
  changes: EnvironmentOutputChange[];
  /** Values left as they are, each with the reason (missing output, redacted, malformed, no file). */
  skipped: string[];
}

const GUID =
  /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const ZERO_GUID = '00000000-0000-0000-0000-000000000000';
const CONTAINER = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
/** The chart's `imageRegistry` (charts/inference/values.schema.json): a host name, optional port. */
const REGISTRY =
  /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+(:[0-9]{1,5})?$/;

/** Why a value cannot be written, or undefined when it can. */
function problemOf(value: unknown, kind: ValueKind): string | undefined {
  if (value === undefined || value === null) return 'the output is missing';
  if (value === REDACTED) {
    return 'the output is sensitive (the run service redacts it); it is never written';
  }
  if (typeof value !== 'string' || value.trim() === '') {
    return 'the output is not a non-empty string';
  }
  switch (kind) {
    case 'url':
    case 'https-url': {
      try {
        const url = new URL(value);
        const protocols = kind === 'url' ? ['http:', 'https:'] : ['https:'];
        if (!protocols.includes(url.protocol) || url.username || url.password) {
          return `"${value}" is not an ${protocols
            .map(p => p.slice(0, -1))
            .join(' or ')} URL without credentials`;
        }
      } catch {
        return `"${value}" is not a URL`;
      }
      return undefined;
    }
    case 'client-id':
      if (!GUID.test(value)) return `"${value}" is not a client id (GUID)`;
      if (value === ZERO_GUID) return 'the output is the all-zero placeholder';
      return undefined;
    case 'container':
      return CONTAINER.test(value) && value.length >= 3 && value.length <= 63
        ? undefined
        : `"${value}" is not a blob container name`;
    case 'base64':
      return BASE64.test(value) ? undefined : 'the output is not base64';
    case 'registry':
      return REGISTRY.test(value) && value.length <= 253
        ? undefined
        : `"${value}" is not a registry host name`;
    default:
      return 'unknown kind';
  }
}

function refName(ref: string | undefined): string | undefined {
  // resource:default/load-test-cluster, resource:load-test-cluster or load-test-cluster
  return ref?.split('/').pop()?.split(':').pop();
}

function isEntity(doc: Document, name: string, type: string): boolean {
  return (
    doc.getIn(['kind']) === 'Resource' &&
    doc.getIn(['metadata', 'name']) === name &&
    doc.getIn(['spec', 'type']) === type
  );
}

/** The document's plain data without the given paths, to prove an edit touched nothing else. */
function withoutPaths(doc: Document, paths: string[][]): unknown {
  const data = JSON.parse(JSON.stringify(doc.toJS() ?? {}));
  for (const path of paths) {
    const nodes = [data];
    for (const key of path.slice(0, -1))
      nodes.push(nodes[nodes.length - 1]?.[key]);
    // Delete the key, then every parent the deletion left empty (a mapping the edit had to create).
    for (let i = path.length - 1; i >= 0; i--) {
      const node = nodes[i];
      if (!node || typeof node !== 'object') break;
      delete node[path[i]];
      if (i > 0 && Object.keys(node).length > 0) break;
    }
  }
  return data;
}

function parseAll(text: string, file: string): Document[] {
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs)) throw new Error(`${file} is empty`);
  for (const doc of docs) {
    if (doc.errors.length > 0) {
      throw new Error(`${file} is not valid YAML: ${doc.errors[0].message}`);
    }
  }
  return docs;
}

/** Serialises documents as the yaml Document API does (comments kept), never folding long lines. */
function stringify(docs: Document[]): string {
  return docs
    .map(d => d.toString({ lineWidth: 0, flowCollectionPadding: false }))
    .join('');
}

/**
 * Writes the outputs of an environment's applied stacks into its catalog file and values file. A value
 * is written only where it differs; a missing, redacted or malformed output leaves the value as it is
 * and says so in `skipped`. Comments, order and quoting stay (yaml's Document API); each edited file is
 * parsed again and must differ from the input only at the mapped keys, else this throws and nothing
 * may be written. Throws on a file that is not valid YAML.
 * @public
 */
export function applyEnvironmentOutputs(
  input: EnvironmentOutputsInput,
): EnvironmentOutputsResult {
  const { environment, outputs } = input;
  const result: EnvironmentOutputsResult = {
    files: {},
    changes: [],
    skipped: [],
  };
  const byFile = (file: 'catalog' | 'values') =>
    ENVIRONMENT_OUTPUT_MAPPINGS.filter(m => m.file === file);

  const write = (
    fileName: string,
    doc: Document,
    where: string,
    mapping: EnvironmentOutputMapping,
  ): boolean => {
    const value = outputs[mapping.stack]?.[mapping.output];
    const label = `${fileName} ${where}${mapping.path
      .slice(where ? 2 : 0)
      .join('.')}`;
    const problem = problemOf(value, mapping.kind);
    if (problem) {
      result.skipped.push(
        `${label}: left as it is: ${mapping.stack} output ${mapping.output}: ${problem}`,
      );
      return false;
    }
    const before = doc.getIn(mapping.path);
    if (before === value) return false;
    doc.setIn(mapping.path, value);
    result.changes.push({
      file: fileName,
      key: `${where}${mapping.path.slice(where ? 2 : 0).join('.')}`,
      output: `${mapping.stack}.${mapping.output}`,
      before:
        before === undefined || before === null ? undefined : String(before),
      after: value as string,
    });
    return true;
  };

  // The catalog file: the environment document and the cluster document it names.
  const catalogFile = environmentCatalogFile(environment);
  if (input.catalog === undefined) {
    result.skipped.push(
      `${catalogFile}: not in the repository (dev, pre-prod and prod live in catalog/environments.yaml); the catalog annotations are left to whoever keeps that file`,
    );
  } else {
    const docs = parseAll(input.catalog, catalogFile);
    const envDoc = docs.find(d =>
      isEntity(d, environment, ENVIRONMENT_ENTITY_TYPE),
    );
    const touched = new Map<Document, string[][]>();
    const mark = (doc: Document, path: string[]) =>
      touched.set(doc, [...(touched.get(doc) ?? []), path]);
    if (!envDoc) {
      result.skipped.push(
        `${catalogFile}: holds no Resource "${environment}" of type ${ENVIRONMENT_ENTITY_TYPE}; left as it is`,
      );
    } else {
      const clusterRef = envDoc.getIn([
        'metadata',
        'annotations',
        ANNOTATION_KUBERNETES_CLUSTER,
      ]);
      const clusterName = refName(
        typeof clusterRef === 'string' ? clusterRef : undefined,
      );
      const clusterDoc = clusterName
        ? docs.find(d =>
            isEntity(d, clusterName, KUBERNETES_CLUSTER_ENTITY_TYPE),
          )
        : undefined;
      for (const mapping of byFile('catalog')) {
        const doc = mapping.document === 'cluster' ? clusterDoc : envDoc;
        const name = mapping.document === 'cluster' ? clusterName : environment;
        if (!doc) {
          result.skipped.push(
            `${catalogFile} ${mapping.path[2]}: left as it is: ${
              clusterName
                ? `no Resource "${clusterName}" of type ${KUBERNETES_CLUSTER_ENTITY_TYPE} in the file`
                : `the environment has no ${ANNOTATION_KUBERNETES_CLUSTER} annotation`
            }`,
          );
          continue;
        }
        if (write(catalogFile, doc, `resource:default/${name} `, mapping)) {
          mark(doc, mapping.path);
        }
      }
    }
    if (touched.size > 0) {
      const text = stringify(docs);
      const again = parseAll(text, catalogFile);
      const original = parseAll(input.catalog, catalogFile);
      const same =
        again.length === original.length &&
        again.every((doc, i) =>
          isDeepStrictEqual(
            withoutPaths(doc, touched.get(docs[i]) ?? []),
            withoutPaths(original[i], touched.get(docs[i]) ?? []),
          ),
        );
      if (!same) {
        throw new Error(
          `${catalogFile}: writing the outputs would change more than the annotations; edit the file by hand`,
        );
      }
      result.files[catalogFile] = text;
    }
  }

  // The values file.
  const valuesFile = environmentValuesFile(environment);
  if (input.values === undefined) {
    result.skipped.push(
      `${valuesFile}: not in the repository; the Helm values are left as they are`,
    );
  } else {
    const docs = parseAll(input.values, valuesFile);
    if (docs.length !== 1) {
      throw new Error(`${valuesFile}: must hold exactly one YAML document`);
    }
    const [doc] = docs;
    const paths = byFile('values')
      .filter(mapping => write(valuesFile, doc, '', mapping))
      .map(m => m.path);
    if (paths.length > 0) {
      const text = stringify(docs);
      const [again] = parseAll(text, valuesFile);
      const [original] = parseAll(input.values, valuesFile);
      if (
        !isDeepStrictEqual(
          withoutPaths(again, paths),
          withoutPaths(original, paths),
        )
      ) {
        throw new Error(
          `${valuesFile}: writing the outputs would change more than ${paths
            .map(p => p.join('.'))
            .join(', ')}; edit the file by hand`,
        );
      }
      result.files[valuesFile] = text;
    }
  }
  return result;
}
