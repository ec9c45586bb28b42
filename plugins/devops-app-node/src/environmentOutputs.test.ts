import {
  environmentValuesFile,
  REDACTED,
} from '@devops-app/plugin-devops-app-common';
import { parse, parseAllDocuments } from 'yaml';
import {
  applyEnvironmentOutputs,
  environmentCatalogFile,
  EnvironmentStackOutputs,
} from './environmentOutputs';

const CATALOG = `# The load-test environment, created from the portal (based on dev), and its
# Kubernetes cluster. After each Terraform apply the portal commits the endpoints.
apiVersion: backstage.io/v1alpha1
kind: Resource
metadata:
  name: load-test
  title: load-test
  description: Environment created from the portal, based on dev; a long description that goes on past eighty characters.
  annotations:
    devops-app.io/namespace: inference-load-test
    devops-app.io/production: 'false' # quoted on purpose
    devops-app.io/protected: 'false'
    devops-app.io/kubernetes-cluster: resource:default/load-test-cluster
    argocd/app-name: inference-load-test
spec:
  type: environment
  lifecycle: experimental
  owner: group:default/ml-team
  system: devops-app
  dependencyOf: [component:default/inference-service]
  dependsOn: [resource:default/load-test-cluster]
---
apiVersion: backstage.io/v1alpha1
kind: Resource
metadata:
  name: load-test-cluster
  title: AKS cluster (load-test)
  annotations:
    # The portal's Kubernetes backend signs in with its own Entra ID identity (no token in the catalog).
    kubernetes.io/auth-provider: azure
spec:
  type: kubernetes-cluster
  owner: group:default/ml-team
  system: devops-app
`;

const VALUES = `# load-test: created from the portal, based on dev; layered over values.yaml.
environment: load-test
namespace: inference-load-test

image:
  # The portal's deploy action rewrites this line.
  tag: "0.1.0"

storage:
  accountUrl: https://stdevopsapploadtest.blob.core.windows.net # from the template

azureWorkloadIdentity:
  clientId: "00000000-0000-0000-0000-000000000000"
`;

const CLIENT_ID = '3f2b1c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d';
const TRAINING_CLIENT_ID = '7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d';
const CA = Buffer.from(
  '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
).toString('base64');

const outputs = (): EnvironmentStackOutputs => ({
  cluster: {
    kube_api_host: 'https://127.0.0.1:6443',
    cluster_ca_certificate: REDACTED,
    cluster_ca_certificate_public: CA,
    acr_login_server: 'acrdevopsapploadtest.azurecr.io',
  },
  monitoring: {
    prometheus_url: 'http://127.0.0.1:9090',
    argocd_url: 'https://127.0.0.1:8080',
  },
  storage: {
    inference_identity_client_id: CLIENT_ID,
    blob_endpoint: 'https://stdevopsapploadtest.blob.core.windows.net/',
    container_name: 'treated-images',
    training_identity_client_id: TRAINING_CLIENT_ID,
  },
});

const CATALOG_FILE = 'catalog/environments/load-test.yaml';
const VALUES_FILE = 'charts/inference/values-load-test.yaml';

