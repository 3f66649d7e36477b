// Every mini-program journey of examples/ run against the fake wx (as the global `wx`, the way
// the mini-program has it) and the fake server: the requests they make, and what they return.

import assert from "node:assert/strict";
import { beforeEach, test } from "node:test";

import { createClient, type Client, type Schemas } from "../src";
import { accept, pendingRequests } from "../examples/accept-employment";
import {
  applicationWithHistory,
  applyForCancellation,
  applyForCorrection,
  applyForEmployerChange,
  applyForRenewal,
  applyForSupplement,
  myApplications,
  myCertificates,
  openElectronicCertificate,
  publishedCancellations,
  reasonTexts,
  services,
  withdraw,
} from "../examples/certificates";
import { checkIn, taskToCheckIn } from "../examples/check-in";
import { inbox, open } from "../examples/notifications";
import { register } from "../examples/register";
import { myProfile, start } from "../examples/sign-in";
import { FakeWx, ORIGIN } from "./fake-wx";
import * as fx from "./fixtures";
import { FakeServer } from "./server";

let server: FakeServer;
let wx: FakeWx;
let api: Client;

beforeEach(() => {
  server = new FakeServer();
  wx = new FakeWx(server.handle);
  (globalThis as { wx?: FakeWx }).wx = wx;
  api = createClient({ baseUrl: ORIGIN, now: () => fx.NOW });
});

const form = { id_number: "11010519491231002X", name: "张三", phone: "13812345678" };
const bodyOf = <T>(path: string, index = 0): T => wx.to(path)[index]?.body as T;

test("sign in: WeChat login on launch, then the page the person's status leads to", async () => {
  assert.equal(await start(api), "register");
  assert.deepEqual(wx.sent.map((s) => s.path), ["/api/v1/auth/wechat/login", "/api/v1/people/me"]);
  server.status = "registered";
  assert.equal(await start(api), "home");
  assert.equal(wx.to("/api/v1/auth/wechat/login").length, 1, "signed in once");
});

test("sign in: an ended sign-in signs in again", async () => {
  await api.signIn();
  server.failNext("GET /api/v1/people/me", fx.problem("auth.session_ended"));
  const profile = await myProfile(api);
  assert.equal(profile.status, "unregistered");
  assert.deepEqual(wx.to("/api/v1/auth/wechat/login").map((s) => s.body), [{ code: "wx-code-1" }, { code: "wx-code-2" }]);
});

test("register: portrait, a challenge, one camera photo per pose, then the registration", async () => {
  await api.signIn();
  const progress: number[] = [];
  const outcome = await register(api, form, { onProgress: (p) => progress.push(p.progress) });
  assert.equal(outcome.kind, "registered");
  const uploads = wx.sent.filter((s) => s.kind === "upload");
  assert.deepEqual(
    uploads.map((u) => [u.query["purpose"], u.filePath]),
    [
      ["id_portrait", "wxfile://tmp/id-card.jpg"],
      ["selfie", "wxfile://tmp/photo-1.jpg"],
      ["selfie", "wxfile://tmp/photo-2.jpg"],
    ],
  );
  const challengeAt = wx.sent.findIndex((s) => s.path === "/api/v1/people/me/registration/challenge");
  assert.ok(challengeAt < wx.sent.indexOf(uploads[1]!), "the selfie is taken after the challenge");
  assert.deepEqual(wx.told, ["请正对镜头", "请向左转头约 30°"]);
  const body = bodyOf<Schemas["Registration"]>("/api/v1/people/me/registration");
  const [portrait, selfie, left] = [...server.documents.keys()];
  assert.deepEqual(body, { ...form, portrait_document_id: portrait, challenge_id: "challenge-1", selfie_document_id: selfie, liveness_document_ids: [left] });
  assert.deepEqual(progress, [40, 100, 40, 100, 40, 100]);
});

