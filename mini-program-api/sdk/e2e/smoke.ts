// The SDK and its journeys against a real server (scripts/sdk-e2e.sh starts one on the
// development profile, with a 3 s access token life and WeChat face verification allowed):
// sign-in, registration with real photos, problems in English, concurrent calls meeting an
// expired token, refresh-token reuse ending the sign-in, the inbox, and accepting employment.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

import { createClient, isProblem, type ErrorCode } from "../src";
import { accept, pendingRequests } from "../examples/accept-employment";
import { inbox, open } from "../examples/notifications";
import { register } from "../examples/register";
import { start } from "../examples/sign-in";
import { HttpWx } from "./http-wx";

const [origin = "", faces = ""] = process.argv.slice(2);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function post<T>(path: string, body: object, token?: string): Promise<T> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (token) headers["authorization"] = `Bearer ${token}`;
  const r = await fetch(origin + path, { method: "POST", headers, body: JSON.stringify(body) });
  const answer = (await r.json()) as T;
  if (!r.ok) throw new Error(`${path}: ${JSON.stringify(answer)}`);
  return answer;
}

async function main(): Promise<void> {
  const wx = new HttpWx(origin, "e2e-person", [`${faces}/person-a-selfie.jpg`], `${faces}/person-a-portrait.jpg`);
  (globalThis as { wx?: HttpWx }).wx = wx;
  // A clock that stands still: the client never refreshes ahead, so expiry shows as the server's 401.
  const frozen = Date.now();
  const endings: ErrorCode[] = [];
  const api = createClient({ baseUrl: origin, now: () => frozen, onSignedOut: (reason) => endings.push(reason.code) });

  assert.equal(await start(api), "register");
  const outcome = await register(api, { id_number: "11010519491231002X", name: "张三", phone: "13812345678" });
  assert.equal(outcome.kind, "registered", JSON.stringify(outcome.kind === "take_again" ? outcome.problem.problem : null));
  assert.equal(await start(api), "home");
  console.log("registered");

  const english = createClient({ baseUrl: origin, wx, language: "en", now: () => frozen });
  const again = await english.post("/api/v1/people/me/registration/challenge").catch((e: unknown) => e);
  assert.ok(isProblem(again, "person.already_registered"));
  assert.equal(again.detail, "You are already registered");
  console.log("problem in English:", again.status, again.code, again.requestId);

  await sleep(3500); // the access token expires
  const before = wx.sent.length;
  await Promise.all([api.get("/api/v1/people/me"), inbox(api), api.get("/api/v1/verification/tasks")]);
  assert.equal(wx.sent.slice(before).filter((s) => s.endsWith("/auth/refresh")).length, 1);
  console.log("three calls on an expired token, one refresh:", wx.sent.slice(before).join(", "));

  const spent = wx.storage.get("zhujian.tokens");
  await sleep(3500);
  await api.get("/api/v1/people/me"); // rotates: `spent` is spent now
  wx.storage.set("zhujian.tokens", spent); // as a second device holding the spent pair would
  const reused = await api.get("/api/v1/people/me").catch((e: unknown) => e);
  assert.ok(isProblem(reused, "auth.refresh_token_reused"));
  assert.deepEqual(endings, ["auth.refresh_token_reused"]);
  assert.equal(api.signedIn, false);
  console.log("a reused refresh token ends the sign-in");

  const district = await post<{ access_token: string }>("/api/v1/auth/staff/login", { username: "d1", password: process.env["D1_PASSWORD"] });
  const company = { credit_code: "91350100M000100Y43", name: "示例建设有限公司", district_code: "370102", contact_name: "李四", contact_phone: "13812345679" };
  await post("/api/v1/enterprises", company, district.access_token);
  await sleep(500);
  const sms = JSON.parse(readFileSync(process.env["SMS_LOG"] ?? "", "utf8").trim().split("\n").pop() ?? "{}") as { params: string[] };
  const enterprise = await post<{ access_token: string }>("/api/v1/auth/enterprise/login", { credit_code: company.credit_code, password: sms.params.pop() });
  const ask = { id_number: "11010519491231002X", position: "项目负责人", contract_start: "2026-12-01", contract_end: "2029-11-30" };
  await post("/api/v1/employment/requests", ask, enterprise.access_token);

  assert.equal(await start(api), "home"); // signs in again
  const [notice] = await inbox(api);
  assert.ok(notice);
  const destination = await open(api, notice);
  assert.equal(destination.page, "accept-employment");
  const [request] = await pendingRequests(api);
  assert.ok(request && destination.page === "accept-employment" && request.id === destination.requestId);
  const accepted = await accept(api, request, "wechat");
  assert.equal(accepted.kind, "accepted");
  const twice = await accept(api, request, "wechat");
  assert.ok(twice.kind === "refused" && twice.problem.code === "employment.request_not_pending");
  console.log("inbox notice opened; employment accepted with WeChat face verification");
}

main().then(
  () => console.log("SDK against the real server: OK"),
  (e: unknown) => {
    console.error("SDK against the real server FAILED:", e);
    process.exit(1);
  },
);
