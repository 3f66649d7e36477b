// The page-side WeChat APIs the journeys use (camera, location, WeChat face verification,
// dialogs), as promises. In the mini-program these are the global `wx`; tests put a fake there.

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