test("register: without liveness one selfie; a held registration shows its notice", async () => {
  server.poses = [];
  server.holdRegistration = true;
  await api.signIn();
  const outcome = await register(api, form);
  assert.equal(outcome.kind, "held_for_review");
  assert.equal(outcome.kind === "held_for_review" && outcome.profile.notice?.code, "person.registration_held");
  assert.deepEqual(bodyOf<Schemas["Registration"]>("/api/v1/people/me/registration").liveness_document_ids, []);
  assert.equal(wx.told[wx.told.length - 1], fx.profile("held_for_review").notice?.message_zh);
});

test("register: a reused photo asks for new photos", async () => {
  await api.signIn();
  server.failNext("POST /api/v1/people/me/registration", fx.problem("photo.reused", { field: "selfie_document_id" }));
  const outcome = await register(api, form);
  assert.equal(outcome.kind, "take_again");
  assert.equal(outcome.kind === "take_again" && outcome.problem.errors[0]?.field, "selfie_document_id");
});

test("accept employment: the pending request, its challenge, the photos, the acceptance", async () => {
  await api.signIn();
  const pending = await pendingRequests(api);
  assert.deepEqual(pending.map((r) => r.id), ["request-1"]);
  const outcome = await accept(api, pending[0]!);
  assert.equal(outcome.kind, "accepted");
  assert.equal(outcome.kind === "accepted" && outcome.employment.position, "项目经理");
  const body = bodyOf<Schemas["Acceptance"]>("/api/v1/employment/requests/request-1/accept");
  assert.equal(body.challenge_id, "challenge-1");
  assert.equal(body.liveness_document_ids?.length, 1);
  assert.equal(server.documents.get(body.selfie_document_id ?? ""), "selfie");
});

test("accept employment: with WeChat face verification, its verify_id instead of a selfie", async () => {
  await api.signIn();
  const [request] = await pendingRequests(api);
  const outcome = await accept(api, request!, "wechat");
  assert.equal(outcome.kind, "accepted");
  assert.deepEqual(bodyOf("/api/v1/people/me/wechat-face"), { purpose: "employment_accept", target_id: "request-1" });
  const body = bodyOf<Schemas["Acceptance"]>("/api/v1/employment/requests/request-1/accept");
  assert.deepEqual(body, { challenge_id: "challenge-1", verify_id: wx.verified[0] });
  assert.equal(wx.sent.filter((s) => s.kind === "upload").length, 0);
});

test("accept employment: a request answered meanwhile is refused with its code", async () => {
  await api.signIn();
  const outcome = await accept(api, fx.requestView("request-0", "pending"));
  assert.equal(outcome.kind, "refused");
  assert.equal(outcome.kind === "refused" && outcome.problem.code, "employment.request_not_pending");
});

test("check-in: the task awaiting the person, a challenge, photos, the position in WGS-84", async () => {
  await api.signIn();
  const task = await taskToCheckIn(api);
  assert.equal(task?.id, "task-1");
  const outcome = await checkIn(api, task!);
  assert.equal(outcome.kind, "checked_in");
  assert.equal(outcome.kind === "checked_in" && outcome.result.attempt.outcome, "accepted");
  const body = bodyOf<Schemas["CheckInBody"]>("/api/v1/verification/tasks/task-1/check-in");
  assert.equal(body.challenge_id, "challenge-1");
  assert.deepEqual([body.latitude, body.longitude, body.accuracy_m, body.system], [36.6512, 117.1201, 12, "wgs84"]);
  assert.equal(body.liveness_document_ids?.length, 1);

  server.tasks = [fx.taskView("task-1", true)];
  assert.equal(await taskToCheckIn(api), undefined, "nothing left to check in");
});

