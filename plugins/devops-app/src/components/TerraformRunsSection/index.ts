export { TerraformRunsSection } from './TerraformRunsSection';
export { EnvironmentInfrastructureContent } from './EnvironmentInfrastructureContent';
