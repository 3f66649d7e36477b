// The runtime against a fake wx: what goes out, what comes back, tokens and their rotation.

import assert from "node:assert/strict";
import { test } from "node:test";

import { ApiError, NetworkError, UnexpectedAnswer, createClient, isProblem, memoryTokens, type ClientOptions, type Wx } from "../src";
import { FakeWx, ORIGIN, type Reply, type Sent } from "./fake-wx";
import * as fx from "./fixtures";
import { FakeServer } from "./server";

function signedInClient(server: FakeServer, options: Partial<ClientOptions> = {}) {
  const wx = new FakeWx(server.handle);
  const api = createClient({ baseUrl: `${ORIGIN}/`, wx, now: () => fx.NOW, ...options });
  return { wx, api };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => assert.fail("expected the call to fail"),
    (e: unknown) => e,
  );
}

test("signIn sends wx.login's code and stores the pair in the mini-program's storage", async () => {
  const server = new FakeServer();
  const { wx, api } = signedInClient(server);
  assert.equal(api.signedIn, false);
  const pair = await api.signIn();
  assert.equal(pair.access_token, "access-1");
  const [login] = wx.to("/api/v1/auth/wechat/login");
  assert.deepEqual(login?.body, { code: "wx-code-1" });
  assert.equal(login?.header["Authorization"], undefined);
  assert.deepEqual(wx.storage.get("zhujian.tokens"), {
    access_token: "access-1",
    refresh_token: "refresh-1",
    access_expires_at: fx.NOW + 900_000,
    refresh_at: fx.NOW + 870_000,
    account_id: "person-1",
    role: "person",
  });
  assert.equal(api.signedIn, true);
});

test("a call fills the path, the query, the bearer token, Accept-Language and the JSON body", async () => {
  const server = new FakeServer();
  const { wx, api } = signedInClient(server);
  await api.signIn();
  await api.get("/api/v1/notifications", { query: { page: 2, per_page: 1 } });
  const challenge = await api.post("/api/v1/employment/requests/{id}/challenge", { path: { id: "request-1" } });
  await api.post("/api/v1/employment/requests/{id}/accept", { path: { id: "request 1/x" }, body: { challenge_id: challenge.challenge_id } }).catch(() => undefined);

  const [list, challenged, accept] = wx.sent.slice(1);
  assert.deepEqual(list?.query, { page: "2", per_page: "1" });
  assert.equal(list?.method, "GET");
  assert.equal(list?.header["Authorization"], "Bearer access-1");
  assert.equal(list?.header["Accept-Language"], "zh-CN");
  assert.equal(list?.header["Content-Type"], undefined);
  assert.equal(challenged?.path, "/api/v1/employment/requests/request-1/challenge");
  assert.equal(challenged?.body, undefined);
  assert.equal(accept?.path, "/api/v1/employment/requests/request%201%2Fx/accept");
  assert.deepEqual(accept?.body, { challenge_id: challenge.challenge_id });
  assert.equal(accept?.header["Content-Type"], "application/json");
});

test("Accept-Language follows the option, a function of it, or WeChat's language", async () => {
  const server = new FakeServer();
  let language = "en";
  const cases: Array<[Partial<ClientOptions>, string]> = [
    [{ language: "en" }, "en"],
    [{ language: () => language }, "en-GB"],
    [{}, "en-US"],
  ];
  for (const [options, expected] of cases) {
    const { wx, api } = signedInClient(server, options);
    wx.language = "en_US";
    language = "en-GB";
    await api.signIn();
    assert.equal(wx.sent[0]?.header["Accept-Language"], expected);
  }
});

test("a problem+json answer is thrown as a typed ApiError with Retry-After", async () => {
  const server = new FakeServer();
  const { api } = signedInClient(server);
  await api.signIn();
  server.failNext("GET /api/v1/people/me", fx.problem("service.unavailable", { status: 503, header: { "Retry-After": "7" } }));
  server.failNext("POST /api/v1/people/me/registration", fx.problem("photo.reused", { field: "selfie_document_id", detail: "该照片已使用过" }));

  const busy = await rejection(api.get("/api/v1/people/me"));
  assert.ok(busy instanceof ApiError);
  assert.equal(busy.code, "service.unavailable");
  assert.equal(busy.status, 503);
  assert.equal(busy.retryAfter, 7);

  const body = { id_number: "11010519491231002X", name: "张三", phone: "13812345678", portrait_document_id: "d1", selfie_document_id: "d2" };
  const reused = await rejection(api.post("/api/v1/people/me/registration", { body }));
  assert.ok(isProblem(reused, "photo.reused"));
  assert.equal(reused.detail, "该照片已使用过");
  assert.equal(reused.errors[0]?.field, "selfie_document_id");
  assert.match(reused.requestId, /^req-/);
  assert.equal(reused.retryAfter, undefined);
  assert.equal(isProblem(reused, "face.mismatch"), false);
  assert.equal(api.signedIn, true, "a refusal keeps the sign-in");
});

