// Every mini-program journey of examples/ run against the fake wx (as the global `wx`, the way
// the mini-program has it) and the fake server: the requests they make, and what they return.

import assert from "node:assert/strict";
import { beforeEach, test } from "node:test";

import { createClient, type Client, type Schemas } from "../src";
import { accept, pendingRequests } from "../examples/accept-employment";
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
