// The runtime: typed calls over wx.request, uploads over wx.uploadFile, downloads over
// wx.downloadFile, the sign-in's tokens
// (WeChat login, refresh rotation shared by concurrent calls, sign-out), Accept-Language, and
// problem+json answers thrown as typed ApiErrors.

import { ApiError, NetworkError, UnexpectedAnswer, asProblem } from "./errors";
import type { Answer, CallArgs, CallOptions, DownloadPaths, Method, Operation, PathsWith, Schemas } from "./operations";
import { tokensFrom, wxStorageTokens, type TokenPair, type TokenStore, type Tokens } from "./tokens";
import type { DownloadProgress, UploadProgress, Wx } from "./wx";

// The mini-program's global `wx`, when there is one (module-scoped: it does not clash with the
// app's own typings of it).
declare const wx: Wx | undefined;

export interface ClientOptions {
  /** The server's origin, e.g. `https://zhujian.example.cn`: a request and uploadFile domain of the mini-program. */
  baseUrl: string;
  /** The mini-program's `wx` (by default the global one). */
  wx?: Wx;
  /** Where the tokens are kept (by default the mini-program's storage). */
  tokens?: TokenStore;
  /** The Accept-Language of every call (`zh`, `en`, or a function asked each time); by default WeChat's language. */
  language?: string | (() => string);
  /** The sign-in has ended for good (a refresh refused, the session ended, the token not valid): the tokens
   * are gone, sign in again. `reason.code` says why. */
  onSignedOut?: (reason: ApiError) => void;
  /** Milliseconds before wx gives up on a call (wx's own default otherwise). */
  timeout?: number;
  /** The clock, in Unix milliseconds (tests). */
  now?: () => number;
}

type UploadOperation = Operation<typeof UPLOAD, "post">;
/** The purposes a document can be uploaded for, as the contract names them. */
export type UploadPurpose = Schemas["Purpose"] & NonNullable<UploadOperation["parameters"]["query"]>["purpose"];
export type UploadedDocument = Answer<UploadOperation>;
export interface UploadOptions {
  /** Called as the file goes out (wx's onProgressUpdate); again from 0 if the upload is retried. */
  onProgress?: (progress: UploadProgress) => void;
}

export interface DownloadOptions {
  /** Called as the file arrives (wx's onProgressUpdate); again from 0 if the download is retried. */
  onProgress?: (progress: DownloadProgress) => void;
}
/** A file the server answered, saved by wx: open it (wx.openDocument) or keep it (wx.saveFile). */
export interface DownloadedFile {
  tempFilePath: string;
}
/** A download's options: the call's path parameters and query, and its progress. */
type DownloadArgs<O> = {} extends CallOptions<O>
  ? [options?: CallOptions<O> & DownloadOptions]
  : [options: CallOptions<O> & DownloadOptions];

const UPLOAD = "/api/v1/documents" satisfies PathsWith<"post">;
const WECHAT_LOGIN = "/api/v1/auth/wechat/login" satisfies PathsWith<"post">;
const REFRESH = "/api/v1/auth/refresh" satisfies PathsWith<"post">;
const LOGOUT = "/api/v1/auth/logout" satisfies PathsWith<"post">;
/** A 401 with one of these codes ends the sign-in: refreshing cannot help. */
const SIGNED_OUT = ["auth.session_ended", "auth.invalid_token", "auth.account_disabled"];

interface Reply {
  status: number;
  body: unknown;
  header: Record<string, string>;
}
interface RawOptions {
  path?: Record<string, string | number>;
  query?: object;
  body?: unknown;
}

export class Client {
  private readonly wx: Wx;
  private readonly tokens: TokenStore;
  private readonly now: () => number;
  private refreshing: Promise<Tokens> | null = null;

  constructor(private readonly options: ClientOptions) {
    const given = options.wx ?? (typeof wx === "undefined" ? undefined : wx);
    if (!given) throw new Error("zhujian SDK: no wx; pass options.wx");
    this.wx = given;
    this.tokens = options.tokens ?? wxStorageTokens(given);
    this.now = options.now ?? Date.now;
  }

  /** Whether tokens are stored (they may still turn out to be ended). */
  get signedIn(): boolean {
    return this.tokens.load() !== null;
  }

  get<P extends PathsWith<"get">>(path: P, ...args: CallArgs<Operation<P, "get">>): Promise<Answer<Operation<P, "get">>> {
    return this.call("get", path, args[0] as RawOptions | undefined);
  }
  post<P extends PathsWith<"post">>(path: P, ...args: CallArgs<Operation<P, "post">>): Promise<Answer<Operation<P, "post">>> {
    return this.call("post", path, args[0] as RawOptions | undefined);
  }
  put<P extends PathsWith<"put">>(path: P, ...args: CallArgs<Operation<P, "put">>): Promise<Answer<Operation<P, "put">>> {
    return this.call("put", path, args[0] as RawOptions | undefined);
  }
  patch<P extends PathsWith<"patch">>(path: P, ...args: CallArgs<Operation<P, "patch">>): Promise<Answer<Operation<P, "patch">>> {
    return this.call("patch", path, args[0] as RawOptions | undefined);
  }
  delete<P extends PathsWith<"delete">>(path: P, ...args: CallArgs<Operation<P, "delete">>): Promise<Answer<Operation<P, "delete">>> {
    return this.call("delete", path, args[0] as RawOptions | undefined);
  }

