// Answers shaped as the server sends them, typed by the generated contract: a schema change
// that the fake server's answers no longer fit fails the build here too.

import type { ErrorCode, Problem, Schemas } from "../src";
import { errorCatalogue } from "../src";
import type { Reply } from "./fake-wx";

type S = Schemas;
export const NOW = 1_780_000_000_000;

export function json(status: number, body: unknown, header: Record<string, string> = {}): Reply {
  return { status, body, header: { "content-type": "application/json", ...header } };
}

let requestIds = 0;

/** A problem+json answer as the server writes it: its catalogue message unless a detail is given. */
export function problem(code: ErrorCode, options: { status?: number; detail?: string; field?: string; header?: Record<string, string> } = {}): Reply {
  const entry = errorCatalogue[code];
  const status = options.status ?? entry.statuses[0] ?? 400;
  requestIds += 1;
  const body: Problem = {
    type: `urn:zhujian:problem:${code}`,
    title: entry.en,
    status,
    code,
    detail: options.detail ?? entry.zh,
    request_id: `req-${requestIds}`,
    ...(options.field ? { errors: [{ field: options.field, code, message: entry.zh }] } : {}),
  };
  return { status, body, header: { "content-type": "application/problem+json", ...options.header } };
}

export function tokenPair(n: number): S["TokenPair"] {
  return {
    access_token: `access-${n}`,
    token_type: "Bearer",
    expires_in: 900,
    refresh_token: `refresh-${n}`,
    refresh_expires_in: 2_592_000,
    account_id: "person-1",
    role: "person",
  };
}

export function profile(status: "unregistered" | "registered" | "held_for_review"): S["PersonProfile"] {
  if (status === "unregistered") return { id: "person-1", status, created_at: NOW };
  return {
    id: "person-1",
    status,
    created_at: NOW,
    identity: {
      name: "张三",
      id_number: "110105********002X",
      phone: "138****5678",
      portrait_document_id: "doc-1",
      registered_at: NOW,
    },
    assurance: { level: "self_declared", established_at: null },
    notice:
      status === "held_for_review"
        ? { code: "person.registration_held", message_zh: "您的人脸与他人已登记的身份相符，待市级审核", message_en: "Held for review" }
        : null,
  };
}

export function documentView(id: string, purpose: S["Purpose"]): S["DocumentView"] {
  return {
    id,
    owner_kind: "person",
    owner_id: "person-1",
    purpose,
    content_type: "image/jpeg",
    size: 90_000,
    sha256: "0".repeat(64),
    file_name: "photo.jpg",
    state: "available",
    created_at: NOW,
  };
}

export function challenge(id: string, poses: Array<S["Pose"]>): S["Challenge"] {
  return { challenge_id: id, issued_at: NOW, expires_at: NOW + 300_000, poses };
}

export function requestView(id: string, state: S["RequestState"]): S["RequestView"] {
  return {
    id,
    enterprise_id: "ent-1",
    enterprise_name: "示例建设有限公司",
    person_id: "person-1",
    person_name: "张*",
    person_id_number: "110105********002X",
    position: "项目经理",
    contract_start: "2026-01-01",
    contract_end: "2028-12-31",
    state,
    created_at: NOW,
    expires_at: NOW + 7 * 86_400_000,
  };
}

export function employmentView(request: S["RequestView"]): S["EmploymentView"] {
  return {
    id: `employment-of-${request.id}`,
    enterprise_id: request.enterprise_id,
    enterprise_name: request.enterprise_name,
    person_id: request.person_id,
    person_name: "张三",
    person_id_number: request.person_id_number,
    position: request.position,
    contract_start: request.contract_start,
    contract_end: request.contract_end,
    state: "active",
    started_at: NOW,
    technical_lead: false,
  };
}

export function taskView(id: string, checkedIn: boolean, state: S["TaskState"] = "checking_in"): S["TaskView"] {
  return {
    id,
    enterprise_id: "ent-1",
    enterprise_name: "示例建设有限公司",
    qualification_id: "qual-1",
    qualification: "建筑工程施工总承包 一级",
    kind: "routine",
    state,
    round: 1,
    notice_date: "2026-11-20",
    start_deadline: "2026-11-30",
    window_end: "2026-12-10",
    opened_at: NOW,
    selection: [
      { employment_id: "employment-1", person_id: "person-1", name: "张三", id_number: "110105********002X", employed: true, checked_in: checkedIn },
    ],
    needs_replacement: false,
    proposed_replacement: [],
    reviews: [],
  };
}

export function checkInResult(taskId: string, body: S["CheckInBody"], outcome: "accepted" | "flagged"): S["CheckInResult"] {
  return {
    attempt: {
      id: "attempt-1",
      task_id: taskId,
      person_id: "person-1",
      round: 1,
      at: NOW,
      outcome,
      flags: outcome === "flagged" ? "repeated_position" : "",
      mock_location: 0,
      latitude: body.latitude,
      longitude: body.longitude,
      accuracy_m: body.accuracy_m,
      coordinate_system: body.system,
      selfie_document_id: body.selfie_document_id ?? null,
      decisions: [],
      awaiting: outcome === "flagged" ? "review" : null,
    },
    task_state: "passed",
  };
}

export function notification(
  id: string,
  kind: string,
  text: { title: string; body: string },
  params: object,
  read: boolean,
): S["NotificationView"] {
  return {
    id,
    channel: "inbox",
    kind,
    title: text.title,
    body: text.body,
    params: JSON.stringify(params),
    state: "delivered",
    attempts: 0,
    created_at: NOW,
    delivered_at: NOW,
    read_at: read ? NOW : null,
  };
}
