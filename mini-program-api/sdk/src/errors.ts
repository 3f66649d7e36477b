// What a call can fail with: the server's problem (application/problem+json, a stable `code`
// from the catalogue), a transport failure, or an answer that is neither.

import type { ErrorCode } from "./errors.gen";
import type { Schemas } from "./operations";

export type Problem = Schemas["Problem"];
export type ProblemField = Schemas["ProblemField"];

/** The server refused: its problem document, typed. Branch on `code`; show `detail`. */
export class ApiError<C extends ErrorCode = ErrorCode> extends Error {
  override readonly name = "ApiError";
  readonly code: C;
  readonly status: number;
  /** Where the answer says what to do (in the requested language). */
  readonly detail: string;
  /** Quote it when reporting a problem. */
  readonly requestId: string;
  /** The fields at fault, e.g. `errors[0].field` names the reused photo of `photo.reused`. */
  readonly errors: readonly ProblemField[];
  /** Seconds to wait before trying again (429 and 503 answers), when the server said. */
  readonly retryAfter: number | undefined;

  constructor(readonly problem: Problem & { code: C }, retryAfter?: number) {
    super(`${problem.code}: ${problem.detail}`);
    this.code = problem.code;
    this.status = problem.status;
    this.detail = problem.detail;
    this.requestId = problem.request_id;
    this.errors = problem.errors ?? [];
    this.retryAfter = retryAfter;
  }
}

/** The request did not complete: no network, a timeout, a domain not allowed (wx's errMsg). */
export class NetworkError extends Error {
  override readonly name = "NetworkError";
  constructor(readonly errMsg: string) {
    super(errMsg);
  }
}

/** An answer that is not the API's: an error status without a problem document (a proxy's
 * page), or a success whose body is not the JSON the contract promises. */
export class UnexpectedAnswer extends Error {
  override readonly name = "UnexpectedAnswer";
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`unexpected answer with status ${status}`);
  }
}

/** Whether `error` is the server's problem, with one of these codes if any are given:
 * `if (isProblem(e, "photo.reused")) …` narrows `e.code`. */
export function isProblem<C extends ErrorCode = ErrorCode>(error: unknown, ...codes: C[]): error is ApiError<C> {
  return error instanceof ApiError && (codes.length === 0 || (codes as ErrorCode[]).includes(error.code));
}

/** A problem document as the server sends it, or null for anything else. */
export function asProblem(body: unknown): Problem | null {
  if (typeof body !== "object" || body === null) return null;
  const p = body as Record<string, unknown>;
  const fields = ["type", "title", "code", "detail", "request_id"];
  if (typeof p.status !== "number" || !fields.every((f) => typeof p[f] === "string")) return null;
  return body as Problem;
}
