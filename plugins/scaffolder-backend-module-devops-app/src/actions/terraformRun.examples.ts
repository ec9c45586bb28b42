import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const applyExamples: TemplateExample[] = [
  {
    description:
      'Apply the stacks of the load-test environment at the commit the GitOps step (id publish) pushed',
    example: yaml.stringify({
      steps: [
        {
          id: 'terraform',
          action: 'devops-app:terraform:apply',
          name: 'Provision the environment',
          input: {
            environment: 'load-test',
            commit: '${{ steps.publish.output.commitHash }}',
          },
        },
      ],
    }),
  },
];

export const planExamples: TemplateExample[] = [
  {
    description:
      "Plan the stacks of an existing environment at the GitOps branch's head",
    example: yaml.stringify({
      steps: [
        {
          id: 'terraform',
          action: 'devops-app:terraform:plan',
          name: 'Plan the environment',
          input: { environment: 'pre-prod' },
        },
      ],
    }),
  },
];
