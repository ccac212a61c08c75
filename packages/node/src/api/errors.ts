import { TicketStateError } from "@turnstile/ticket-state";

/** Why a request was refused; each code answers one HTTP status (API_STATUS). */
export const ApiErrorCode = {
  BAD_REQUEST: "API_BAD_REQUEST",
  NOT_FOUND: "API_NOT_FOUND",
  NOT_ACCEPTABLE: "API_NOT_ACCEPTABLE",
  UNAVAILABLE: "API_UNAVAILABLE",
} as const;
export type ApiErrorCode = (typeof ApiErrorCode)[keyof typeof ApiErrorCode];

const API_STATUS: Record<ApiErrorCode, number> = {
  [ApiErrorCode.BAD_REQUEST]: 400,
  [ApiErrorCode.NOT_FOUND]: 404,
  [ApiErrorCode.NOT_ACCEPTABLE]: 406,
  [ApiErrorCode.UNAVAILABLE]: 503,
};

/** A refused request: answered as `{code: <HTTP status>, message}` (the Beacon-API error body). */
export class ApiError extends TicketStateError<ApiErrorCode> {
  /** What the client is told: the message without the code in front. */
  readonly reason: string;

  constructor(code: ApiErrorCode, reason: string, data: Record<string, unknown> = {}) {
    super(code, reason, data);
    this.reason = reason;
  }

  get status(): number {
    return API_STATUS[this.code];
  }
}

export const badRequest = (message: string, data?: Record<string, unknown>) =>
  new ApiError(ApiErrorCode.BAD_REQUEST, message, data);
export const notFound = (message: string, data?: Record<string, unknown>) =>
  new ApiError(ApiErrorCode.NOT_FOUND, message, data);
