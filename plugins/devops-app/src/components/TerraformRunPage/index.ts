export { TerraformRunPage } from './TerraformRunPage';
