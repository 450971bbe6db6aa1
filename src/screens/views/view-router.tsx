/**
 * Picks the view component for the state and falls back when the state points at nothing: a
 * unit that left the inventory, a section id from another complex, a complex with no sections.
 * The fallback is a pure function of the state, so both screens fall back to the same view.
 */
import type { PublicInventory } from '../../core/inventory.js';
import type { ViewName, ViewState } from '../../core/view-state.js';
import { VIEWS } from '../../core/view-state.js';
import { FilterSummary, filterChips } from './filters.js';
import { FloorPlan, floorModel } from './floor-plan.js';
import { Grid } from './grid.js';
import { List } from './list.js';
import { findUnit, resolvePlace } from './lookup.js';
import { Overview } from './overview.js';
import { Shortlist } from './shortlist.js';
import { UnitCard } from './unit-card.js';
import type { ViewProps } from './view-props.js';

/** The view that will actually render for `state`. */
export function resolveView(state: ViewState, inventory: PublicInventory): ViewName {
  const view: ViewName = (VIEWS as readonly string[]).includes(state.view)
    ? state.view
    : 'overview';

  switch (view) {
    case 'unit':
      if (findUnit(inventory, state.unitId)) return 'unit';
      // The unit is gone: show its neighbourhood rather than an empty card.
      return resolvePlace(state, inventory) ? 'grid' : 'overview';
    case 'grid':
      return resolvePlace(state, inventory) ? 'grid' : 'overview';
    case 'floor':
      if (floorModel(state, inventory)) return 'floor';
      return resolvePlace(state, inventory) ? 'grid' : 'overview';
    default:
      return view;
  }
}

const FILTERED_VIEWS: readonly ViewName[] = ['grid', 'floor', 'list'];

export function ViewRouter(props: ViewProps) {
  const { state, inventory, lang, mode } = props;
  const view = resolveView(state, inventory);

  // The buyer cannot see the agent's filter panel, so views that filter say what they filter by.
  const summary =
    mode === 'viewer' &&
    FILTERED_VIEWS.includes(view) &&
    filterChips(state.filters, inventory, lang).length > 0 ? (
      <FilterSummary state={state} inventory={inventory} lang={lang} />
    ) : null;

  return (
    <div class={`rp-views rp-mode-${mode}`} lang={lang} data-view={view}>
      {summary}
      {view === 'overview' && <Overview {...props} />}
      {view === 'grid' && <Grid {...props} />}
      {view === 'floor' && <FloorPlan {...props} />}
      {view === 'list' && <List {...props} />}
      {view === 'unit' && <UnitCard {...props} />}
      {view === 'shortlist' && <Shortlist {...props} />}
    </div>
  );
}
