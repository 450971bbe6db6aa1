/**
 * R27: internal inventory fields never reach a buyer. A canary string is written into every
 * internal field of every unit; then every byte a viewer can receive — the page, the whole
 * inventory it fetches after its first frame, the JSON bootstrap, the snapshot, patches, a
 * resume replay, errors — is searched for it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { PUBLIC_UNIT_FIELDS } from '../src/core/inventory.js';
import type { Unit } from '../src/core/inventory.js';
import { initialViewState } from '../src/core/view-state.js';
import { generateDemoInventory } from '../src/server/inventory/demo.js';
import {
  BACKENDS,
  openTestStore,
  presenterFor,
  rawViewer,
  startHarness,
  until,
} from './support/harness.js';
import type { Agent, Harness, TestStore } from './support/harness.js';
import { TRANSPORTS, rawViewerOver } from './support/transports.js';

const CANARY = 'CANARY-7f3a9c';

interface PageBootstrap {
  inventory: { units: Record<string, unknown>[] };
  inventoryScope?: { sections: string[]; units: string[] };
  inventoryUrl?: string;
}

function bootstrapOf(html: string): PageBootstrap {
  const json = /<script id="rp-bootstrap" type="application\/json">(.*?)<\/script>/s.exec(html);
  return JSON.parse(json![1]!) as PageBootstrap;
}

function withCanaries(unit: Unit, i: number): Unit {
  return {
    ...unit,
    internal: {
      reservedBy: `${CANARY} reservedBy ${i}`,
      reservedUntil: `${CANARY} reservedUntil`,
      buyerName: `${CANARY} buyerName`,
      dealStage: `${CANARY} dealStage`,
      discountLimitPct: 7.77,
      commissionPct: 3.33,
      notes: `${CANARY} notes`,
      btiNumber: `${CANARY} bti`,
      notForSaleReason: `${CANARY} reason`,
    },
  };
}

describe.each(BACKENDS)('redaction on %s', (backend) => {
  let testStore: TestStore;
  let h: Harness;
  let anna: Agent;
  let unitIds: string[];

  beforeAll(async () => {
    testStore = await openTestStore(backend);
    const demo = generateDemoInventory();
    const units = demo.units.map(withCanaries);
    unitIds = units.map((u) => u.id);
    await testStore.store.inventory.replace(demo.complex, units);
    h = await startHarness(backend, { HEARTBEAT_SECONDS: '300' }, { store: testStore });
    anna = await h.login();
  });

  afterAll(async () => {
    await h.close();
    await testStore.drop();
  });

  it('the agent does see the internal fields (the canary is really there)', async () => {
    const res = await anna.api('GET', '/api/v1/inventory');
    expect(JSON.stringify(res.body)).toContain(CANARY);
    expect(JSON.stringify(res.body)).toContain('7.77');
  });

  it('R27: no frame, page or bootstrap a viewer receives contains an internal value', async () => {
    const p = await anna.createPresentation();
    const received: string[] = [];

    const page = await fetch(`${h.url}/p/${p.token}`);
    const html = await page.text();
    received.push(html);
    // The page embeds a cut of the inventory and fetches the whole of it after the first frame.
    const inventory = await fetch(`${h.url}${bootstrapOf(html).inventoryUrl}`, {
      headers: { 'x-viewer-token': p.token },
    });
    expect(inventory.status).toBe(200);
    received.push(await inventory.text());
    const json = await fetch(`${h.url}/api/v1/viewer/session`, {
      headers: { 'x-viewer-token': p.token },
    });
    received.push(await json.text());

    const presenter = presenterFor(h, anna, p.id).connect();
    await until(() => expect(presenter.presenting).toBe(true));
    const live = await rawViewer(h, p.token);
    await live.waitFor('snapshot');

    // Walk the agent through every view and every unit id, as a presentation would.
    const views = ['overview', 'grid', 'floor', 'list', 'unit', 'shortlist'] as const;
    for (let i = 0; i < 60; i++) {
      const unitId = unitIds[(i * 13) % unitIds.length]!;
      presenter.change({
        view: views[i % views.length]!,
        unitId,
        highlighted: [unitId],
        shortlist: unitIds.slice(i, i + 5),
      });
    }
    await until(() => expect(presenter.pending).toBe(0));
    await live.waitFor('patch', 60);

    // A late viewer gets a replay; a viewer that tries to send data gets an error frame.
    const replay = await rawViewer(h, p.token, { resumeFrom: 1 });
    await replay.waitFor('patch', 59);
    replay.send({ type: 'change', clientSeq: 1, patch: { view: CANARY } });
    replay.send({ type: 'presence', visible: CANARY });
    await replay.waitFor('error', 2);

    received.push(...live.texts, ...replay.texts);
    const everything = received.join('\n');
    expect(everything.length).toBeGreaterThan(100_000);
    expect(everything).not.toContain(CANARY);
    expect(everything).not.toContain('7.77');
    expect(everything).not.toContain('3.33');
    for (const field of ['reservedBy', 'buyerName', 'dealStage', 'discountLimitPct', 'notes']) {
      expect(everything).not.toContain(`"${field}"`);
    }
    presenter.close();
    live.close();
    replay.close();
  });

  it("R27: a grid's page embeds only the section's units, and no internal value", async () => {
    const demo = generateDemoInventory();
    const section = demo.complex.buildings[1]!.sections[0]!;
    const elsewhere = demo.units.find((u) => u.sectionId !== section.id)!;
    const p = await anna.createPresentation({
      state: {
        ...initialViewState(),
        view: 'grid',
        buildingId: section.buildingId,
        sectionId: section.id,
        highlighted: [elsewhere.id],
      },
    });
    const html = await (await fetch(`${h.url}/p/${p.token}`)).text();
    const data = bootstrapOf(html);
    const ids = data.inventory.units.map((u) => u.id).sort();
    const expected = [
      ...demo.units.filter((u) => u.sectionId === section.id).map((u) => u.id),
      elsewhere.id,
    ].sort();
    expect(ids).toEqual(expected);
    expect(ids.length).toBeLessThan(demo.units.length / 4);
    expect(data.inventoryScope).toEqual({ sections: [section.id], units: [elsewhere.id] });
    // Each unit carries the allow-listed fields and the public status, nothing more.
    for (const unit of data.inventory.units) {
      expect(Object.keys(unit).sort()).toEqual([...PUBLIC_UNIT_FIELDS, 'status'].sort());
    }
    expect(html).not.toContain(CANARY);
    expect(html).not.toContain('7.77');
    for (const field of ['internal', 'reservedBy', 'buyerName', 'notes', 'notForSaleReason']) {
      expect(html).not.toContain(`"${field}"`);
    }
  });

  it.each(TRANSPORTS)(
    'R27 over %s: snapshots, patches, replays and errors carry no internal value',
    async (transport) => {
      const p = await anna.createPresentation();
      const presenter = presenterFor(h, anna, p.id).connect();
      await until(() => expect(presenter.presenting).toBe(true));
      const live = await rawViewerOver(h, p.token, transport);
      await live.waitFor('snapshot');
      for (let i = 0; i < 20; i++) {
        const unitId = unitIds[(i * 31) % unitIds.length]!;
        presenter.change({ view: 'unit', unitId, shortlist: [unitId] });
      }
      await until(() => expect(presenter.pending).toBe(0));
      await live.waitFor('patch', 20);
      const replay = await rawViewerOver(h, p.token, transport, { resumeFrom: 1 });
      await replay.waitFor('patch', 19);
      replay.send({ type: 'react', kind: CANARY, unitId: null });
      await replay.waitFor('error');

      const everything = JSON.stringify([live.frames, replay.frames]);
      expect(everything).toContain(unitIds[0]!.slice(0, 3));
      expect(everything).not.toContain(CANARY);
      expect(everything).not.toContain('"reservedBy"');
      presenter.close();
      live.close();
      replay.close();
    },
  );
});
