import { render, screen } from '@testing-library/react';
import App from './App';

// A file of its own: the app reads its config once per module registry.
describe('App with the production sign-in config', () => {
  it('offers Microsoft sign-in, and no guest, when production config says so', async () => {
    process.env = {
      NODE_ENV: 'test',
      APP_CONFIG: [
        {
          data: {
            app: {
              title: 'Test',
              baseUrl: 'http://localhost:3000',
              extensions: [
                {
                  'sign-in-page:app': { config: { providers: ['microsoft'] } },
                },
              ],
            },
            backend: { baseUrl: 'http://localhost:7007' },
          },
          context: 'test',
        },
      ] as any,
    };

    render(App.createRoot());

    expect(await screen.findByText('Microsoft')).toBeInTheDocument();
    expect(screen.queryByText('Guest')).not.toBeInTheDocument();
  });
});