test("check-in: outside the site is a try again with the server's detail", async () => {
  await api.signIn();
  server.failNext("POST /api/v1/verification/tasks/task-1/check-in", fx.problem("check_in.outside", { detail: "您距企业登记地址 850 米" }));
  const outcome = await checkIn(api, fx.taskView("task-1", false));
  assert.equal(outcome.kind, "try_again");
  assert.equal(outcome.kind === "try_again" && outcome.problem.detail, "您距企业登记地址 850 米");
});

test("notifications: the inbox with titles and details; opening marks an unread notice read", async () => {
  await api.signIn();
  const notices = await inbox(api);
  assert.deepEqual(wx.to("/api/v1/notifications")[0]?.query, { page: "1", per_page: "20" });
  assert.deepEqual(notices.map((n) => [n.title, n.read]), [["资质核查打卡已开始", false], ["企业请您确认聘用关系", true]]);
  assert.equal(notices[1]?.body, "示例建设有限公司 · 项目经理");
  assert.deepEqual(await open(api, notices[0]!), { page: "check-in", taskId: "task-1" });
  assert.equal(wx.to("/api/v1/notifications/n-2/read").length, 1);
  assert.notEqual(server.notices[0]?.read_at, null);
  assert.deepEqual(await open(api, notices[1]!), { page: "accept-employment", requestId: "request-1" });
  assert.equal(wx.to("/api/v1/notifications/n-1/read").length, 0, "a read notice is not marked again");
});

test("certificates: 我的证书 grouped by status in order, an unavailable one with every reason; registration first", async () => {
  await api.signIn();
  const unregistered = await myCertificates(api);
  assert.equal(unregistered.kind, "register_first");
  server.status = "registered";
  const mine = await myCertificates(api);
  assert.equal(mine.kind, "listed");
  if (mine.kind !== "listed") return;
  assert.deepEqual(
    mine.groups.map((g) => [g.code, g.label, g.certificates.map((c) => c.certificate.id)]),
    [
      ["in_use", "正常使用", ["cert-1"]],
      ["newly_archived", "新增归档", ["cert-3"]],
      ["unavailable", "暂不可用", ["cert-2"]],
      ["cancelled", "已注销", ["cert-0"]],
    ],
  );
  const unavailable = mine.groups[2]!.certificates[0]!.certificate;
  assert.deepEqual(reasonTexts(unavailable), ["证书已过有效期，请办理证书延续", "当前聘用企业与证书登记企业不一致，请办理执业企业变更"]);
  assert.equal(reasonTexts(unavailable, "en")[0], "The certificate has expired; apply for a renewal");
  assert.deepEqual(wx.to("/api/v1/people/me/certificates").map((s) => s.method), ["GET", "GET"]);
});

test("certificates: a certificate's services, each unavailable one with every condition it fails", async () => {
  await api.signIn();
  const offered = await services(api, "cert-2");
  assert.equal(wx.to("/api/v1/people/me/certificates/cert-2/services").length, 1);
  assert.deepEqual(
    offered.map((s) => [s.service, s.name, s.available, s.conditions.map((c) => c.code)]),
    [
      ["employer_change", "执业企业变更", true, []],
      ["cancellation", "证书注销", true, []],
      ["renewal", "证书延续", false, ["application.employer_differs", "application.education_short"]],
      ["correction", "证书纠错", true, []],
    ],
  );
  assert.equal(offered[2]?.conditions[1]?.message, "继续教育合格学时不足：已有 8 学时，须 24 学时");
});

test("certificates: a cancellation with its reason and the commitment waits for the enterprise; unticked, the commitment is the field to fix", async () => {
  await api.signIn();
  const unticked = await applyForCancellation(api, "cert-1", "retired", false);
  assert.equal(unticked.kind, "fix_fields");
  assert.deepEqual(unticked.kind === "fix_fields" && unticked.fields.map((f) => [f.field, f.code]), [["commitment_accepted", "application.commitment_required"]]);
  assert.equal(server.applications.length, 0);

  const applied = await applyForCancellation(api, "cert-1", "retired", true);
  assert.deepEqual(bodyOf("/api/v1/people/me/certificates/cert-1/cancellation", 1), { reason: "retired", commitment_accepted: true });
  assert.equal(applied.kind, "applied");
  if (applied.kind !== "applied") return;
  const { application, history } = applied.application;
  assert.deepEqual([application.kind, application.waiting_for, application.steps], ["cancellation", "enterprise", ["enterprise", "city"]]);
  assert.equal(application.detail.reason, "retired");
  assert.deepEqual(history.map((e) => e.action), ["submitted"]);
});

