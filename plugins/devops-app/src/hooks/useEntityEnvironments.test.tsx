import { TestApiProvider } from '@backstage/test-utils';
import { EntityEnvironmentsResponse } from '@devops-app/plugin-devops-app-common';
import { act, renderHook, waitFor } from '@testing-library/react';
import { ReactNode } from 'react';
import {
  environment,
  environmentsResponse,
  setPageVisibility,
} from '../__testUtils__/environments';
import { DevopsAppApi, devopsAppApiRef } from '../api';
import { EntityEnvironmentsProvider } from './EntityEnvironmentsProvider';
import {
  useEntityEnvironments,
  useEntityEnvironmentsQuery,
} from './useEntityEnvironments';

const SERVICE = 'component:default/inference-service';

function wrapperWith(
  api: Partial<DevopsAppApi>,
  provider?: { entityRef: string; refreshMs?: number },
) {
  return ({ children }: { children?: ReactNode }) => (
    <TestApiProvider apis={[[devopsAppApiRef, api as DevopsAppApi]]}>
      {provider ? (
        <EntityEnvironmentsProvider {...provider}>
          {children}
        </EntityEnvironmentsProvider>
      ) : (
        children
      )}
    </TestApiProvider>
  );
}

afterEach(() => setPageVisibility('visible'));

describe('useEntityEnvironments', () => {
  it('polls while the page is visible, not while hidden, and at once when visible again', async () => {
    const getEntityEnvironments = jest.fn(async () =>
      environmentsResponse([environment('dev')]),
    );
    const { result } = renderHook(
      () => useEntityEnvironmentsQuery(SERVICE, 100),
      {
        wrapper: wrapperWith({ getEntityEnvironments }),
      },
    );
    expect(result.current.loading).toBe(true);
    await waitFor(() =>
      expect(result.current.environments?.map(e => e.name)).toEqual(['dev']),
    );
    await waitFor(() =>
      expect(getEntityEnvironments.mock.calls.length).toBeGreaterThanOrEqual(3),
    );

    act(() => setPageVisibility('hidden'));
    const reads = getEntityEnvironments.mock.calls.length;
    await act(() => new Promise(resolve => setTimeout(resolve, 400)));
    expect(getEntityEnvironments.mock.calls.length).toBe(reads);

    act(() => setPageVisibility('visible'));
    await waitFor(() =>
      expect(getEntityEnvironments.mock.calls.length).toBeGreaterThan(reads),
    );
  });

  it('keeps the last list when a refresh fails, and says so', async () => {
    const getEntityEnvironments = jest
      .fn<Promise<EntityEnvironmentsResponse>, [string]>()
      .mockResolvedValueOnce(
        environmentsResponse([environment('dev'), environment('prod')]),
      )
      .mockRejectedValueOnce(new Error('Request failed with 503'))
      .mockResolvedValue(environmentsResponse([environment('dev')]));
    const { result } = renderHook(() => useEntityEnvironmentsQuery(SERVICE), {
      wrapper: wrapperWith({ getEntityEnvironments }),
    });
    await waitFor(() => expect(result.current.environments).toHaveLength(2));

    act(() => result.current.refresh());
    await waitFor(() =>
      expect(result.current.refreshError?.message).toBe(
        'Request failed with 503',
      ),
    );
    expect(result.current.environments?.map(e => e.name)).toEqual([
      'dev',
      'prod',
    ]);
    expect(result.current.error).toBeUndefined();

    act(() => result.current.refresh());
    await waitFor(() =>
      expect(result.current.environments?.map(e => e.name)).toEqual(['dev']),
    );
    expect(result.current.refreshError).toBeUndefined();
  });

  it('reports a failed first read as the error, with no list', async () => {
    const { result } = renderHook(() => useEntityEnvironmentsQuery(SERVICE), {
      wrapper: wrapperWith({
        getEntityEnvironments: async () => {
          throw new Error('Entity not found');
        },
      }),
    });
    await waitFor(() =>
      expect(result.current.error?.message).toBe('Entity not found'),
    );
    expect(result.current.loading).toBe(false);
    expect(result.current.environments).toBeUndefined();
  });

  it("never shows one entity's list for another while that one loads", async () => {
    let release: () => void = () => {};
    const getEntityEnvironments = jest.fn(async (entityRef: string) => {
      if (entityRef !== SERVICE)
        await new Promise<void>(resolve => (release = resolve));
      return environmentsResponse(
        [environment(entityRef === SERVICE ? 'dev' : 'load-test')],
        entityRef,
      );
    });
    const { result, rerender } = renderHook(
      ({ ref }) => useEntityEnvironmentsQuery(ref),
      {
        initialProps: { ref: SERVICE },
        wrapper: wrapperWith({ getEntityEnvironments }),
      },
    );
    await waitFor(() =>
      expect(result.current.environments?.map(e => e.name)).toEqual(['dev']),
    );
    rerender({ ref: 'resource:default/load-test' });
    expect(result.current.environments).toBeUndefined();
    expect(result.current.loading).toBe(true);
    act(() => release());
    await waitFor(() =>
      expect(result.current.environments?.map(e => e.name)).toEqual([
        'load-test',
      ]),
    );
  });

  it("shares the provider's read with every view of the same entity; another entity reads its own", async () => {
    const getEntityEnvironments = jest.fn(async (entityRef: string) =>
      environmentsResponse([environment('dev')], entityRef),
    );
    const { result } = renderHook(
      () => ({
        card: useEntityEnvironments(SERVICE),
        picker: useEntityEnvironments(SERVICE),
        other: useEntityEnvironments('component:default/inference-api'),
      }),
      {
        wrapper: wrapperWith({ getEntityEnvironments }, { entityRef: SERVICE }),
      },
    );
    await waitFor(() =>
      expect(result.current.other.environments).toHaveLength(1),
    );
    expect(result.current.card.environments).toBe(
      result.current.picker.environments,
    );
    expect(getEntityEnvironments.mock.calls.map(([ref]) => ref).sort()).toEqual(
      ['component:default/inference-api', SERVICE],
    );
  });
});