  /** Uploads a local file (a wx temp path) as a document of this purpose: its `id` is what other calls attach. */
  async upload(purpose: UploadPurpose, filePath: string, options: UploadOptions = {}): Promise<UploadedDocument> {
    const url = this.url(UPLOAD, { query: { purpose } });
    const reply = await this.authorized((token) => this.transfer(url, filePath, token, options.onProgress));
    return this.answer(reply, true) as UploadedDocument;
  }

  /** Downloads an answer that is a file, not JSON (e.g. the electronic certificate's PDF), with
   * wx.downloadFile: where wx saved it. A refusal is thrown as for any call (its problem is read
   * from the saved file); 401 `auth.token_expired` refreshes and downloads again. */
  async download<P extends DownloadPaths>(path: P, ...args: DownloadArgs<Operation<P, "get">>): Promise<DownloadedFile> {
    const options = (args[0] ?? {}) as RawOptions & DownloadOptions;
    const url = this.url(path, options);
    const reply = await this.authorized((token) => this.fetchFile(url, token, options.onProgress));
    return this.answer(reply, true) as DownloadedFile;
  }

  /** Signs in with WeChat: wx.login's code for a token pair, which is stored. */
  async signIn(): Promise<TokenPair> {
    const code = await new Promise<string>((resolve, reject) =>
      this.wx.login({ success: (r) => resolve(r.code), fail: (e) => reject(new NetworkError(e.errMsg)) }),
    );
    const reply = await this.send("post", this.url(WECHAT_LOGIN), undefined, { code });
    const pair = this.answer(reply, false) as Answer<Operation<typeof WECHAT_LOGIN, "post">>;
    this.tokens.save(tokensFrom(pair, this.now()));
    return pair;
  }

  /** Signs out: the tokens are forgotten here, and the server revokes the sign-in. */
  async signOut(): Promise<void> {
    const tokens = this.tokens.load();
    this.tokens.clear();
    if (!tokens) return;
    const reply = await this.send("post", this.url(LOGOUT), undefined, { refresh_token: tokens.refresh_token });
    this.answer(reply, false);
  }

  private async call<T>(method: Method, path: string, options: RawOptions = {}): Promise<T> {
    const url = this.url(path, options);
    const reply = await this.authorized((token) => this.send(method, url, token, options.body));
    return this.answer(reply, true) as T;
  }

  /** Sends with the access token; on 401 `auth.token_expired`, renews it once and sends again. */
  private async authorized(attempt: (token: string | undefined) => Promise<Reply>): Promise<Reply> {
    let tokens = this.tokens.load();
    if (tokens && this.now() >= tokens.refresh_at) tokens = await this.renewed(tokens);
    const reply = await attempt(tokens?.access_token);
    if (!tokens || reply.status !== 401 || asProblem(reply.body)?.code !== "auth.token_expired") return reply;
    const renewed = await this.renewed(tokens);
    return renewed ? attempt(renewed.access_token) : reply;
  }

