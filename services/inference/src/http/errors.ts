import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isPredictionError, PredictionErrorKind } from '../predictions/errors';

const STATUS_BY_KIND: Record<PredictionErrorKind, number> = {
  'missing-image': 400,
  'invalid-prediction-id': 400,
  'prediction-not-found': 404,
  'image-too-large': 413,
  'too-many-pixels': 413,
  'unsupported-media-type': 415,
  'not-an-image': 415,
  'corrupt-image': 422,
  'storage-unavailable': 503,
};

export interface ErrorBody {
  error: { code: string; message: string };
  request_id: string;
}

interface MappedError {
  status: number;
  code: string;
  message: string;
}

/** Errors raised by fastify or @fastify/multipart before our handler runs, in the API's words. */
function fromFramework(
  error: FastifyError,
  maxImageBytes: number,
): MappedError | undefined {
  const limit = `${(maxImageBytes / (1024 * 1024)).toFixed(1)} MB`;
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
    case 'FST_REQ_FILE_TOO_LARGE':
      return {
        status: 413,
        code: 'image_too_large',
        message: `image is larger than the ${limit} limit`,
      };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return {
        status: 415,
        code: 'unsupported_media_type',
        message:
          'send the image as image/png or image/jpeg, or as a file field of multipart/form-data',
      };
    case 'FST_FILES_LIMIT':
    case 'FST_PARTS_LIMIT':
    case 'FST_FIELDS_LIMIT':
      return {
        status: 400,
        code: 'too_many_parts',
        message: 'send one image per request',
      };
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
    case 'FST_PROTO_VIOLATION':
      return {
        status: 400,
        code: 'malformed_multipart',
        message: error.message,
      };
    default:
      break;
  }
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
    return {
      status: error.statusCode,
      code: 'bad_request',
      message: error.message,
    };
  }
  return undefined;
}

/**
 * One JSON shape for every error: `{ error: { code, message }, request_id }`. 4xx name the problem;
 * 5xx say little to the caller and everything to the log.
 */
export function errorHandler(maxImageBytes: number) {
  return (
    error: FastifyError,
    request: FastifyRequest,
    reply: FastifyReply,
  ) => {
    let mapped: MappedError | undefined;
    if (isPredictionError(error)) {
      mapped = {
        status: STATUS_BY_KIND[error.kind],
        code: error.kind.replace(/-/g, '_'),
        message: error.message,
      };
    } else if (
      error.message?.startsWith('Unexpected end of') ||
      error.message === 'Malformed part header'
    ) {
      // busboy's words for a multipart body that stops short or is garbled.
      mapped = {
        status: 400,
        code: 'malformed_multipart',
        message: error.message,
      };
    } else {
      mapped = fromFramework(error, maxImageBytes);
    }

    if (!mapped) {
      request.log.error({ err: error }, 'request failed');
      mapped = {
        status: 500,
        code: 'internal_error',
        message: 'the request failed; see the service log',
      };
    } else if (mapped.status >= 500) {
      request.log.error(
        { err: error, error_code: mapped.code },
        mapped.message,
      );
    } else {
      request.log.info({ error_code: mapped.code }, mapped.message);
    }

    const body: ErrorBody = {
      error: { code: mapped.code, message: mapped.message },
      request_id: request.id,
    };
    return reply.code(mapped.status).send(body);
  };
}

export function notFoundHandler(request: FastifyRequest, reply: FastifyReply) {
  const body: ErrorBody = {
    error: {
      code: 'route_not_found',
      message: `no route ${request.method} ${request.url}`,
    },
    request_id: request.id,
  };
  return reply.code(404).send(body);
}
