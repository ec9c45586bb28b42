export interface Config {
  devopsApp?: {
    /**
     * Optional defaults for environments, keyed by environment name (a lower-case DNS label). The environments themselves are the catalog's environment Resources; their annotations win over these.
     * @visibility frontend
     */
    environments?: {
      [name: string]: {
        /**
         * Display title.
         * @visibility frontend
         */
        title?: string;
        /**
         * Kubernetes namespace of the service; the entity's devops-app.io/namespace wins; default `inference-<name>`.
         * @visibility frontend
         */
        namespace?: string;
        /**
         * Whether the environment is production; the entity's devops-app.io/production wins; default true for `prod`.
         * @visibility frontend
         */
        production?: boolean;
      };
    };
  };
}
