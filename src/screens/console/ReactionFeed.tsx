import type { PublicInventory } from '../../core/inventory.js';
import { formatTime } from '../format.js';
import type { Lang } from '../i18n.js';
import { t } from '../i18n.js';
import { typeLabel } from '../views/labels.js';
import { findUnit } from '../views/lookup.js';
import { tc } from './messages.js';
import type { ReactionNote } from './use-presentation-session.js';

/** The panel shows the newest few; the full list is in the presentation's record. */
const SHOWN_REACTIONS = 5;

const ICONS = { heart: '♥', call_me: '☎', more_info: '?' } as const;

function reactionText(lang: Lang, note: ReactionNote, inventory: PublicInventory | null): string {
  const { reaction } = note;
  const unit = inventory ? findUnit(inventory, note.unitId) : null;
  const number = unit?.number ?? note.unitId ?? '';

  switch (reaction.kind) {
    case 'heart':
    case 'more_info': {
      const text =
        reaction.kind === 'heart'
          ? t(lang, 'live.buyerLiked', { number })
          : tc(lang, 'reactions.moreInfo', { number });
      return unit ? tc(lang, 'reactions.about', { text, type: typeLabel(unit, lang) }) : text;
    }
    case 'call_me': {
      const text = t(lang, 'live.buyerCallMe');
      if (!unit) return text;
      const where = tc(lang, 'reactions.onScreen', { number, type: typeLabel(unit, lang) });
      return `${text} — ${where}`;
    }
  }
}

interface ReactionFeedProps {
  lang: Lang;
  reactions: readonly ReactionNote[];
  inventory: PublicInventory | null;
}

/**
 * The buyer's hearts, "tell me more" and "call me", newest first, as they come: each with the
 * unit, the device and the time. A log region, so a screen reader reads each new one once,
 * politely, without taking the agent away from what they are doing.
 */
export function ReactionFeed({ lang, reactions, inventory }: ReactionFeedProps) {
  return (
    <section class="rp-console-reactions" aria-labelledby="rp-reactions-title">
      <h3 id="rp-reactions-title">{tc(lang, 'reactions.title')}</h3>
      <div role="log" aria-labelledby="rp-reactions-title">
        <ul class="rp-console-reaction-list">
          {reactions.slice(0, SHOWN_REACTIONS).map((note) => (
            <li key={note.id} data-kind={note.reaction.kind}>
              <span class="rp-console-reaction-icon" aria-hidden="true">
                {ICONS[note.reaction.kind]}
              </span>{' '}
              {reactionText(lang, note, inventory)}
              <span class="rp-muted">
                {' · '}
                {t(lang, `device.${note.reaction.device}`)} · {formatTime(lang, note.reaction.at)}
              </span>
            </li>
          ))}
        </ul>
      </div>
      {reactions.length === 0 && <p class="rp-muted">{tc(lang, 'reactions.none')}</p>}
    </section>
  );
}
