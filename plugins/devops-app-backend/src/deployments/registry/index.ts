export { AcrAuth, ACR_AAD_SCOPE } from './AcrAuth';
export { ImageRegistry } from './ImageRegistry';
export type { ResolvedImage } from './ImageRegistry';
export { OciRegistryClient, RegistryError } from './OciRegistryClient';
export type { RegistryAuth } from './OciRegistryClient';
