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
export function problem(
  code: ErrorCode,
  options: { status?: number; detail?: string; field?: string; fields?: Problem["errors"]; header?: Record<string, string> } = {},
): Reply {
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
    ...(options.fields ? { errors: options.fields } : {}),
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

/** A certificate's status as the server words it (`status.code` and `status.label`). */
export const CERTIFICATE_STATUSES = {
  in_use: "正常使用",
  newly_archived: "新增归档",
  transferred_in: "进赣换证",
  unavailable: "暂不可用",
  cancelled: "已注销",
  replaced: "已换发",
} as const;
export type CertificateStatus = keyof typeof CERTIFICATE_STATUSES;

const REASONS: Record<S["HolderCertificateUnavailableReason"], { zh: string; en: string }> = {
  expired: { zh: "证书已过有效期，请办理证书延续", en: "The certificate has expired; apply for a renewal" },
  employer_differs: {
    zh: "当前聘用企业与证书登记企业不一致，请办理执业企业变更",
    en: "The current employer differs from the certificate's enterprise; apply for an employer change",
  },
  not_employed: { zh: "未登记聘用关系，请由聘用企业发起聘用关系登记", en: "No employment is registered; the employing enterprise must register it" },
  too_many: { zh: "同类证书超出一人可持有的数量，请注销或纠错多余的证书", en: "More certificates of this kind than one person may hold; cancel or correct the surplus" },
};

export function holderCertificate(
  id: string,
  number: string,
  status: CertificateStatus,
  options: { reasons?: Array<S["HolderCertificateUnavailableReason"]>; kind?: S["HolderCertificateKind"]; category?: string } = {},
): S["HolderCertificateDetail"] {
  const kind = options.kind ?? "safety_b";
  return {
    certificate: {
      id,
      kind,
      category: kind === "special" ? (options.category ?? "01") : null,
      category_label: kind === "special" ? "建筑电工" : null,
      number,
      holder_name: "张三",
      holder_id_number_masked: "110105********002X",
      enterprise_credit_code: "91370100MA3C000001",
      enterprise_name: "示例建设有限公司",
      issued_on: "2024-03-01",
      expires_on: "2027-02-28",
      origin: status === "newly_archived" ? "supplement" : status === "transferred_in" ? "transfer_in" : "imported",
      state: status === "cancelled" ? "cancelled" : status === "replaced" ? "replaced" : "valid",
      recorded_at: NOW,
      replaced_by: null,
      status: {
        code: status,
        label: CERTIFICATE_STATUSES[status],
        reasons: (options.reasons ?? []).map((code) => ({ code, ...REASONS[code] })),
      },
    },
    track: [{ id: `event-of-${id}`, kind: "import", actor_kind: "staff", actor_id: "staff-1", at: NOW, detail: {}, application_id: null }],
  };
}

/** A service of a certificate, available unless a condition fails. */
export function serviceCheck(service: S["ApplicationKind"], bars: Array<[ErrorCode, string]> = []): S["ServiceCheck"] {
  return { service, available: bars.length === 0, bars: bars.map(([code, message]) => ({ code, message })) };
}

/** The approval chains of the seeds, by service. */
export const CHAINS: Record<S["ApplicationKind"], Array<S["ApplicationStep"]>> = {
  employer_change: ["enterprise", "district"],
  cancellation: ["enterprise", "city"],
  renewal: ["enterprise", "district", "city"],
  supplement: ["district"],
  correction: ["district"],
  issue: ["city"],
  name_change: ["district", "city"],
};

const SERVICE_NAMES: Record<S["ApplicationKind"], string> = {
  employer_change: "执业企业变更",
  cancellation: "证书注销",
  renewal: "证书延续",
  supplement: "证书补录",
  correction: "证书纠错",
  issue: "证书核发",
  name_change: "企业名称变更换证",
};

export function applicationView(
  id: string,
  kind: S["ApplicationKind"],
  certificate: S["HolderCertificate"] | null,
  options: { steps?: Array<S["ApplicationStep"]>; detail?: S["ApplicationDetail"]; document_id?: string | null; created_at?: number } = {},
): S["ApplicationView"] {
  const steps = options.steps ?? CHAINS[kind];
  return {
    id,
    kind,
    service: SERVICE_NAMES[kind],
    state: "in_progress",
    steps,
    waiting_for: steps[0] ?? null,
    enterprise_id: "ent-1",
    enterprise_name: "示例建设有限公司",
    district_code: "370102",
    applicant_name: "张三",
    applicant_id_number_masked: "110105********002X",
    certificate_id: certificate?.id ?? null,
    certificate_number: certificate?.number ?? null,
    detail: options.detail ?? {},
    document_id: options.document_id ?? null,
    created_at: options.created_at ?? NOW,
    updated_at: options.created_at ?? NOW,
    decided_at: null,
  };
}

export function applicationEvent(action: S["ApplicationAction"], step: S["ApplicationStep"] | null, actor_kind = "person"): S["ApplicationEventView"] {
  return { action, actor_kind, at: NOW, opinion: null, original_checked: false, step };
}

export function publishedCancellation(number: string): S["PublishedCancellation"] {
  return {
    kind: "safety_c",
    category_label: "",
    number,
    holder_name_masked: "李*",
    enterprise_name: "示例建设有限公司",
    reason: "退休",
    cancelled_on: "2026-11-30",
  };
}

/** The bytes of a PDF, as the fake server answers them. */
export const PDF = "%PDF-1.7\n% electronic certificate\n%%EOF\n";
