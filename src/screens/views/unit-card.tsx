/**
 * The unit card: plan, gallery, specifications, price, offer and a mortgage estimate. The
 * console adds actions (shortlist, highlight, show on grid or floor) and a panel of internal
 * fields; the viewer never renders that panel, whatever it is given.
 */
import { mortgagePayment } from '../../core/filtering.js';
import type {
  Building,
  PublicInventory,
  PublicUnit,
  Section,
  UnitInternal,
} from '../../core/inventory.js';
import type { ViewState } from '../../core/view-state.js';
import {
  formatArea,
  formatDateTime,
  formatNumber,
  formatPerM2,
  formatPrice,
  formatQuarter,
} from '../format.js';
import type { Lang } from '../i18n.js';
import { plural, t } from '../i18n.js';
import { GALLERY_SIZE, GalleryImage, LayoutPlan, galleryIndexOf } from './art.js';
import { roomsName, statusClass, statusName } from './labels.js';
import { findBuilding, findSection, findUnit } from './lookup.js';
import {
  openFloorPatch,
  showOnGridPatch,
  toggleHighlightPatch,
  toggleShortlistPatch,
} from './navigation.js';
import type { ViewProps } from './view-props.js';
import { editorOf } from './view-props.js';

// ---------------------------------------------------------------- mortgage

/**
 * The assumptions the estimate shows next to its numbers. Both scenarios use one down payment
 * and one term so the buyer compares rates alone: the state-backed family programme (6 %, loan
 * capped at 12 million ₽ in Moscow) and a market rate.
 */
export const MORTGAGE = {
  downPct: 20,
  years: 30,
  familyRatePct: 6,
  familyLoanLimit: 12_000_000,
  standardRatePct: 16,
} as const;

export interface MortgageEstimate {
  kind: 'family' | 'standard';
  downPct: number;
  ratePct: number;
  years: number;
  principal: number;
  /** Null when the programme cannot cover the loan (over the family limit). */
  monthly: number | null;
}

export function mortgageEstimates(price: number | null): MortgageEstimate[] {
  if (price === null || !(price > 0)) return [];

  const principal = Math.round(price * (1 - MORTGAGE.downPct / 100));
  const base = { downPct: MORTGAGE.downPct, years: MORTGAGE.years, principal };
  const familyFits = principal <= MORTGAGE.familyLoanLimit;

  return [
    {
      ...base,
      kind: 'family',
      ratePct: MORTGAGE.familyRatePct,
      monthly: familyFits
        ? mortgagePayment(principal, MORTGAGE.familyRatePct, MORTGAGE.years)
        : null,
    },
    {
      ...base,
      kind: 'standard',
      ratePct: MORTGAGE.standardRatePct,
      monthly: mortgagePayment(principal, MORTGAGE.standardRatePct, MORTGAGE.years),
    },
  ];
}

// ---------------------------------------------------------------- model

export interface UnitCardModel {
  unit: PublicUnit;
  building: Building | null;
  section: Section | null;
  inShortlist: boolean;
  highlighted: boolean;
  /** The state's gallery index wrapped onto the gallery. */
  galleryIndex: number;
  mortgage: MortgageEstimate[];
}

export function unitCardModel(state: ViewState, inventory: PublicInventory): UnitCardModel | null {
  const unit = findUnit(inventory, state.unitId);
  if (!unit) return null;

  return {
    unit,
    building: findBuilding(inventory, unit.buildingId),
    section: findSection(inventory, unit.sectionId),
    inShortlist: state.shortlist.includes(unit.id),
    highlighted: state.highlighted.includes(unit.id),
    galleryIndex: galleryIndexOf(state.galleryIndex),
    mortgage: mortgageEstimates(unit.price),
  };
}

// ---------------------------------------------------------------- parts

