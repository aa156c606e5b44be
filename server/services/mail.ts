/**
 * Outgoing e-mail. Optional: with SMTP_URL (e.g. smtp://user:pass@host:587) set, messages go out
 * through it; without, they are only logged, and the UI shows links (such as invitation links)
 * directly.
 */
import { env } from '@/lib/env';

export interface Mail {
  to: string;
  subject: string;
  text: string;
}

export function mailEnabled(): boolean {
  return !!env().SMTP_URL;
}

export async function sendMail(mail: Mail): Promise<{ sent: boolean; error?: string }> {
  const smtpUrl = env().SMTP_URL;
  if (!smtpUrl) return { sent: false };
  try {
    const nodemailer = await import('nodemailer');
    const transport = nodemailer.createTransport(smtpUrl);
    await transport.sendMail({ from: env().SMTP_FROM, ...mail });
    return { sent: true };
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    console.error(`[mail] could not send "${mail.subject}" to ${mail.to}: ${error}`);
    return { sent: false, error };
  }
}
