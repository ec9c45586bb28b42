export interface Config {
  devopsApp?: {
    /**
     * Prometheus the Metrics section reads (server side only; the PromQL is built from the backend's
     * panel templates). Without it the section says Prometheus is not configured.
     */
    prometheus?: {
      /** Base URL, e.g. http://127.0.0.1:9090 or the in-cluster service. */
      baseUrl: string;
      /** Scrape interval of the service's targets in seconds (sets the rate window); default 15. */
      scrapeIntervalSeconds?: number;
      /** Timeout of one query in milliseconds; default 10000. */
      timeoutMs?: number;
    };
    /**
     * The pipeline of environments (issue 14): how a version is verified in a stage and how long it must
     * run there, verified, before the next stage may take it.
     */
    promotion?: {
      /** Thresholds of the portal's own check on Prometheus over the soak window. */
      verification?: {
        /** Highest 5xx ratio of the version's requests (0.01 = 1 %); default 0.01. */
        maxErrorRatio?: number;
        /** Highest p95 request latency in seconds; default 0.5. */
        maxP95Seconds?: number;
        /** Fewest requests in the window (no traffic is not healthy); default 50. */
        minRequests?: number;
        /** Shortest window read, in seconds (rate() needs two scrapes); default 300. */
        minWindowSeconds?: number;
      };
      /** Per stage (environment name): how long a version must run in the stage before it. */
      stages?: {
        [environment: string]: {
          /** The soak time: minutes plus seconds; default 10 minutes. */
          soak?: { minutes?: number; seconds?: number };
        };
      };
      /** Production requests (four-eyes approval). */
      requests?: {
        /** An undecided request expires after this many hours (checked lazily); default 24. */
        maxAgeHours?: number;
      };
      /**
       * Freeze windows: while one is in force for an environment, deploys, promotions and
       * rollbacks into it are refused (409 naming the window and when it ends), unless a production
       * deployer breaks glass. Each window is either a date range (start and end) or a weekly
       * recurrence; start inclusive, end exclusive.
       */
      freezes?: Array<{
        /** Shown in the refusal and on the Environments card and Pipeline view. */
        name: string;
        /** Environment names it applies to; default every environment. */
        environments?: string[];
        /** Why, shown with the refusal. */
        description?: string;
        /** ISO 8601 date and time with Z or an offset, e.g. 2026-12-20T00:00:00Z. */
        start?: string;
        /** ISO 8601 date and time with Z or an offset; after start. */
        end?: string;
        /** Every week on `days` from `start` to `end` local time (end before start: the next day). */
        weekly?: {
          /** mon, tue, wed, thu, fri, sat, sun (or the full names). */
          days: string[];
          /** HH:MM, 00:00 to 23:59. */
          start: string;
          /** HH:MM; at or before start: the window ends the next day. */
          end: string;
          /** IANA time zone, e.g. Europe/Berlin or UTC. */
          timeZone: string;
        };
      }>;
    };
    /**
     * Datadog logs, APM spans and monitors. Without site and both keys the Logs & Traces section says
     * Datadog is not configured.
     */
    datadog?: {
      /** Datadog site, e.g. datadoghq.com or datadoghq.eu (DD_SITE). */
      site: string;
      /**
       * API key (DD_API_KEY).
       * @visibility secret
       */
      apiKey: string;
      /**
       * Application key (DD_APP_KEY).
       * @visibility secret
       */
      appKey: string;
      /**
       * Web app base URL for deep links; default the site's URL in Datadog's site table (e.g.
       * https://us3.datadoghq.com for us3.datadoghq.com).
       */
      appUrl?: string;
      /** API base URL instead of https://api.<site>; for a stand-in server in tests only. */
      apiBaseUrl?: string;
      /** Timeout of one request in milliseconds; default 10000. */
      timeoutMs?: number;
    };
    /**
     * The terraform run service of the new-environment template. Locally the sandbox stacks with state
     * under .run/terraform; in production the real stacks with each environment's backend.hcl. Secrets
     * come from environment variables only: DD_API_KEY, DD_APP_KEY, GRAFANA_ADMIN_PASSWORD, ARM_*.
     */
    terraform?: {
      /** `sandbox` (infra/sandbox, local state) or `azure` (infra/stacks, backend.hcl); default sandbox. */
      target?: 'sandbox' | 'azure';
      /** The infra/ directory, relative to the backend's working directory; default ../../infra. */
      infraDir?: string;
      /** Directory with one folder per stack; default <infraDir>/sandbox or <infraDir>/stacks. */
      stacksDir?: string;
      /** Sandbox state, as <env>/<stack>.tfstate; default ../../.run/terraform/state. */
      stateDir?: string;
      /** Per-run scratch directories (TF_DATA_DIR, plan files); default ../../.run/terraform/runs. */
      workDir?: string;
      /** The terraform executable; default `terraform` on PATH. */
      binary?: string;
      /** Time one stack (init, plan, apply) may take; default 1800. */
      stackTimeoutSeconds?: number;
      /** Sandbox only: seconds each apply takes, to mimic real durations. */
      sandboxDelaySeconds?: number;
      /** The instance running a run writes its heartbeat (and reads a cancel) this often; default 2. */
      heartbeatSeconds?: number;
      /**
       * A running run whose instance has written no heartbeat for this long is interrupted by recovery
       * (a global scheduler task on any live instance); default 15.
       */
      staleRunSeconds?: number;
      /**
       * How often the recovery task runs; default 5. With the defaults a dead instance's run is
       * interrupted and its environment's next queued run started within 15 + 2 × 5 + 1 = 26 s.
       */
      recoveryIntervalSeconds?: number;
      /** How often each instance looks for queued runs to claim; default 1. */
      pollIntervalSeconds?: number;
      /** Runs one instance executes at once; default 4. */
      concurrency?: number;
      /** `-lock-timeout` of plan and apply: how long a run waits for the state lock; default 60. */
      lockTimeoutSeconds?: number;
      /** Plan approval of applies (production-class environments, `devops-app.io/requires-approval`). */
      approval?: {
        /** An approved plan older than this is refused as stale; default 24. */
        maxPlanAgeHours?: number;
      };
      /** The task removing environments whose `devops-app.io/expires-at` has passed (once across instances). */
      expiry?: {
        /** How often it looks; default 300. */
        checkIntervalSeconds?: number;
      };
      /**
       * Scheduled drift checks (`plan -detailed-exitcode`, never apply) of every applied environment, once
       * across instances.
       */
      drift?: {
        /** Minutes between checks; 0 (the default) turns the schedule off ("Check now" still works). */
        intervalMinutes?: number;
        /** Environments checked at once; 1 to 16, default 2. */
        parallelism?: number;
      };
    };
    /**
     * The image registry the Deploy dialog lists tags from (OCI distribution API). With it, a deploy's
     * tag must be in the entity's repository (400 naming the tag otherwise, 503 while the registry does
     * not answer) and the commit records the image's digest. Without it any tag of the grammar is
     * committed. Locally `make start` runs Debian's docker-registry on 127.0.0.1 and passes its URL in
     * APP_CONFIG_devopsApp_registry_url (never written to a file).
     */
    registry?: {
      /** Base URL, e.g. https://devopsapp.azurecr.io (production) or the local registry's. */
      url: string;
      /** Shown in messages instead of the URL; default the URL's host. */
      name?: string;
      /**
       * `azure`: the backend's Entra ID identity (DefaultAzureCredential) through ACR's token exchange;
       * `anonymous`: no credentials. Default azure for *.azurecr.io hosts, else anonymous.
       */
      auth?: 'azure' | 'anonymous';
      /** Entra ID tenant sent to ACR's /oauth2/exchange (optional). */
      tenantId?: string;
      /** Repository of every entity without its own (`devops-app.io/image-repository`). */
      repository?: string;
      /** Repository per entity name (the entity's annotation wins). */
      repositories?: { [entityName: string]: string };
      /** How long a repository's tag list is kept, in seconds; default 30. */
      cacheSeconds?: number;
      /** Timeout of one registry request in milliseconds; default 5000. */
      timeoutMs?: number;
    };
    /**
     * Window in milliseconds of the reads shared across requests (SharedEntityReads): the entity and
     * its environments, read with the plugin's own credentials for every caller; each caller's
     * permission decisions on them, kept per credential (the Authorization header, never across
     * callers); each environment's last deploy for the status route; the verification of a bearer
     * token presented again with the same Authorization header (SharedCredentials, never past the
     * token's expiry). Default 2000 (the last deploy 1000). 0 verifies every request's token and reads the catalog with the caller's credentials and the audit log on every request
     * (the deployments-status and metrics-load benches' "before").
     */
    readShareMs?: number;
    /**
     * The git repository that holds charts/ and infra/: the portal commits environment files and image
     * tag changes to it. Locally, `make start` creates a bare repository under .run/gitops.
     */
    gitops?: {
      /** Clone URL (file://, https://). */
      repository: string;
      /** Branch the environments track. */
      branch?: string;
      /**
       * Production deploys open a pull request instead of pushing to the branch, through Backstage's
       * GitHub integration (integrations.github[] for the host: a token or a GitHub App).
       */
      pullRequests?: {
        github?: {
          /** Default github.com. */
          host?: string;
          owner: string;
          repo: string;
        };
      };
      /**
       * Where the local portal keeps the catalog files of environments it created and registers them
       * from (production registers the file's URL on GitHub instead); default ../../.run/catalog.
       */
      localCatalogDir?: string;
      /**
       * How often, at most, the status routes ask the remote for the branch head (one read shared by all
       * readers; this instance's pushes clear it); default 5000. 0 reads on every request (the
       * deployments-status bench's "before").
       */
      snapshotRefreshMs?: number;
    };
    /**
     * Argo CD instances the Environments card reads and acts through (REST API, bearer token). Without
     * any, the card shows "not connected" for Argo CD.
     */
    argocd?: {
      /** Application name when the entity has no argocd/app-selector; default `inference-{environment}`. */
      applicationName?: string;
      /**
       * An application's status read is shared by the readers within this window (sync and rollout
       * actions clear it); default 1000. 0 reads on every request (the bench's "before").
       */
      statusShareMs?: number;
      instances?: Array<{
        /** Name shown on the card, e.g. `aks-main`. */
        name: string;
        /** Base URL of the Argo CD server, e.g. https://argocd.example.com. */
        baseUrl: string;
        /**
         * Token of an Argo CD account with get, sync and action rights on the applications
         * (e.g. ${ARGOCD_TOKEN}).
         * @visibility secret
         */
        token: string;
        /** Environments this instance manages; all when omitted. */
        environments?: string[];
      }>;
    };
  };
}
