// The zhujian mini-program SDK: `createClient({ baseUrl })`, then typed calls by the contract's
// paths (`api.get("/api/v1/people/me")`), uploads, sign-in and typed errors.

export { Client, createClient } from "./client";
export type { ClientOptions, DownloadOptions, DownloadedFile, UploadOptions, UploadPurpose, UploadedDocument } from "./client";
export { ApiError, NetworkError, UnexpectedAnswer, isProblem } from "./errors";
export type { Problem, ProblemField } from "./errors";
export { errorCatalogue } from "./errors.gen";
export type { CatalogueEntry, ErrorCode } from "./errors.gen";
export type { Answer, CallOptions, DownloadPaths, Method, Operation, PathsWith, Schemas } from "./operations";
export type { components, operations, paths } from "./schema.gen";
export { memoryTokens, wxStorageTokens } from "./tokens";
export type { TokenPair, TokenStore, Tokens } from "./tokens";
export type { DownloadProgress, UploadProgress, Wx, WxError } from "./wx";
