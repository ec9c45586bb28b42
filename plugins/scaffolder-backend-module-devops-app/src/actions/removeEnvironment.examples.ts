import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const removeEnvironmentExamples: TemplateExample[] = [
  {
    description:
      'Remove the environment picked with an EntityPicker, its name typed again as the confirmation',
    example: yaml.stringify({
      steps: [
        {
          id: 'remove',
          action: 'devops-app:environment:remove',
          name: 'Remove the environment',
          input: {
            environment: '${{ parameters.environment }}',
            confirm: '${{ parameters.confirm }}',
          },
        },
      ],
    }),
  },
  {
    description: 'Remove the ttl-test environment by its name',
    example: yaml.stringify({
      steps: [
        {
          id: 'remove',
          action: 'devops-app:environment:remove',
          name: 'Remove ttl-test',
          input: { environment: 'ttl-test', confirm: 'ttl-test' },
        },
      ],
    }),
  },
];
