import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';

import type { PublicUnit } from '../../core/inventory.js';
import { applyPatch, initialViewState } from '../../core/view-state.js';
import type { ViewPatch } from '../../core/view-state.js';
import { viewScrollFraction } from '../app/scroll-fraction.js';
import type { Lang } from '../i18n.js';
import { t } from '../i18n.js';
import { FiltersPanel } from '../views/filters.js';
import { ViewRouter } from '../views/view-router.js';
import type { ConsoleApi, CreatedPresentation } from './api.js';
import type { Agent, PresentationDetail } from './api-types.js';
import { ConsoleHeader } from './ConsoleHeader.js';
import { failureText } from './errors.js';
import { FinishedNotice } from './FinishedNotice.js';
import { HandoffDialog } from './HandoffDialog.js';
import { LivePanel } from './LivePanel.js';
import { forgetLink, loadLink, loadPresentingId, savePresentingId } from './link-store.js';
import { tc } from './messages.js';
import { PresentationsDialog } from './PresentationsDialog.js';
import { PresentDialog } from './PresentDialog.js';
import { ShareDialog } from './ShareDialog.js';
import { UnitStatusControl } from './UnitStatusControl.js';
import { useAgentInventory } from './use-agent-inventory.js';
import { usePresentationActions } from './use-presentation-actions.js';
import { usePresentationSession } from './use-presentation-session.js';
import { ViewNav } from './ViewNav.js';

type Dialog = 'present' | 'share' | 'presentations' | 'handoff' | null;

interface WorkspaceProps {
  lang: Lang;
  onLang: (lang: Lang) => void;
  api: ConsoleApi;
  agent: Agent;
  onSignOut: () => void;
}

const ignoreChange = () => undefined;

/**
 * The signed-in console. One view state drives everything the agent sees; while a presentation
 * runs, that state is the presenter's and every change goes through it to the buyer.
 */
