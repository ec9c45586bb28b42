import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const gitopsCommitExamples: TemplateExample[] = [
  {
    description:
      'Commit the files a fetch:template step wrote for a new environment',
    example: yaml.stringify({
      steps: [
        {
          id: 'publish',
          action: 'devops-app:gitops:commit',
          name: 'Commit the environment',
          input: { message: 'Add environment load-test' },
        },
      ],
    }),
  },
];
