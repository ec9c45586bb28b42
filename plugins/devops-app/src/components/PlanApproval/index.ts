export { PlanApprovalPanel } from './PlanApprovalPanel';
