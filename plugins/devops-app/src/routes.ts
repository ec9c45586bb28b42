import { createRouteRef } from '@backstage/core-plugin-api';

/** Route of the DevOps tab in apps on the legacy frontend system. @public */
export const rootRouteRef = createRouteRef({ id: 'devops-app' });
