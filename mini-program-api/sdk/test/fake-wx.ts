// A fake `wx` for the tests: it records every request, upload and download, and answers each
// through a server function, asynchronously and as wx does (JSON parsed for requests, text for
// uploads, a saved file for downloads, whatever their status).

import type {
  DownloadFileOption,
  DownloadProgress,
  DownloadTask,
  FileSystemManager,
  RequestOption,
  UploadFileOption,
  UploadProgress,
  UploadTask,
  WxError,
} from "../src/wx";
import type { PageWx, Position, TakePhotoOption } from "../examples/wx-page";

/** What went out: a wx.request, a wx.uploadFile or a wx.downloadFile. */
export interface Sent {
  kind: "request" | "upload" | "download";
  method: string;
  /** The path without the origin or query, e.g. `/api/v1/people/me`. */
  path: string;
  query: Record<string, string>;
  header: Record<string, string>;
  /** The JSON body of a request. */
  body: unknown;
  /** An upload's file and part name. */
  filePath?: string;
  name?: string;
}

/** What the server answers; `fail` makes wx report a transport failure instead. */
export interface Reply {
  status: number;
  body?: unknown;
  header?: Record<string, string>;
  fail?: string;
}

export type Server = (sent: Sent) => Reply | Promise<Reply>;

export const ORIGIN = "https://zhujian.test";

