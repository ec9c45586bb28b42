import type { Region } from '../model/detector';
import type { ImageFormat } from './imageInspection';

/**
 * A prediction as the API returns it and as it is stored next to the treated image. Field names are
 * snake_case, as in the Python service this one replaces, so existing clients keep working.
 */
export interface PredictionResult {
  id: string;
  created_at: string;
  model_version: string;
  image: { format: ImageFormat; width: number; height: number; bytes: number };
  regions: Region[];
  treated_image: {
    container: string;
    blob_name: string;
    url: string;
    content_type: string;
    bytes: number;
  };
  timings_ms: {
    inspect: number;
    inference: number;
    annotate: number;
    upload: number;
    total: number;
  };
}

const PREDICTION_ID =
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Prediction ids are UUIDs; anything else never reaches storage (no path tricks in blob names). */
export function isPredictionId(id: string): boolean {
  return PREDICTION_ID.test(id);
}