export function Workspace({ lang, onLang, api, agent, onSignOut }: WorkspaceProps) {
  const [inventory, retryInventory, inventoryUpdates] = useAgentInventory(api);
  const [localState, setLocalState] = useState(initialViewState);
  const session = usePresentationSession({
    onFinished: setLocalState,
    onUnits: inventoryUpdates.applyPublic,
  });
  const actions = usePresentationActions(api, session);
  const [dialog, setDialog] = useState<Dialog>(null);

  const { live, start } = session;
  const presenting = live !== null;
  const state = live ? live.state : localState;
  // While connecting the client queues changes; only another tab's lead makes this one a viewer.
  const steering = !live || live.presenting || live.status !== 'open';

  const change = useCallback(
    (patch: ViewPatch) => {
      if (presenting) session.change(patch);
      else setLocalState((current) => applyPatch(current, patch));
    },
    [presenting, session.change],
  );

  // The buyer's phone follows how far down the view the agent scrolls.
  const stage = useRef<HTMLDivElement>(null);
  const presentingHere = live !== null && live.presenting;
  const { scroll } = session;
  useEffect(() => {
    if (!presentingHere) return undefined;
    const onScroll = () => {
      if (stage.current) scroll(viewScrollFraction(stage.current));
    };
    window.addEventListener('scroll', onScroll, { passive: true });
    return () => window.removeEventListener('scroll', onScroll);
  }, [presentingHere, scroll]);

  // A reload of this tab comes back to the presentation it ran, inside the grace period.
  useEffect(() => {
    const id = loadPresentingId();
    if (!id) return;
    api.presentation(id).then(
      (detail) => {
        if (detail.status === 'ended') savePresentingId(null);
        else start(detail, loadLink(id), initialViewState());
      },
      () => savePresentingId(null),
    );
  }, [api, start]);

  const created = (result: CreatedPresentation) => {
    start(result.presentation, result.link, state);
    setDialog('share');
  };

  const reopen = (detail: PresentationDetail) => {
    start(detail, loadLink(detail.id), state);
    setDialog(null);
  };

  const handedOff = (detail: PresentationDetail) => {
    forgetLink(detail.id);
    session.finish(detail, 'handed_off');
    setDialog(null);
  };

  const ready = inventory.status === 'ready' ? inventory : null;

  // The units the buyer hearted in this presentation, marked on the agent's grid.
  const reactions = live?.reactions;
  const liked = useMemo(
    () =>
      new Set(
        (reactions ?? []).flatMap((note) =>
          note.reaction.kind === 'heart' && note.unitId ? [note.unitId] : [],
        ),
      ),
    [reactions],
  );

  const { applyUnit } = inventoryUpdates;
  const unitControls = useCallback(
    (unit: PublicUnit) => (
      <UnitStatusControl key={unit.id} lang={lang} api={api} unit={unit} onChanged={applyUnit} />
    ),
    [lang, api, applyUnit],
  );

  return (
    <>
      <ConsoleHeader
        lang={lang}
        onLang={onLang}
        complexName={ready?.inventory.complex.name ?? null}
        agent={agent}
        onSignOut={onSignOut}
      >
        {!presenting && ready && (
          <button
            type="button"
            class="rp-shell-button rp-shell-primary"
            onClick={() => setDialog('present')}
          >
            {t(lang, 'present.button')}
          </button>
        )}
        <button type="button" class="rp-shell-button" onClick={() => setDialog('presentations')}>
          {tc(lang, 'presentations.open')}
        </button>
      </ConsoleHeader>

      <main class="rp-console-main">
        {live && (
          <LivePanel
            lang={lang}
            live={live}
            actions={actions}
            inventory={ready?.inventory ?? null}
            onShowLink={() => setDialog('share')}
            onTakeover={session.takeover}
            onHandoff={() => setDialog('handoff')}
          />
        )}
        {session.finished && (
          <FinishedNotice
            lang={lang}
            finished={session.finished}
            agentName={agent.name}
            onDismiss={session.dismissFinished}
          />
        )}

        {inventory.status === 'loading' && <p role="status">{t(lang, 'app.loading')}</p>}
        {inventory.status === 'failed' && (
          <div class="rp-console-error" role="alert">
            <p>
              {tc(lang, 'console.loadFailed')} {failureText(lang, inventory)}
            </p>
            <button type="button" class="rp-shell-button" onClick={retryInventory}>
              {t(lang, 'app.retry')}
            </button>
          </div>
        )}

        {ready && (
          <div class="rp-console-workspace">
            <div class="rp-console-filters" inert={!steering}>
              <FiltersPanel
                state={state}
                inventory={ready.inventory}
                lang={lang}
                onChange={steering ? change : ignoreChange}
              />
            </div>
            <div class="rp-console-stage" ref={stage}>
              <ViewNav
                lang={lang}
                state={state}
                inventory={ready.inventory}
                onChange={steering ? change : undefined}
              />
              {!steering && <p class="rp-console-warning">{tc(lang, 'console.readOnlyHere')}</p>}
              <ViewRouter
                state={state}
                inventory={ready.inventory}
                lang={lang}
                mode="console"
                onChange={steering ? change : undefined}
                internal={ready.internal}
                unitControls={unitControls}
                liked={liked}
              />
            </div>
          </div>
        )}
      </main>

      {dialog === 'present' && (
        <PresentDialog
          lang={lang}
          api={api}
          viewState={state}
          onCreated={created}
          onClose={() => setDialog(null)}
        />
      )}
      {dialog === 'share' && live && (
        <ShareDialog
          lang={lang}
          buyerName={live.detail.buyer.name}
          link={live.link}
          busy={actions.busy !== null}
          onReissue={() => void actions.run('reissue')}
          onClose={() => setDialog(null)}
        />
      )}
      {dialog === 'handoff' && live && (
        <HandoffDialog
          lang={lang}
          api={api}
          presentationId={live.detail.id}
          onHandedOff={handedOff}
          onClose={() => setDialog(null)}
        />
      )}
      {dialog === 'presentations' && (
        <PresentationsDialog
          lang={lang}
          api={api}
          currentId={live?.detail.id ?? null}
          inventory={ready?.inventory ?? null}
          onReopen={reopen}
          onClose={() => setDialog(null)}
        />
      )}
    </>
  );
}
