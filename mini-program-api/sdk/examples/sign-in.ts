// Journey 1: sign in. WeChat login needs no input from the person, so the mini-program signs in
// on launch (and again when the sign-in has ended), then goes where the person's status says.

import { isProblem, type Client, type Schemas } from "../src";

export type Start = "register" | "held_for_review" | "home" | "disabled";

/** The signed-in person's profile, signing in with WeChat first when needed. */
export async function myProfile(api: Client): Promise<Schemas["PersonProfile"]> {
  if (!api.signedIn) await api.signIn();
  try {
    return await api.get("/api/v1/people/me");
  } catch (e) {
    // The SDK drops the tokens when the sign-in ended (signed out elsewhere, refresh refused).
    if (!isProblem(e) || api.signedIn) throw e;
    await api.signIn();
    return api.get("/api/v1/people/me");
  }
}

/** Where the mini-program opens. */
export async function start(api: Client): Promise<Start> {
  const profile = await myProfile(api);
  switch (profile.status) {
    case "unregistered":
      return "register";
    case "held_for_review":
      return "held_for_review";
    case "disabled":
      return "disabled";
    default:
      return "home";
  }
}
