/**
 * What can go wrong with a prediction, in the service's own words. The HTTP layer maps each kind to
 * a status code; nothing here knows about HTTP.
 */
export type PredictionErrorKind =
  | 'missing-image'
  | 'unsupported-media-type'
  | 'not-an-image'
  | 'corrupt-image'
  | 'image-too-large'
  | 'too-many-pixels'
  | 'invalid-prediction-id'
  | 'prediction-not-found'
  | 'storage-unavailable';

export class PredictionError extends Error {
  constructor(
    readonly kind: PredictionErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'PredictionError';
  }
}

export function isPredictionError(error: unknown): error is PredictionError {
  return error instanceof PredictionError;
}
