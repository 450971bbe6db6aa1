import type { ComponentChildren } from 'preact';

import type { PublicInventory, PublicUnit, UnitInternal } from '../../core/inventory.js';
import type { ViewPatch, ViewState } from '../../core/view-state.js';
import type { Lang } from '../i18n.js';

export type ViewMode = 'console' | 'viewer';

/** What every view receives. The same props render the agent's console and the buyer's phone. */
export interface ViewProps {
  state: ViewState;
  inventory: PublicInventory;
  lang: Lang;
  mode: ViewMode;
  /** Console only: every interaction is a view-state change. Absent in the viewer (read-only). */
  onChange?: (patch: ViewPatch) => void;
  /** Console only: internal fields by unit id, shown in the agent's unit card, never in the viewer. */
  internal?: ReadonlyMap<string, UnitInternal>;
  /**
   * Viewer only: lets the buyer page the gallery on their own phone. The change stays local to
   * the phone; it is never sent anywhere, so it does not make the viewer an editor.
   */
  onGalleryIndex?: (index: number) => void;
  /**
   * Console only: the agent's controls for the unit on the card that are not view-state changes
   * (its status, for every screen). The viewer never renders them, whatever it is given.
   */
  unitControls?: (unit: PublicUnit) => ComponentChildren;
  /** Console only: units the buyer hearted, marked on the grid for the agent. */
  liked?: ReadonlySet<string>;
}

/**
 * The change callback when this screen may change the view state, else undefined. The viewer
 * never gets one, even if a shell passed `onChange` by mistake: read-only is decided here once.
 */
export function editorOf(props: Pick<ViewProps, 'mode' | 'onChange'>) {
  return props.mode === 'console' ? props.onChange : undefined;
}
