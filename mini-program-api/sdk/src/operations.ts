// Types that read an operation of the generated contract (schema.gen.ts): which paths take a
// method, what a call must send (path parameters, query, JSON body) and what it answers. A
// change of the contract changes these types, so code calling the API stops compiling.

import type { components, paths } from "./schema.gen";

export type Schemas = components["schemas"];
export type Method = "get" | "post" | "put" | "patch" | "delete";

/** The paths that have an operation for this method. */
export type PathsWith<M extends Method> = {
  [P in keyof paths]: paths[P][M] extends undefined ? never : P;
}[keyof paths];

/** The operation at this path and method. */
export type Operation<P extends keyof paths, M extends Method> = NonNullable<paths[P][M]>;

type Parameters<O> = O extends { parameters: infer X } ? X : never;
type Absent<T> = [T] extends [never] ? true : [T] extends [undefined] ? true : false;

/** One member of the call's options: absent, optional or required as the operation says. */
type Member<K extends string, T, Required extends boolean> =
  Absent<T> extends true ? { [_ in K]?: never } : Required extends true ? { [_ in K]: T } : { [_ in K]?: T };

type PathMember<O> = Parameters<O> extends { path: infer X } ? Member<"path", X, true> : Member<"path", never, false>;
type QueryMember<O> = Parameters<O> extends { query: infer X }
  ? Member<"query", X, true>
  : Parameters<O> extends { query?: infer X }
    ? Member<"query", X, false>
    : Member<"query", never, false>;
type RequestBody<O> = O extends { requestBody?: infer R } ? R : never;
type JsonBody<R> = R extends { content: { "application/json": infer B } } ? B : never;
type BodyMember<O> = Member<"body", JsonBody<RequestBody<O>>, O extends { requestBody: unknown } ? true : false>;

/** What a call sends besides its path: `path` parameters, `query` and the JSON `body`. */
export type CallOptions<O> = PathMember<O> & QueryMember<O> & BodyMember<O>;

/** The options as the call's rest argument: optional when nothing in them is required. */
export type CallArgs<O> = {} extends CallOptions<O> ? [options?: CallOptions<O>] : [options: CallOptions<O>];

type SuccessStatus = 200 | 201 | 202 | 204;
type Responses<O> = O extends { responses: infer R } ? R : never;
type JsonOf<R> = R extends { content: { "application/json": infer J } } ? J : undefined;

/** What a successful answer holds (`undefined` for 204), over every success status. */
export type Answer<O> = {
  [S in keyof Responses<O> & SuccessStatus]: JsonOf<Responses<O>[S]>;
}[keyof Responses<O> & SuccessStatus];

/** The media types a 200 answer has besides JSON (a PDF, a CSV): what a download saves. */
type FileTypes<O> = Responses<O> extends { 200: { content: infer C } } ? Exclude<keyof C, "application/json"> & string : never;

/** The GET paths whose answer is a file, not JSON: fetched with `download` (wx.downloadFile). */
export type DownloadPaths = {
  [P in PathsWith<"get">]: [FileTypes<Operation<P, "get">>] extends [never] ? never : P;
}[PathsWith<"get">];
