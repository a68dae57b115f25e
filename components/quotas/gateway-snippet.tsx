"use client";

import { useState, useSyncExternalStore } from "react";
import { Button } from "@/components/ui/button";
import { Panel } from "@/components/ui/panel";
import { gatewaySnippets } from "@/lib/quotas/view";

const noSubscribe = () => () => {};

/** How a gateway asks POST /api/v1/quota/check before each model call, with this installation's address. */
export function GatewaySnippet({ team, model }: { team: string; model: string | null }) {
  const origin = useSyncExternalStore(noSubscribe, () => window.location.origin, () => "https://burnrate.example.com");
  const [language, setLanguage] = useState<"curl" | "typescript">("curl");
  const [copied, setCopied] = useState(false);
  const snippets = gatewaySnippets({ origin, team, model });
  const code = snippets[language];

  async function copy() {
    try {
      await navigator.clipboard.writeText(code);
      setCopied(true);
      setTimeout(() => setCopied(false), 2000);
    } catch {
      setCopied(false);
    }
  }

  return (
    <Panel
      title="Check the quota from your gateway"
      titleId="gateway-snippet-title"
      description={<>Call before each model request with an <strong>ingest</strong> key. Estimates are optional (in the allocation&apos;s unit; 0 when omitted); refuse the call when <code>allowed</code> is false.</>}
    >
      <div className="mb-2 flex items-center justify-between gap-2">
        <div role="group" aria-label="Snippet language" className="flex gap-1">
          <Button size="sm" variant={language === "curl" ? "primary" : "secondary"} aria-pressed={language === "curl"} onClick={() => setLanguage("curl")}>curl</Button>
          <Button size="sm" variant={language === "typescript" ? "primary" : "secondary"} aria-pressed={language === "typescript"} onClick={() => setLanguage("typescript")}>TypeScript</Button>
        </div>
        <Button size="sm" variant="secondary" onClick={() => void copy()}>{copied ? "Copied" : "Copy"}</Button>
      </div>
      <pre data-testid="gateway-snippet" tabIndex={0} aria-label={`${language === "curl" ? "curl" : "TypeScript"} example of the quota check`} className="overflow-x-auto rounded-md bg-zinc-950 p-3 text-xs leading-relaxed text-zinc-100">
        <code>{code}</code>
      </pre>
      <p className="mt-2 text-xs text-zinc-500">
        The answer: <code>allowed</code>, <code>unit</code>, <code>limit</code> (baseline plus open bursts), <code>used</code>, <code>remaining</code>, <code>period_end</code>, <code>burst</code> (<code>{"{id, amount, ends_at}"}</code> or null) and a human-readable <code>reason</code>.
      </p>
    </Panel>
  );
}