  /** Tokens newer than `used`: another call's, or one refresh shared by every call waiting for it.
   * Null when signed out meanwhile. */
  private renewed(used: Tokens): Promise<Tokens | null> {
    const current = this.tokens.load();
    if (!current) return Promise.resolve(null);
    if (current.access_token !== used.access_token) return Promise.resolve(current);
    this.refreshing ??= this.rotate(current.refresh_token).finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private async rotate(refreshToken: string): Promise<Tokens> {
    const reply = await this.send("post", this.url(REFRESH), undefined, { refresh_token: refreshToken });
    if (reply.status === 401) {
      const problem = asProblem(reply.body);
      if (problem) this.signedOut(new ApiError(problem));
    }
    const pair = this.answer(reply, false) as Answer<Operation<typeof REFRESH, "post">>;
    const tokens = tokensFrom(pair, this.now());
    // Signed out while the refresh was under way: the waiting calls go on, the pair is not kept.
    if (this.tokens.load()) this.tokens.save(tokens);
    return tokens;
  }

  private signedOut(reason: ApiError): void {
    this.tokens.clear();
    this.options.onSignedOut?.(reason);
  }

  /** The answer's body on success; otherwise throws the problem as an ApiError. */
  private answer(reply: Reply, authenticated: boolean): unknown {
    if (reply.status >= 200 && reply.status < 300) return reply.status === 204 ? undefined : reply.body;
    const problem = asProblem(reply.body);
    if (!problem) throw new UnexpectedAnswer(reply.status, reply.body);
    const error = new ApiError(problem, retryAfter(reply.header));
    if (authenticated && reply.status === 401 && SIGNED_OUT.includes(error.code) && this.signedIn) this.signedOut(error);
    throw error;
  }

  private url(path: string, options: RawOptions = {}): string {
    const filled = path.replace(/\{([^}]+)\}/g, (_, name: string) => {
      const value = options.path?.[name];
      if (value === undefined) throw new Error(`zhujian SDK: no value for {${name}} in ${path}`);
      return encodeURIComponent(String(value));
    });
    const query = Object.entries(options.query ?? {})
      .filter(([, value]) => value !== undefined && value !== null)
      .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`);
    return this.options.baseUrl.replace(/\/+$/, "") + filled + (query.length ? `?${query.join("&")}` : "");
  }

  private header(token: string | undefined, json: boolean): Record<string, string> {
    const header: Record<string, string> = {};
    const language = this.language();
    if (language) header["Accept-Language"] = language;
    if (token) header["Authorization"] = `Bearer ${token}`;
    if (json) header["Content-Type"] = "application/json";
    return header;
  }

  private language(): string | undefined {
    const { language } = this.options;
    if (typeof language === "function") return language();
    if (language !== undefined) return language;
    try {
      return this.wx.getAppBaseInfo?.().language.replace(/_/g, "-");
    } catch {
      return undefined;
    }
  }

  private send(method: Method, url: string, token: string | undefined, body: unknown): Promise<Reply> {
    return new Promise((resolve, reject) => {
      this.wx.request({
        url,
        method: method.toUpperCase() as Uppercase<Method>,
        header: this.header(token, body !== undefined),
        ...(body !== undefined ? { data: body as object } : {}),
        dataType: "json",
        ...(this.options.timeout !== undefined ? { timeout: this.options.timeout } : {}),
        success: (r) => resolve({ status: r.statusCode, body: parsed(r.data), header: r.header ?? {} }),
        fail: (e) => reject(new NetworkError(e.errMsg)),
      });
    });
  }

  private transfer(url: string, filePath: string, token: string | undefined, onProgress?: UploadOptions["onProgress"]): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const task = this.wx.uploadFile({
        url,
        filePath,
        name: "file",
        header: this.header(token, false),
        ...(this.options.timeout !== undefined ? { timeout: this.options.timeout } : {}),
        success: (r) => resolve({ status: r.statusCode, body: parsed(r.data), header: {} }),
        fail: (e) => reject(new NetworkError(e.errMsg)),
      });
      if (onProgress) task.onProgressUpdate(onProgress);
    });
  }

  private fetchFile(url: string, token: string | undefined, onProgress?: DownloadOptions["onProgress"]): Promise<Reply> {
    const wx = this.wx;
    if (!wx.downloadFile) return Promise.reject(new Error("zhujian SDK: this wx has no downloadFile"));
    return new Promise((resolve, reject) => {
      const task = wx.downloadFile!({
        url,
        header: this.header(token, false),
        ...(this.options.timeout !== undefined ? { timeout: this.options.timeout } : {}),
        success: (r) => {
          const status = r.statusCode;
          if (status >= 200 && status < 300) resolve({ status, body: { tempFilePath: r.tempFilePath }, header: {} });
          else void this.readText(r.tempFilePath).then((text) => resolve({ status, body: parsed(text), header: {} }));
        },
        fail: (e) => reject(new NetworkError(e.errMsg)),
      });
      if (onProgress) task.onProgressUpdate(onProgress);
    });
  }

  /** A saved file's text (a refused download's problem); undefined where wx cannot read it. wx
   * hands no headers of a download over, so its refusals carry no Retry-After. */
  private readText(filePath: string): Promise<string | undefined> {
    const files = this.wx.getFileSystemManager?.();
    if (!files) return Promise.resolve(undefined);
    return new Promise((resolve) =>
      files.readFile({
        filePath,
        encoding: "utf8",
        success: (r) => resolve(typeof r.data === "string" ? r.data : undefined),
        fail: () => resolve(undefined),
      }),
    );
  }
}

/** wx parses JSON only with dataType `json`, and never for uploads: parse text that is JSON. */
function parsed(data: unknown): unknown {
  if (typeof data !== "string" || data === "") return data;
  try {
    return JSON.parse(data);
  } catch {
    return data;
  }
}

function retryAfter(header: Record<string, string>): number | undefined {
  const name = Object.keys(header).find((h) => h.toLowerCase() === "retry-after");
  const seconds = name === undefined ? NaN : Number(header[name]);
  return Number.isFinite(seconds) ? seconds : undefined;
}

export function createClient(options: ClientOptions): Client {
  return new Client(options);
}
