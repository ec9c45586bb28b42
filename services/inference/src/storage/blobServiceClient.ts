import { DefaultAzureCredential } from '@azure/identity';
import { BlobServiceClient, StoragePipelineOptions } from '@azure/storage-blob';
import type { BlobConnection } from '../config';

/**
 * Few, quick retries: a request holds an upload in memory, so a store that is down should turn into a
 * fast 503 the client can retry, not a request hanging for the SDK's default minute of back-off.
 */
const PIPELINE_OPTIONS: StoragePipelineOptions = {
  retryOptions: {
    maxTries: 3,
    tryTimeoutInMs: 15_000,
    retryDelayInMs: 100,
    maxRetryDelayInMs: 1_000,
  },
};

/**
 * A connection string (Azurite locally) or the account URL with DefaultAzureCredential, which picks up
 * AKS workload identity (AZURE_CLIENT_ID, AZURE_TENANT_ID, AZURE_FEDERATED_TOKEN_FILE) in the cluster.
 * Only the connection-string path is tested here (against Azurite); the credential path needs Azure.
 */
export function createBlobServiceClient(
  connection: BlobConnection,
): BlobServiceClient {
  if (connection.kind === 'connection-string') {
    return BlobServiceClient.fromConnectionString(
      connection.connectionString,
      PIPELINE_OPTIONS,
    );
  }
  return new BlobServiceClient(
    connection.accountUrl,
    new DefaultAzureCredential(),
    PIPELINE_OPTIONS,
  );
}
