import { analysisMetrics } from './analysisGate';
import type { KubeObject } from './helm';
import { PodTemplate, field, ofKind, selects } from './kube';

/** The load generator's entry in the inference image (services/inference/Dockerfile WORKDIR). */
export const LOADGEN_COMMAND = ['node', 'dist/loadgen/main.js'];

/** Seconds in a Prometheus/Argo duration such as `30s`, `2m` or `1h30m`. */
export function durationSeconds(duration: string | undefined): number {
  const units: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600 };
  return [...(duration ?? '').matchAll(/([0-9]+)(ms|s|m|h)/g)].reduce(
    (total, [, amount, unit]) => total + Number(amount) * units[unit],
    0,
  );
}

interface JobSpec {
  backoffLimit?: number;
  activeDeadlineSeconds?: number;
  template: PodTemplate;
}

/** The value after a command-line option in an args list. */
const option = (args: string[], name: string) => {
  const i = args.lastIndexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};

/**
 * The smoke traffic of the pre-promotion analysis: a Job metric running the load generator of the image
 * being rolled out against the Rollout's preview Service, for as long as the Prometheus metrics measure,
 * from pods that are hardened, outside the Services, and let through the NetworkPolicy to the serving pods.
 */
export function checkSmokeTraffic(objects: KubeObject[]): string[] {
  const problems: string[] = [];
  const rollout = ofKind(objects, 'Rollout')[0];
  const metrics = analysisMetrics(objects);
  const jobs = metrics.filter(metric => metric.provider.job);
  if (jobs.length !== 1) {
    return [
      `AnalysisTemplate: expected one smoke-traffic Job metric, found ${jobs.length}`,
    ];
  }
  const spec = jobs[0].provider.job!.spec as JobSpec;
  const where = `AnalysisTemplate: metric ${jobs[0].name}`;
  const pod = spec.template;
  const container = pod.spec
    .containers[0] as PodTemplate['spec']['containers'][0] & {
    command?: string[];
    args?: string[];
  };
  const rolloutImage = field<PodTemplate>(rollout, 'spec.template')?.spec
    .containers[0].image;
  if (container.image !== rolloutImage) {
    problems.push(
      `${where}: image ${container.image} is not the Rollout's ${rolloutImage}`,
    );
  }
  if (JSON.stringify(container.command) !== JSON.stringify(LOADGEN_COMMAND)) {
    problems.push(
      `${where}: command ${JSON.stringify(
        container.command,
      )} is not the load generator ${JSON.stringify(LOADGEN_COMMAND)}`,
    );
  }
  const args = container.args ?? [];
  const previewName = field<string>(
    rollout,
    'spec.strategy.blueGreen.previewService',
  );
  const preview = ofKind(objects, 'Service').find(
    service => service.metadata.name === previewName,
  );
  const port = field<{ port: number }[]>(preview, 'spec.ports')?.[0]?.port;
  const url = `http://${previewName}:${port}`;
  if (option(args, '--url') !== url) {
    problems.push(
      `${where}: sends to ${option(
        args,
        '--url',
      )}, not the preview Service ${url}`,
    );
  }
  const seconds = Number(option(args, '--seconds'));
  const lastMeasurement = Math.max(
    ...metrics
      .filter(metric => metric.provider.prometheus)
      .map(
        metric =>
          durationSeconds(metric.initialDelay) +
          ((metric.count ?? 1) - 1) * durationSeconds(metric.interval),
      ),
  );
  if (!(seconds > lastMeasurement)) {
    problems.push(
      `${where}: sends for ${option(
        args,
        '--seconds',
      )} s, the last Prometheus measurement is at ${lastMeasurement} s`,
    );
  }
  const bound = seconds + Number(option(args, '--wait-ready') ?? 0);
  if (!(spec.activeDeadlineSeconds! > bound)) {
    problems.push(
      `${where}: activeDeadlineSeconds ${spec.activeDeadlineSeconds} does not outlast the wait and the load (${bound} s)`,
    );
  }
  if (spec.backoffLimit !== 0) {
    problems.push(`${where}: backoffLimit is not 0 (a retry sends again)`);
  }
  const labels = pod.metadata.labels;
  for (const service of ofKind(objects, 'Service')) {
    if (selects(field(service, 'spec.selector'), labels)) {
      problems.push(
        `${where}: its pods would receive traffic from Service/${service.metadata.name}`,
      );
    }
  }
  const serverLabels = field<Record<string, string>>(
    rollout,
    'spec.template.metadata.labels',
  );
  for (const policy of ofKind(objects, 'NetworkPolicy')) {
    if (!selects(field(policy, 'spec.podSelector.matchLabels'), labels)) {
      continue;
    }
    const reaches = (
      field<
        {
          to?: { podSelector?: { matchLabels?: Record<string, string> } }[];
          ports?: { port: number | string; protocol?: string }[];
        }[]
      >(policy, 'spec.egress') ?? []
    ).some(
      rule =>
        (rule.to ?? []).some(peer =>
          selects(peer.podSelector?.matchLabels, serverLabels),
        ) && (rule.ports ?? []).some(p => p.port === 8000 || p.port === 'http'),
    );
    if (!reaches) {
      problems.push(
        `NetworkPolicy/${policy.metadata.name}: the smoke-traffic pods may not reach the serving pods' http port`,
      );
    }
  }
  return problems;
}

