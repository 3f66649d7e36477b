// A fake zhujian server for the journeys: the routes the mini-program uses, with the real
// server's rules where the client decides the outcome (bearer tokens and their expiry, refresh
// tokens that work once, challenges spent once, one photo per pose, uploads by purpose, the
// conditions of a certificate's services, one application in progress per person).

import type { ErrorCode, PathsWith, Schemas } from "../src";
import type { Reply, Sent } from "./fake-wx";
import * as fx from "./fixtures";

type S = Schemas;
type Handler = (sent: Sent, params: Record<string, string>) => Reply;
/** A route of the contract: a fake route the API does not have fails the build. */
type Route = `GET ${PathsWith<"get">}` | `POST ${PathsWith<"post">}`;

interface Issued {
  challenge: S["Challenge"];
  purpose: string;
  target: string;
  used: boolean;
}

export class FakeServer {
  /** Poses of every challenge issued (empty: one selfie). */
  poses: Array<S["Pose"]> = ["front", "left"];
  /** The access tokens' lifetime in seconds (`expires_in`). */
  expiresIn = 900;
  /** Answer registrations with 202 held_for_review. */
  holdRegistration = false;
  status: "unregistered" | "registered" | "held_for_review" = "unregistered";
  requests: Array<S["RequestView"]> = [fx.requestView("request-1", "pending"), fx.requestView("request-0", "accepted")];
  tasks: Array<S["TaskView"]> = [fx.taskView("task-1", false)];
  notices: Array<S["NotificationView"]> = [
    fx.notification(
      "n-2",
      "verification.check_in_open",
      { title: "资质核查打卡已开始", body: "示例建设有限公司 建筑工程施工总承包 一级" },
      { task_id: "task-1", enterprise: "示例建设有限公司" },
      false,
    ),
    fx.notification(
      "n-1",
      "employment.requested",
      { title: "企业请您确认聘用关系", body: "示例建设有限公司 · 项目经理" },
      { request_id: "request-1", position: "项目经理" },
      true,
    ),
  ];
  /** 我的证书, in the server's order. */
  certificates: Array<S["HolderCertificateDetail"]> = [
    fx.holderCertificate("cert-2", "鲁建安C(2023)0000002", "unavailable", { kind: "safety_c", reasons: ["expired", "employer_differs"] }),
    fx.holderCertificate("cert-1", "鲁建安B(2024)0000001", "in_use"),
    fx.holderCertificate("cert-0", "鲁建安A(2020)0000009", "cancelled", { kind: "safety_a" }),
    fx.holderCertificate("cert-3", "T-0003", "newly_archived", { kind: "special" }),
  ];
  /** The conditions each service of a certificate fails, by `certificate service`: the services
   * page shows them and an application is refused with them (besides one in progress). */
  readonly bars = new Map<string, Array<[ErrorCode, string]>>([
    ["cert-1 employer_change", [["application.already_with_employer", "证书已登记在当前聘用企业，无需变更"]]],
    ["cert-1 renewal", [["application.not_yet_renewable", "尚未到延续申请期，2026-11-30 起可申请"]]],
    ["cert-2 renewal", [
      ["application.employer_differs", "证书登记企业与当前聘用企业不一致，请先办理执业企业变更"],
      ["application.education_short", "继续教育合格学时不足：已有 8 学时，须 24 学时"],
    ]],
    ...(["employer_change", "cancellation", "renewal", "correction"] as const).map(
      (service): [string, Array<[ErrorCode, string]>] => [`cert-0 ${service}`, [["application.certificate_not_standing", "证书已注销或已被替换"]]],
    ),
  ]);
  /** 我的办件, newest first. */
  applications: Array<S["ApplicationWithHistory"]> = [];
  cancellations: Array<S["PublishedCancellation"]> = [fx.publishedCancellation("鲁建安C(2019)0000100")];
  readonly documents = new Map<string, S["Purpose"]>();
  /** Refresh tokens: true once spent. */
  readonly refreshTokens = new Map<string, boolean>();
  /** Access tokens: whether expired. */
  readonly accessTokens = new Map<string, boolean>();
  readonly challenges = new Map<string, Issued>();
  readonly faceSessions = new Map<string, { purpose: string; target: string | null }>();
  private readonly failures = new Map<string, Reply[]>();
  private pairs = 0;
  private readonly counters = new Map<string, number>();

