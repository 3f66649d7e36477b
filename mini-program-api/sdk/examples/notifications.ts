// Journey 5: read the inbox, newest first, and open a notice (which marks it read).

import type { Client, Schemas } from "../src";

export interface Notice {
  id: string;
  kind: string;
  /** Ready to show, in the request's language; names the enterprise, task or position. */
  title: string;
  body: string;
  /** The notice's details (`params` is JSON text), e.g. `request_id` of `employment.requested`. */
  params: Record<string, unknown>;
  at: number;
  read: boolean;
}

function notice(n: Schemas["NotificationView"]): Notice {
  let params: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(n.params);
    if (typeof parsed === "object" && parsed !== null) params = parsed as Record<string, unknown>;
  } catch {
    // Shown without details.
  }
  return { id: n.id, kind: n.kind, title: n.title, body: n.body, params, at: n.created_at, read: n.read_at != null };
}

export async function inbox(api: Client, page = 1): Promise<Notice[]> {
  const notices = await api.get("/api/v1/notifications", { query: { page, per_page: 20 } });
  return notices.map(notice);
}

/** Where a notice leads in the mini-program. */
export type Destination =
  | { page: "accept-employment"; requestId: string }
  | { page: "check-in"; taskId: string }
  | { page: "profile" }
  | { page: "none" };

export async function open(api: Client, n: Notice): Promise<Destination> {
  if (!n.read) await api.post("/api/v1/notifications/{id}/read", { path: { id: n.id } });
  const id = (key: string) => (typeof n.params[key] === "string" ? (n.params[key] as string) : "");
  switch (n.kind) {
    case "employment.requested":
      return { page: "accept-employment", requestId: id("request_id") };
    case "verification.check_in_open":
    case "verification.check_in_voided":
      return { page: "check-in", taskId: id("task_id") };
    case "people.registration_approved":
    case "people.registration_refused":
      return { page: "profile" };
    default:
      return { page: "none" };
  }
}
