export { EntityEnvironmentsProvider } from './EntityEnvironmentsProvider';
export {
  ENVIRONMENTS_REFRESH_MS,
  useEntityEnvironments,
} from './useEntityEnvironments';
export type { EntityEnvironmentsState } from './useEntityEnvironments';