test("a transport failure is a NetworkError; an error page without a problem is UnexpectedAnswer", async () => {
  const server = new FakeServer();
  const { api } = signedInClient(server);
  await api.signIn();
  server.failNext("GET /api/v1/people/me", { status: 0, fail: "request:fail timeout" });
  server.failNext("GET /api/v1/people/me", { status: 502, body: "<html>Bad Gateway</html>" });
  const timeout = await rejection(api.get("/api/v1/people/me"));
  assert.ok(timeout instanceof NetworkError);
  assert.equal(timeout.errMsg, "request:fail timeout");
  const gateway = await rejection(api.get("/api/v1/people/me"));
  assert.ok(gateway instanceof UnexpectedAnswer);
  assert.equal(gateway.status, 502);
});

test("401 auth.token_expired: one refresh with the stored refresh token, the new pair stored, the call retried once", async () => {
  const server = new FakeServer();
  const { wx, api } = signedInClient(server);
  await api.signIn();
  server.expireAccessTokens();
  const me = await api.get("/api/v1/people/me");
  assert.equal(me.status, "unregistered");
  const paths = wx.sent.map((s) => `${s.path} ${s.header["Authorization"] ?? ""}`);
  assert.deepEqual(paths, [
    "/api/v1/auth/wechat/login ",
    "/api/v1/people/me Bearer access-1",
    "/api/v1/auth/refresh ",
    "/api/v1/people/me Bearer access-2",
  ]);
  assert.deepEqual(wx.to("/api/v1/auth/refresh")[0]?.body, { refresh_token: "refresh-1" });
  const stored = wx.storage.get("zhujian.tokens") as { refresh_token: string };
  assert.equal(stored.refresh_token, "refresh-2", "the rotated refresh token replaces the spent one");

  server.expireAccessTokens();
  await api.get("/api/v1/people/me");
  assert.deepEqual(wx.to("/api/v1/auth/refresh")[1]?.body, { refresh_token: "refresh-2" });
});

test("concurrent 401s share one refresh, and every call is retried with the new token", async () => {
  const server = new FakeServer();
  const { wx, api } = signedInClient(server);
  await api.signIn();
  server.expireAccessTokens();
  const answers = await Promise.all([
    api.get("/api/v1/people/me"),
    api.get("/api/v1/notifications"),
    api.get("/api/v1/verification/tasks"),
    api.get("/api/v1/employment/requests"),
  ]);
  assert.equal(answers.length, 4);
  assert.equal(wx.to("/api/v1/auth/refresh").length, 1);
  const retried = wx.sent.filter((s) => s.header["Authorization"] === "Bearer access-2");
  assert.equal(retried.length, 4);
  assert.equal(server.refreshTokens.get("refresh-2"), false, "the new refresh token is unspent");
});

test("a call that starts after another's refresh uses its token without refreshing again", async () => {
  const server = new FakeServer();
  const wx = new FakeWx(server.handle);
  const api = createClient({ baseUrl: ORIGIN, wx, now: () => fx.NOW });
  await api.signIn();
  server.expireAccessTokens();
  // The first call's 401 arrives only after a second call was sent with the old token too.
  let release: () => void = () => undefined;
  const held = new Promise<void>((resolve) => (release = resolve));
  const first = wx.server;
  wx.server = async (sent: Sent): Promise<Reply> => {
    if (sent.path === "/api/v1/notifications") await held;
    return first(sent);
  };
  const slow = api.get("/api/v1/notifications");
  await api.get("/api/v1/people/me"); // 401, refresh, retried
  release();
  await slow;
  assert.equal(wx.to("/api/v1/auth/refresh").length, 1);
  assert.deepEqual(
    wx.to("/api/v1/notifications").map((s) => s.header["Authorization"]),
    ["Bearer access-1", "Bearer access-2"],
  );
});

