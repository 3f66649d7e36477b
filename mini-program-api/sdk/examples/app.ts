// Setting up the client once, in app.ts of the mini-program.

import { createClient, type Client } from "../src";

declare const wx: { reLaunch(option: { url: string }): void };

export function createApi(baseUrl: string): Client {
  return createClient({
    baseUrl, // e.g. https://zhujian.example.cn, listed as a request and uploadFile domain
    // Accept-Language follows WeChat's language unless given: language: "en"
    onSignedOut: () => wx.reLaunch({ url: "/pages/index/index" }), // signs in again from there
  });
}
