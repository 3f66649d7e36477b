// The few WeChat mini-program APIs the SDK's runtime calls, typed as the official documentation
// describes them (developers.weixin.qq.com/miniprogram/dev/api/). The mini-program's own `wx`
// (typed by miniprogram-api-typings or not) fits these interfaces; tests pass a fake.

/** What a failed wx call reports. */
export interface WxError {
  errMsg: string;
  errno?: number;
}

export interface RequestOption {
  url: string;
  method?: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  data?: string | object | ArrayBuffer;
  header?: Record<string, string>;
  /** `json`: the answer is JSON.parse'd when it can be (the default). */
  dataType?: string;
  timeout?: number;
  success?: (result: RequestSuccess) => void;
  fail?: (error: WxError) => void;
}

export interface RequestSuccess {
  /** Parsed JSON with dataType `json` when the body is JSON, else the text. */
  data: string | object | ArrayBuffer;
  statusCode: number;
  /** Response headers; their names keep the server's case (lower case over HTTP/2). */
  header: Record<string, string>;
}

export interface UploadFileOption {
  url: string;
  filePath: string;
  /** The multipart part's name. */
  name: string;
  header?: Record<string, string>;
  formData?: Record<string, string>;
  timeout?: number;
  success?: (result: UploadFileSuccess) => void;
  fail?: (error: WxError) => void;
}

export interface UploadFileSuccess {
  /** The answer's body as text. */
  data: string;
  statusCode: number;
}

export interface UploadProgress {
  /** 0–100. */
  progress: number;
  totalBytesSent: number;
  totalBytesExpectedToSend: number;
}

export interface UploadTask {
  onProgressUpdate(listener: (progress: UploadProgress) => void): void;
  abort(): void;
}

export interface DownloadFileOption {
  url: string;
  header?: Record<string, string>;
  timeout?: number;
  success?: (result: DownloadFileSuccess) => void;
  fail?: (error: WxError) => void;
}

export interface DownloadFileSuccess {
  /** Where wx saved the answer's body, whatever its status (an error's problem too). */
  tempFilePath: string;
  statusCode: number;
}

export interface DownloadProgress {
  /** 0–100. */
  progress: number;
  totalBytesWritten: number;
  totalBytesExpectedToWrite: number;
}

export interface DownloadTask {
  onProgressUpdate(listener: (progress: DownloadProgress) => void): void;
  abort(): void;
}

/** The part of wx.getFileSystemManager() the runtime uses: reading a refused download's problem. */
export interface FileSystemManager {
  readFile(option: {
    filePath: string;
    encoding: "utf8";
    success?: (result: { data: string | ArrayBuffer }) => void;
    fail?: (error: WxError) => void;
  }): void;
}

export interface LoginOption {
  timeout?: number;
  success?: (result: { code: string }) => void;
  fail?: (error: WxError) => void;
}

/** The part of `wx` the SDK's runtime uses. */
export interface Wx {
  request(option: RequestOption): unknown;
  uploadFile(option: UploadFileOption): UploadTask;
  login(option: LoginOption): void;
  getStorageSync(key: string): unknown;
  setStorageSync(key: string, data: unknown): void;
  removeStorageSync(key: string): void;
  /** For `download()` (e.g. the electronic certificate's PDF); every base library has it. */
  downloadFile?(option: DownloadFileOption): DownloadTask;
  /** For `download()`: a refused download's problem is read from the file wx saved. */
  getFileSystemManager?(): FileSystemManager;
  /** Base library 2.25.3+; its `language` (e.g. `zh_CN`, `en`) is the default Accept-Language. */
  getAppBaseInfo?(): { language: string };
}
