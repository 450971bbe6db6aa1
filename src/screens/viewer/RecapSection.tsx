import { tx } from '../app/i18n-extra.js';
import { formatArea, formatDateTime, formatPrice } from '../format.js';
import type { Lang } from '../i18n.js';
import { t } from '../i18n.js';
import { LayoutPlan } from '../views/art.js';
import { roomsName, statusClass, statusName } from '../views/labels.js';
import type { Recap, RecapEntry } from './recap.js';

function RecapCard({ lang, entry }: { lang: Lang; entry: RecapEntry }) {
  const { unit, current } = entry;
  // A unit sold since it was shown has no price to show any more.
  const price = current ? current.price : unit.price;

  return (
    <li class="rp-viewer-recap-card">
      {current && <LayoutPlan unit={current} lang={lang} class="rp-viewer-recap-plan" />}
      <div class="rp-viewer-recap-facts">
        <p class="rp-viewer-recap-number">
          {t(lang, 'place.unitShort', { number: unit.number })}
          {current && (
            <>
              {' '}
              <span class={`rp-badge ${statusClass(current.status)}`}>
                {statusName(current.status, lang)}
              </span>
            </>
          )}
        </p>
        <p>
          {tx(lang, 'viewer.recapFacts', {
            rooms: roomsName(unit, lang),
            area: formatArea(lang, unit.areaTotal),
            floor: unit.floor,
          })}
        </p>
        {price !== null && <p class="rp-viewer-recap-price">{formatPrice(lang, price)}</p>}
      </div>
    </li>
  );
}

interface RecapSectionProps {
  lang: Lang;
  recap: Recap;
}

/** The units shown in the presentation, as cards, and until when this link keeps them. */
export function RecapSection({ lang, recap }: RecapSectionProps) {
  return (
    <section class="rp-viewer-recap" aria-labelledby="rp-recap-title" data-source={recap.source}>
      <h3 id="rp-recap-title">{t(lang, 'viewer.recapTitle')}</h3>
      {recap.entries.length === 0 ? (
        <p class="rp-muted">{t(lang, 'viewer.recapEmpty')}</p>
      ) : (
        <ul class="rp-viewer-recap-list">
          {recap.entries.map((entry) => (
            <RecapCard key={entry.unit.id} lang={lang} entry={entry} />
          ))}
        </ul>
      )}
      {recap.availableUntil && (
        <p class="rp-viewer-recap-until rp-muted">
          {tx(lang, 'viewer.recapUntil', { time: formatDateTime(lang, recap.availableUntil) })}
        </p>
      )}
    </section>
  );
}
