// Where the sign-in's tokens are kept between launches. Each refresh token works once: every
// refresh answers a new pair, and the store must hold the newest.

import type { Schemas } from "./operations";
import type { Wx } from "./wx";

export type TokenPair = Schemas["TokenPair"];

export interface Tokens {
  access_token: string;
  refresh_token: string;
  /** When the access token expires, in Unix milliseconds of the device's clock. */
  access_expires_at: number;
  /** When to refresh it ahead of a call: 30 s before it expires, or halfway for a shorter life. */
  refresh_at: number;
  account_id: string;
  role: TokenPair["role"];
}

export interface TokenStore {
  load(): Tokens | null;
  save(tokens: Tokens): void;
  clear(): void;
}

export function tokensFrom(pair: TokenPair, now: number): Tokens {
  const lifetime = pair.expires_in * 1000;
  return {
    access_token: pair.access_token,
    refresh_token: pair.refresh_token,
    access_expires_at: now + lifetime,
    refresh_at: now + Math.max(lifetime - 30_000, lifetime / 2),
    account_id: pair.account_id,
    role: pair.role,
  };
}

function isTokens(value: unknown): value is Tokens {
  if (typeof value !== "object" || value === null) return false;
  const t = value as Record<string, unknown>;
  return (
    typeof t.access_token === "string" &&
    typeof t.refresh_token === "string" &&
    typeof t.access_expires_at === "number" &&
    typeof t.refresh_at === "number" &&
    typeof t.account_id === "string" &&
    typeof t.role === "string"
  );
}

/** Tokens in the mini-program's storage (wx.setStorageSync), under one key. */
export function wxStorageTokens(wx: Wx, key = "zhujian.tokens"): TokenStore {
  return {
    load: () => {
      const value = wx.getStorageSync(key);
      return isTokens(value) ? value : null;
    },
    save: (tokens) => wx.setStorageSync(key, tokens),
    clear: () => wx.removeStorageSync(key),
  };
}

/** Tokens kept in memory only (tests, or a sign-in that must not outlive the launch). */
export function memoryTokens(initial: Tokens | null = null): TokenStore {
  let tokens = initial;
  return {
    load: () => tokens,
    save: (t) => {
      tokens = t;
    },
    clear: () => {
      tokens = null;
    },
  };
}