  readonly handle = (sent: Sent): Reply => {
    const key = `${sent.method} ${sent.path}`;
    const failure = this.failures.get(key)?.shift();
    for (const [route, handler] of this.routes) {
      const params = match(route, key);
      if (!params) continue;
      if (!PUBLIC.includes(route)) {
        const refused = this.authenticate(sent);
        if (refused) return refused;
      }
      return failure ?? handler(sent, params);
    }
    return fx.problem("route.not_found");
  };

  /** The next call to `METHOD /path` answers this instead (after authentication). */
  failNext(route: string, reply: Reply): void {
    this.failures.set(route, [...(this.failures.get(route) ?? []), reply]);
  }

  expireAccessTokens(): void {
    for (const token of this.accessTokens.keys()) this.accessTokens.set(token, true);
  }

  private issuePair(): S["TokenPair"] {
    this.pairs += 1;
    const pair = { ...fx.tokenPair(this.pairs), expires_in: this.expiresIn };
    this.accessTokens.set(pair.access_token, false);
    this.refreshTokens.set(pair.refresh_token, false);
    return pair;
  }

  private authenticate(sent: Sent): Reply | null {
    const token = /^Bearer (.+)$/.exec(sent.header["Authorization"] ?? "")?.[1];
    if (!token) return fx.problem("auth.missing_token");
    const expired = this.accessTokens.get(token);
    if (expired === undefined) return fx.problem("auth.invalid_token");
    return expired ? fx.problem("auth.token_expired") : null;
  }

  private next(prefix: string): string {
    const n = (this.counters.get(prefix) ?? 0) + 1;
    this.counters.set(prefix, n);
    return `${prefix}-${n}`;
  }

  private issueChallenge(purpose: string, target: string): Reply {
    const challenge = fx.challenge(this.next("challenge"), this.poses);
    this.challenges.set(challenge.challenge_id, { challenge, purpose, target, used: false });
    return fx.json(201, challenge);
  }

  /** The evidence of a face-checked act, refused as the server would; spends the challenge. */
  private refuseEvidence(
    body: { challenge_id: string; selfie_document_id?: string | null; liveness_document_ids?: string[]; verify_id?: string | null },
    purpose: string,
    target: string,
  ): Reply | null {
    const issued = this.challenges.get(body.challenge_id);
    if (!issued || issued.purpose !== purpose || issued.target !== target) return fx.problem("challenge.invalid", { field: "challenge_id" });
    if (issued.used) return fx.problem("challenge.used", { field: "challenge_id" });
    issued.used = true;
    if (body.verify_id) {
      const session = this.faceSessions.get(body.verify_id);
      const wanted = purpose === "employment.accept" ? "employment_accept" : "check_in";
      return session && session.purpose === wanted && session.target === target ? null : fx.problem("wechat_face.invalid");
    }
    const photos = [body.selfie_document_id, ...(body.liveness_document_ids ?? [])];
    if (!body.selfie_document_id) return fx.problem("face.evidence_required");
    if (photos.some((id) => id === null || id === undefined || this.documents.get(id) !== "selfie")) return fx.problem("person.photo_purpose");
    if (photos.length !== Math.max(issued.challenge.poses.length, 1)) return fx.problem("liveness.frame_count", { field: "liveness_document_ids" });
    if (new Set(photos).size !== photos.length) return fx.problem("liveness.repeated_frame");
    return null;
  }

  private certificate(id: string): S["HolderCertificate"] | undefined {
    return this.certificates.find((c) => c.certificate.id === id)?.certificate;
  }

  /** Every condition the service fails now, as the server checks them before an application. */
  private failing(certificateId: string | null, service: S["ApplicationKind"]): Array<[ErrorCode, string]> {
    const bars = [...(this.bars.get(`${certificateId ?? "-"} ${service}`) ?? [])];
    if (this.applications.some((a) => a.application.state === "in_progress")) bars.push(["application.in_progress", "有正在办理的业务"]);
    return bars;
  }

