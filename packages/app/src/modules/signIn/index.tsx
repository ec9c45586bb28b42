import { microsoftAuthApiRef } from '@backstage/core-plugin-api';
import { createFrontendModule } from '@backstage/frontend-plugin-api';
import { SignInPageBlueprint } from '@backstage/plugin-app-react';
import { z } from 'zod';

const microsoftProvider = {
  id: 'microsoft-auth-provider',
  title: 'Microsoft',
  message: 'Sign in with your Microsoft Entra ID account',
  apiRef: microsoftAuthApiRef,
};

/**
 * Replaces the app's default sign-in page (same extension id, `sign-in-page:app`). Which providers it
 * offers comes from config, so the same bundle offers guest sign-in locally (app-config.yaml) and only
 * Microsoft Entra ID in production (app-config.production.yaml):
 *
 *   app.extensions:
 *     - sign-in-page:app:
 *         config: { providers: [microsoft] }
 *
 * `oauth2Proxy` (alone) is the portal behind oauth2-proxy: no page of its own, the session comes from
 * the backend's oauth2Proxy provider (/api/auth/oauth2Proxy/refresh), which reads the identity the proxy
 * forwards (X-Forwarded-User). Enabled only with that provider (README "Sign-in",
 * e2e/config/app-config.oauth2-proxy.yaml).
 */
const signInPage = SignInPageBlueprint.makeWithOverrides({
  configSchema: {
    providers: z
      .array(z.enum(['guest', 'microsoft', 'oauth2Proxy']))
      .default(['guest']),
  },
  factory(originalFactory, { config }) {
    const proxied = config.providers.includes('oauth2Proxy');
    if (proxied && config.providers.length > 1) {
      throw new Error(
        'sign-in-page:app: providers [oauth2Proxy] signs in through the proxy and takes no other provider',
      );
    }
    return originalFactory({
      loader: async () => {
        const { ProxiedSignInPage, SignInPage } = await import(
          '@backstage/core-components'
        );
        if (proxied) {
          return props => (
            <ProxiedSignInPage {...props} provider="oauth2Proxy" />
          );
        }
        const providers = config.providers.map(p =>
          p === 'guest' ? ('guest' as const) : microsoftProvider,
        );
        return props => <SignInPage {...props} providers={providers} />;
      },
    });
  },
});

export const signInModule = createFrontendModule({
  pluginId: 'app',
  extensions: [signInPage],
});
