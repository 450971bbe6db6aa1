import type { EndReason } from '../../core/protocol.js';
import { formatDateTime, formatNumber } from '../format.js';
import type { Lang } from '../i18n.js';
import type { PresentationDetail } from './api-types.js';
import { tc } from './messages.js';

export function endReasonText(lang: Lang, reason: EndReason): string {
  return tc(lang, `presentations.endReason.${reason}`);
}

interface PresentationSummaryProps {
  lang: Lang;
  detail: PresentationDetail;
}

/** The agent's record of one presentation: for whom, when, how it ended and how much was shown. */
export function PresentationSummary({ lang, detail }: PresentationSummaryProps) {
  return (
    <dl class="rp-console-summary">
      <dt>{tc(lang, 'presentations.buyer')}</dt>
      <dd>
        {detail.buyer.name} <span class="rp-muted">{detail.buyer.contact}</span>
      </dd>
      <dt>{tc(lang, 'presentations.createdAt')}</dt>
      <dd>{formatDateTime(lang, detail.createdAt)}</dd>
      {detail.endedAt && (
        <>
          <dt>{tc(lang, 'presentations.endedAt')}</dt>
          <dd>{formatDateTime(lang, detail.endedAt)}</dd>
        </>
      )}
      {detail.endReason && (
        <>
          <dt>{tc(lang, 'presentations.endReason')}</dt>
          <dd>{endReasonText(lang, detail.endReason)}</dd>
        </>
      )}
      <dt>{tc(lang, 'presentations.expiresAt')}</dt>
      <dd>{formatDateTime(lang, detail.expiresAt)}</dd>
      <dt>{tc(lang, 'presentations.changes')}</dt>
      <dd>{formatNumber(lang, detail.seq)}</dd>
    </dl>
  );
}
