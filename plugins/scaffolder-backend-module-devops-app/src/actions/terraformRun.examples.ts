import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const applyExamples: TemplateExample[] = [
  {
    description:
      'Apply the stacks of the load-test environment whose files the fetch:template step wrote',
    example: yaml.stringify({
      steps: [
        {
          id: 'terraform',
          action: 'devops-app:terraform:apply',
          name: 'Provision the environment',
          input: { environment: 'load-test' },
        },
      ],
    }),
  },
];

export const planExamples: TemplateExample[] = [
  {
    description:
      'Plan the stacks of an existing environment from the infra checkout',
    example: yaml.stringify({
      steps: [
        {
          id: 'terraform',
          action: 'devops-app:terraform:plan',
          name: 'Plan the environment',
          input: { environment: 'pre-prod', filesPath: 'nowhere' },
        },
      ],
    }),
  },
];
