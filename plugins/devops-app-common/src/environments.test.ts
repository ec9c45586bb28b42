import {
  getEntityEnvironments,
  isDevopsAppAvailable,
  parseEnvironments,
  validateEnvironmentName,
} from './environments';

describe('environment names', () => {
  it.each(['dev', 'pre-prod', 'prod', 'load-test-2', 'a', 'a'.repeat(24)])(
    'accepts %s',
    name => {
      expect(validateEnvironmentName(name)).toBeUndefined();
    },
  );

  it.each([
    ['Prod', 'lower-case DNS label'],
    ['pre prod', 'lower-case DNS label'],
    ['..', 'lower-case DNS label'],
    ['-dev', 'lower-case DNS label'],
    ['dev-', 'lower-case DNS label'],
    ['1dev', 'lower-case DNS label'],
    ['', 'is empty'],
    ['a'.repeat(25), 'longer than 24'],
  ])('rejects %j', (name, reason) => {
    expect(validateEnvironmentName(name)).toContain(reason);
  });
});

describe('parseEnvironments', () => {
  it('keeps order, trims, drops blanks and duplicates', () => {
    expect(parseEnvironments(' dev, pre-prod ,,prod,dev')).toEqual({
      environments: ['dev', 'pre-prod', 'prod'],
      invalid: [],
    });
  });

  it('reports invalid entries separately', () => {
    const list = parseEnvironments('dev,Pre Prod,prod');
    expect(list.environments).toEqual(['dev', 'prod']);
    expect(list.invalid).toEqual([
      { value: 'Pre Prod', reason: expect.stringContaining('DNS label') },
    ]);
  });

  it('reads the annotation of an entity', () => {
    const entity = {
      metadata: { annotations: { 'devops-app.io/environments': 'dev,prod' } },
    };
    expect(getEntityEnvironments(entity).environments).toEqual(['dev', 'prod']);
    expect(isDevopsAppAvailable(entity)).toBe(true);
    expect(isDevopsAppAvailable({ metadata: {} })).toBe(false);
    // The tab applies to any entity with a devops-app.io/ annotation: environments come from the catalog.
    expect(
      isDevopsAppAvailable({
        metadata: {
          annotations: { 'devops-app.io/prometheus-selector': 'service="x"' },
        },
      }),
    ).toBe(true);
    expect(
      isDevopsAppAvailable({
        metadata: { annotations: { 'backstage.io/kubernetes-id': 'x' } },
      }),
    ).toBe(false);
  });
});
