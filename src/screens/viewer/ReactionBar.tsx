import { useEffect, useRef, useState } from 'preact/hooks';

import type { PublicUnit } from '../../core/inventory.js';
import type { ReactionKind } from '../../core/protocol.js';
import { tx } from '../app/i18n-extra.js';
import type { Lang } from '../i18n.js';
import { t } from '../i18n.js';

interface ReactionBarProps {
  lang: Lang;
  /** The unit on the buyer's screen: a heart and "tell me more" are about it. */
  unit: PublicUnit | null;
  react: (kind: ReactionKind, unitId: string | null) => boolean;
  /** Grows by one each time the server refuses a reaction as one too many. */
  refusals: number;
}

type Note =
  | { kind: 'sent'; reaction: ReactionKind }
  | { kind: 'alreadySent' }
  | { kind: 'paused' }
  | { kind: 'offline' };

const keyOf = (kind: ReactionKind, unitId: string | null) => `${kind}:${unitId ?? ''}`;

function noteText(lang: Lang, note: Note): string {
  switch (note.kind) {
    case 'sent':
      if (note.reaction === 'heart') return t(lang, 'viewer.liked');
      if (note.reaction === 'call_me') return t(lang, 'viewer.callMeSent');
      return tx(lang, 'viewer.moreInfoSent');
    case 'alreadySent':
      return tx(lang, 'viewer.alreadySent');
    case 'paused':
      return tx(lang, 'viewer.reactionsPaused');
    case 'offline':
      return tx(lang, 'viewer.reactionOffline');
  }
}

interface ReactionButtonProps {
  icon: string;
  sentIcon: string;
  label: string;
  sent: boolean;
  onClick: () => void;
}

function ReactionButton({ icon, sentIcon, label, sent, onClick }: ReactionButtonProps) {
  return (
    <button type="button" class="rp-viewer-reaction" aria-pressed={sent} onClick={onClick}>
      <span class="rp-viewer-reaction-icon" aria-hidden="true">
        {sent ? sentIcon : icon}
      </span>
      {label}
    </button>
  );
}

/**
 * What a buyer can say without taking the lead: "I like this one", "tell me more about it",
 * "call me". Each goes to the agent once; the button stays marked as sent, and a second tap only
 * says that it was sent already. Nothing here changes what either screen shows.
 */
export function ReactionBar({ lang, unit, react, refusals }: ReactionBarProps) {
  const [sent, setSent] = useState<ReadonlySet<string>>(() => new Set());
  const [note, setNote] = useState<Note | null>(null);
  const lastSent = useRef<string | null>(null);
  const refusalsSeen = useRef(refusals);
  const unitId = unit?.id ?? null;

  // What was said about the previous unit would read as if it were about this one.
  useEffect(() => setNote(null), [unitId]);

  // The server found the last reaction one too many: it did not reach the agent, so its button
  // may be used again in a moment, and the buyer hears that the earlier ones did arrive.
  useEffect(() => {
    if (refusals === refusalsSeen.current) return;
    refusalsSeen.current = refusals;
    const refused = lastSent.current;
    lastSent.current = null;
    if (refused) {
      setSent((current) => {
        const next = new Set(current);
        next.delete(refused);
        return next;
      });
    }
    setNote({ kind: 'paused' });
  }, [refusals]);

  const send = (kind: ReactionKind) => {
    const about = kind === 'call_me' ? null : unitId;
    const key = keyOf(kind, about);
    if (sent.has(key)) {
      setNote({ kind: 'alreadySent' });
      return;
    }
    if (!react(kind, about)) {
      setNote({ kind: 'offline' });
      return;
    }
    lastSent.current = key;
    setSent((current) => new Set(current).add(key));
    setNote({ kind: 'sent', reaction: kind });
  };

  return (
    <section class="rp-viewer-reactions" aria-label={tx(lang, 'viewer.reactions')}>
      <div class="rp-viewer-reaction-row">
        {unitId !== null && (
          <>
            <ReactionButton
              icon="♡"
              sentIcon="♥"
              label={t(lang, 'viewer.like')}
              sent={sent.has(keyOf('heart', unitId))}
              onClick={() => send('heart')}
            />
            <ReactionButton
              icon="?"
              sentIcon="✓"
              label={tx(lang, 'viewer.moreInfo')}
              sent={sent.has(keyOf('more_info', unitId))}
              onClick={() => send('more_info')}
            />
          </>
        )}
        <ReactionButton
          icon="☎"
          sentIcon="✓"
          label={t(lang, 'viewer.callMe')}
          sent={sent.has(keyOf('call_me', null))}
          onClick={() => send('call_me')}
        />
      </div>
      <p class="rp-viewer-reaction-note" role="status">
        {note && noteText(lang, note)}
      </p>
    </section>
  );
}
