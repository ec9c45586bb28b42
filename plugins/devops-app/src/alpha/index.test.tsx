import { Entity } from '@backstage/catalog-model';
import { EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { createExtensionTester } from '@backstage/frontend-test-utils';
import plugin, { devopsEntityContent } from './index';

const component = (annotations: Record<string, string>): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'svc', annotations },
  spec: {},
});

describe('devops-app frontend plugin (new frontend system)', () => {
  it('is the devops-app plugin', () => {
    expect(plugin.pluginId).toBe('devops-app');
  });

  it('adds a DevOps tab at /devops', () => {
    const tester = createExtensionTester(devopsEntityContent);
    expect(tester.get(EntityContentBlueprint.dataRefs.title)).toBe('DevOps');
  });

  it('shows the tab only on components with a devops-app.io/ annotation', () => {
    const filter = createExtensionTester(devopsEntityContent).get(
      EntityContentBlueprint.dataRefs.filterFunction,
    );
    if (!filter) {
      throw new Error('the DevOps tab has no entity filter');
    }
    expect(
      filter(component({ 'devops-app.io/environments': 'dev,prod' })),
    ).toBe(true);
    // Environments come from the catalog now: any devops-app.io/ annotation opens the tab.
    expect(
      filter(
        component({ 'devops-app.io/prometheus-selector': 'service="svc"' }),
      ),
    ).toBe(true);
    expect(filter(component({ 'backstage.io/kubernetes-id': 'svc' }))).toBe(
      false,
    );
    expect(filter(component({}))).toBe(false);
    expect(
      filter({
        ...component({ 'devops-app.io/environments': 'dev' }),
        kind: 'Resource',
      }),
    ).toBe(false);
  });
});
