/**
 * The one catalogue of error codes. Every error the server sends — an HTTP response or a
 * protocol `error` frame — carries one of these codes. Screens translate the code into a
 * sentence for their user; logs and integrators match on the code, never on the message.
 */
export const ERRORS = {
  invalid_request: { status: 400, message: 'The request is not valid.' },
  invalid_message: { status: 400, message: 'The message is not valid JSON of a known type.' },
  frame_too_large: { status: 413, message: 'The message is larger than the frame limit.' },
  payload_too_large: { status: 413, message: 'The request body is larger than the limit.' },
  unsupported_version: {
    status: 426,
    message: 'The client speaks a protocol version this server does not.',
  },
  hello_required: { status: 400, message: 'The first message must be hello.' },
  not_allowed: { status: 403, message: 'This role may not send that message.' },
  not_presenting: {
    status: 409,
    message: 'Another tab is presenting; take over to present from here.',
  },
  unauthorized: { status: 401, message: 'Sign in to continue.' },
  invalid_credentials: { status: 401, message: 'The e-mail or password is wrong.' },
  forbidden: { status: 403, message: 'You may not do this.' },
  csrf_failed: { status: 403, message: 'The request did not carry a valid CSRF token.' },
  origin_not_allowed: { status: 403, message: 'Requests from this origin are not allowed.' },
  not_found: { status: 404, message: 'Nothing is here.' },
  link_invalid: { status: 404, message: 'This link is not valid.' },
  link_expired: { status: 410, message: 'This link has expired.' },
  link_revoked: { status: 410, message: 'This link was revoked by the agent.' },
  presentation_ended: { status: 410, message: 'The presentation has ended.' },
  too_many_devices: { status: 409, message: 'This link is already open on too many devices.' },
  invalid_transition: {
    status: 409,
    message: 'The presentation is not in a state that allows this.',
  },
  lifetime_exceeded: {
    status: 409,
    message: 'The presentation cannot be extended past its maximum lifetime.',
  },
  rate_limited: { status: 429, message: 'Too many requests; slow down and retry.' },
  unavailable: { status: 503, message: 'The service cannot check this right now; retry soon.' },
  shutting_down: { status: 503, message: 'The server is restarting; reconnect shortly.' },
  internal: { status: 500, message: 'Something went wrong on the server.' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERRORS;

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: unknown };
}

/** An error the server means to send: it renders itself as a response by its code. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: unknown;

  constructor(code: ErrorCode, message?: string, details?: unknown) {
    super(message ?? ERRORS[code].message);
    this.name = 'AppError';
    this.code = code;
    this.status = ERRORS[code].status;
    this.details = details;
  }

  toBody(): ErrorBody {
    const body: ErrorBody = { error: { code: this.code, message: this.message } };
    if (this.details !== undefined) body.error.details = this.details;
    return body;
  }
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ERRORS, value);
}
