// Journey 6: my certificates (我的证书) and their services (业务办理): the certificates grouped by
// status, a certificate's services with every condition each fails, applying (a cancellation
// with its reason and commitment, a correction with a PDF scan of the original, a renewal, an
// employer change, a supplement), 我的办件 with the step each waits for, withdrawing one, and
// the electronic certificate downloaded and opened.

import { isProblem, type ApiError, type Client, type DownloadOptions, type ErrorCode, type Schemas, type UploadOptions } from "../src";
import { choosePdf, openPdf } from "./wx-page";

type S = Schemas;

/** `certificate.status.code` (the contract types it as a string): the groups of 我的证书, in order. */
export const STATUS_ORDER = ["in_use", "newly_archived", "transferred_in", "unavailable", "cancelled", "replaced"] as const;

export interface StatusGroup {
  /** `status.code`. */
  code: string;
  /** `status.label` as the server words it (正常使用, 暂不可用 …). */
  label: string;
  certificates: Array<S["HolderCertificateDetail"]>;
}

export type MyCertificates =
  | { kind: "listed"; groups: StatusGroup[] }
  /** 409 `person.not_registered`: real-name registration first (or it is held for review). */
  | { kind: "register_first"; problem: ApiError };

/** 我的证书, grouped by status in STATUS_ORDER (a status the SDK does not know comes last);
 * an unavailable certificate's `status.reasons` say why, each as `zh`/`en` (`reasonTexts`). */
export async function myCertificates(api: Client): Promise<MyCertificates> {
  let listed: Array<S["HolderCertificateDetail"]>;
  try {
    listed = await api.get("/api/v1/people/me/certificates");
  } catch (e) {
    if (isProblem(e, "person.not_registered")) return { kind: "register_first", problem: e };
    throw e;
  }
  const groups: StatusGroup[] = [];
  for (const detail of listed) {
    const { code, label } = detail.certificate.status;
    let group = groups.find((g) => g.code === code);
    if (!group) groups.push((group = { code, label, certificates: [] }));
    group.certificates.push(detail);
  }
  const rank = (code: string) => {
    const at = (STATUS_ORDER as readonly string[]).indexOf(code);
    return at < 0 ? STATUS_ORDER.length : at;
  };
  return { kind: "listed", groups: groups.sort((a, b) => rank(a.code) - rank(b.code)) };
}

/** Why a certificate is unavailable (暂不可用), one line per reason, in the person's language. */
export function reasonTexts(certificate: S["HolderCertificate"], language: "zh" | "en" = "zh"): string[] {
  return certificate.status.reasons.map((reason) => reason[language]);
}

/** The services' names as the mini-program shows them (ServiceCheck names none; an application
 * names its own in `service`). */
export const SERVICE_NAMES: Record<S["ApplicationKind"], string> = {
  employer_change: "执业企业变更",
  cancellation: "证书注销",
  renewal: "证书延续",
  supplement: "证书补录",
  correction: "证书纠错",
  issue: "证书核发",
  name_change: "企业名称变更换证",
};

/** A failed condition: its code (e.g. `application.in_progress`) and the server's message. */
export type Condition = S["ServiceBar"];

export interface Service {
  service: S["ApplicationKind"];
  name: string;
  available: boolean;
  /** Every condition it fails now (empty when available): show each message under the service. */
  conditions: Condition[];
}

/** The services of one certificate, each checked by the server now (系统自动检测办理条件). */
export async function services(api: Client, certificateId: string): Promise<Service[]> {
  const checks = await api.get("/api/v1/people/me/certificates/{id}/services", { path: { id: certificateId } });
  return checks.map((check) => ({ service: check.service, name: SERVICE_NAMES[check.service], available: check.available, conditions: check.bars }));
}

/** The reasons of a cancellation (注销原因), as the person chooses them. */
export const CANCELLATION_REASONS: Record<S["CancellationReason"], string> = {
  left_the_trade: "调离建筑施工岗位",
  retired: "退休",
  health: "身体原因不能从事本岗位",
  duplicate: "持有多本同类证书",
  own_request: "本人申请",
};

