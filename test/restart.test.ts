/**
 * A node restarts: what it acknowledged is still there, and expiry and grace go on from the
 * stored deadlines (R5, R14, R15).
 */
import { describe, expect, it } from 'vitest';

import {
  BACKENDS,
  openTestStore,
  presenterFor,
  rawViewer,
  startHarness,
  until,
} from './support/harness.js';
import { ManualClock } from './support/clock.js';

describe.each(BACKENDS)('restart on %s', (backend) => {
  it('R5: every acknowledged change survives a restart', async () => {
    const testStore = await openTestStore(backend);
    const clock = new ManualClock();
    const env = { HEARTBEAT_SECONDS: '300' };
    const first = await startHarness(backend, env, { store: testStore, clock });
    const anna = await first.login();
    const p = await anna.createPresentation();
    const presenter = presenterFor(first, anna, p.id).connect();
    await until(() => expect(presenter.presenting).toBe(true));
    for (let i = 1; i <= 25; i++) presenter.change({ galleryIndex: i, floor: i });
    await until(() => expect(presenter.pending).toBe(0));
    presenter.close();
    await first.close();

    const second = await startHarness(backend, env, { store: testStore, clock });
    const viewer = await rawViewer(second, p.token);
    const [snapshot] = await viewer.waitFor('snapshot');
    expect(snapshot!.seq).toBe(25);
    expect(snapshot!.state).toMatchObject({ galleryIndex: 25, floor: 25 });
    viewer.close();
    await second.close();
    await testStore.drop();
  });

  it('R14: a presentation live at shutdown gets its grace period after the restart', async () => {
    const testStore = await openTestStore(backend);
    const clock = new ManualClock();
    const env = { HEARTBEAT_SECONDS: '300', GRACE_SECONDS: '120' };
    const first = await startHarness(backend, env, { store: testStore, clock });
    const anna = await first.login();
    const p = await anna.createPresentation();
    const presenter = presenterFor(first, anna, p.id).connect();
    await until(async () =>
      expect((await testStore.store.presentations.findById(p.id))!.status).toBe('live'),
    );
    // Stop the presenter's client first so it does not reconnect to the new node.
    presenter.close();
    await until(async () =>
      expect((await testStore.store.presentations.findById(p.id))!.status).toBe('agent_away'),
    );
    await testStore.store.presentations.update(p.id, { status: 'live', graceEndsAt: null });
    await first.close();

    const second = await startHarness(backend, env, { store: testStore, clock });
    const row = await testStore.store.presentations.findById(p.id);
    expect(row!.status).toBe('agent_away');
    expect(row!.graceEndsAt).toBe(clock.now() + 120_000);

    clock.advance(120_000);
    await until(async () =>
      expect((await testStore.store.presentations.findById(p.id))!).toMatchObject({
        status: 'ended',
        endReason: 'grace_timeout',
      }),
    );
    await second.close();
    await testStore.drop();
  });

  it('R15: a link expires on time even if the node was down at its deadline', async () => {
    const testStore = await openTestStore(backend);
    const clock = new ManualClock();
    const env = { HEARTBEAT_SECONDS: '300' };
    const first = await startHarness(backend, env, { store: testStore, clock });
    const anna = await first.login();
    const p = await anna.createPresentation({ lifetimeMinutes: 5 });
    await first.close();

    clock.advance(10 * 60_000);
    const second = await startHarness(backend, env, { store: testStore, clock });
    const row = await testStore.store.presentations.findById(p.id);
    expect(row).toMatchObject({ status: 'ended', endReason: 'expired' });
    expect((await fetch(`${second.url}/p/${p.token}`)).status).toBe(410);
    await second.close();
    await testStore.drop();
  });
});
