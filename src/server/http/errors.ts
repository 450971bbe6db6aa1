/**
 * The one place errors become responses. An `AppError` answers with its code and status;
 * schema validation failures become `invalid_request` with the offending fields; anything
 * else is a 500 whose body says nothing of the internals (the log has the details).
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';

import { AppError } from '../../core/errors.js';
import { errorIsUnavailable } from '../storage/open.js';

type ErrorHandler = (err: FastifyError, request: FastifyRequest, reply: FastifyReply) => void;

/** The API's handler: a body over the limit is `payload_too_large`. */
export const errorHandler: ErrorHandler = (err, request, reply) =>
  handle(err, request, reply, 'payload_too_large');

/**
 * The same handler for routes that carry protocol messages (the realtime HTTP transports),
 * where a body over the limit is a message over the frame limit, `frame_too_large` (R10).
 */
export const frameErrorHandler: ErrorHandler = (err, request, reply) =>
  handle(err, request, reply, 'frame_too_large');

function handle(
  err: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
  tooLarge: 'payload_too_large' | 'frame_too_large',
): void {
  let appError: AppError;
  if (err instanceof AppError) {
    appError = err;
  } else if (hasZodFastifySchemaValidationErrors(err)) {
    const fields = err.validation.map((v) => ({
      field: v.instancePath.replace(/^\//, '').replace(/\//g, '.'),
      problem: v.message,
    }));
    appError = new AppError('invalid_request', 'Some fields are not valid.', fields);
  } else if (err.statusCode === 429) {
    appError = new AppError('rate_limited');
  } else if (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500) {
    // Fastify's own client errors: bad JSON, wrong content type, body too large.
    appError =
      err.statusCode === 413
        ? new AppError(tooLarge)
        : new AppError('invalid_request', err.message);
  } else if (errorIsUnavailable(err)) {
    request.log.error({ err }, 'storage unavailable');
    appError = new AppError('unavailable');
  } else {
    request.log.error({ err }, 'unhandled error');
    appError = new AppError('internal');
  }

  if (appError.status < 500) request.log.info({ code: appError.code }, 'request refused');
  void reply.code(appError.status).send(appError.toBody());
}
