import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { emailMessage, MAX_ATTEMPTS, retryDelayMs, signatureOf, slackMessage } from "@/lib/alerts/deliver";
import { maskSlackUrl } from "@/lib/alerts/channels";

const alert = {
  id: "a1",
  type: "spend.spike",
  scope: { team: "search" },
  period_start: "2025-09-10T00:00:00.000Z",
  message: "Spend spike (team search): $7.00 <now> & more",
  url: "https://burnrate.example/showback",
};

describe("delivery helpers", () => {
  it("signs the raw body with HMAC-SHA256 as sha256=<hex>", () => {
    const body = JSON.stringify(alert);
    expect(signatureOf(body, "s3cret")).toBe(`sha256=${createHmac("sha256", "s3cret").update(body).digest("hex")}`);
    expect(signatureOf(body, "s3cret")).toMatch(/^sha256=[0-9a-f]{64}$/);
  });

  it("retries after 30 s, 2 min, 10 min, 1 h, 1 h, then gives up after 6 attempts", () => {
    expect(MAX_ATTEMPTS).toBe(6);
    expect([1, 2, 3, 4, 5, 6].map(retryDelayMs)).toEqual([30_000, 120_000, 600_000, 3_600_000, 3_600_000, null]);
  });

  it("builds a Slack incoming-webhook message with escaped mrkdwn", () => {
    expect(slackMessage(alert)).toEqual({
      text: "Spend spike: Spend spike (team search): $7.00 &lt;now&gt; &amp; more",
      blocks: [
        {
          type: "section",
          text: { type: "mrkdwn", text: "*Spend spike*\nSpend spike (team search): $7.00 &lt;now&gt; &amp; more\n<https://burnrate.example/showback|Open in Burnrate>" },
        },
        { type: "context", elements: [{ type: "mrkdwn", text: "spend.spike · team search · period from 2025-09-10" }] },
      ],
    });
  });

  it("writes an email subject and text", () => {
    expect(emailMessage(alert)).toEqual({
      subject: "[Burnrate] Spend spike: team search",
      text: "Spend spike (team search): $7.00 <now> & more\n\nhttps://burnrate.example/showback\n\nType: spend.spike\nScope: team search\nPeriod from: 2025-09-10T00:00:00.000Z\n",
    });
  });

  it("masks a Slack webhook URL's token", () => {
    expect(maskSlackUrl("https://hooks.slack.com/services/T000/B000/abcdefghijklmnop")).toBe("https://hooks.slack.com/services/T000/B000/…mnop");
    expect(maskSlackUrl("not a url")).toBe("…");
  });
});
