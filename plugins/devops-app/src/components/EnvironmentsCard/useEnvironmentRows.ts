import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { getEntityEnvironments } from '@devops-app/plugin-devops-app-common';
import useAsync from 'react-use/esm/useAsync';
import { devopsAppApiRef } from '../../api';

/** One row of the environments card. */
export interface EnvironmentRow {
  name: string;
  title?: string;
  namespace?: string;
  production?: boolean;
  /** The environment's Resource in the catalog, when there is one. */
  resource?: Entity;
}

export interface EnvironmentRowsState {
  rows: EnvironmentRow[];
  invalid: { value: string; reason: string }[];
  loading: boolean;
  /** Configuration could not be read; rows still show what the annotation and catalog say. */
  configError?: Error;
}

/**
 * Environments of an entity: the names its annotation lists, merged with the portal's configuration of
 * each environment and the environment Resource of the same name in the catalog.
 */
export function useEnvironmentRows(entity: Entity): EnvironmentRowsState {
  const devopsApi = useApi(devopsAppApiRef);
  const catalogApi = useApi(catalogApiRef);
  const { environments, invalid } = getEntityEnvironments(entity);
  const namespace = entity.metadata.namespace ?? 'default';
  const key = environments.join(',');

  const configured = useAsync(
    () => devopsApi.getConfiguredEnvironments(),
    [devopsApi],
  );
  const resources = useAsync(async () => {
    const refs = environments.map(name =>
      stringifyEntityRef({ kind: 'Resource', namespace, name }),
    );
    const response = await catalogApi.getEntitiesByRefs({ entityRefs: refs });
    return response.items;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [catalogApi, namespace, key]);

  const rows = environments.map((name, index) => {
    const config = configured.value?.find(e => e.name === name);
    const resource = resources.value?.[index];
    const isEnvironment = resource?.spec?.type === 'environment';
    return {
      name,
      title:
        config?.title ?? (isEnvironment ? resource?.metadata.title : undefined),
      namespace: config?.namespace,
      production: config?.production,
      resource: isEnvironment ? resource : undefined,
    };
  });

  return {
    rows,
    invalid,
    loading: configured.loading || resources.loading,
    configError: configured.error ?? resources.error,
  };
}
