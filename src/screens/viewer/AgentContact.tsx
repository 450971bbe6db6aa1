import type { PresentationView } from '../../core/protocol.js';
import type { Lang } from '../i18n.js';
import { t } from '../i18n.js';

/** A phone number as a dialable tel: target: the digits, with a leading plus if it had one. */
export function telHref(phone: string): string | null {
  const trimmed = phone.trim();
  const digits = trimmed.replace(/\D/g, '');
  if (digits.length < 3) return null;
  return `tel:${trimmed.startsWith('+') ? '+' : ''}${digits}`;
}

interface AgentContactProps {
  lang: Lang;
  agent: PresentationView['agent'];
}

/** Who showed the flats and how to reach them, so the conversation can go on after the link. */
export function AgentContact({ lang, agent }: AgentContactProps) {
  const href = agent.phone ? telHref(agent.phone) : null;

  return (
    <section class="rp-viewer-contact" aria-labelledby="rp-contact-title">
      <h3 id="rp-contact-title">{t(lang, 'viewer.contactTitle')}</h3>
      <p class="rp-viewer-contact-name">{agent.name}</p>
      {agent.phone && href && (
        <a class="rp-shell-button rp-shell-primary" href={href}>
          {t(lang, 'viewer.contactCall', { phone: agent.phone })}
        </a>
      )}
      <p class="rp-muted">{t(lang, 'viewer.contactHint')}</p>
    </section>
  );
}