test("certificates: a refused application shows each failed condition, one in progress among them", async () => {
  await api.signIn();
  assert.equal((await applyForCancellation(api, "cert-1", "duplicate", true)).kind, "applied");
  const refused = await applyForRenewal(api, "cert-2");
  assert.equal(wx.to("/api/v1/people/me/certificates/cert-2/renewal")[0]?.body, undefined, "a renewal sends no body");
  assert.equal(refused.kind, "conditions_not_met");
  if (refused.kind !== "conditions_not_met") return;
  assert.equal(refused.problem.status, 422);
  assert.deepEqual(refused.conditions, [
    { code: "application.employer_differs", message: "证书登记企业与当前聘用企业不一致，请先办理执业企业变更" },
    { code: "application.education_short", message: "继续教育合格学时不足：已有 8 学时，须 24 学时" },
    { code: "application.in_progress", message: "有正在办理的业务" },
  ]);
  assert.deepEqual(refused.problem.errors.map((e) => e.field), ["conditions", "conditions", "conditions"]);
  assert.equal(server.applications.length, 1);
});

test("certificates: a correction uploads the chosen PDF as application_scan and applies with it", async () => {
  await api.signIn();
  const progress: number[] = [];
  const same = await applyForCorrection(api, "cert-1", { number: "鲁建安B(2024)0000001" }, true);
  assert.equal(same.kind, "fix_fields");
  assert.deepEqual(same.kind === "fix_fields" && same.fields.map((f) => f.code), ["application.nothing_corrected"]);

  const applied = await applyForCorrection(api, "cert-1", { number: "鲁建安B(2024)0000011", expires_on: "2027-03-01" }, true, {
    onProgress: (p) => progress.push(p.progress),
  });
  const uploads = wx.sent.filter((s) => s.kind === "upload");
  assert.deepEqual(uploads.map((u) => [u.query["purpose"], u.filePath]), [
    ["application_scan", "wxfile://tmp/scan.pdf"],
    ["application_scan", "wxfile://tmp/scan.pdf"],
  ]);
  assert.deepEqual(bodyOf("/api/v1/people/me/certificates/cert-1/correction", 1), {
    number: "鲁建安B(2024)0000011",
    expires_on: "2027-03-01",
    scan_document_id: "doc-2",
    commitment_accepted: true,
  });
  assert.equal(applied.kind, "applied");
  if (applied.kind !== "applied") return;
  assert.deepEqual([applied.application.application.waiting_for, applied.application.application.document_id], ["district", "doc-2"]);
  assert.deepEqual(progress, [40, 100]);

  server.failNext("POST /api/v1/documents", fx.problem("document.type_not_allowed", { status: 415, detail: "文件内容为 image/jpeg，此用途只接受 application/pdf" }));
  const notPdf = await applyForCorrection(api, "cert-1", { number: "X" }, true);
  assert.equal(notPdf.kind, "choose_again");
  assert.equal(wx.to("/api/v1/people/me/certificates/cert-1/correction").length, 2, "no application without its scan");
});

