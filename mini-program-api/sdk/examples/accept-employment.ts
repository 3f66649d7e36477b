// Journey 3: accept an employment request with its face check.

import { isProblem, type ApiError, type Client, type Schemas } from "../src";
import { faceEvidence, TAKE_AGAIN, type FaceMethod } from "./face";

/** The requests waiting for the person's answer. */
export async function pendingRequests(api: Client): Promise<Array<Schemas["RequestView"]>> {
  const requests = await api.get("/api/v1/employment/requests");
  return requests.filter((r) => r.state === "pending");
}

export type Accepted =
  | { kind: "accepted"; employment: Schemas["EmploymentView"] }
  | { kind: "take_again"; problem: ApiError }
  /** Not possible now: held registration, identity level too low, employed elsewhere, answered meanwhile. */
  | { kind: "refused"; problem: ApiError };

export async function accept(api: Client, request: Schemas["RequestView"], method: FaceMethod = "selfie"): Promise<Accepted> {
  const path = { id: request.id };
  try {
    const challenge = await api.post("/api/v1/employment/requests/{id}/challenge", { path });
    const evidence = await faceEvidence(api, challenge, method, { purpose: "employment_accept", target: request.id });
    const employment = await api.post("/api/v1/employment/requests/{id}/accept", {
      path,
      body: { challenge_id: challenge.challenge_id, ...evidence },
    });
    return { kind: "accepted", employment };
  } catch (e) {
    if (isProblem(e, ...TAKE_AGAIN)) return { kind: "take_again", problem: e };
    if (isProblem(e, "person.registration_held", "identity.assurance_too_low", "employment.already_employed", "employment.request_not_pending")) {
      return { kind: "refused", problem: e };
    }
    throw e;
  }
}
