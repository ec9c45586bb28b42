import { HclObject, HclValue, isObject, TerraformConfig } from '../hcl';
import { InfraTree, relative } from '../infraTree';

const ROLE_TYPES = new Set([
  'kubernetes_cluster_role_v1',
  'kubernetes_role_v1',
  'kubernetes_cluster_role',
  'kubernetes_role',
]);

/** The only verbs a role created by infra/ may grant. */
export const READ_VERBS = new Set(['get', 'list', 'watch']);

/**
 * What the portal's Kubernetes tab reads, as `<resource>.<group>` (core group: `<resource>`):
 * @backstage/plugin-kubernetes-backend's DEFAULT_OBJECTS (KubernetesFanOutHandler), the pod metrics of
 * KubernetesFetcher.fetchPodMetricsForNamespace, and the customResources of app-config.production.yaml.
 */
export const PORTAL_KUBERNETES_READS = [
  'pods',
  'services',
  'configmaps',
  'limitranges',
  'resourcequotas',
  'deployments.apps',
  'replicasets.apps',
  'statefulsets.apps',
  'daemonsets.apps',
  'horizontalpodautoscalers.autoscaling',
  'jobs.batch',
  'cronjobs.batch',
  'ingresses.networking.k8s.io',
  'pods.metrics.k8s.io',
  'rollouts.argoproj.io',
  'analysisruns.argoproj.io',
];

/** Where the portal's read-only ClusterRole is declared. */
export const PORTAL_READER = {
  stack: 'monitoring',
  type: 'kubernetes_cluster_role_v1',
  name: 'backstage_reader',
};

/** The portal's Argo CD policy: exactly these actions on applications of its project. */
export const PORTAL_ARGOCD_ACTIONS = [
  'get',
  'sync',
  'action/argoproj.io/Rollout/*',
];

function stringList(value: HclValue | undefined): string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value.every(v => typeof v === 'string')
    ? (value as string[])
    : undefined;
}

function blocks(value: HclValue | undefined): HclObject[] {
  if (Array.isArray(value)) return value.filter(isObject);
  return isObject(value) ? [value] : [];
}

/**
 * Every Kubernetes Role and ClusterRole that a stack or module creates is read-only: literal rules
 * (no dynamic blocks, no aggregation), verbs only get, list and watch, no wildcard, never secrets.
 * Returns the problems and the granted `<resource>.<group>` names of each role, by address.
 */
function inspectRoles(
  tree: InfraTree,
  config: TerraformConfig,
): { problems: string[]; grants: Map<string, Set<string>> } {
  const where = relative(tree, config.dir);
  const problems: string[] = [];
  const grants = new Map<string, Set<string>>();
  for (const resource of config.resources) {
    if (!ROLE_TYPES.has(resource.type)) continue;
    const address = `${resource.type}.${resource.name}`;
    const granted = new Set<string>();
    grants.set(address, granted);
    if ('dynamic' in resource.block || 'aggregation_rule' in resource.block) {
      problems.push(
        `${where}: ${address} has dynamic or aggregated rules; write its rules out so they can be checked`,
      );
    }
    for (const rule of blocks(resource.block.rule)) {
      const groups = stringList(rule.api_groups);
      const resources = stringList(rule.resources);
      const verbs = stringList(rule.verbs);
      if (!groups || !resources || !verbs) {
        problems.push(
          `${where}: ${address} has a rule whose api_groups, resources or verbs are not a literal list`,
        );
        continue;
      }
      if ('non_resource_urls' in rule || 'resource_names' in rule) {
        problems.push(
          `${where}: ${address} has a rule with non_resource_urls or resource_names; only whole resource types are expected`,
        );
      }
      for (const text of [...groups, ...resources, ...verbs]) {
        if (text.includes('*')) {
          problems.push(`${where}: ${address} grants the wildcard "${text}"`);
        }
      }
      for (const verb of verbs) {
        if (!READ_VERBS.has(verb) && verb !== '*') {
          problems.push(
            `${where}: ${address} grants the write verb ${verb}; roles created here may only get, list and watch`,
          );
        }
      }
      for (const name of resources) {
        if (name === 'secrets' || name.startsWith('secrets/')) {
          problems.push(`${where}: ${address} grants access to ${name}`);
        }
        for (const group of groups) {
          granted.add(group === '' ? name : `${name}.${group}`);
        }
      }
    }
  }
  return { problems, grants };
}