function split(url: string): Pick<Sent, "path" | "query"> {
  if (!url.startsWith(ORIGIN)) throw new Error(`request to another origin: ${url}`);
  const [path = "", search = ""] = url.slice(ORIGIN.length).split("?");
  const query: Record<string, string> = {};
  for (const pair of search.split("&").filter(Boolean)) {
    const [key = "", value = ""] = pair.split("=");
    query[decodeURIComponent(key)] = decodeURIComponent(value);
  }
  return { path, query };
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

export class FakeWx implements PageWx {
  readonly sent: Sent[] = [];
  readonly storage = new Map<string, unknown>();
  /** What dialogs showed, in order. */
  readonly told: string[] = [];
  readonly verified: string[] = [];
  /** What wx.openDocument showed, in order. */
  readonly opened: Array<{ filePath: string; fileType?: string; showMenu?: boolean }> = [];
  /** What wx.chooseMessageFile hands out. */
  messageFile = { path: "wxfile://tmp/scan.pdf", size: 300_000, name: "证书扫描件.pdf" };
  /** The progress events each upload reports before its answer. */
  progressSteps: UploadProgress[] = [
    { progress: 40, totalBytesSent: 400, totalBytesExpectedToSend: 1000 },
    { progress: 100, totalBytesSent: 1000, totalBytesExpectedToSend: 1000 },
  ];
  /** The progress events each download reports before its answer. */
  downloadSteps: DownloadProgress[] = [
    { progress: 50, totalBytesWritten: 50_000, totalBytesExpectedToWrite: 100_000 },
    { progress: 100, totalBytesWritten: 100_000, totalBytesExpectedToWrite: 100_000 },
  ];
  /** What downloads saved, by temporary path: the answer's body (bytes as a string, or JSON). */
  readonly files = new Map<string, string>();
  position: Position = { latitude: 36.6512, longitude: 117.1201, accuracy: 12 };
  language = "zh_CN";
  private logins = 0;
  private downloads = 0;
  private photos = 0;

  constructor(public server: Server) {}

  /** The requests to one path (any method), in order. */
  to(path: string): Sent[] {
    return this.sent.filter((s) => s.path === path);
  }

  request(option: RequestOption): void {
    const sent: Sent = {
      kind: "request",
      method: option.method ?? "GET",
      ...split(option.url),
      header: { ...option.header },
      body: typeof option.data === "string" ? JSON.parse(option.data) : option.data,
    };
    this.sent.push(sent);
    void this.answer(sent, (reply) => {
      const text = reply.body === undefined ? "" : JSON.stringify(reply.body);
      // dataType json: wx parses what parses; a proxy's HTML page stays text.
      const data = typeof reply.body === "string" ? reply.body : text === "" ? "" : JSON.parse(text);
      option.success?.({ data, statusCode: reply.status, header: reply.header ?? {} });
    }, option.fail);
  }

  uploadFile(option: UploadFileOption): UploadTask {
    const listeners: Array<(p: UploadProgress) => void> = [];
    const sent: Sent = {
      kind: "upload",
      method: "POST",
      ...split(option.url),
      header: { ...option.header },
      body: undefined,
      filePath: option.filePath,
      name: option.name,
    };
    this.sent.push(sent);
    void this.answer(sent, (reply) => {
      for (const step of this.progressSteps) for (const listener of listeners) listener(step);
      const data = typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body ?? "");
      option.success?.({ data, statusCode: reply.status });
    }, option.fail);
    return { onProgressUpdate: (listener) => listeners.push(listener), abort: () => undefined };
  }

  downloadFile(option: DownloadFileOption): DownloadTask {
    const listeners: Array<(p: DownloadProgress) => void> = [];
    const sent: Sent = { kind: "download", method: "GET", ...split(option.url), header: { ...option.header }, body: undefined };
    this.sent.push(sent);
    void this.answer(sent, (reply) => {
      for (const step of this.downloadSteps) for (const listener of listeners) listener(step);
      this.downloads += 1;
      const tempFilePath = `wxfile://tmp/download-${this.downloads}`;
      this.files.set(tempFilePath, typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body ?? ""));
      option.success?.({ tempFilePath, statusCode: reply.status });
    }, option.fail);
    return { onProgressUpdate: (listener) => listeners.push(listener), abort: () => undefined };
  }

  getFileSystemManager(): FileSystemManager {
    return {
      readFile: (option) => {
        const data = this.files.get(option.filePath);
        void tick().then(() =>
          data === undefined ? option.fail?.({ errMsg: "readFile:fail no such file" }) : option.success?.({ data }),
        );
      },
    };
  }

  private async answer(sent: Sent, success: (reply: Reply) => void, fail?: (e: WxError) => void): Promise<void> {
    await tick();
    const reply = await this.server(sent);
    await tick();
    if (reply.fail !== undefined) fail?.({ errMsg: reply.fail });
    else success(reply);
  }

  login(option: { success?: (r: { code: string }) => void }): void {
    this.logins += 1;
    const code = `wx-code-${this.logins}`;
    void tick().then(() => option.success?.({ code }));
  }

  getStorageSync(key: string): unknown {
    return this.storage.get(key) ?? "";
  }
  setStorageSync(key: string, data: unknown): void {
    this.storage.set(key, JSON.parse(JSON.stringify(data)));
  }
  removeStorageSync(key: string): void {
    this.storage.delete(key);
  }
  getAppBaseInfo(): { language: string } {
    return { language: this.language };
  }

  createCameraContext(): { takePhoto(option: TakePhotoOption): void } {
    return {
      takePhoto: (option) => {
        if (option.selfieMirror !== false) throw new Error("the selfie must not be mirrored");
        this.photos += 1;
        const tempImagePath = `wxfile://tmp/photo-${this.photos}.jpg`;
        void tick().then(() => option.success?.({ tempImagePath }));
      },
    };
  }
  chooseMedia(option: { success?: (r: { tempFiles: Array<{ tempFilePath: string; size: number }> }) => void }): void {
    void tick().then(() => option.success?.({ tempFiles: [{ tempFilePath: "wxfile://tmp/id-card.jpg", size: 90_000 }] }));
  }
  getLocation(option: { type?: string; success?: (r: Position) => void; fail?: (e: WxError) => void }): void {
    void tick().then(() => option.success?.(this.position));
  }
  chooseMessageFile(option: { extension?: string[]; success?: (r: { tempFiles: Array<{ path: string; size: number; name: string }> }) => void }): void {
    const file = this.messageFile;
    if (option.extension && !option.extension.some((e) => file.name.endsWith(`.${e}`))) throw new Error(`${file.name} is not ${option.extension.join("/")}`);
    void tick().then(() => option.success?.({ tempFiles: [file] }));
  }
  openDocument(option: { filePath: string; fileType?: string; showMenu?: boolean; success?: () => void; fail?: (e: WxError) => void }): void {
    const known = this.files.has(option.filePath);
    if (known) this.opened.push({ filePath: option.filePath, fileType: option.fileType, showMenu: option.showMenu });
    void tick().then(() => (known ? option.success?.() : option.fail?.({ errMsg: "openDocument:fail file not found" })));
  }
  requestFacialVerify(option: { verifyId: string; success?: () => void }): void {
    this.verified.push(option.verifyId);
    void tick().then(() => option.success?.());
  }
  showModal(option: { content?: string; success?: (r: { confirm: boolean; cancel: boolean }) => void }): void {
    this.told.push(option.content ?? "");
    void tick().then(() => option.success?.({ confirm: true, cancel: false }));
  }
}
