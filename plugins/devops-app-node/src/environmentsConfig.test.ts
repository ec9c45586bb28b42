import { ConfigReader } from '@backstage/config';
import { readEnvironmentsConfig } from './environmentsConfig';

describe('readEnvironmentsConfig', () => {
  it('returns nothing when no environment is configured', () => {
    expect(readEnvironmentsConfig(new ConfigReader({}))).toEqual([]);
  });

  it('presets only what the configuration sets (the defaults live in environmentFromEntity)', () => {
    const config = new ConfigReader({
      devopsApp: {
        environments: {
          dev: { title: 'Development' },
          prod: {},
          'pre-prod': { namespace: 'staging', production: false },
        },
      },
    });
    expect(readEnvironmentsConfig(config)).toEqual([
      { name: 'dev', title: 'Development' },
      { name: 'prod' },
      { name: 'pre-prod', namespace: 'staging', production: false },
    ]);
  });

  it('names the key of an invalid environment', () => {
    const config = new ConfigReader({
      devopsApp: { environments: { Prod: {} } },
    });
    expect(() => readEnvironmentsConfig(config)).toThrow(
      /devopsApp\.environments\.Prod: must be a lower-case DNS label/,
    );
  });

  it('rejects a value of the wrong type', () => {
    const config = new ConfigReader({
      devopsApp: { environments: { dev: { production: 42 } } },
    });
    expect(() => readEnvironmentsConfig(config)).toThrow(/production/);
  });
});
