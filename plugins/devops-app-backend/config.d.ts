export interface Config {
  devopsApp?: {
    /**
     * The git repository that holds charts/ and infra/: the portal commits environment files and image
     * tag changes to it. Locally, `make start` creates a bare repository under .run/gitops.
     */
    gitops?: {
      /** Clone URL (file://, https://). */
      repository: string;
      /** Branch the environments track. */
      branch?: string;
    };
  };
}
