import { analysisMetrics } from './analysisGate';
import type { KubeObject } from './helm';
import { Container, PodTemplate, field, ofKind, selects } from './kube';
import { checkDatadogEgress, checkSmokeTraffic } from './trafficChecks';

/** What a render of charts/inference is expected to be. */
export interface InferenceExpectation {
  environment: string;
  /** The colour overlay rendered, or undefined for none (the chart's default colour, blue). */
  colour?: string;
  serviceName?: string;
  /** The blob container the environment's values name (default: the chart's, treated-images). */
  blobContainer?: string;
  /** The CNI the render is for (`networkPolicy.cni`; default: the chart's, cilium). */
  cni?: 'cilium' | 'generic';
}

const ALL_ZERO_GUID = '00000000-0000-0000-0000-000000000000';

const SERVICE = 'inference-service';
const ALERTS = [
  'InferenceServiceHighErrorRatio',
  'InferenceServiceHighLatencyP95',
  'InferenceServiceNoTraffic',
];

/**
 * Checks a rendered inference release against the project's rules: blue/green wiring, analysis, probes,
 * security, labels, Datadog tagging, monitoring, policies. Returns every problem found; [] is a pass.
 */
export function checkInferenceRelease(
  objects: KubeObject[],
  expected: InferenceExpectation,
): string[] {
  const problems: string[] = [];
  const problem = (text: string) => problems.push(text);
  const namespace = `inference-${expected.environment}`;

  for (const object of objects) {
    const where = `${object.kind}/${object.metadata.name}`;
    if (object.metadata.namespace !== namespace) {
      problem(
        `${where}: namespace ${object.metadata.namespace}, expected ${namespace}`,
      );
    }
    const labels = object.metadata.labels ?? {};
    if (labels['devops-app.io/environment'] !== expected.environment) {
      problem(
        `${where}: devops-app.io/environment label is ${labels['devops-app.io/environment']}`,
      );
    }
    for (const key of [
      'devops-app.io/service',
      'backstage.io/kubernetes-id',
      'tags.datadoghq.com/service',
    ]) {
      if (labels[key] !== SERVICE) {
        problem(
          `${where}: label ${key} is ${labels[key]}, expected ${SERVICE}`,
        );
      }
    }
  }

  const rollouts = ofKind(objects, 'Rollout');
  if (rollouts.length !== 1) {
    return [...problems, `expected one Rollout, found ${rollouts.length}`];
  }
  const rollout = rollouts[0];
  const template = field<PodTemplate>(rollout, 'spec.template')!;
  const podLabels = template.metadata.labels;
  const container = template.spec.containers[0];
  const services = ofKind(objects, 'Service');
  const serviceNamed = (name: string | undefined) =>
    services.find(service => service.metadata.name === name);

  // Rollout selector and the Services in front of its pods.
  if (!selects(field(rollout, 'spec.selector.matchLabels'), podLabels)) {
    problem('Rollout: selector does not match its own pod template');
  }
  const blueGreen = field<Record<string, unknown>>(
    rollout,
    'spec.strategy.blueGreen',
  );
  if (!blueGreen) {
    return [...problems, 'Rollout: no blueGreen strategy'];
  }
  for (const role of ['activeService', 'previewService']) {
    const service = serviceNamed(blueGreen[role] as string);
    if (!service) {
      problem(`Rollout: ${role} ${blueGreen[role]} is not a rendered Service`);
      continue;
    }
    if (!selects(field(service, 'spec.selector'), podLabels)) {
      problem(
        `Service/${service.metadata.name}: selector does not match the Rollout's pods`,
      );
    }
  }
  if (blueGreen.activeService === blueGreen.previewService) {
    problem('Rollout: active and preview Service are the same');
  }
  for (const service of services) {
    for (const port of field<{ targetPort: string | number }[]>(
      service,
      'spec.ports',
    ) ?? []) {
      const served = (container.ports ?? []).some(
        p => p.name === port.targetPort || p.containerPort === port.targetPort,
      );
      if (!served) {
        problem(
          `Service/${service.metadata.name}: targetPort ${port.targetPort} is no container port`,
        );
      }
    }
  }
  if (typeof blueGreen.autoPromotionEnabled !== 'boolean') {
    problem('Rollout: autoPromotionEnabled not set');
  }
  if (
    expected.environment === 'prod' &&
    blueGreen.autoPromotionEnabled !== false
  ) {
    problem('Rollout: auto-promotion must be off in prod');
  }

  // Pre-promotion analysis: a rendered template, fed the preview pods' hash, querying by it.
  const analysis = field<{
    templates: { templateName: string }[];
    args?: { name: string; valueFrom?: { podTemplateHashValue?: string } }[];
    analysisRunMetadata?: { labels?: Record<string, string> };
  }>(blueGreen, 'prePromotionAnalysis');
  if (!analysis) {
    problem('Rollout: no prePromotionAnalysis');
  } else {
    // The portal's Kubernetes tab lists AnalysisRuns by backstage.io/kubernetes-id.
    const runLabels = analysis.analysisRunMetadata?.labels ?? {};
    if (runLabels['backstage.io/kubernetes-id'] !== SERVICE) {
      problem(
        `Rollout: AnalysisRuns are not labelled backstage.io/kubernetes-id=${SERVICE}`,
      );
    }
    if (runLabels['devops-app.io/environment'] !== expected.environment) {
      problem(
        `Rollout: AnalysisRuns are not labelled devops-app.io/environment=${expected.environment}`,
      );
    }
    for (const { templateName } of analysis.templates) {
      const analysisTemplate = ofKind(objects, 'AnalysisTemplate').find(
        candidate => candidate.metadata.name === templateName,
      );
      if (!analysisTemplate) {
        problem(`Rollout: AnalysisTemplate ${templateName} is not rendered`);
        continue;
      }
      const declared =
        field<{ name: string; value?: string }[]>(
          analysisTemplate,
          'spec.args',
        ) ?? [];
      for (const arg of declared.filter(a => a.value === undefined)) {
        if (!analysis.args?.some(given => given.name === arg.name)) {
          problem(
            `Rollout: AnalysisTemplate ${templateName} argument ${arg.name} is not passed`,
          );
        }
      }
      const hashArg = analysis.args?.find(
        arg => arg.valueFrom?.podTemplateHashValue === 'Preview',
      );
      if (!hashArg) {
        problem("Rollout: analysis is not given the preview pods' hash");
      }
      const metrics =
        field<{ name: string; provider: { prometheus?: { query: string } } }[]>(
          analysisTemplate,
          'spec.metrics',
        ) ?? [];
      for (const metric of metrics.filter(m => m.provider.prometheus)) {
        const query = metric.provider.prometheus?.query ?? '';
        if (
          !hashArg ||
          !query.includes(
            `rollouts_pod_template_hash="{{args.${hashArg.name}}}"`,
          )
        ) {
          problem(
            `AnalysisTemplate/${templateName}: metric ${metric.name} does not select the preview pods`,
          );
        }
        if (!query.includes(`environment="${expected.environment}"`)) {
          problem(
            `AnalysisTemplate/${templateName}: metric ${metric.name} does not select environment ${expected.environment}`,
          );
        }
      }
      for (const required of ['error-ratio', 'latency-p95']) {
        if (!metrics.some(metric => metric.name === required)) {
          problem(`AnalysisTemplate/${templateName}: no ${required} metric`);
        }
      }
      problems.push(...checkSmokeTraffic(objects));
      for (const metric of analysisMetrics(objects)) {
        const job = metric.provider.job?.spec as
          | { template: PodTemplate }
          | undefined;
        if (job) {
          problems.push(
            ...checkPodHardening(
              `AnalysisTemplate: metric ${metric.name}`,
              job.template,
            ),
          );
        }
      }
    }
  }

  // The serving container: port, probes, Datadog tagging, colour.
  const httpPort = (container.ports ?? []).find(p => p.name === 'http');
  if (httpPort?.containerPort !== 8000) {
    problem('Rollout: container port http is not 8000');
  }
  const probePath = (probe: keyof Container) =>
    (
      container[probe] as
        | { httpGet?: { path: string; port: string } }
        | undefined
    )?.httpGet;
  if (
    probePath('livenessProbe')?.path !== '/healthz' ||
    probePath('livenessProbe')?.port !== 'http'
  ) {
    problem('Rollout: liveness probe is not GET /healthz on http');
  }
  if (
    probePath('readinessProbe')?.path !== '/readyz' ||
    probePath('readinessProbe')?.port !== 'http'
  ) {
    problem('Rollout: readiness probe is not GET /readyz on http');
  }
  const version = container.image.split(':').pop();
  const expectedLabels: Record<string, string | undefined> = {
    'app.kubernetes.io/name': 'inference',
    'backstage.io/kubernetes-id': SERVICE,
    'tags.datadoghq.com/env': expected.environment,
    'tags.datadoghq.com/service': SERVICE,
    'tags.datadoghq.com/version': version,
    'devops-app.io/colour': expected.colour ?? 'blue',
  };
  for (const [key, value] of Object.entries(expectedLabels)) {
    if (podLabels[key] !== value) {
      problem(
        `Rollout: pod label ${key} is ${podLabels[key]}, expected ${value}`,
      );
    }
  }
  const env = new Map((container.env ?? []).map(e => [e.name, e]));
  for (const [name, label] of [
    ['DD_ENV', 'tags.datadoghq.com/env'],
    ['DD_SERVICE', 'tags.datadoghq.com/service'],
    ['DD_VERSION', 'tags.datadoghq.com/version'],
  ]) {
    if (
      env.get(name)?.valueFrom?.fieldRef?.fieldPath !==
      `metadata.labels['${label}']`
    ) {
      problem(`Rollout: ${name} is not read from the ${label} label`);
    }
  }
  if (
    env.get('DD_AGENT_HOST')?.valueFrom?.fieldRef?.fieldPath !== 'status.hostIP'
  ) {
    problem('Rollout: DD_AGENT_HOST is not the node IP');
  }
  if (env.get('ROLLOUT_COLOUR')?.value !== (expected.colour ?? 'blue')) {
    problem(`Rollout: ROLLOUT_COLOUR is ${env.get('ROLLOUT_COLOUR')?.value}`);
  }
  const configMaps = ofKind(objects, 'ConfigMap');
  const configData: Record<string, string> = Object.assign(
    {},
    ...(container.envFrom ?? []).map(source => {
      const configMap = configMaps.find(
        c => c.metadata.name === source.configMapRef?.name,
      );
      if (!configMap) {
        problem(
          `Rollout: envFrom ConfigMap ${source.configMapRef?.name} is not rendered`,
        );
      }
      return field<Record<string, string>>(configMap, 'data') ?? {};
    }),
  );
  for (const [name, value] of Object.entries({
    DD_LOGS_INJECTION: 'true',
    PORT: '8000',
    BLOB_CONTAINER: expected.blobContainer ?? 'treated-images',
  })) {
    if (configData[name] !== value) {
      problem(`Rollout: ${name} is ${configData[name]}, expected ${value}`);
    }
  }

  // Blob access: workload identity (account URL, federated ServiceAccount) or a connection string.
  const workloadIdentity = podLabels['azure.workload.identity/use'] === 'true';
  if (workloadIdentity && !configData.AZURE_STORAGE_ACCOUNT_URL) {
    problem('Rollout: workload identity without AZURE_STORAGE_ACCOUNT_URL');
  }
  if (
    !workloadIdentity &&
    !env.get('AZURE_STORAGE_CONNECTION_STRING')?.valueFrom
  ) {
    problem(
      'Rollout: no blob credentials: neither workload identity nor a connection string Secret',
    );
  }

  // Every pod of the release, serving or training: hardened and sized.
  const podTemplates: [string, PodTemplate][] = [
    ['Rollout', template],
    ...ofKind(objects, 'Job').map(
      job =>
        [
          `Job/${job.metadata.name}`,
          field<PodTemplate>(job, 'spec.template')!,
        ] as [string, PodTemplate],
    ),
  ];
  const serviceAccounts = ofKind(objects, 'ServiceAccount');
  for (const [where, pod] of podTemplates) {
    problems.push(...checkPodHardening(where, pod));
    const account = serviceAccounts.find(
      a => a.metadata.name === pod.spec.serviceAccountName,
    );
    if (!account) {
      problem(
        `${where}: ServiceAccount ${pod.spec.serviceAccountName} is not rendered`,
      );
    } else if (pod.metadata.labels['azure.workload.identity/use'] === 'true') {
      const clientId =
        account.metadata.annotations?.['azure.workload.identity/client-id'];
      if (!clientId) {
        problem(
          `ServiceAccount/${account.metadata.name}: no workload identity client id`,
        );
      } else if (clientId === ALL_ZERO_GUID) {
        problem(
          `ServiceAccount/${account.metadata.name}: the all-zero workload identity client id`,
        );
      }
      const podClientId = pod.spec.containers[0].env?.find(
        e => e.name === 'AZURE_CLIENT_ID',
      )?.value;
      if (podClientId !== clientId) {
        problem(
          `${where}: AZURE_CLIENT_ID is ${podClientId}, the ServiceAccount's client id is ${clientId}`,
        );
      }
    }
  }
  for (const job of ofKind(objects, 'Job')) {
    const labels = field<Record<string, string>>(
      job,
      'spec.template.metadata.labels',
    );
    for (const service of services) {
      if (selects(field(service, 'spec.selector'), labels)) {
        problem(
          `Job/${job.metadata.name}: its pods would receive traffic from Service/${service.metadata.name}`,
        );
      }
    }
  }

  // Scaling, disruption and network policy all aim at the Rollout's pods.
  for (const hpa of ofKind(objects, 'HorizontalPodAutoscaler')) {
    const target = field<{ kind: string; name: string; apiVersion: string }>(
      hpa,
      'spec.scaleTargetRef',
    );
    if (
      target?.kind !== 'Rollout' ||
      target.name !== rollout.metadata.name ||
      target.apiVersion !== rollout.apiVersion
    ) {
      problem(
        `HorizontalPodAutoscaler/${hpa.metadata.name}: does not scale the Rollout`,
      );
    }
    if (field(rollout, 'spec.replicas') !== undefined) {
      problem(
        'Rollout: sets replicas while an HPA owns them (Argo CD would fight the HPA)',
      );
    }
  }
  for (const pdb of ofKind(objects, 'PodDisruptionBudget')) {
    if (!selects(field(pdb, 'spec.selector.matchLabels'), podLabels)) {
      problem(
        `PodDisruptionBudget/${pdb.metadata.name}: selector does not match the Rollout's pods`,
      );
    }
  }
  for (const policy of ofKind(objects, 'NetworkPolicy')) {
    if (!selects(field(policy, 'spec.podSelector.matchLabels'), podLabels)) {
      problem(
        `NetworkPolicy/${policy.metadata.name}: does not select the Rollout's pods`,
      );
    }
    const ingressPorts = (
      field<{ ports?: { port: string | number }[] }[]>(
        policy,
        'spec.ingress',
      ) ?? []
    )
      .flatMap(rule => rule.ports ?? [])
      .map(p => p.port);
    if (!ingressPorts.includes('http')) {
      problem(
        `NetworkPolicy/${policy.metadata.name}: does not admit the http port`,
      );
    }
  }

  problems.push(...checkDatadogEgress(objects, expected.cni ?? 'cilium'));

  // Scraping: the ServiceMonitor reaches every pod and labels series as the queries expect.
  const monitors = ofKind(objects, 'ServiceMonitor');
  if (monitors.length !== 1) {
    problem(`expected one ServiceMonitor, found ${monitors.length}`);
  }
  for (const monitor of monitors) {
    const scraped = services.filter(service =>
      selects(
        field(monitor, 'spec.selector.matchLabels'),
        service.metadata.labels,
      ),
    );
    if (
      scraped.length !== 1 ||
      !selects(field(scraped[0], 'spec.selector'), podLabels)
    ) {
      problem(
        `ServiceMonitor/${
          monitor.metadata.name
        }: must select exactly one Service over all the Rollout's pods, selects ${scraped.map(
          s => s.metadata.name,
        )}`,
      );
    }
    const endpoints =
      field<
        {
          port: string;
          path: string;
          relabelings?: Record<string, unknown>[];
        }[]
      >(monitor, 'spec.endpoints') ?? [];
    const relabelings = endpoints.flatMap(
      endpoint => endpoint.relabelings ?? [],
    );
    const sets = (label: string, replacement: string) =>
      relabelings.some(
        r => r.targetLabel === label && r.replacement === replacement,
      );
    if (
      !sets('service', SERVICE) ||
      !sets('environment', expected.environment)
    ) {
      problem(
        `ServiceMonitor/${monitor.metadata.name}: does not label series service="${SERVICE}", environment="${expected.environment}"`,
      );
    }
    if (
      !relabelings.some(
        r =>
          r.targetLabel === 'rollouts_pod_template_hash' &&
          (r.sourceLabels as string[] | undefined)?.includes(
            '__meta_kubernetes_pod_label_rollouts_pod_template_hash',
          ),
      )
    ) {
      problem(
        `ServiceMonitor/${monitor.metadata.name}: does not copy the pod-template hash the analysis selects on`,
      );
    }
    if (!endpoints.some(e => e.path === '/metrics' && e.port === 'http')) {
      problem(
        `ServiceMonitor/${monitor.metadata.name}: does not scrape /metrics on http`,
      );
    }
  }
  const alerts = ofKind(objects, 'PrometheusRule').flatMap(rule =>
    (
      field<{ rules: { alert?: string }[] }[]>(rule, 'spec.groups') ?? []
    ).flatMap(group => group.rules.map(r => r.alert)),
  );
  for (const alert of ALERTS) {
    if (!alerts.includes(alert)) {
      problem(`PrometheusRule: alert ${alert} missing`);
    }
  }
  return problems;
}

/** Non-root, read-only root filesystem, no privilege escalation, no capabilities, requests and limits. */
export function checkPodHardening(where: string, pod: PodTemplate): string[] {
  const problems: string[] = [];
  if (pod.spec.securityContext?.runAsNonRoot !== true) {
    problems.push(`${where}: pod does not require a non-root user`);
  }
  for (const container of pod.spec.containers) {
    const at = `${where}: container ${container.name}`;
    const security = container.securityContext ?? {};
    if (security.readOnlyRootFilesystem !== true) {
      problems.push(`${at}: root filesystem is writable`);
    }
    if (security.allowPrivilegeEscalation !== false) {
      problems.push(`${at}: privilege escalation allowed`);
    }
    if (
      !security.capabilities?.drop?.includes('ALL') ||
      (security.capabilities.add ?? []).length > 0
    ) {
      problems.push(`${at}: capabilities not all dropped`);
    }
    for (const kind of ['requests', 'limits'] as const) {
      for (const resource of ['cpu', 'memory']) {
        if (!container.resources?.[kind]?.[resource]) {
          problems.push(`${at}: no ${resource} ${kind}`);
        }
      }
    }
  }
  return problems;
}
