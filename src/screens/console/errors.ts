import { errorMessage } from '../i18n.js';
import type { Lang } from '../i18n.js';

/** The sentence for any failure a console action can meet, by the server's code if it has one. */
export function failureText(lang: Lang, error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return errorMessage(lang, typeof code === 'string' ? code : 'unknown');
}
