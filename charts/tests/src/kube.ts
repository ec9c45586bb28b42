import type { KubeObject } from './helm';

/** The parts of a pod spec the checks read. */
export interface PodSpec {
  serviceAccountName?: string;
  securityContext?: { runAsNonRoot?: boolean };
  containers: Container[];
}

export interface Container {
  name: string;
  image: string;
  ports?: { name?: string; containerPort: number }[];
  env?: {
    name: string;
    value?: string;
    valueFrom?: { fieldRef?: { fieldPath: string } };
  }[];
  envFrom?: { configMapRef?: { name: string } }[];
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
  resources?: {
    requests?: Record<string, string>;
    limits?: Record<string, string>;
  };
  securityContext?: {
    runAsNonRoot?: boolean;
    readOnlyRootFilesystem?: boolean;
    allowPrivilegeEscalation?: boolean;
    capabilities?: { drop?: string[]; add?: string[] };
  };
}

export interface Probe {
  httpGet?: { path: string; port: string | number };
}

export interface PodTemplate {
  metadata: {
    labels: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec: PodSpec;
}

/** Reads a field path (`spec.template.spec`) of a rendered object; undefined when any step is missing. */
export function field<T>(object: unknown, dotted: string): T | undefined {
  let value: unknown = object;
  for (const key of dotted.split('.')) {
    if (value === null || typeof value !== 'object') {
      return undefined;
    }
    value = (value as Record<string, unknown>)[key];
  }
  return value as T | undefined;
}

export function ofKind(objects: KubeObject[], kind: string): KubeObject[] {
  return objects.filter(object => object.kind === kind);
}

/** Whether a matchLabels-style selector selects the labels (an empty selector selects nothing here). */
export function selects(
  selector: Record<string, string> | undefined,
  labels: Record<string, string> | undefined,
): boolean {
  const entries = Object.entries(selector ?? {});
  return (
    entries.length > 0 &&
    entries.every(([key, value]) => labels?.[key] === value)
  );
}
