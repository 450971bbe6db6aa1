import { useState } from 'preact/hooks';

import type { PublicUnit, Unit, UnitStatus } from '../../core/inventory.js';
import type { Lang } from '../i18n.js';
import { statusClass, statusName } from '../views/labels.js';
import type { ConsoleApi } from './api.js';
import { ConfirmButton } from './ConfirmButton.js';
import { failureText } from './errors.js';
import { tc } from './messages.js';

interface UnitStatusControlProps {
  lang: Lang;
  api: ConsoleApi;
  unit: PublicUnit;
  /** The unit as the API answered it after a change. */
  onChanged: (unit: Unit) => void;
}

type Move = 'reserve' | 'release' | 'sell' | 'returnToSale';

const TARGET: Record<Move, UnitStatus> = {
  reserve: 'reserved',
  release: 'available',
  sell: 'sold',
  returnToSale: 'available',
};

/** What an agent may do from each status a console shows. */
function movesFrom(status: PublicUnit['status']): Move[] {
  switch (status) {
    case 'available':
      return ['reserve', 'sell'];
    case 'reserved':
      return ['release', 'sell'];
    case 'sold':
      return ['returnToSale'];
    case 'unavailable':
      return [];
  }
}

/**
 * Reserve, release or sell the unit on the card, for every screen at once: the server tells
 * every console and every buyer's phone showing it. Selling asks first, since it takes the
 * unit off the market on the buyer's screen too.
 */
export function UnitStatusControl({ lang, api, unit, onChanged }: UnitStatusControlProps) {
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<unknown>(null);
  const moves = movesFrom(unit.status);

  const run = async (move: Move) => {
    setBusy(true);
    setFailure(null);
    try {
      onChanged(await api.updateUnit(unit.id, { status: TARGET[move] }));
    } catch (error) {
      setFailure(error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="rp-console-unit-status" role="group" aria-label={tc(lang, 'unitStatus.label')}>
      <span class="rp-console-unit-status-label">{tc(lang, 'unitStatus.label')}:</span>
      <span class={`rp-badge ${statusClass(unit.status)}`}>{statusName(unit.status, lang)}</span>
      {moves.length === 0 && <span class="rp-muted">{tc(lang, 'unitStatus.notForSale')}</span>}
      {moves.map((move) =>
        move === 'sell' ? (
          <ConfirmButton
            key={move}
            lang={lang}
            label={tc(lang, 'unitStatus.sell')}
            question={tc(lang, 'unitStatus.sellConfirm')}
            disabled={busy}
            onConfirm={() => void run(move)}
          />
        ) : (
          <button
            key={move}
            type="button"
            class="rp-shell-button"
            disabled={busy}
            onClick={() => void run(move)}
          >
            {tc(lang, `unitStatus.${move}`)}
          </button>
        ),
      )}
      {busy && (
        <span class="rp-muted" role="status">
          {tc(lang, 'unitStatus.saving')}
        </span>
      )}
      {failure !== null && (
        <p class="rp-console-error" role="alert">
          {failureText(lang, failure)}
        </p>
      )}
    </div>
  );
}
