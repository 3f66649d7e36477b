// Journey 2: real-name registration with the ID card's portrait and a live selfie (one photo per
// pose where the deployment asks registration for liveness).

import { isProblem, type ApiError, type Client, type Schemas, type UploadOptions } from "../src";
import { photograph, TAKE_AGAIN } from "./face";
import { chooseIdPortrait, tell } from "./wx-page";

export type RegistrationForm = Pick<Schemas["Registration"], "id_number" | "name" | "phone">;

export type Registered =
  | { kind: "registered"; profile: Schemas["PersonProfile"] }
  /** The face matches another identity: city staff decide; the notice says what that means. */
  | { kind: "held_for_review"; profile: Schemas["PersonProfile"] }
  /** A photo was refused (reused, the portrait as selfie, no face, …): take them again. */
  | { kind: "take_again"; problem: ApiError };

export async function register(api: Client, form: RegistrationForm, progress: UploadOptions = {}): Promise<Registered> {
  const portrait = await api.upload("id_portrait", await chooseIdPortrait(), progress);
  // Ask for the challenge before taking the selfie; where liveness is off it names no poses.
  const challenge = await api.post("/api/v1/people/me/registration/challenge");
  const selfies = await photograph(api, challenge, progress);
  try {
    const profile = await api.post("/api/v1/people/me/registration", {
      body: { ...form, portrait_document_id: portrait.id, challenge_id: challenge.challenge_id, ...selfies },
    });
    if (profile.status !== "held_for_review") return { kind: "registered", profile };
    if (profile.notice) await tell(profile.notice.message_zh, "实名登记待审核");
    return { kind: "held_for_review", profile };
  } catch (e) {
    if (isProblem(e, ...TAKE_AGAIN, "person.selfie_is_portrait")) {
      await tell(e.detail, "请重新拍照"); // errors[0].field names the photo at fault
      return { kind: "take_again", problem: e };
    }
    throw e; // e.g. person.identity_taken, id_number.* (show e.detail by its field)
  }
}
