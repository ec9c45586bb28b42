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
 * Replaces the app's default sign-in page (same extension id, `sign-in-page:app`). Which providers it offers comes from config, so the same bundle offers guest
 * sign-in locally (app-config.yaml) and only Microsoft Entra ID in production
 * (app-config.production.yaml):
 *
 *   app.extensions:
 *     - sign-in-page:app:
 *         config: { providers: [microsoft] }
 */
const signInPage = SignInPageBlueprint.makeWithOverrides({
  configSchema: {
    providers: z.array(z.enum(['guest', 'microsoft'])).default(['guest']),
  },
  factory(originalFactory, { config }) {
    return originalFactory({
      loader: async () => {
        const { SignInPage } = await import('@backstage/core-components');
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
