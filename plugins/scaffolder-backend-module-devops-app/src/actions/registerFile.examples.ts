import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const registerFileExamples: TemplateExample[] = [
  {
    description:
      'Register the environment Resource a fetch:template step wrote',
    example: yaml.stringify({
      steps: [
        {
          id: 'register',
          action: 'devops-app:catalog:register-file',
          name: 'Register the environment',
          input: { sourcePath: './repo/catalog/environments/load-test.yaml' },
        },
      ],
    }),
  },
];