export type Applied =
  /** Created: it waits for `application.waiting_for` (see `myApplications`). */
  | { kind: "applied"; application: S["ApplicationWithHistory"] }
  /** 422 `application.conditions_not_met`: every condition that fails, as `services` shows them. */
  | { kind: "conditions_not_met"; conditions: Condition[]; problem: ApiError }
  /** 422 `request.invalid_fields`: the fields to fix, each `{field, code, message}` (the commitment
   * not accepted, the scan, the dates or category, nothing corrected, a number on record). */
  | { kind: "fix_fields"; fields: ApiError["errors"]; problem: ApiError }
  /** The chosen file was refused as a scan (not a PDF, too large, cut off): choose another. */
  | { kind: "choose_again"; problem: ApiError }
  /** The certificate is not the person's, or not registered yet. */
  | { kind: "refused"; problem: ApiError };

/** An application's answer, or the refusal the page shows. */
async function applying(submit: () => Promise<S["ApplicationWithHistory"]>): Promise<Applied> {
  try {
    return { kind: "applied", application: await submit() };
  } catch (e) {
    if (isProblem(e, "application.conditions_not_met")) {
      const conditions = e.errors.map(({ code, message }) => ({ code, message }));
      return { kind: "conditions_not_met", conditions, problem: e };
    }
    if (isProblem(e, "request.invalid_fields")) return { kind: "fix_fields", fields: e.errors, problem: e };
    if (isProblem(e, "resource.not_found", "person.not_registered", "application.certificate_not_standing")) return { kind: "refused", problem: e };
    throw e;
  }
}

/** Refusals of an uploaded scan itself. */
const SCAN_REFUSED = ["document.type_not_allowed", "document.too_large", "document.pdf_incomplete", "document.empty"] as const satisfies readonly ErrorCode[];

/** A PDF the person chooses from a chat, uploaded as a scan (`application_scan`), or its refusal. */
async function uploadScan(api: Client, progress: UploadOptions): Promise<{ id: string } | { refused: ApiError }> {
  const file = await choosePdf();
  try {
    return { id: (await api.upload("application_scan", file, progress)).id };
  } catch (e) {
    if (isProblem(e, ...SCAN_REFUSED)) return { refused: e };
    throw e;
  }
}

/** 证书注销: a listed reason, and the commitment the person read and ticked (阅读并勾选确认承诺内容). */
export function applyForCancellation(api: Client, certificateId: string, reason: S["CancellationReason"], commitmentAccepted: boolean): Promise<Applied> {
  return applying(() =>
    api.post("/api/v1/people/me/certificates/{id}/cancellation", {
      path: { id: certificateId },
      body: { reason, commitment_accepted: commitmentAccepted },
    }),
  );
}

/** The data a correction (纠错) sets right; what is left out stays as it is. */
export type Corrections = Pick<S["CorrectionBody"], "number" | "issued_on" | "expires_on" | "category">;

/** 证书纠错: the right data and a PDF scan of the original, chosen from a chat and uploaded first;
 * the person then brings the original to the district's desk. */
export async function applyForCorrection(
  api: Client,
  certificateId: string,
  corrections: Corrections,
  commitmentAccepted: boolean,
  progress: UploadOptions = {},
): Promise<Applied> {
  const scan = await uploadScan(api, progress);
  if ("refused" in scan) return { kind: "choose_again", problem: scan.refused };
  return applying(() =>
    api.post("/api/v1/people/me/certificates/{id}/correction", {
      path: { id: certificateId },
      body: { ...corrections, scan_document_id: scan.id, commitment_accepted: commitmentAccepted },
    }),
  );
}

/** 证书延续, with the continuing education on record (nothing to send). */
export function applyForRenewal(api: Client, certificateId: string): Promise<Applied> {
  return applying(() => api.post("/api/v1/people/me/certificates/{id}/renewal", { path: { id: certificateId } }));
}

/** 执业企业变更 to the current employer; `atTheDesk` when the certificate's enterprise cannot
 * confirm (`application.enterprise_cannot_confirm`): a PDF proof is chosen and checked at the desk. */
export async function applyForEmployerChange(api: Client, certificateId: string, atTheDesk = false, progress: UploadOptions = {}): Promise<Applied> {
  let proof: string | null = null;
  if (atTheDesk) {
    const scan = await uploadScan(api, progress);
    if ("refused" in scan) return { kind: "choose_again", problem: scan.refused };
    proof = scan.id;
  }
  return applying(() =>
    api.post("/api/v1/people/me/certificates/{id}/employer-change", {
      path: { id: certificateId },
      body: { at_the_desk: atTheDesk, proof_document_id: proof },
    }),
  );
}

/** The paper certificate a supplement (补录) enters. */
export type PaperCertificate = Pick<S["SupplementBody"], "kind" | "category" | "number" | "issued_on" | "expires_on">;