test("certificates: an employer change at the desk sends its proof; a supplement meanwhile is barred by the one in progress", async () => {
  await api.signIn();
  const change = await applyForEmployerChange(api, "cert-2", true);
  assert.deepEqual(bodyOf("/api/v1/people/me/certificates/cert-2/employer-change"), { at_the_desk: true, proof_document_id: "doc-1" });
  assert.equal(change.kind, "applied");
  assert.deepEqual(change.kind === "applied" && change.application.application.steps, ["district"]);

  const paper = { kind: "special" as const, category: "建筑电工", number: "T-9", issued_on: "2024-03-01", expires_on: "2026-02-28" };
  const supplement = await applyForSupplement(api, paper, true);
  assert.deepEqual(bodyOf("/api/v1/people/me/certificate-supplements"), { ...paper, scan_document_id: "doc-2", commitment_accepted: true });
  assert.equal(supplement.kind, "conditions_not_met");
  assert.deepEqual(supplement.kind === "conditions_not_met" && supplement.conditions.map((c) => c.code), ["application.in_progress"]);
});

test("certificates: 我的办件 shows who each waits for; withdrawn once, then it has ended", async () => {
  await api.signIn();
  const applied = await applyForCancellation(api, "cert-1", "health", true);
  const id = applied.kind === "applied" ? applied.application.application.id : "";
  const [listed] = await myApplications(api);
  assert.deepEqual(wx.to("/api/v1/applications")[0]?.query, { page: "1", per_page: "20" });
  assert.deepEqual(listed, {
    id,
    service: "证书注销",
    certificateNumber: "鲁建安B(2024)0000001",
    state: "in_progress",
    standing: "待企业确认",
    waitingFor: "enterprise",
    withdrawable: true,
    at: fx.NOW,
  });

  const withdrawn = await withdraw(api, id);
  assert.equal(wx.to(`/api/v1/applications/${id}/withdraw`)[0]?.method, "POST");
  assert.equal(withdrawn.kind, "withdrawn");
  const detail = await applicationWithHistory(api, id);
  assert.deepEqual(detail.history.map((e) => [e.action, e.step ?? null]), [["submitted", null], ["withdrawn", "enterprise"]]);
  const ended = await myApplications(api, { state: "withdrawn" });
  assert.deepEqual(wx.to("/api/v1/applications")[1]?.query, { page: "1", per_page: "20", state: "withdrawn" });
  assert.deepEqual(ended.map((c) => [c.standing, c.waitingFor, c.withdrawable]), [["已撤回", null, false]]);

  const again = await withdraw(api, id);
  assert.equal(again.kind, "already_decided");
  assert.equal(again.kind === "already_decided" && again.problem.code, "application.not_waiting");
});

test("certificates: the electronic certificate is downloaded and opened; one not in use has none", async () => {
  await api.signIn();
  const opened = await openElectronicCertificate(api, "cert-1");
  assert.deepEqual(opened, { kind: "opened", filePath: "wxfile://tmp/download-1" });
  const [download] = wx.sent.filter((s) => s.kind === "download");
  assert.equal(download?.path, "/api/v1/people/me/certificates/cert-1/electronic");
  assert.equal(download?.header["Authorization"], "Bearer access-1");
  assert.deepEqual(wx.opened, [{ filePath: "wxfile://tmp/download-1", fileType: "pdf", showMenu: true }]);

  const cancelled = await openElectronicCertificate(api, "cert-0");
  assert.equal(cancelled.kind, "not_printable");
  assert.equal(wx.opened.length, 1);
  server.failNext("GET /api/v1/people/me/certificates/cert-1/electronic", fx.problem("certificate.font_missing"));
  assert.equal((await openElectronicCertificate(api, "cert-1")).kind, "try_later");
});

test("certificates: the published cancellations need no sign-in", async () => {
  const published = await publishedCancellations(api);
  assert.deepEqual(published.map((c) => [c.number, c.holder_name_masked, c.reason]), [["鲁建安C(2019)0000100", "李*", "退休"]]);
  const [sent] = wx.to("/api/v1/public/certificate-cancellations");
  assert.deepEqual(sent?.query, { page: "1", per_page: "20" });
  assert.equal(sent?.header["Authorization"], undefined);
});
