import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      'Check the name of a new load-test environment based on pre-prod',
    example: yaml.stringify({
      steps: [
        {
          id: 'validate',
          action: 'devops-app:environment:validate',
          name: 'Check the environment name',
          input: { name: 'load-test', basedOn: 'pre-prod' },
        },
      ],
    }),
  },
];
