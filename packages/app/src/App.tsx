import { createApp } from '@backstage/frontend-defaults';
import catalogPlugin from '@backstage/plugin-catalog/alpha';
import { argoCdPlugin } from './modules/argocd';
import { navModule } from './modules/nav';
import { signInModule } from './modules/signIn';

// Other plugins, ours among them (@devops-app/plugin-devops-app/alpha), are discovered from this
// package's dependencies (app.packages in app-config.yaml); Roadie's Argo CD plugin is excluded
// there and wired by ./modules/argocd.
export default createApp({
  features: [catalogPlugin, argoCdPlugin, navModule, signInModule],
});