/** 证书补录: a paper certificate not on record, with a PDF scan of it. */
export async function applyForSupplement(api: Client, paper: PaperCertificate, commitmentAccepted: boolean, progress: UploadOptions = {}): Promise<Applied> {
  const scan = await uploadScan(api, progress);
  if ("refused" in scan) return { kind: "choose_again", problem: scan.refused };
  return applying(() =>
    api.post("/api/v1/people/me/certificate-supplements", {
      body: { ...paper, scan_document_id: scan.id, commitment_accepted: commitmentAccepted },
    }),
  );
}

/** Who an application waits for, as the person reads it. */
export const WAITING_FOR: Record<S["ApplicationStep"], string> = {
  enterprise: "待企业确认",
  district: "待区县窗口受理",
  city: "待市级审批",
};

export const APPLICATION_STATES: Record<S["ApplicationState"], string> = {
  in_progress: "办理中",
  approved: "已办结",
  refused: "未通过",
  withdrawn: "已撤回",
};

/** A line of 我的办件. */
export interface Case {
  id: string;
  /** The service's name as the server gives it (执业企业变更 …). */
  service: string;
  certificateNumber: string | null;
  state: S["ApplicationState"];
  /** Where it stands: who it waits for while in progress, else how it ended. */
  standing: string;
  waitingFor: S["ApplicationStep"] | null;
  /** Only one in progress can be withdrawn. */
  withdrawable: boolean;
  at: number;
}

function line(a: S["ApplicationView"]): Case {
  const waiting = a.waiting_for ?? null;
  return {
    id: a.id,
    service: a.service,
    certificateNumber: a.certificate_number ?? null,
    state: a.state,
    standing: a.state === "in_progress" && waiting ? WAITING_FOR[waiting] : APPLICATION_STATES[a.state],
    waitingFor: waiting,
    withdrawable: a.state === "in_progress",
    at: a.created_at,
  };
}

/** 我的办件, newest first (`state` to show only those in progress, or ended ones). */
export async function myApplications(api: Client, options: { state?: S["ApplicationState"]; page?: number } = {}): Promise<Case[]> {
  const query = { page: options.page ?? 1, per_page: 20, ...(options.state ? { state: options.state } : {}) };
  return (await api.get("/api/v1/applications", { query })).map(line);
}

/** One application with its history (who acted at which step, with their opinion). */
export function applicationWithHistory(api: Client, id: string): Promise<S["ApplicationWithHistory"]> {
  return api.get("/api/v1/applications/{id}", { path: { id } });
}

export type Withdrawn =
  | { kind: "withdrawn"; application: S["ApplicationWithHistory"] }
  /** 409 `application.not_waiting`: decided meanwhile (reload 我的办件). */
  | { kind: "already_decided"; problem: ApiError };

export async function withdraw(api: Client, id: string): Promise<Withdrawn> {
  try {
    return { kind: "withdrawn", application: await api.post("/api/v1/applications/{id}/withdraw", { path: { id } }) };
  } catch (e) {
    if (isProblem(e, "application.not_waiting")) return { kind: "already_decided", problem: e };
    throw e;
  }
}

export type Opened =
  | { kind: "opened"; filePath: string }
  /** 409 `certificate.not_printable`: only a certificate in use has one (show `status.reasons`). */
  | { kind: "not_printable"; problem: ApiError }
  /** 503 (e.g. `certificate.font_missing`): try again later. */
  | { kind: "try_later"; problem: ApiError };

/** The electronic certificate (电子证书): downloaded (wx.downloadFile) and opened in WeChat's
 * viewer, whose menu forwards or saves it. Downloaded anew each time: after a change, renewal
 * or correction the old one reads as superseded when its QR code is checked. */
export async function openElectronicCertificate(api: Client, certificateId: string, progress: DownloadOptions = {}): Promise<Opened> {
  try {
    const file = await api.download("/api/v1/people/me/certificates/{id}/electronic", { path: { id: certificateId }, ...progress });
    await openPdf(file.tempFilePath);
    return { kind: "opened", filePath: file.tempFilePath };
  } catch (e) {
    if (isProblem(e, "certificate.not_printable")) return { kind: "not_printable", problem: e };
    if (isProblem(e) && e.status === 503) return { kind: "try_later", problem: e };
    throw e;
  }
}

/** The published cancellations (注销公示), newest first; no sign-in needed. */
export function publishedCancellations(api: Client, page = 1): Promise<Array<S["PublishedCancellation"]>> {
  return api.get("/api/v1/public/certificate-cancellations", { query: { page, per_page: 20 } });
}
