export { MetricsCard, EntityMetricsCard } from './MetricsCard';