function Specs({ model, lang }: { model: UnitCardModel; lang: Lang }) {
  const { unit, building, section } = model;
  const floors = section?.floors ?? building?.floors;
  const rows: [string, string][] = [
    [t(lang, 'unit.rooms'), roomsName(unit, lang)],
    [t(lang, 'unit.areaTotal'), formatArea(lang, unit.areaTotal)],
    [t(lang, 'unit.areaLiving'), formatArea(lang, unit.areaLiving)],
    [t(lang, 'unit.areaKitchen'), formatArea(lang, unit.areaKitchen)],
    [
      t(lang, 'unit.floor'),
      floors ? t(lang, 'unit.floorOf', { floor: unit.floor, floors }) : String(unit.floor),
    ],
    [
      t(lang, 'unit.ceiling'),
      t(lang, 'unit.ceilingValue', { value: formatNumber(lang, unit.ceiling) }),
    ],
    [t(lang, 'unit.finishing'), t(lang, `finishing.${unit.finishing}`)],
    [t(lang, 'unit.view'), t(lang, `windowView.${unit.view}`)],
    [t(lang, 'unit.outdoor'), t(lang, unit.outdoor ? `outdoor.${unit.outdoor}` : 'outdoor.none')],
    [t(lang, 'unit.bathrooms'), String(unit.bathrooms)],
  ];
  if (building) {
    rows.push([t(lang, 'unit.building'), building.name]);
    rows.push([t(lang, 'unit.completion'), formatQuarter(building.completion, lang)]);
  }
  if (section) rows.push([t(lang, 'unit.section'), String(section.number)]);
  rows.push([t(lang, 'unit.layoutCode'), unit.layoutCode]);

  return (
    <section class="rp-panel rp-specs" aria-label={t(lang, 'unit.specs')}>
      <h3>{t(lang, 'unit.specs')}</h3>
      <dl class="rp-spec-list">
        {rows.map(([term, value]) => (
          <div key={term} class="rp-spec">
            <dt>{term}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

function Price({ model, lang }: { model: UnitCardModel; lang: Lang }) {
  const { unit } = model;

  return (
    <section class="rp-panel rp-price-panel" aria-label={t(lang, 'unit.price')}>
      {unit.price === null ? (
        <p class="rp-muted">{t(lang, 'unit.priceHidden')}</p>
      ) : (
        <>
          <p class="rp-price">{formatPrice(lang, unit.price)}</p>
          {unit.pricePerM2 !== null && <p class="rp-muted">{formatPerM2(lang, unit.pricePerM2)}</p>}
        </>
      )}
      {unit.offer && (
        <p class="rp-offer-text">
          <span class="rp-badge rp-offer">{t(lang, 'unit.offer')}</span> {unit.offer}
        </p>
      )}
    </section>
  );
}

function Mortgage({ estimates, lang }: { estimates: MortgageEstimate[]; lang: Lang }) {
  if (estimates.length === 0) return null;
  const limit = formatPrice(lang, MORTGAGE.familyLoanLimit);

  return (
    <section class="rp-panel rp-mortgage" aria-label={t(lang, 'mortgage.title')}>
      <h3>{t(lang, 'mortgage.title')}</h3>
      <ul class="rp-mortgage-list">
        {estimates.map((e) => (
          <li key={e.kind} class="rp-mortgage-item">
            <span class="rp-mortgage-name">
              {t(lang, e.kind === 'family' ? 'mortgage.family' : 'mortgage.standard')}
            </span>
            {e.monthly === null ? (
              <span class="rp-muted">{t(lang, 'mortgage.overLimit', { limit })}</span>
            ) : (
              <span class="rp-mortgage-amount">
                {t(lang, 'mortgage.monthly', { amount: formatPrice(lang, e.monthly) })}
              </span>
            )}
            <span class="rp-muted">
              {t(lang, 'mortgage.terms', {
                down: e.downPct,
                rate: formatNumber(lang, e.ratePct),
                years: plural(lang, 'years', e.years),
              })}
            </span>
          </li>
        ))}
      </ul>
      <p class="rp-note">{t(lang, 'mortgage.note')}</p>
    </section>
  );
}

function Gallery(props: ViewProps & { model: UnitCardModel }) {
  const { lang, model } = props;
  const index = model.galleryIndex;
  const edit = editorOf(props);

  // The console pages the gallery for both screens; the viewer may page only its own copy.
  const go = edit
    ? (i: number) => edit({ galleryIndex: galleryIndexOf(i) })
    : props.mode === 'viewer' && props.onGalleryIndex
      ? (i: number) => props.onGalleryIndex?.(galleryIndexOf(i))
      : undefined;

  return (
    <figure class="rp-gallery">
      <GalleryImage unit={model.unit} index={index} lang={lang} />
      <figcaption class="rp-gallery-bar">
        {go && (
          <button
            type="button"
            class="rp-button rp-gallery-prev"
            aria-label={t(lang, 'gallery.prev')}
            onClick={() => go(index - 1)}
          >
            <span aria-hidden="true">‹</span>
          </button>
        )}
        <span class="rp-gallery-position" aria-live="polite">
          {t(lang, 'gallery.position', { index: index + 1, total: GALLERY_SIZE })}
        </span>
        {go && (
          <button
            type="button"
            class="rp-button rp-gallery-next"
            aria-label={t(lang, 'gallery.next')}
            onClick={() => go(index + 1)}
          >
            <span aria-hidden="true">›</span>
          </button>
        )}
      </figcaption>
    </figure>
  );
}

function InternalPanel({ internal, lang }: { internal: UnitInternal; lang: Lang }) {
  const dash = t(lang, 'app.notSet');
  const rows: [string, string][] = [
    [t(lang, 'internal.reservedBy'), internal.reservedBy ?? dash],
    [
      t(lang, 'internal.reservedUntil'),
      internal.reservedUntil ? formatDateTime(lang, internal.reservedUntil) || dash : dash,
    ],
    [t(lang, 'internal.buyerName'), internal.buyerName ?? dash],
    [t(lang, 'internal.dealStage'), internal.dealStage ?? dash],
    [
      t(lang, 'internal.discountLimit'),
      t(lang, 'internal.percent', { value: formatNumber(lang, internal.discountLimitPct) }),
    ],
    [
      t(lang, 'internal.commission'),
      t(lang, 'internal.percent', { value: formatNumber(lang, internal.commissionPct) }),
    ],
    [t(lang, 'internal.bti'), internal.btiNumber || dash],
    [t(lang, 'internal.notForSaleReason'), internal.notForSaleReason ?? dash],
    [t(lang, 'internal.notes'), internal.notes || dash],
  ];

  return (
    <aside class="rp-panel rp-internal" aria-label={t(lang, 'internal.title')}>
      <h3>{t(lang, 'internal.title')}</h3>
      <dl class="rp-spec-list">
        {rows.map(([term, value]) => (
          <div key={term} class="rp-spec">
            <dt>{term}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
    </aside>
  );
}

function Actions({
  state,
  model,
  lang,
  edit,
}: {
  state: ViewState;
  model: UnitCardModel;
  lang: Lang;
  edit: NonNullable<ViewProps['onChange']>;
}) {
  const { unit } = model;

  return (
    <div class="rp-actions">
      <button
        type="button"
        class="rp-button rp-primary"
        aria-pressed={model.inShortlist}
        onClick={() => edit(toggleShortlistPatch(state, unit.id))}
      >
        {t(lang, model.inShortlist ? 'shortlist.inShortlist' : 'shortlist.add')}
      </button>
      <button
        type="button"
        class="rp-button"
        aria-pressed={model.highlighted}
        onClick={() => edit(toggleHighlightPatch(state, unit.id))}
      >
        {t(lang, 'unit.highlight')}
      </button>
      <button type="button" class="rp-button" onClick={() => edit(showOnGridPatch(unit))}>
        {t(lang, 'unit.showOnGrid')}
      </button>
      <button type="button" class="rp-button" onClick={() => edit(openFloorPatch(unit))}>
        {t(lang, 'unit.showOnFloor')}
      </button>
    </div>
  );
}

// ---------------------------------------------------------------- view

export function UnitCard(props: ViewProps) {
  const { state, inventory, lang, mode } = props;
  const edit = editorOf(props);
  const model = unitCardModel(state, inventory);

  if (!model) {
    return (
      <section class="rp-view rp-unit" aria-label={t(lang, 'view.unit')}>
        <p class="rp-empty">{t(lang, 'unit.notFound')}</p>
      </section>
    );
  }

  const { unit, building, section } = model;
  const internal = mode === 'console' ? props.internal?.get(unit.id) : undefined;
  const place = [
    building?.name,
    section ? t(lang, 'place.section', { number: section.number }) : undefined,
    t(lang, 'place.floor', { floor: unit.floor }),
  ].filter((part): part is string => Boolean(part));

  return (
    <section
      class={`rp-view rp-unit${model.highlighted ? ' rp-highlighted' : ''}`}
      aria-label={t(lang, 'view.unit')}
    >
      <header class="rp-view-head">
        <h2>{t(lang, 'place.unit', { number: unit.number })}</h2>
        <p class="rp-unit-subtitle">
          {roomsName(unit, lang)} · {formatArea(lang, unit.areaTotal)}{' '}
          <span class={`rp-badge ${statusClass(unit.status)}`}>
            {statusName(unit.status, lang)}
          </span>
        </p>
        <p class="rp-muted">{place.join(' · ')}</p>
      </header>
      {edit && <Actions state={state} model={model} lang={lang} edit={edit} />}
      {mode === 'console' && props.unitControls?.(unit)}
      <div class="rp-unit-body">
        <div class="rp-unit-media">
          <figure class="rp-plan-figure">
            <LayoutPlan unit={unit} lang={lang} />
          </figure>
          <Gallery {...props} model={model} />
        </div>
        <div class="rp-unit-facts">
          <Price model={model} lang={lang} />
          <Mortgage estimates={model.mortgage} lang={lang} />
          <Specs model={model} lang={lang} />
          {internal && <InternalPanel internal={internal} lang={lang} />}
        </div>
      </div>
    </section>
  );
}
