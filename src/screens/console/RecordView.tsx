import { useEffect, useState } from 'preact/hooks';

import type { PublicInventory } from '../../core/inventory.js';
import { REACTION_KINDS } from '../../core/protocol.js';
import type { DeviceKind, ReactionKind } from '../../core/protocol.js';
import { formatDateTime, formatDuration, formatTime } from '../format.js';
import type { Lang } from '../i18n.js';
import { isMessageKey, t } from '../i18n.js';
import { roomsName } from '../views/labels.js';
import { findUnit } from '../views/lookup.js';
import type { ConsoleApi } from './api.js';
import type { SessionRecord } from './api-types.js';
import { failureText } from './errors.js';
import { tc } from './messages.js';

type Loading =
  | { status: 'loading' }
  | { status: 'failed'; error: unknown }
  | { status: 'ready'; record: SessionRecord };

interface RecordViewProps {
  lang: Lang;
  api: ConsoleApi;
  presentationId: string;
  inventory: PublicInventory | null;
}

function isReactionKind(kind: string): kind is ReactionKind {
  return (REACTION_KINDS as readonly string[]).includes(kind);
}

/** A device as the agent knows it: its kind («телефон») and the start of its id. */
function deviceName(lang: Lang, kind: string, deviceId: string): string {
  const key = `device.${kind}`;
  const name = isMessageKey(key) ? t(lang, key as `device.${DeviceKind}`) : kind;
  return `${name} ${deviceId.slice(0, 6)}`;
}

/**
 * The record of one presentation, read after the call: the buyer's devices with when they came
 * and went, each unit shown and for how long, the buyer's reactions, and when the buyer's tab
 * was hidden. The same record downloads as CSV or JSON for a CRM.
 */
export function RecordView({ lang, api, presentationId, inventory }: RecordViewProps) {
  const [loading, setLoading] = useState<Loading>({ status: 'loading' });

  useEffect(() => {
    let cancelled = false;
    api.record(presentationId).then(
      (record) => !cancelled && setLoading({ status: 'ready', record }),
      (error: unknown) => !cancelled && setLoading({ status: 'failed', error }),
    );
    return () => {
      cancelled = true;
    };
  }, [api, presentationId]);

  if (loading.status === 'loading') return <p role="status">{t(lang, 'app.loading')}</p>;
  if (loading.status === 'failed') {
    return (
      <p class="rp-console-error" role="alert">
        {failureText(lang, loading.error)}
      </p>
    );
  }

  const { record } = loading;
  const dash = t(lang, 'app.notSet');
  const kindOf = new Map(record.devices.map((d) => [d.deviceId, d.device]));
  const device = (id: string) => deviceName(lang, kindOf.get(id) ?? '', id);
  const unitName = (id: string | null) => {
    if (id === null) return tc(lang, 'record.wholePresentation');
    const unit = inventory ? findUnit(inventory, id) : null;
    return unit
      ? `${t(lang, 'place.unitShort', { number: unit.number })} · ${roomsName(unit, lang)}`
      : id;
  };
  const nothing = (
    <p class="rp-muted" data-empty="true">
      {tc(lang, 'record.none')}
    </p>
  );

  return (
    <div class="rp-console-record">
      <h3>{tc(lang, 'record.devices')}</h3>
      {record.devices.length === 0 ? (
        nothing
      ) : (
        <table class="rp-console-table rp-console-record-devices">
          <thead>
            <tr>
              <th scope="col">{tc(lang, 'record.device')}</th>
              <th scope="col">{tc(lang, 'record.joined')}</th>
              <th scope="col">{tc(lang, 'record.left')}</th>
            </tr>
          </thead>
          <tbody>
            {record.devices.map((d, i) => (
              <tr key={`${d.deviceId}-${i}`}>
                <th scope="row">{deviceName(lang, d.device, d.deviceId)}</th>
                <td>{formatDateTime(lang, d.joinedAt)}</td>
                <td>{d.leftAt ? formatTime(lang, d.leftAt) : dash}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <h3>{tc(lang, 'record.shown')}</h3>
      {record.shown.length === 0 ? (
        nothing
      ) : (
        <table class="rp-console-table rp-console-record-shown">
          <thead>
            <tr>
              <th scope="col">{tc(lang, 'record.unit')}</th>
              <th scope="col">{tc(lang, 'record.firstShown')}</th>
              <th scope="col">{tc(lang, 'record.duration')}</th>
            </tr>
          </thead>
          <tbody>
            {record.shown.map((s) => (
              <tr key={s.unitId}>
                <th scope="row">{unitName(s.unitId)}</th>
                <td>{formatTime(lang, s.firstShownAt)}</td>
                <td class="rp-num">{formatDuration(s.ms)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <h3>{tc(lang, 'record.reactions')}</h3>
      {record.reactions.length === 0 ? (
        nothing
      ) : (
        <table class="rp-console-table rp-console-record-reactions">
          <thead>
            <tr>
              <th scope="col">{tc(lang, 'record.time')}</th>
              <th scope="col">{tc(lang, 'record.reaction')}</th>
              <th scope="col">{tc(lang, 'record.unit')}</th>
              <th scope="col">{tc(lang, 'record.device')}</th>
            </tr>
          </thead>
          <tbody>
            {record.reactions.map((r, i) => (
              <tr key={`${r.at}-${i}`}>
                <td>{formatTime(lang, r.at)}</td>
                <th scope="row">
                  {isReactionKind(r.kind) ? tc(lang, `record.reaction.${r.kind}`) : r.kind}
                </th>
                <td>{unitName(r.unitId)}</td>
                <td>{device(r.deviceId)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <h3>{tc(lang, 'record.hidden')}</h3>
      {record.hidden.length === 0 ? (
        nothing
      ) : (
        <table class="rp-console-table">
          <thead>
            <tr>
              <th scope="col">{tc(lang, 'record.device')}</th>
              <th scope="col">{tc(lang, 'record.from')}</th>
              <th scope="col">{tc(lang, 'record.to')}</th>
            </tr>
          </thead>
          <tbody>
            {record.hidden.map((h, i) => (
              <tr key={`${h.deviceId}-${i}`}>
                <th scope="row">{device(h.deviceId)}</th>
                <td>{formatTime(lang, h.from)}</td>
                <td>{h.to ? formatTime(lang, h.to) : dash}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
