import type { KubeObject } from './helm';
import { validateObject } from './validateObject';

// The validator itself: it must catch what strict field validation on a cluster rejects, or the chart
// tests that rely on it would pass on broken manifests.
describe('validateObject', () => {
  const service: KubeObject = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'inference', labels: { a: 'b' } },
    spec: {
      selector: { app: 'inference' },
      ports: [{ name: 'http', port: 8000, targetPort: 'http' }],
    },
  };
  const rollout: KubeObject = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name: 'inference' },
    spec: {
      selector: { matchLabels: { app: 'inference' } },
      strategy: { blueGreen: { activeService: 'a', previewService: 'b' } },
      template: {
        metadata: { labels: { app: 'inference' } },
        spec: { containers: [{ name: 'inference', image: 'x:1' }] },
      },
    },
  };

  it('accepts valid core and Argo objects', () => {
    expect(validateObject(service)).toEqual([]);
    expect(validateObject(rollout)).toEqual([]);
  });

  it('reports a misspelled field of a core kind with its path', () => {
    const broken = structuredClone(service) as any;
    broken.spec.ports[0].targetPrt = 'http';
    expect(validateObject(broken)).toEqual([
      'Service/inference: unknown field "spec.ports[0].targetPrt"',
    ]);
  });

  it('reports a misspelled field in metadata', () => {
    const broken = structuredClone(service) as any;
    broken.metadata.label = { a: 'b' };
    expect(validateObject(broken)).toEqual([
      'Service/inference: unknown field "metadata.label"',
    ]);
  });

  it('reports an unknown field deep in a Rollout against the official CRD', () => {
    const broken = structuredClone(rollout) as any;
    broken.spec.strategy.blueGreen.autoPromotion = true;
    broken.spec.template.spec.containers[0].readinesProbe = {};
    expect(validateObject(broken)).toEqual([
      'Rollout/inference: unknown field "spec.strategy.blueGreen.autoPromotion"',
      'Rollout/inference: unknown field "spec.template.spec.containers[0].readinesProbe"',
    ]);
  });

  it('reports schema violations from kubernetes-models', () => {
    const broken = structuredClone(service) as any;
    broken.spec.ports[0].port = 'eight thousand';
    const problems = validateObject(broken);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/Service\/inference: .*port/);
  });

  const ciliumPolicy: KubeObject = {
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumNetworkPolicy',
    metadata: { name: 'inference' },
    spec: {
      endpointSelector: { matchLabels: { app: 'inference' } },
      egress: [
        {
          toEntities: ['host'],
          toPorts: [{ ports: [{ port: '8126', protocol: 'TCP' }] }],
        },
      ],
    },
  };

  it("checks a CiliumNetworkPolicy against Cilium's documented fields", () => {
    expect(validateObject(ciliumPolicy)).toEqual([]);
    const misspelled = structuredClone(ciliumPolicy) as any;
    misspelled.spec.egress[0].toEntity = misspelled.spec.egress[0].toEntities;
    delete misspelled.spec.egress[0].toEntities;
    expect(validateObject(misspelled)).toEqual([
      'CiliumNetworkPolicy/inference: unknown field "spec.egress[0].toEntity"',
    ]);
    const wrong = structuredClone(ciliumPolicy) as any;
    wrong.spec.egress[0].toEntities = ['node'];
    wrong.spec.egress[0].toPorts[0].ports[0] = { port: 8126, protocol: 'tcp' };
    expect(validateObject(wrong)).toEqual([
      'CiliumNetworkPolicy/inference: spec.egress[0].toEntities[0]: "node" is not one of all, world, world-ipv4, world-ipv6, cluster, host, remote-node, kube-apiserver, ingress, init, health, unmanaged, none; spec.egress[0].toPorts[0].ports[0].port: is integer, expected string; spec.egress[0].toPorts[0].ports[0].protocol: "tcp" is not one of TCP, UDP, SCTP, ANY',
    ]);
    const noSpec = structuredClone(ciliumPolicy) as any;
    delete noSpec.spec;
    expect(validateObject(noSpec)).toEqual([
      'CiliumNetworkPolicy/inference: (root): spec is required',
    ]);
  });

  it('refuses a kind it has no schema for', () => {
    expect(
      validateObject({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'x' },
      }),
    ).toEqual(['Deployment/x: no schema known for apps/v1/Deployment']);
  });
});
