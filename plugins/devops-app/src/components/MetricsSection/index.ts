export { MetricsSection } from './MetricsSection';
export { MetricsChart } from './MetricsChart';
export type { MetricsChartProps } from './MetricsChart';
