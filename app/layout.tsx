import type { Metadata } from "next";
import { headers } from "next/headers";
import type { ReactNode } from "react";
import { GeistSans } from "geist/font/sans";
import { GeistMono } from "geist/font/mono";
import { Providers } from "@/components/providers";
import "./globals.css";

// Every page renders per request: proxy.ts gives each response a fresh CSP nonce, which
// Next.js can only stamp on the scripts of a page rendered for that request (a page
// prerendered at build time, such as the 404, would carry none and its scripts be blocked).
export const dynamic = "force-dynamic";

export const metadata: Metadata = {
  title: { default: "Burnrate", template: "%s · Burnrate" },
  description: "Self-hosted FinOps dashboard for LLM inference spend.",
};

// zod probes whether it may compile parsers with `new Function` when a schema is built; under
// a CSP without 'unsafe-eval' the browser reports that probe as a violation even though zod
// catches it. Its documented `jitless` setting skips the probe; it lives on
// globalThis.__zod_globalConfig and must be set before any client chunk builds a schema.
const ZOD_JITLESS = "(globalThis.__zod_globalConfig=globalThis.__zod_globalConfig||{}).jitless=true;";

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Set by proxy.ts for this request; Next.js puts it on its own scripts by itself.
  const nonce = (await headers()).get("x-nonce") ?? undefined;
  return (
    <html lang="en" className={`${GeistSans.variable} ${GeistMono.variable}`}>
      <head>
        <script nonce={nonce} dangerouslySetInnerHTML={{ __html: ZOD_JITLESS }} />
      </head>
      <body className="min-h-screen font-sans">
        <Providers>{children}</Providers>
      </body>
    </html>
  );
}
