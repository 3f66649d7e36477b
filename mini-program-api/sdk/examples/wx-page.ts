// The page-side WeChat APIs the journeys use (camera, location, WeChat face verification,
// choosing a PDF from a chat, opening a document, dialogs), as promises. In the mini-program these are the global `wx`; tests put a fake there.

import { NetworkError, type Wx, type WxError } from "../src";

export interface TakePhotoOption {
  quality?: "high" | "normal" | "low" | "original";
  /** Base library 2.22.0+. Mirroring is on by default: the server wants the photo as the camera saw it. */
  selfieMirror?: boolean;
  success?: (result: { tempImagePath: string }) => void;
  fail?: (error: WxError) => void;
}

export interface Position {
  latitude: number;
  longitude: number;
  /** Metres. */
  accuracy: number;
}

export interface PageWx extends Wx {
  /** The `<camera device-position="front">` on the page. */
  createCameraContext(): { takePhoto(option: TakePhotoOption): void };
  chooseMedia(option: {
    count?: number;
    mediaType?: Array<"image" | "video" | "mix">;
    sourceType?: Array<"album" | "camera">;
    success?: (result: { tempFiles: Array<{ tempFilePath: string; size: number }> }) => void;
    fail?: (error: WxError) => void;
  }): void;
  getLocation(option: {
    type?: "wgs84" | "gcj02";
    isHighAccuracy?: boolean;
    highAccuracyExpireTime?: number;
    success?: (result: Position) => void;
    fail?: (error: WxError) => void;
  }): void;
  /** A file from a WeChat chat (a scan the person sent themselves), base library 1.9.0+. */
  chooseMessageFile(option: {
    count: number;
    type?: "all" | "video" | "image" | "file";
    extension?: string[];
    success?: (result: { tempFiles: Array<{ path: string; size: number; name: string }> }) => void;
    fail?: (error: WxError) => void;
  }): void;
  /** Opens a downloaded document (PDF …) in WeChat's viewer. */
  openDocument(option: {
    filePath: string;
    fileType?: "pdf" | "doc" | "docx" | "xls" | "xlsx" | "ppt" | "pptx";
    /** Base library 2.11.0+: the viewer's menu (forward, save). */
    showMenu?: boolean;
    success?: () => void;
    fail?: (error: WxError) => void;
  }): void;
  /** WeChat face verification (人脸核身), base library 3.8.12+. */
  requestFacialVerify(option: { verifyId: string; success?: () => void; fail?: (error: WxError) => void }): void;
  showModal(option: {
    title?: string;
    content?: string;
    showCancel?: boolean;
    success?: (result: { confirm: boolean; cancel: boolean }) => void;
    fail?: (error: WxError) => void;
  }): void;
}

declare const wx: PageWx;

function promised<T>(start: (success: (value: T) => void, fail: (error: WxError) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => start(resolve, (e) => reject(new NetworkError(e.errMsg))));
}

/** A photo taken now by the page's camera, not mirrored. */
export function takePhoto(): Promise<string> {
  return promised<{ tempImagePath: string }>((success, fail) =>
    wx.createCameraContext().takePhoto({ quality: "high", selfieMirror: false, success, fail }),
  ).then((r) => r.tempImagePath);
}

/** A photo of the ID card's portrait side, from the album or the camera. */
export function chooseIdPortrait(): Promise<string> {
  return promised<{ tempFiles: Array<{ tempFilePath: string }> }>((success, fail) =>
    wx.chooseMedia({ count: 1, mediaType: ["image"], sourceType: ["album", "camera"], success, fail }),
  ).then((r) => {
    const file = r.tempFiles[0];
    if (!file) throw new NetworkError("chooseMedia:fail no file");
    return file.tempFilePath;
  });
}

/** A PDF the person picks from a WeChat chat (a mini-program cannot browse the phone's files). */
export function choosePdf(): Promise<string> {
  return promised<{ tempFiles: Array<{ path: string }> }>((success, fail) =>
    wx.chooseMessageFile({ count: 1, type: "file", extension: ["pdf"], success, fail }),
  ).then((r) => {
    const file = r.tempFiles[0];
    if (!file) throw new NetworkError("chooseMessageFile:fail no file");
    return file.path;
  });
}

/** Shows a downloaded PDF, with the menu to forward or save it. */
export function openPdf(filePath: string): Promise<void> {
  return promised<void>((success, fail) =>
    wx.openDocument({ filePath, fileType: "pdf", showMenu: true, success: () => success(), fail }),
  );
}

/** Where the phone is, in WGS-84 (wx.getLocation's default system), as accurately as it can tell. */
export function locate(): Promise<Position> {
  return promised<Position>((success, fail) =>
    wx.getLocation({ type: "wgs84", isHighAccuracy: true, highAccuracyExpireTime: 5000, success, fail }),
  );
}

export function facialVerify(verifyId: string): Promise<void> {
  return promised<void>((success, fail) => wx.requestFacialVerify({ verifyId, success: () => success(), fail }));
}

/** Tells the person something and waits until they confirm. */
export function tell(content: string, title = ""): Promise<void> {
  return promised<{ confirm: boolean }>((success, fail) =>
    wx.showModal({ title, content, showCancel: false, success, fail }),
  ).then(() => undefined);
}
