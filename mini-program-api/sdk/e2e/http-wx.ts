// A `wx` over Node's fetch, for running the SDK and its journeys against a real server:
// requests and multipart uploads go out over HTTP; the camera and the ID card picker hand out
// local photo files; login codes, dialogs and WeChat face verification answer at once.

import { readFileSync } from "node:fs";
import { basename } from "node:path";

import type { RequestOption, UploadFileOption, UploadProgress, UploadTask } from "../src/wx";
import type { PageWx, Position, TakePhotoOption } from "../examples/wx-page";

export class HttpWx implements PageWx {
  /** `METHOD /path` of every request and upload, in order. */
  readonly sent: string[] = [];
  readonly storage = new Map<string, unknown>();

  constructor(
    private readonly origin: string,
    private readonly loginCode: string,
    /** What the camera takes, in order; what the ID card picker gives. */
    readonly photos: string[],
    readonly portrait: string,
  ) {}

  request(option: RequestOption): void {
    this.sent.push(`${option.method ?? "GET"} ${option.url.slice(this.origin.length)}`);
    const body = option.data === undefined ? undefined : JSON.stringify(option.data);
    fetch(option.url, { method: option.method ?? "GET", headers: option.header ?? {}, ...(body ? { body } : {}) }).then(
      async (r) => {
        const text = await r.text();
        let data: string | object = text;
        try {
          data = JSON.parse(text) as object;
        } catch {
          // Not JSON: wx hands the text over.
        }
        option.success?.({ data, statusCode: r.status, header: Object.fromEntries(r.headers) });
      },
      (e: unknown) => option.fail?.({ errMsg: `request:fail ${String(e)}` }),
    );
  }

  uploadFile(option: UploadFileOption): UploadTask {
    this.sent.push(`UPLOAD ${option.url.slice(this.origin.length)}`);
    const listeners: Array<(p: UploadProgress) => void> = [];
    const bytes = readFileSync(option.filePath);
    const form = new FormData();
    form.append(option.name, new Blob([bytes], { type: "image/jpeg" }), basename(option.filePath));
    fetch(option.url, { method: "POST", headers: option.header ?? {}, body: form }).then(
      async (r) => {
        const done = { progress: 100, totalBytesSent: bytes.length, totalBytesExpectedToSend: bytes.length };
        for (const listener of listeners) listener(done);
        option.success?.({ data: await r.text(), statusCode: r.status });
      },
      (e: unknown) => option.fail?.({ errMsg: `uploadFile:fail ${String(e)}` }),
    );
    return { onProgressUpdate: (listener) => listeners.push(listener), abort: () => undefined };
  }

  login(option: { success?: (r: { code: string }) => void }): void {
    setImmediate(() => option.success?.({ code: this.loginCode }));
  }
  getStorageSync(key: string): unknown {
    return this.storage.get(key) ?? "";
  }
  setStorageSync(key: string, data: unknown): void {
    this.storage.set(key, data);
  }
  removeStorageSync(key: string): void {
    this.storage.delete(key);
  }
  createCameraContext(): { takePhoto(option: TakePhotoOption): void } {
    return {
      takePhoto: (option) => {
        const tempImagePath = this.photos.shift();
        setImmediate(() =>
          tempImagePath ? option.success?.({ tempImagePath }) : option.fail?.({ errMsg: "takePhoto:fail no photo left" }),
        );
      },
    };
  }
  chooseMedia(option: { success?: (r: { tempFiles: Array<{ tempFilePath: string; size: number }> }) => void }): void {
    setImmediate(() => option.success?.({ tempFiles: [{ tempFilePath: this.portrait, size: 0 }] }));
  }
  getLocation(option: { success?: (r: Position) => void }): void {
    setImmediate(() => option.success?.({ latitude: 36.6512, longitude: 117.1201, accuracy: 10 }));
  }
  chooseMessageFile(option: { fail?: (e: { errMsg: string }) => void }): void {
    setImmediate(() => option.fail?.({ errMsg: "chooseMessageFile:fail no file here" }));
  }
  openDocument(option: { success?: () => void }): void {
    setImmediate(() => option.success?.());
  }
  requestFacialVerify(option: { verifyId: string; success?: () => void }): void {
    setImmediate(() => option.success?.());
  }
  showModal(option: { success?: (r: { confirm: boolean; cancel: boolean }) => void }): void {
    setImmediate(() => option.success?.({ confirm: true, cancel: false }));
  }
}