describe('applyEnvironmentOutputs', () => {
  it('names the files by environment', () => {
    expect(environmentCatalogFile('load-test')).toBe(CATALOG_FILE);
    expect(environmentValuesFile('load-test')).toBe(VALUES_FILE);
    // dev's values are the chart's base file.
    expect(environmentValuesFile('dev')).toBe('charts/inference/values.yaml');
  });

  it('writes the annotations and values, keeping comments, order and quoting', () => {
    const result = applyEnvironmentOutputs({
      environment: 'load-test',
      outputs: outputs(),
      catalog: CATALOG,
      values: VALUES,
    });
    expect(Object.keys(result.files).sort()).toEqual([
      CATALOG_FILE,
      VALUES_FILE,
    ]);
    expect(result.skipped).toEqual([]);

    const catalog = result.files[CATALOG_FILE];
    const [env, cluster] = parseAllDocuments(catalog).map(d => d.toJS());
    expect(env.metadata.annotations).toEqual({
      'devops-app.io/namespace': 'inference-load-test',
      'devops-app.io/production': 'false',
      'devops-app.io/protected': 'false',
      'devops-app.io/kubernetes-cluster': 'resource:default/load-test-cluster',
      'argocd/app-name': 'inference-load-test',
      'devops-app.io/prometheus-url': 'http://127.0.0.1:9090',
      'devops-app.io/argocd-url': 'https://127.0.0.1:8080',
    });
    expect(cluster.metadata.annotations).toEqual({
      'kubernetes.io/auth-provider': 'azure',
      'kubernetes.io/api-server': 'https://127.0.0.1:6443',
      'kubernetes.io/api-server-certificate-authority': CA,
    });
    // Every line of the input is still there, comments and quoting included, in the same order.
    const lines = catalog.split('\n');
    let at = 0;
    for (const line of CATALOG.split('\n')) {
      const found = lines.indexOf(line, at);
      expect({ line, found: found >= 0 }).toEqual({ line, found: true });
      at = found + 1;
    }

    const values = result.files[VALUES_FILE];
    expect(parse(values)).toEqual({
      environment: 'load-test',
      namespace: 'inference-load-test',
      image: { tag: '0.1.0', registry: 'acrdevopsapploadtest.azurecr.io' },
      storage: {
        accountUrl: 'https://stdevopsapploadtest.blob.core.windows.net/',
        container: 'treated-images',
      },
      azureWorkloadIdentity: { clientId: CLIENT_ID },
      training: { identity: { clientId: TRAINING_CLIENT_ID } },
    });
    expect(values).toContain(
      '# load-test: created from the portal, based on dev; layered over values.yaml.',
    );
    expect(values).toContain(
      "  # The portal's deploy action rewrites this line.",
    );
    expect(values).toContain(`  clientId: "${CLIENT_ID}"`);
    expect(values).toContain('# from the template');
    expect(result.changes.map(c => [c.file, c.key, c.output])).toEqual([
      [
        CATALOG_FILE,
        'resource:default/load-test devops-app.io/prometheus-url',
        'monitoring.prometheus_url',
      ],
      [
        CATALOG_FILE,
        'resource:default/load-test devops-app.io/argocd-url',
        'monitoring.argocd_url',
      ],
      [
        CATALOG_FILE,
        'resource:default/load-test-cluster kubernetes.io/api-server',
        'cluster.kube_api_host',
      ],
      [
        CATALOG_FILE,
        'resource:default/load-test-cluster kubernetes.io/api-server-certificate-authority',
        'cluster.cluster_ca_certificate_public',
      ],
      [VALUES_FILE, 'image.registry', 'cluster.acr_login_server'],
      [
        VALUES_FILE,
        'azureWorkloadIdentity.clientId',
        'storage.inference_identity_client_id',
      ],
      [VALUES_FILE, 'storage.accountUrl', 'storage.blob_endpoint'],
      [VALUES_FILE, 'storage.container', 'storage.container_name'],
      [
        VALUES_FILE,
        'training.identity.clientId',
        'storage.training_identity_client_id',
      ],
    ]);
    expect(result.changes[5].before).toBe(
      '00000000-0000-0000-0000-000000000000',
    );
  });

  it('changes nothing when the files already say what the outputs say', () => {
    const first = applyEnvironmentOutputs({
      environment: 'load-test',
      outputs: outputs(),
      catalog: CATALOG,
      values: VALUES,
    });
    const second = applyEnvironmentOutputs({
      environment: 'load-test',
      outputs: outputs(),
      catalog: first.files[CATALOG_FILE],
      values: first.files[VALUES_FILE],
    });
    expect(second).toEqual({ files: {}, changes: [], skipped: [] });
  });

  it('never writes the redaction marker: a redacted output leaves the value and says so', () => {
    const o = outputs();
    o.cluster!.cluster_ca_certificate_public = REDACTED;
    o.storage!.inference_identity_client_id = REDACTED;
    const result = applyEnvironmentOutputs({
      environment: 'load-test',
      outputs: o,
      catalog: CATALOG,
      values: VALUES,
    });
    for (const text of Object.values(result.files)) {
      expect(text).not.toContain(REDACTED);
    }
    expect(
      parse(result.files[VALUES_FILE]).azureWorkloadIdentity.clientId,
    ).toBe('00000000-0000-0000-0000-000000000000');
    expect(result.skipped).toEqual([
      expect.stringMatching(
        /kubernetes\.io\/api-server-certificate-authority: left as it is: cluster output cluster_ca_certificate_public: the output is sensitive/,
      ),
      expect.stringMatching(
        /azureWorkloadIdentity\.clientId: left as it is: storage output inference_identity_client_id: the output is sensitive/,
      ),
    ]);
  });

  it('leaves a value whose output is missing or malformed as it is, and says so', () => {
    const result = applyEnvironmentOutputs({
      environment: 'load-test',
      outputs: {
        cluster: {
          kube_api_host: 'ftp://example.com',
          acr_login_server: 'https://acr.example.com/path',
        },
        storage: {
          inference_identity_client_id: '00000000-0000-0000-0000-000000000000',
          blob_endpoint: 'http://insecure.example.com',
          container_name: 'treated-images',
        },
      },
      catalog: CATALOG,
      values: VALUES,
    });
    expect(result.skipped).toEqual([
      expect.stringContaining(
        'devops-app.io/prometheus-url: left as it is: monitoring output prometheus_url: the output is missing',
      ),
      expect.stringContaining(
        'devops-app.io/argocd-url: left as it is: monitoring output argocd_url: the output is missing',
      ),
      expect.stringContaining(
        'kubernetes.io/api-server: left as it is: cluster output kube_api_host: "ftp://example.com" is not an http or https URL',
      ),
      expect.stringContaining(
        'api-server-certificate-authority: left as it is: cluster output cluster_ca_certificate_public: the output is missing',
      ),
      expect.stringContaining(
        'image.registry: left as it is: cluster output acr_login_server: "https://acr.example.com/path" is not a registry host name',
      ),
      expect.stringContaining(
        'azureWorkloadIdentity.clientId: left as it is: storage output inference_identity_client_id: the output is the all-zero placeholder',
      ),
      expect.stringContaining(
        'storage.accountUrl: left as it is: storage output blob_endpoint: "http://insecure.example.com" is not an https URL',
      ),
      expect.stringContaining(
        'training.identity.clientId: left as it is: storage output training_identity_client_id: the output is missing',
      ),
    ]);
    expect(Object.keys(result.files)).toEqual([VALUES_FILE]);
    expect(result.files[VALUES_FILE]).toBe(
      VALUES.replace(
        '# from the template\n',
        '# from the template\n  container: treated-images\n',
      ),
    );
  });

  it('skips files the repository does not have, saying why', () => {
    const result = applyEnvironmentOutputs({
      environment: 'dev',
      outputs: outputs(),
    });
    expect(result.files).toEqual({});
    expect(result.skipped).toEqual([
      expect.stringMatching(
        /^catalog\/environments\/dev\.yaml: not in the repository \(dev, pre-prod and prod live in catalog\/environments\.yaml\)/,
      ),
      expect.stringMatching(
        /^charts\/inference\/values\.yaml: not in the repository/,
      ),
    ]);
  });

  it('leaves the cluster annotations when the environment names no cluster document of the file', () => {
    const catalog = CATALOG.replace(
      'resource:default/load-test-cluster\n    argocd',
      'resource:default/elsewhere\n    argocd',
    );
    const result = applyEnvironmentOutputs({
      environment: 'load-test',
      outputs: outputs(),
      catalog,
    });
    expect(result.skipped).toEqual([
      expect.stringContaining(
        'kubernetes.io/api-server: left as it is: no Resource "elsewhere" of type kubernetes-cluster in the file',
      ),
      expect.stringContaining(
        'kubernetes.io/api-server-certificate-authority: left as it is: no Resource "elsewhere"',
      ),
      expect.stringContaining('values-load-test.yaml: not in the repository'),
    ]);
    const [, cluster] = parseAllDocuments(result.files[CATALOG_FILE]).map(d =>
      d.toJS(),
    );
    expect(cluster.metadata.annotations).toEqual({
      'kubernetes.io/auth-provider': 'azure',
    });
  });

  it('adds keys the file does not have yet, under new mappings where needed', () => {
    const values = VALUES.replace(/\nazureWorkloadIdentity:\n.*\n$/, '\n');
    expect(values).not.toContain('azureWorkloadIdentity');
    const result = applyEnvironmentOutputs({
      environment: 'load-test',
      outputs: outputs(),
      values,
    });
    expect(parse(result.files[VALUES_FILE]).azureWorkloadIdentity).toEqual({
      clientId: CLIENT_ID,
    });
    expect(result.files[VALUES_FILE]).toContain(
      "  # The portal's deploy action rewrites this line.",
    );
    expect(result.files[VALUES_FILE]).toContain('# from the template');
  });

  it('refuses a file that is not YAML', () => {
    expect(() =>
      applyEnvironmentOutputs({
        environment: 'load-test',
        outputs: outputs(),
        values: 'storage: [unclosed',
      }),
    ).toThrow(/values-load-test\.yaml is not valid YAML/);
  });
});