  /** An application of the person, waiting at its chain's first step; or every failed condition. */
  private apply(service: S["ApplicationKind"], certificateId: string | null, detail: S["ApplicationDetail"] = {}, documentId: string | null = null): Reply {
    const certificate = certificateId === null ? null : this.certificate(certificateId);
    if (certificate === undefined) return fx.problem("resource.not_found", { status: 404 });
    const bars = this.failing(certificateId, service);
    if (bars.length > 0) {
      const fields = bars.map(([code, message]) => ({ field: "conditions", code, message }));
      return fx.problem("application.conditions_not_met", { detail: "不满足办理条件", fields });
    }
    const steps = service === "employer_change" && detail.at_the_desk ? ["district" as const] : undefined;
    const application = fx.applicationView(this.next("application"), service, certificate, {
      detail,
      document_id: documentId,
      ...(steps ? { steps } : {}),
    });
    const created = { application, history: [fx.applicationEvent("submitted", null)] };
    this.applications.unshift(created);
    return fx.json(201, created);
  }

  private readonly routes: Array<[Route, Handler]> = [
    ["POST /api/v1/auth/wechat/login", (sent) => {
      const { code } = sent.body as S["WechatLogin"];
      return code.startsWith("wx-code-") ? fx.json(200, this.issuePair()) : fx.problem("auth.wechat_code_invalid");
    }],
    ["POST /api/v1/auth/refresh", (sent) => {
      const { refresh_token } = sent.body as S["RefreshRequest"];
      const spent = this.refreshTokens.get(refresh_token);
      if (spent === undefined) return fx.problem("auth.invalid_refresh_token");
      if (spent) return fx.problem("auth.refresh_token_reused");
      this.refreshTokens.set(refresh_token, true);
      return fx.json(200, this.issuePair());
    }],
    ["POST /api/v1/auth/logout", (sent) => {
      this.refreshTokens.delete((sent.body as S["RefreshRequest"]).refresh_token);
      return { status: 204 };
    }],
    ["GET /api/v1/people/me", () => fx.json(200, fx.profile(this.status))],
    ["POST /api/v1/documents", (sent) => {
      const purpose = sent.query["purpose"] as S["Purpose"];
      if (sent.name !== "file") return fx.problem("document.file_missing");
      const id = this.next("doc");
      this.documents.set(id, purpose);
      return fx.json(201, fx.documentView(id, purpose));
    }],
    ["POST /api/v1/people/me/registration/challenge", () => this.issueChallenge("people.register", "person-1")],
    ["POST /api/v1/people/me/registration", (sent) => {
      const body = sent.body as S["Registration"];
      if (this.documents.get(body.portrait_document_id) !== "id_portrait") return fx.problem("person.photo_purpose", { field: "portrait_document_id" });
      const refused = this.refuseEvidence({ ...body, challenge_id: body.challenge_id ?? "" }, "people.register", "person-1");
      if (refused) return refused;
      this.status = this.holdRegistration ? "held_for_review" : "registered";
      return fx.json(this.holdRegistration ? 202 : 200, fx.profile(this.status));
    }],
    ["POST /api/v1/people/me/wechat-face", (sent) => {
      const body = sent.body as S["WechatFaceStart"];
      const verify_id = this.next("verify");
      this.faceSessions.set(verify_id, { purpose: body.purpose, target: body.target_id ?? null });
      return fx.json(201, { verify_id, expires_at: fx.NOW + 3_600_000 } satisfies S["WechatFaceSession"]);
    }],
    ["GET /api/v1/employment/requests", () => fx.json(200, this.requests)],
    ["POST /api/v1/employment/requests/{id}/challenge", (_, { id = "" }) => {
      const request = this.requests.find((r) => r.id === id);
      if (!request) return fx.problem("resource.not_found", { status: 404 });
      return request.state === "pending" ? this.issueChallenge("employment.accept", id) : fx.problem("employment.request_not_pending");
    }],
    ["POST /api/v1/employment/requests/{id}/accept", (sent, { id = "" }) => {
      const refused = this.refuseEvidence(sent.body as S["Acceptance"], "employment.accept", id);
      if (refused) return refused;
      const request = this.requests.find((r) => r.id === id);
      if (!request) return fx.problem("resource.not_found", { status: 404 });
      request.state = "accepted";
      return fx.json(201, fx.employmentView(request));
    }],
    ["GET /api/v1/verification/tasks", () => fx.json(200, this.tasks)],
    ["POST /api/v1/verification/tasks/{id}/check-in/challenge", (_, { id = "" }) => this.issueChallenge("verification.check_in", id)],
    ["POST /api/v1/verification/tasks/{id}/check-in", (sent, { id = "" }) => {
      const body = sent.body as S["CheckInBody"];
      const refused = this.refuseEvidence(body, "verification.check_in", id);
      if (refused) return refused;
      if (!(body.accuracy_m > 0)) return fx.problem("check_in.accuracy_invalid", { field: "accuracy_m" });
      return fx.json(201, fx.checkInResult(id, body, "accepted"));
    }],
    ["GET /api/v1/notifications", (sent) => {
      const page = Number(sent.query["page"] ?? 1);
      const perPage = Number(sent.query["per_page"] ?? 50);
      return fx.json(200, this.notices.slice((page - 1) * perPage, page * perPage));
    }],
    ["POST /api/v1/notifications/{id}/read", (_, { id = "" }) => {
      const notice = this.notices.find((n) => n.id === id);
      if (!notice) return fx.problem("resource.not_found", { status: 404 });
      notice.read_at ??= fx.NOW;
      return { status: 204 };
    }],
    ["GET /api/v1/people/me/certificates", () =>
      this.status === "registered" ? fx.json(200, this.certificates) : fx.problem("person.not_registered", { status: 409 })],
    ["GET /api/v1/people/me/certificates/{id}/services", (_, { id = "" }) => {
      if (!this.certificate(id)) return fx.problem("resource.not_found", { status: 404 });
      const services = (["employer_change", "cancellation", "renewal", "correction"] as const).map((service) =>
        fx.serviceCheck(service, this.failing(id, service)),
      );
      return fx.json(200, services);
    }],
    ["POST /api/v1/people/me/certificates/{id}/employer-change", (sent, { id = "" }) => {
      const body = sent.body as S["EmployerChangeBody"];
      const proof = body.proof_document_id ?? null;
      if ((body.at_the_desk && !proof) || (proof && this.documents.get(proof) !== "application_scan")) return scanRequired("proof_document_id");
      return this.apply("employer_change", id, { at_the_desk: body.at_the_desk ?? false, from_enterprise_name: "原建设有限公司" }, proof);
    }],
    ["POST /api/v1/people/me/certificates/{id}/cancellation", (sent, { id = "" }) => {
      const body = sent.body as S["CancellationBody"];
      if (!body.commitment_accepted) return commitmentRequired();
      return this.apply("cancellation", id, { reason: body.reason });
    }],
    ["POST /api/v1/people/me/certificates/{id}/renewal", (sent, { id = "" }) => {
      if (sent.body !== undefined) return fx.problem("request.invalid");
      return this.apply("renewal", id);
    }],
    ["POST /api/v1/people/me/certificates/{id}/correction", (sent, { id = "" }) => {
      const body = sent.body as S["CorrectionBody"];
      if (!body.commitment_accepted) return commitmentRequired();
      if (this.documents.get(body.scan_document_id) !== "application_scan") return scanRequired("scan_document_id");
      const before = this.certificate(id);
      const changes = { number: body.number, issued_on: body.issued_on, expires_on: body.expires_on, category: body.category };
      const correction = Object.fromEntries(
        Object.entries(changes).filter(([field, value]) => value != null && value !== before?.[field as keyof typeof changes]),
      );
      if (before && Object.keys(correction).length === 0) {
        return fx.problem("request.invalid_fields", { fields: [{ field: "number", code: "application.nothing_corrected", message: "纠错内容与证书现有信息相同" }] });
      }
      // The contract types `detail.correction` as an object without fields (Record<string, never>).
      return this.apply("correction", id, { correction: correction as unknown as S["ApplicationDetail"]["correction"] }, body.scan_document_id);
    }],
    ["POST /api/v1/people/me/certificate-supplements", (sent) => {
      const body = sent.body as S["SupplementBody"];
      if (!body.commitment_accepted) return commitmentRequired();
      if (this.documents.get(body.scan_document_id) !== "application_scan") return scanRequired("scan_document_id");
      const kind = body.kind as S["HolderCertificateKind"];
      const certificate = { kind, category: body.category ?? "", number: body.number, issued_on: body.issued_on, expires_on: body.expires_on };
      return this.apply("supplement", null, { certificate }, body.scan_document_id);
    }],
    ["GET /api/v1/people/me/certificates/{id}/electronic", (_, { id = "" }) => {
      const certificate = this.certificate(id);
      if (!certificate) return fx.problem("resource.not_found", { status: 404 });
      if (!["in_use", "newly_archived", "transferred_in"].includes(certificate.status.code)) return fx.problem("certificate.not_printable");
      return { status: 200, body: fx.PDF, header: { "content-type": "application/pdf" } };
    }],
    ["GET /api/v1/applications", (sent) => {
      const { state, kind } = sent.query;
      const page = Number(sent.query["page"] ?? 1);
      const perPage = Number(sent.query["per_page"] ?? 50);
      const listed = this.applications
        .map((a) => a.application)
        .filter((a) => (!state || a.state === state) && (!kind || a.kind === kind));
      return fx.json(200, listed.slice((page - 1) * perPage, page * perPage));
    }],
    ["GET /api/v1/applications/{id}", (_, { id = "" }) => {
      const found = this.applications.find((a) => a.application.id === id);
      return found ? fx.json(200, found) : fx.problem("resource.not_found", { status: 404 });
    }],
    ["POST /api/v1/applications/{id}/withdraw", (_, { id = "" }) => {
      const found = this.applications.find((a) => a.application.id === id);
      if (!found) return fx.problem("resource.not_found", { status: 404 });
      const { application } = found;
      if (application.state !== "in_progress") return fx.problem("application.not_waiting");
      found.history.push(fx.applicationEvent("withdrawn", application.waiting_for ?? null));
      Object.assign(application, { state: "withdrawn", waiting_for: null, decided_at: fx.NOW, updated_at: fx.NOW });
      return fx.json(200, found);
    }],
    ["GET /api/v1/public/certificate-cancellations", (sent) => {
      const page = Number(sent.query["page"] ?? 1);
      const perPage = Number(sent.query["per_page"] ?? 50);
      return fx.json(200, this.cancellations.slice((page - 1) * perPage, page * perPage));
    }],
  ];
}

function commitmentRequired(): Reply {
  return fx.problem("request.invalid_fields", {
    fields: [{ field: "commitment_accepted", code: "application.commitment_required", message: "请阅读并勾选承诺内容" }],
  });
}

function scanRequired(field: string): Reply {
  return fx.problem("request.invalid_fields", {
    fields: [{ field, code: "application.scan_required", message: "请上传 PDF 扫描件（用途 application_scan）" }],
  });
}

const PUBLIC: Route[] = [
  "POST /api/v1/auth/wechat/login",
  "POST /api/v1/auth/refresh",
  "POST /api/v1/auth/logout",
  "GET /api/v1/public/certificate-cancellations",
];

/** The path parameters of `METHOD /path` under a route like `POST /a/{id}/b`, or null. */
function match(route: Route, key: string): Record<string, string> | null {
  const names: string[] = [];
  const pattern = route.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{([^}]+)\}/g, (_, name: string) => {
    names.push(name);
    return "([^/]+)";
  });
  const found = new RegExp(`^${pattern}$`).exec(key);
  if (!found) return null;
  return Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(found[i + 1] ?? "")]));
}
