import type { PublicInventory } from '../../core/inventory.js';
import { VIEWS } from '../../core/view-state.js';
import type { ViewName, ViewPatch, ViewState } from '../../core/view-state.js';
import type { Lang } from '../i18n.js';
import { t } from '../i18n.js';
import { resolveView } from '../views/view-router.js';
import { tc } from './messages.js';

interface ViewNavProps {
  lang: Lang;
  state: ViewState;
  inventory: PublicInventory;
  /** Absent while another tab leads the presentation: the agent may look, not steer. */
  onChange?: (patch: ViewPatch) => void;
}

/**
 * Switches the view. Switching is a view-state change like any other, so the buyer's phone
 * switches with it. The unit card needs a unit, so it waits until the agent opens one.
 */
export function ViewNav({ lang, state, inventory, onChange }: ViewNavProps) {
  const current = resolveView(state, inventory);

  const available = (view: ViewName) => view !== 'unit' || state.unitId !== null;

  return (
    <nav class="rp-console-nav" aria-label={tc(lang, 'console.nav')}>
      <ul>
        {VIEWS.map((view) => (
          <li key={view}>
            <button
              type="button"
              class="rp-console-nav-item"
              aria-current={current === view ? 'page' : undefined}
              disabled={!onChange || !available(view)}
              onClick={() => onChange?.({ view })}
            >
              {t(lang, `view.${view}`)}
            </button>
          </li>
        ))}
      </ul>
    </nav>
  );
}
