// Stand-alone development backend for the devops-app plugin: `yarn start` in this package, then
//   curl http://localhost:7007/api/devops-app/health -H 'Authorization: Bearer mock-user-token'
import { createBackend } from '@backstage/backend-defaults';
import { mockServices } from '@backstage/backend-test-utils';

const backend = createBackend();
backend.add(mockServices.auth.factory());
backend.add(mockServices.httpAuth.factory());
backend.add(import('../src'));
backend.start();
