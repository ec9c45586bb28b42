import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { ConfigMap, Service, ServiceAccount } from 'kubernetes-models/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { Job } from 'kubernetes-models/batch/v1';
import {
  AnalysisRun,
  AnalysisTemplate,
  Rollout,
} from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1';
import {
  Application,
  AppProject,
} from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1';
import {
  PrometheusRule,
  ServiceMonitor,
} from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import type { KubeObject } from './helm';
import {
  OpenApiSchema,
  resolveRefs,
  schemaViolations,
  unknownFieldsInSchema,
} from './openApiFields';
import { crdDir } from './paths';
import { TypeFieldChecker, TypeLocation } from './typeFields';

/** A kubernetes-models class: built from plain data, validate() throws on a schema violation. */
type ModelClass = new (data: never) => { validate(): void };

interface KindSchema {
  model: ModelClass;
  /** Where unknown fields are looked up: the official CRD file, or the model's TypeScript interface. */
  fields: { crd: string } | { type: TypeLocation };
}

const coreType = (apiVersion: string, kind: string): TypeLocation => ({
  module: `kubernetes-models/${apiVersion}/${kind}`,
  name: `I${kind}`,
});

const OBJECT_META: TypeLocation = {
  module: '@kubernetes-models/apimachinery/apis/meta/v1/ObjectMeta',
  name: 'IIoK8sApimachineryPkgApisMetaV1ObjectMeta',
};

/**
 * CiliumNetworkPolicy has no kubernetes-models class: its types, enums and required fields are checked
 * against the documented-fields schema in crds/cilium-network-policy.yaml (see the file for its sources).
 */
class CiliumNetworkPolicy {
  constructor(private readonly data: unknown) {}
  validate() {
    const problems = schemaViolations(
      this.data,
      crdSchema('cilium-network-policy.yaml', 'v2'),
      '',
    );
    if (problems.length > 0) {
      throw new Error(problems.join('; '));
    }
  }
}

/** Every kind the charts may render. A kind missing here fails validation, so none goes unchecked. */
const kinds: Record<string, KindSchema> = {
  'v1/ConfigMap': {
    model: ConfigMap,
    fields: { type: coreType('v1', 'ConfigMap') },
  },
  'v1/Service': { model: Service, fields: { type: coreType('v1', 'Service') } },
  'v1/ServiceAccount': {
    model: ServiceAccount,
    fields: { type: coreType('v1', 'ServiceAccount') },
  },
  'autoscaling/v2/HorizontalPodAutoscaler': {
    model: HorizontalPodAutoscaler,
    fields: { type: coreType('autoscaling/v2', 'HorizontalPodAutoscaler') },
  },
  'policy/v1/PodDisruptionBudget': {
    model: PodDisruptionBudget,
    fields: { type: coreType('policy/v1', 'PodDisruptionBudget') },
  },
  'networking.k8s.io/v1/NetworkPolicy': {
    model: NetworkPolicy,
    fields: { type: coreType('networking.k8s.io/v1', 'NetworkPolicy') },
  },
  'batch/v1/Job': { model: Job, fields: { type: coreType('batch/v1', 'Job') } },
  'monitoring.coreos.com/v1/ServiceMonitor': {
    model: ServiceMonitor,
    fields: {
      type: {
        module:
          '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor',
        name: 'IServiceMonitor',
      },
    },
  },
  'monitoring.coreos.com/v1/PrometheusRule': {
    model: PrometheusRule,
    fields: {
      type: {
        module:
          '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule',
        name: 'IPrometheusRule',
      },
    },
  },
  'cilium.io/v2/CiliumNetworkPolicy': {
    model: CiliumNetworkPolicy,
    fields: { crd: 'cilium-network-policy.yaml' },
  },
  'argoproj.io/v1alpha1/Rollout': {
    model: Rollout,
    fields: { crd: 'rollout-crd.yaml' },
  },
  'argoproj.io/v1alpha1/AnalysisTemplate': {
    model: AnalysisTemplate,
    fields: { crd: 'analysis-template-crd.yaml' },
  },
  // No official AnalysisRun CRD is in shared/schemas: its fields are the model's TypeScript interface,
  // generated from Argo Rollouts' own CRD (spec and status both). Charts never render one; the Argo CD
  // stand-in's runs are checked with it (standInObjects.test.ts).
  'argoproj.io/v1alpha1/AnalysisRun': {
    model: AnalysisRun,
    fields: {
      type: {
        module:
          '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/AnalysisRun',
        name: 'IAnalysisRun',
      },
    },
  },
  'argoproj.io/v1alpha1/Application': {
    model: Application,
    fields: { crd: 'crd-application.yaml' },
  },
  'argoproj.io/v1alpha1/AppProject': {
    model: AppProject,
    fields: { crd: 'crd-appproject.yaml' },
  },
};

export const validatedKinds = Object.keys(kinds);

let typeChecker: TypeFieldChecker | undefined;
function typeFields(): TypeFieldChecker {
  typeChecker ??= new TypeFieldChecker([
    OBJECT_META,
    ...Object.values(kinds).flatMap(({ fields }) =>
      'type' in fields ? [fields.type] : [],
    ),
  ]);
  return typeChecker;
}

const crdSchemas = new Map<string, OpenApiSchema>();
function crdSchema(file: string, version: string): OpenApiSchema {
  const key = `${file}#${version}`;
  if (!crdSchemas.has(key)) {
    const crd = parse(fs.readFileSync(path.join(crdDir, file), 'utf8'));
    const served = crd.spec.versions.find(
      (candidate: { name: string }) => candidate.name === version,
    );
    if (!served) {
      throw new Error(`${file} does not serve ${version}`);
    }
    crdSchemas.set(key, resolveRefs(served.schema.openAPIV3Schema));
  }
  return crdSchemas.get(key)!;
}

/**
 * Every problem a cluster with strict field validation would have with the object: schema violations
 * from the kubernetes-models class, then each field its schema does not declare.
 */
export function validateObject(object: KubeObject): string[] {
  const id = `${object.apiVersion}/${object.kind}`;
  const where = `${object.kind}/${object.metadata?.name}`;
  const schema = kinds[id];
  if (!schema) {
    return [`${where}: no schema known for ${id}`];
  }
  const problems: string[] = [];
  try {
    const Model = schema.model;
    new Model(structuredClone(object) as never).validate();
  } catch (error) {
    problems.push(`${where}: ${(error as Error).message}`);
  }
  let unknown: string[];
  if ('crd' in schema.fields) {
    // The CRDs declare metadata as a bare object; the API server checks it as ObjectMeta.
    const { metadata, ...rest } = object;
    const version = object.apiVersion.split('/')[1];
    unknown = [
      ...typeFields().unknownFields(metadata, OBJECT_META, 'metadata'),
      ...unknownFieldsInSchema(rest, crdSchema(schema.fields.crd, version), ''),
    ];
  } else {
    unknown = typeFields().unknownFields(object, schema.fields.type);
  }
  return [
    ...problems,
    ...unknown.map(field => `${where}: unknown field "${field}"`),
  ];
}
