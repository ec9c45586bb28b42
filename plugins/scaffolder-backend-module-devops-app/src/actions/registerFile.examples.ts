import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const registerFileExamples: TemplateExample[] = [
  {
    description:
      "Register the environment (and its kubernetes-cluster Resource) whose file a fetch:template step wrote and devops-app:gitops:commit committed; what is registered is the file as committed on the GitOps branch, with the Terraform run's outputs",
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