test("a refused refresh ends the sign-in: tokens cleared, onSignedOut told, no loop", async () => {
  const server = new FakeServer();
  const endings: string[] = [];
  const { wx, api } = signedInClient(server, { onSignedOut: (reason) => endings.push(reason.code) });
  await api.signIn();
  server.expireAccessTokens();
  server.refreshTokens.set("refresh-1", true); // spent elsewhere: the server sees a reuse
  const [a, b] = await Promise.all([rejection(api.get("/api/v1/people/me")), rejection(api.get("/api/v1/notifications"))]);
  assert.ok(isProblem(a, "auth.refresh_token_reused"));
  assert.ok(isProblem(b, "auth.refresh_token_reused"));
  assert.deepEqual(endings, ["auth.refresh_token_reused"]);
  assert.equal(api.signedIn, false);
  assert.equal(wx.storage.has("zhujian.tokens"), false);
  assert.equal(wx.to("/api/v1/auth/refresh").length, 1);
});

test("auth.session_ended on a call ends the sign-in; auth.token_expired on the retry does not loop", async () => {
  const server = new FakeServer();
  const endings: string[] = [];
  const { wx, api } = signedInClient(server, { onSignedOut: (reason) => endings.push(reason.code) });
  await api.signIn();
  server.failNext("GET /api/v1/people/me", fx.problem("auth.token_expired"));
  server.failNext("GET /api/v1/people/me", fx.problem("auth.token_expired"));
  const expired = await rejection(api.get("/api/v1/people/me"));
  assert.ok(isProblem(expired, "auth.token_expired"));
  assert.equal(wx.to("/api/v1/people/me").length, 2, "retried once only");
  assert.equal(api.signedIn, true);

  server.failNext("GET /api/v1/notifications", fx.problem("auth.session_ended"));
  const ended = await rejection(api.get("/api/v1/notifications"));
  assert.ok(isProblem(ended, "auth.session_ended"));
  assert.deepEqual(endings, ["auth.session_ended"]);
  assert.equal(api.signedIn, false);
});

test("an access token past its expiry by the device's clock is refreshed before the call", async () => {
  const server = new FakeServer();
  let now = fx.NOW;
  const { wx, api } = signedInClient(server, { now: () => now });
  await api.signIn();
  now += 870_000 - 1; // not yet 30 s before the 900 s expiry
  await api.get("/api/v1/people/me");
  now += 1;
  await api.get("/api/v1/people/me");
  assert.deepEqual(
    wx.sent.map((s) => s.path),
    ["/api/v1/auth/wechat/login", "/api/v1/people/me", "/api/v1/auth/refresh", "/api/v1/people/me"],
  );
  assert.equal(wx.to("/api/v1/people/me")[1]?.header["Authorization"], "Bearer access-2");
});

test("a short-lived access token is refreshed halfway through its life, not before every call", async () => {
  const server = new FakeServer();
  server.expiresIn = 20;
  let now = fx.NOW;
  const { wx, api } = signedInClient(server, { now: () => now });
  await api.signIn();
  now += 9_999;
  await api.get("/api/v1/people/me");
  assert.equal(wx.to("/api/v1/auth/refresh").length, 0);
  now += 1;
  await api.get("/api/v1/people/me");
  assert.equal(wx.to("/api/v1/auth/refresh").length, 1);
});

test("upload: wx.uploadFile with the purpose, part `file`, headers, progress; refreshed and retried on 401", async () => {
  const server = new FakeServer();
  const { wx, api } = signedInClient(server, { language: "en" });
  await api.signIn();
  server.expireAccessTokens();
  const progress: number[] = [];
  const doc = await api.upload("selfie", "wxfile://tmp/a.jpg", { onProgress: (p) => progress.push(p.progress) });
  assert.equal(doc.purpose, "selfie");
  assert.equal(server.documents.get(doc.id), "selfie");
  const uploads = wx.sent.filter((s) => s.kind === "upload");
  assert.equal(uploads.length, 2);
  const [, retried] = uploads;
  assert.equal(retried?.path, "/api/v1/documents");
  assert.deepEqual(retried?.query, { purpose: "selfie" });
  assert.equal(retried?.name, "file");
  assert.equal(retried?.filePath, "wxfile://tmp/a.jpg");
  assert.equal(retried?.header["Authorization"], "Bearer access-2");
  assert.equal(retried?.header["Accept-Language"], "en");
  assert.deepEqual(progress, [40, 100, 40, 100], "progress of both attempts, the retry from the start");
});

