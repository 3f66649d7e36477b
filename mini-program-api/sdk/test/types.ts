// Compile-time tests: the generated types hold the contract, and the client's typing refuses
// what the server would refuse. Nothing here runs; `tsc` fails when an expectation breaks
// (an `@ts-expect-error` with no error is itself an error).

import type { Client, DownloadPaths, DownloadedFile, ErrorCode, Problem, ProblemField, Schemas, UploadPurpose } from "../src";

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const expect = <T extends true>(): T | undefined => undefined;

// errors.json and openapi.json name the same codes.
expect<Same<ErrorCode, Problem["code"]>>();
expect<Same<ErrorCode, ProblemField["code"]>>();
// Uploads take exactly the contract's purposes.
expect<Same<UploadPurpose, Schemas["Purpose"]>>();
// The electronic certificate (a PDF) is a download; a JSON answer is not.
expect<Same<Extract<DownloadPaths, "/api/v1/people/me/certificates/{id}/electronic">, "/api/v1/people/me/certificates/{id}/electronic">>();
expect<Same<Extract<DownloadPaths, "/api/v1/people/me/certificates">, never>>();

export async function typed(api: Client): Promise<void> {
  expect<Same<Awaited<ReturnType<typeof api.signIn>>, Schemas["TokenPair"]>>();
  const me = await api.get("/api/v1/people/me");
  expect<Same<typeof me, Schemas["PersonProfile"]>>();
  const registered = await api.post("/api/v1/people/me/registration", {
    body: { id_number: "", name: "", phone: "", portrait_document_id: "", selfie_document_id: "" },
  });
  expect<Same<typeof registered, Schemas["PersonProfile"]>>(); // 200 and 202 alike
  const read = await api.post("/api/v1/notifications/{id}/read", { path: { id: "n" } });
  expect<Same<typeof read, undefined>>(); // 204
  const tasks = await api.get("/api/v1/verification/tasks", { query: { per_page: 10 } });
  expect<Same<typeof tasks, Array<Schemas["TaskView"]>>>();
  const pdf = await api.download("/api/v1/people/me/certificates/{id}/electronic", { path: { id: "c" }, onProgress: () => undefined });
  expect<Same<typeof pdf, DownloadedFile>>();
  const applied = await api.post("/api/v1/people/me/certificates/{id}/cancellation", {
    path: { id: "c" },
    body: { reason: "retired", commitment_accepted: true },
  });
  expect<Same<typeof applied, Schemas["ApplicationWithHistory"]>>();
}

export async function refused(api: Client): Promise<void> {
  // @ts-expect-error a path the contract does not have
  await api.get("/api/v1/people/me/nothing");
  // @ts-expect-error a method the path does not take
  await api.delete("/api/v1/people/me");
  // @ts-expect-error the body is required
  await api.post("/api/v1/employment/requests/{id}/accept", { path: { id: "r" } });
  // @ts-expect-error the path parameter is required
  await api.post("/api/v1/employment/requests/{id}/accept", { body: { challenge_id: "c" } });
  // @ts-expect-error nothing given where a path and body are required
  await api.post("/api/v1/verification/tasks/{id}/check-in");
  // @ts-expect-error a field the body does not have (the server denies unknown fields)
  await api.post("/api/v1/employment/requests/{id}/accept", { path: { id: "r" }, body: { challenge_id: "c", selfie: "d" } });
  // @ts-expect-error a coordinate system the server does not know
  await api.post("/api/v1/verification/tasks/{id}/check-in", { path: { id: "t" }, body: { challenge_id: "c", latitude: 1, longitude: 1, accuracy_m: 5, system: "bd09" } });
  // @ts-expect-error a GET has no body
  await api.get("/api/v1/people/me", { body: {} });
  // @ts-expect-error a query parameter of the wrong type
  await api.get("/api/v1/notifications", { query: { page: "1" } });
  // @ts-expect-error a purpose the server does not know
  await api.upload("portrait", "wxfile://tmp/a.jpg");
  // @ts-expect-error a JSON answer is a call, not a download
  await api.download("/api/v1/people/me/certificates");
  // @ts-expect-error the certificate's id is required
  await api.download("/api/v1/people/me/certificates/{id}/electronic");
  // @ts-expect-error a cancellation reason the server does not list
  await api.post("/api/v1/people/me/certificates/{id}/cancellation", { path: { id: "c" }, body: { reason: "bored", commitment_accepted: true } });
}
