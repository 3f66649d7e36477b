// The face evidence of a face-checked act (registration, accepting employment, checking in):
// photos taken after the act's challenge, one per pose it asks for, or a WeChat face verification.

import type { Client, ErrorCode, Schemas, UploadOptions } from "../src";
import { facialVerify, takePhoto, tell } from "./wx-page";

/** What the person is asked before each photo (they turn their *own* head). */
const POSE_PROMPTS: Record<Schemas["Pose"], string> = {
  front: "请正对镜头",
  left: "请向左转头约 30°",
  right: "请向右转头约 30°",
};

/** Refusals of the evidence itself: ask for a new challenge and take every photo again. */
export const TAKE_AGAIN = [
  "photo.reused",
  "face.no_face",
  "face.several_faces",
  "face.too_blurred",
  "face.too_dark",
  "face.too_small",
  "face.too_large",
  "face.unreadable",
  "face.mismatch",
  "face.selfie_not_fresh",
  "liveness.frame_count",
  "liveness.repeated_frame",
  "liveness.not_same_person",
  "liveness.wrong_pose",
  "challenge.expired",
  "challenge.used",
  "wechat_face.failed",
  "wechat_face.expired",
  "wechat_face.used",
] as const satisfies readonly ErrorCode[];

/** Selfies for a challenge: the first pose's photo is the selfie, the others follow in order. */
export type Selfies = Required<Pick<Schemas["Registration"], "selfie_document_id" | "liveness_document_ids">>;

/** Takes and uploads one photo per pose of the challenge (one selfie when it names none). */
export async function photograph(api: Client, challenge: Schemas["Challenge"], options: UploadOptions = {}): Promise<Selfies> {
  const poses: Array<Schemas["Pose"]> = challenge.poses.length > 0 ? challenge.poses : ["front"];
  const ids: string[] = [];
  for (const pose of poses) {
    await tell(POSE_PROMPTS[pose], "拍照");
    const photo = await api.upload("selfie", await takePhoto(), options);
    ids.push(photo.id);
  }
  const [selfie, ...others] = ids;
  if (selfie === undefined) throw new Error("a challenge has at least one pose");
  return { selfie_document_id: selfie, liveness_document_ids: others };
}

/** How the deployment checks faces (`identity.face_methods`): local selfies or WeChat's 人脸核身. */
export type FaceMethod = "selfie" | "wechat";

/** A WeChat face verification for one act; its `verify_id` then goes with the act instead of a selfie. */
export async function wechatFace(api: Client, purpose: Schemas["WechatPurpose"], targetId: string | null): Promise<string> {
  const session = await api.post("/api/v1/people/me/wechat-face", { body: { purpose, target_id: targetId } });
  await facialVerify(session.verify_id);
  return session.verify_id;
}

/** The face evidence of an act, by the deployment's method. */
export async function faceEvidence(
  api: Client,
  challenge: Schemas["Challenge"],
  method: FaceMethod,
  wechat: { purpose: Schemas["WechatPurpose"]; target: string },
): Promise<Selfies | { verify_id: string }> {
  if (method === "wechat") return { verify_id: await wechatFace(api, wechat.purpose, wechat.target) };
  return photograph(api, challenge);
}
