// Journey 4: find the verification task awaiting the person's check-in, and check in: a
// challenge, the photos it asks for (or WeChat face verification), the position.

import { isProblem, type ApiError, type Client, type Schemas } from "../src";
import { faceEvidence, TAKE_AGAIN, type FaceMethod } from "./face";
import { locate } from "./wx-page";

/** The first task waiting for this person's check-in. A person is shown only the tasks taking
 * their check-in now, each with their own line of the selection. */
export async function taskToCheckIn(api: Client): Promise<Schemas["TaskView"] | undefined> {
  const tasks = await api.get("/api/v1/verification/tasks");
  return tasks.find((task) => task.selection.some((line) => !line.checked_in));
}

export type CheckedIn =
  /** `attempt.outcome`: `accepted`, or `flagged` (held for staff review; it counts once confirmed). */
  | { kind: "checked_in"; result: Schemas["CheckInResult"] }
  /** The photos, or the position (outside the site, poor accuracy): try again. */
  | { kind: "try_again"; problem: ApiError }
  | { kind: "refused"; problem: ApiError };

export async function checkIn(api: Client, task: Schemas["TaskView"], method: FaceMethod = "selfie"): Promise<CheckedIn> {
  const path = { id: task.id };
  try {
    const challenge = await api.post("/api/v1/verification/tasks/{id}/check-in/challenge", { path });
    const evidence = await faceEvidence(api, challenge, method, { purpose: "check_in", target: task.id });
    const here = await locate();
    const result = await api.post("/api/v1/verification/tasks/{id}/check-in", {
      path,
      body: {
        challenge_id: challenge.challenge_id,
        latitude: here.latitude,
        longitude: here.longitude,
        accuracy_m: here.accuracy,
        system: "wgs84",
        ...evidence,
      },
    });
    return { kind: "checked_in", result };
  } catch (e) {
    if (isProblem(e, ...TAKE_AGAIN, "check_in.outside", "check_in.poor_accuracy", "check_in.reused_photo")) {
      return { kind: "try_again", problem: e };
    }
    if (isProblem(e) && e.status !== 401 && e.status < 500) return { kind: "refused", problem: e };
    throw e;
  }
}
