import nodemailer from "nodemailer";

/**
 * Email alerts over SMTP, only when BURNRATE_SMTP_URL is set (e.g.
 * smtp://user:password@mail.example.com:587, or smtps://… for implicit TLS); email
 * channels cannot be created without it. BURNRATE_SMTP_FROM sets the sender
 * (default "Burnrate <burnrate@localhost>").
 */

export const DEFAULT_FROM = "Burnrate <burnrate@localhost>";

export function smtpUrl(env: Record<string, string | undefined> = process.env): string | null {
  const url = env.BURNRATE_SMTP_URL?.trim();
  return url ? url : null;
}

export interface EmailMessage {
  to: string;
  subject: string;
  text: string;
  from?: string;
}

/** Sends one plain-text mail; throws when the server refuses it or does not answer within timeoutMs. */
export async function sendEmail(url: string, message: EmailMessage, timeoutMs: number): Promise<void> {
  const transport = nodemailer.createTransport({
    url,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  });
  try {
    await transport.sendMail({ from: message.from || DEFAULT_FROM, to: message.to, subject: message.subject, text: message.text });
  } finally {
    transport.close();
  }
}
