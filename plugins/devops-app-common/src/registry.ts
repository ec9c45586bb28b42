/**
 * Repository of the entity's image in `devopsApp.registry` (a path, no host), e.g. `inference`;
 * absent: `devopsApp.registry.repositories.<entity name>` or `.repository`. @public
 */
export const ANNOTATION_IMAGE_REPOSITORY = 'devops-app.io/image-repository';

/** One tag of the entity's image in the registry. @public */
export interface ImageVersion {
  tag: string;
  /** The manifest's digest (`Docker-Content-Digest`), e.g. sha256:…. */
  digest: string;
  /** ISO 8601 creation time from the image's config blob, when it says one. */
  created?: string;
}

/** `GET /deployments/versions`: the image's tags, newest first. @public */
export interface ImageVersionsResponse {
  /** False when `devopsApp.registry` is not configured: any tag of the grammar may be deployed. */
  configured: boolean;
  /** The registry's name (never its internal URL) and the repository. */
  registry?: string;
  repository?: string;
  versions: ImageVersion[];
}