interface CiliumEgressRule {
  toEntities?: string[];
  toPorts?: { ports?: { port: string; protocol?: string }[] }[];
}

/**
 * Traces (8126/TCP) and DogStatsD (8125/UDP) reach the Datadog agent on the pod's node. Under Cilium
 * that takes a CiliumNetworkPolicy allowing the `host` entity, the local node
 * (https://docs.cilium.io/en/stable/security/policy/language/#entities-based): Cilium never matches a
 * node IP with an ipBlock (https://learn.microsoft.com/azure/aks/azure-cni-powered-by-cilium#limitations),
 * so a NetworkPolicy ipBlock rule for the agent would be dead there. With another CNI the NetworkPolicy
 * allows the nodes' CIDRs.
 */
export function checkDatadogEgress(
  objects: KubeObject[],
  cni: 'cilium' | 'generic',
): string[] {
  const problems: string[] = [];
  const rollout = ofKind(objects, 'Rollout')[0];
  const podLabels = field<Record<string, string>>(
    rollout,
    'spec.template.metadata.labels',
  );
  const policies = ofKind(objects, 'NetworkPolicy');
  if (policies.length === 0) {
    return problems;
  }
  const agentRules = policies.flatMap(policy =>
    (
      field<
        {
          to?: { ipBlock?: { cidr: string } }[];
          ports?: { port: number | string; protocol?: string }[];
        }[]
      >(policy, 'spec.egress') ?? []
    ).filter(rule => (rule.ports ?? []).some(p => p.port === 8126)),
  );
  const cilium = ofKind(objects, 'CiliumNetworkPolicy');
  if (cni === 'generic') {
    if (
      !agentRules.some(rule =>
        (rule.ports ?? []).some(p => p.port === 8125 && p.protocol === 'UDP'),
      )
    ) {
      problems.push(
        'NetworkPolicy: no egress to the Datadog agent (8126/TCP, 8125/UDP)',
      );
    }
    if (cilium.length > 0) {
      problems.push(
        'CiliumNetworkPolicy rendered for a cluster without Cilium',
      );
    }
    return problems;
  }
  if (agentRules.length > 0) {
    problems.push(
      'NetworkPolicy: allows the Datadog agent by ipBlock, which Cilium never matches for a node IP',
    );
  }
  const allowsAgent = cilium.some(policy => {
    if (
      !selects(field(policy, 'spec.endpointSelector.matchLabels'), podLabels)
    ) {
      return false;
    }
    const rules = field<CiliumEgressRule[]>(policy, 'spec.egress') ?? [];
    const ports = (protocol: string) =>
      rules
        .filter(rule => (rule.toEntities ?? []).includes('host'))
        .flatMap(rule => rule.toPorts ?? [])
        .flatMap(toPort => toPort.ports ?? [])
        .filter(p => (p.protocol ?? 'ANY') === protocol)
        .map(p => p.port);
    return ports('TCP').includes('8126') && ports('UDP').includes('8125');
  });
  for (const policy of cilium) {
    const entities = (
      field<CiliumEgressRule[]>(policy, 'spec.egress') ?? []
    ).flatMap(rule => rule.toEntities ?? []);
    const beyondNode = entities.filter(entity => entity !== 'host');
    if (beyondNode.length > 0) {
      problems.push(
        `CiliumNetworkPolicy/${
          policy.metadata.name
        }: allows more than the node (${beyondNode.join(', ')})`,
      );
    }
  }
  if (!allowsAgent) {
    problems.push(
      "CiliumNetworkPolicy: the Rollout's pods may not reach the node's Datadog agent (toEntities host, 8126/TCP and 8125/UDP)",
    );
  }
  return problems;
}
