terraform {
  required_version = ">= 1.9.0, < 2.0.0"

  # Only built-in features: no provider is downloaded. The state file's path is given at init time
  # (-backend-config=path=<state dir>/<environment>/monitoring.tfstate), outside the working directory.
  backend "local" {}
}