export function checkKubernetesRoles(tree: InfraTree): string[] {
  const problems: string[] = [];
  for (const config of [...tree.stacks.values(), ...tree.modules.values()]) {
    const inspected = inspectRoles(tree, config);
    problems.push(...inspected.problems);
    if (config !== tree.stacks.get(PORTAL_READER.stack)) continue;
    const address = `${PORTAL_READER.type}.${PORTAL_READER.name}`;
    const granted = inspected.grants.get(address);
    const where = relative(tree, config.dir);
    if (!granted) {
      problems.push(
        `${where}: has no ${address}, the portal's read-only role for its Kubernetes tab`,
      );
      continue;
    }
    for (const name of PORTAL_KUBERNETES_READS) {
      if (!granted.has(name)) {
        problems.push(
          `${where}: ${address} does not grant ${name}, which the portal's Kubernetes tab reads`,
        );
      }
    }
    for (const name of granted) {
      if (!PORTAL_KUBERNETES_READS.includes(name)) {
        problems.push(
          `${where}: ${address} grants ${name}, which the portal's Kubernetes tab does not read`,
        );
      }
    }
  }
  return problems;
}

/**
 * The argocd module gives the portal's local account exactly get, sync and the Rollout resource actions
 * on applications of its project (local portal_policy), puts that policy into the chart's policy.csv
 * with no default role, and gives the account the apiKey capability only.
 */
export function checkArgocdPortalAccount(tree: InfraTree): string[] {
  const module = tree.modules.get('argocd');
  if (!module) return ['modules/argocd: missing'];
  const where = relative(tree, module.dir);
  const problems: string[] = [];
  const policy = stringList(module.localValues.get('portal_policy'));
  if (!policy) {
    return [
      `${where}: local portal_policy is not a literal list of policy lines`,
    ];
  }
  const actions: string[] = [];
  for (const line of policy) {
    const fields = line.split(',').map(f => f.trim());
    const [kind, subject, resource, action, object, effect] = fields;
    if (
      fields.length !== 6 ||
      kind !== 'p' ||
      subject !== '${var.portal_account}' ||
      resource !== 'applications' ||
      object !== '${var.portal_project}/*' ||
      effect !== 'allow'
    ) {
      problems.push(
        `${where}: portal_policy line "${line}" is not "p, <portal_account>, applications, <action>, <portal_project>/*, allow"`,
      );
      continue;
    }
    actions.push(action);
  }
  for (const action of actions) {
    if (!PORTAL_ARGOCD_ACTIONS.includes(action)) {
      problems.push(
        `${where}: portal_policy grants the portal account ${action}, beyond get, sync and the Rollout actions`,
      );
    }
  }
  for (const action of PORTAL_ARGOCD_ACTIONS) {
    if (!actions.includes(action)) {
      problems.push(
        `${where}: portal_policy does not grant the portal account ${action}`,
      );
    }
  }

  const release = module.resources.find(
    r => r.type === 'helm_release' && r.name === 'argocd',
  );
  // The chart values as written, without comments.
  const rawValues = release?.block.values;
  const values = (Array.isArray(rawValues) ? rawValues : [rawValues ?? ''])
    .filter((v): v is string => typeof v === 'string')
    .join('\n')
    .replace(/#.*$/gm, '');
  const expected: Array<[RegExp, string]> = [
    [
      /"accounts\.\$\{var\.portal_account\}"\s*=\s*"apiKey"/,
      'configs.cm "accounts.<portal_account>" = "apiKey"',
    ],
    [
      /"policy\.csv"\s*=\s*join\("\\n",\s*local\.portal_policy\)/,
      'configs.rbac "policy.csv" = join("\\n", local.portal_policy)',
    ],
    [/"policy\.default"\s*=\s*""/, 'configs.rbac "policy.default" = ""'],
  ];
  for (const [pattern, description] of expected) {
    if (!pattern.test(values)) {
      problems.push(
        `${where}: helm_release.argocd values do not set ${description}`,
      );
    }
  }
  return problems;
}
