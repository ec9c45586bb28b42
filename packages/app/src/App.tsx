import { createApp } from '@backstage/frontend-defaults';
import catalogPlugin from '@backstage/plugin-catalog/alpha';
import { argoCdPlugin } from './modules/argocd';
import { navModule } from './modules/nav';
import { roadiePrometheusPlugin } from './modules/prometheus';
import { signInModule } from './modules/signIn';

// Other plugins, ours among them (@devops-app/plugin-devops-app/alpha), are discovered from this
// package's dependencies (app.packages in app-config.yaml); Roadie's Argo CD and Prometheus plugins
// are excluded there and wired by ./modules/argocd and ./modules/prometheus.
export default createApp({
  features: [
    catalogPlugin,
    argoCdPlugin,
    roadiePrometheusPlugin,
    navModule,
    signInModule,
  ],
});
