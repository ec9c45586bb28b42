export interface Config {
  devopsApp?: {
    /**
     * The environments the portal manages, keyed by environment name (a lower-case DNS label).
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
         * Kubernetes namespace of the service; defaults to `inference-<name>`.
         * @visibility frontend
         */
        namespace?: string;
        /**
         * Whether the environment is production; defaults to true for `prod`.
         * @visibility frontend
         */
        production?: boolean;
      };
    };
  };
}