test("upload: a refusal's problem (text in wx.uploadFile's data) is a typed ApiError", async () => {
  const server = new FakeServer();
  const { api } = signedInClient(server);
  await api.signIn();
  server.failNext("POST /api/v1/documents", fx.problem("document.type_not_allowed", { status: 415 }));
  const refused = await rejection(api.upload("id_portrait", "wxfile://tmp/a.pdf"));
  assert.ok(isProblem(refused, "document.type_not_allowed"));
  assert.equal(refused.status, 415);
});

test("download: wx.downloadFile with the path, token and language; the saved file's path; progress", async () => {
  const server = new FakeServer();
  const { wx, api } = signedInClient(server, { language: "en" });
  await api.signIn();
  const progress: number[] = [];
  const file = await api.download("/api/v1/people/me/certificates/{id}/electronic", {
    path: { id: "cert-1" },
    onProgress: (p) => progress.push(p.progress),
  });
  assert.equal(file.tempFilePath, "wxfile://tmp/download-1");
  assert.equal(wx.files.get(file.tempFilePath), fx.PDF);
  const [sent] = wx.sent.filter((s) => s.kind === "download");
  assert.equal(sent?.method, "GET");
  assert.equal(sent?.path, "/api/v1/people/me/certificates/cert-1/electronic");
  assert.equal(sent?.header["Authorization"], "Bearer access-1");
  assert.equal(sent?.header["Accept-Language"], "en");
  assert.deepEqual(progress, [50, 100]);
});

test("download: a refusal's problem, read from the file wx saved, is a typed ApiError; 401 refreshes and downloads again", async () => {
  const server = new FakeServer();
  const { wx, api } = signedInClient(server);
  await api.signIn();
  const refused = await rejection(api.download("/api/v1/people/me/certificates/{id}/electronic", { path: { id: "cert-0" } }));
  assert.ok(isProblem(refused, "certificate.not_printable"));
  assert.equal(refused.status, 409);
  assert.equal(api.signedIn, true);

  server.expireAccessTokens();
  const file = await api.download("/api/v1/people/me/certificates/{id}/electronic", { path: { id: "cert-1" } });
  assert.equal(wx.files.get(file.tempFilePath), fx.PDF);
  assert.deepEqual(
    wx.sent.filter((s) => s.kind === "download").map((s) => s.header["Authorization"]),
    ["Bearer access-1", "Bearer access-1", "Bearer access-2"],
  );
});

test("download: a refusal wx cannot read back is an UnexpectedAnswer; a wx without downloadFile says so", async () => {
  const server = new FakeServer();
  const { wx, api } = signedInClient(server);
  await api.signIn();
  server.failNext("GET /api/v1/people/me/certificates/cert-1/electronic", { status: 502, body: "<html>Bad Gateway</html>" });
  const gateway = await rejection(api.download("/api/v1/people/me/certificates/{id}/electronic", { path: { id: "cert-1" } }));
  assert.ok(gateway instanceof UnexpectedAnswer);
  assert.equal(gateway.status, 502);

  const withoutDownloads: Wx = Object.assign(Object.create(wx) as FakeWx, { downloadFile: undefined });
  const bare = createClient({ baseUrl: ORIGIN, wx: withoutDownloads, now: () => fx.NOW });
  await assert.rejects(bare.download("/api/v1/people/me/certificates/{id}/electronic", { path: { id: "cert-1" } }), /no downloadFile/);
});

test("signOut forgets the tokens and revokes the refresh token on the server", async () => {
  const server = new FakeServer();
  const { wx, api } = signedInClient(server, { tokens: memoryTokens() });
  await api.signIn();
  await api.signOut();
  assert.equal(api.signedIn, false);
  assert.deepEqual(wx.to("/api/v1/auth/logout")[0]?.body, { refresh_token: "refresh-1" });
  assert.equal(server.refreshTokens.has("refresh-1"), false);
  assert.equal(wx.storage.size, 0, "the memory store leaves wx storage alone");
});

test("tokens in storage that are not the SDK's are ignored", async () => {
  const server = new FakeServer();
  const { wx, api } = signedInClient(server);
  wx.storage.set("zhujian.tokens", { access_token: "a" });
  assert.equal(api.signedIn, false);
  await rejection(api.get("/api/v1/people/me"));
  assert.equal(wx.sent[0]?.header["Authorization"], undefined);
});
