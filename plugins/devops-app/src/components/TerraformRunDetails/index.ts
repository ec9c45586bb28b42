export { TerraformRunDetails } from './TerraformRunDetails';
