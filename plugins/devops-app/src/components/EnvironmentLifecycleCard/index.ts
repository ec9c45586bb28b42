export { EnvironmentLifecycleCard } from './EnvironmentLifecycleCard';
