import { useEffect, useId, useState } from 'preact/hooks';

import type { Lang } from '../i18n.js';
import { t } from '../i18n.js';
import type { ConsoleApi } from './api.js';
import type { Buyer, BuyerChoice } from './api-types.js';
import { failureText } from './errors.js';
import { tc } from './messages.js';

export interface BuyerDraft {
  mode: 'existing' | 'new';
  buyerId: string | null;
  name: string;
  contact: string;
}

export const EMPTY_BUYER_DRAFT: BuyerDraft = {
  mode: 'existing',
  buyerId: null,
  name: '',
  contact: '',
};

/** The buyer the form names, or null while it names nobody yet. */
export function buyerChoice(draft: BuyerDraft): BuyerChoice | null {
  if (draft.mode === 'existing') return draft.buyerId ? { buyerId: draft.buyerId } : null;
  const name = draft.name.trim();
  const contact = draft.contact.trim();
  return name && contact ? { buyer: { name, contact } } : null;
}

/** Long enough not to query on every keystroke, short enough to feel immediate. */
const SEARCH_DELAY_MS = 250;

function useBuyerSearch(api: ConsoleApi, query: string, enabled: boolean) {
  const [result, setResult] = useState<{ buyers: Buyer[]; error: unknown; busy: boolean }>({
    buyers: [],
    error: null,
    busy: false,
  });

  useEffect(() => {
    if (!enabled) return undefined;
    let cancelled = false;
    setResult((r) => ({ ...r, busy: true }));

    const timer = window.setTimeout(() => {
      api.searchBuyers(query).then(
        (buyers) => !cancelled && setResult({ buyers, error: null, busy: false }),
        (error: unknown) => !cancelled && setResult({ buyers: [], error, busy: false }),
      );
    }, SEARCH_DELAY_MS);

    return () => {
      cancelled = true;
      window.clearTimeout(timer);
    };
  }, [api, query, enabled]);

  return result;
}

interface BuyerPickerProps {
  lang: Lang;
  api: ConsoleApi;
  draft: BuyerDraft;
  onDraft: (draft: BuyerDraft) => void;
}

/** Finds one of the agent's buyers by name or contact, or describes a new one. */
export function BuyerPicker({ lang, api, draft, onDraft }: BuyerPickerProps) {
  const [query, setQuery] = useState('');
  const search = useBuyerSearch(api, query, draft.mode === 'existing');
  const ids = { search: useId(), name: useId(), contact: useId(), mode: useId() };
  const set = (change: Partial<BuyerDraft>) => onDraft({ ...draft, ...change });

  return (
    <fieldset class="rp-console-buyer">
      <legend>{t(lang, 'present.buyer')}</legend>
      <div class="rp-console-segmented">
        {(['existing', 'new'] as const).map((mode) => (
          <label key={mode}>
            <input
              type="radio"
              name={ids.mode}
              checked={draft.mode === mode}
              onChange={() => set({ mode })}
            />
            {mode === 'existing' ? tc(lang, 'present.existingBuyer') : t(lang, 'present.newBuyer')}
          </label>
        ))}
      </div>

      {draft.mode === 'existing' ? (
        <>
          <label for={ids.search}>{t(lang, 'present.searchBuyer')}</label>
          <input
            id={ids.search}
            type="search"
            autocomplete="off"
            value={query}
            onInput={(event) => setQuery(event.currentTarget.value)}
          />
          <fieldset class="rp-console-buyer-results" aria-busy={search.busy}>
            <legend>{t(lang, 'present.pickBuyer')}</legend>
            {search.error !== null && <p role="alert">{failureText(lang, search.error)}</p>}
            {search.busy && search.buyers.length === 0 && (
              <p class="rp-muted">{tc(lang, 'present.searching')}</p>
            )}
            {!search.busy && search.error === null && search.buyers.length === 0 && (
              <p class="rp-muted">{tc(lang, 'present.noBuyersFound')}</p>
            )}
            {search.buyers.map((buyer) => (
              <label key={buyer.id} class="rp-console-buyer-option">
                <input
                  type="radio"
                  name={`${ids.mode}-buyer`}
                  checked={draft.buyerId === buyer.id}
                  onChange={() => set({ buyerId: buyer.id })}
                />
                <span>{buyer.name}</span>
                <span class="rp-muted">{buyer.contact}</span>
              </label>
            ))}
          </fieldset>
        </>
      ) : (
        <>
          <label for={ids.name}>{t(lang, 'present.buyerName')}</label>
          <input
            id={ids.name}
            type="text"
            required
            maxLength={120}
            autocomplete="off"
            value={draft.name}
            onInput={(event) => set({ name: event.currentTarget.value })}
          />
          <label for={ids.contact}>{t(lang, 'present.buyerContact')}</label>
          <input
            id={ids.contact}
            type="text"
            required
            maxLength={120}
            autocomplete="off"
            value={draft.contact}
            onInput={(event) => set({ contact: event.currentTarget.value })}
          />
        </>
      )}
    </fieldset>
  );
}
