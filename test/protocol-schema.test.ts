/**
 * The edge of the protocol: every inbound frame goes through parseClientMessage, so it must
 * accept each message the protocol defines exactly as sent, refuse everything else with one
 * coded error, never throw, and never reflect what the client sent back into the error.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { FINISHINGS, PUBLIC_STATUSES, ROOM_KINDS } from '../src/core/inventory.js';
import { parseClientMessage } from '../src/core/protocol-schema.js';
import type { ParseResult } from '../src/core/protocol-schema.js';
import { PROTOCOL_VERSION } from '../src/core/protocol.js';
import type { ClientMessage } from '../src/core/protocol.js';
import { SORT_KEYS, VIEWS, initialViewState } from '../src/core/view-state.js';
import type { Filters, ViewPatch } from '../src/core/view-state.js';

const CANARY = 'CANARY-7f3a9c';

function parse(message: unknown): ParseResult {
  return parseClientMessage(JSON.stringify(message));
}

function expectRefused(result: ParseResult): void {
  expect(result).toMatchObject({ ok: false, code: 'invalid_message' });
}

const viewerHello = {
  type: 'hello',
  v: PROTOCOL_VERSION,
  role: 'viewer',
  token: 'x'.repeat(43),
  deviceId: 'device-0001',
  device: 'phone',
} as const;

const presenterHello = {
  type: 'hello',
  v: PROTOCOL_VERSION,
  role: 'presenter',
  presentationId: 'p_abc',
} as const;

const VALID: Record<string, ClientMessage> = {
  'a viewer hello': viewerHello,
  'a viewer hello resuming from a sequence': { ...viewerHello, resumeFrom: 12 },
  'a presenter hello with a cookie session': presenterHello,
  'a presenter hello with a token, resuming and taking over': {
    ...presenterHello,
    auth: 'eyJhbGciOiJIUzI1NiJ9.e30.sig',
    resumeFrom: 0,
    takeover: true,
  },
  'a change with an empty patch': { type: 'change', clientSeq: 1, patch: {} },
  'a change with a whole view state as its patch': {
    type: 'change',
    clientSeq: 2,
    patch: initialViewState(),
  },
  'a volatile pointer': { type: 'volatile', data: { pointer: { x: 0.25, y: 1 } } },
  'a volatile scroll and a cleared pointer': {
    type: 'volatile',
    data: { pointer: null, scroll: { top: 0 } },
  },
  'an empty volatile': { type: 'volatile', data: {} },
  'a takeover': { type: 'takeover' },
  'a presence': { type: 'presence', visible: false },
  'an ack': { type: 'ack', seq: 7 },
  'a resume': { type: 'resume', seq: 0 },
  'a pong': { type: 'pong', t: 1_764_752_400_000 },
};

// ------------------------------------------------------------------ arbitraries

const id = fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/);
const idList = fc.array(id, { maxLength: 4 });
const seq = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });
const fraction = fc.double({ min: 0, max: 1, noNaN: true });
const floor = fc.integer({ min: -5, max: 200 });

const filtersArb: fc.Arbitrary<Filters> = fc.record({
  buildings: idList,
  sections: idList,
  rooms: fc.uniqueArray(fc.constantFrom(...ROOM_KINDS), { maxLength: ROOM_KINDS.length }),
  euroOnly: fc.boolean(),
  priceMin: fc.option(fc.integer({ min: 0, max: 1e11 }), { nil: null }),
  priceMax: fc.option(fc.integer({ min: 0, max: 1e11 }), { nil: null }),
  areaMin: fc.option(fc.double({ min: 0, max: 1e4, noNaN: true }), { nil: null }),
  areaMax: fc.option(fc.double({ min: 0, max: 1e4, noNaN: true }), { nil: null }),
  floorMin: fc.option(floor, { nil: null }),
  floorMax: fc.option(floor, { nil: null }),
  notFirst: fc.boolean(),
  notLast: fc.boolean(),
  finishing: fc.uniqueArray(fc.constantFrom(...FINISHINGS), { maxLength: FINISHINGS.length }),
  completion: fc.array(
    fc
      .tuple(fc.integer({ min: 2000, max: 2099 }), fc.integer({ min: 1, max: 4 }))
      .map(([year, q]) => `${year}-Q${q}`),
    { maxLength: 3 },
  ),
  statuses: fc.uniqueArray(fc.constantFrom(...PUBLIC_STATUSES), {
    maxLength: PUBLIC_STATUSES.length,
  }),
  offersOnly: fc.boolean(),
});

const patchArb: fc.Arbitrary<ViewPatch> = fc.record(
  {
    view: fc.constantFrom(...VIEWS),
    buildingId: fc.option(id, { nil: null }),
    sectionId: fc.option(id, { nil: null }),
    floor: fc.option(floor, { nil: null }),
    unitId: fc.option(id, { nil: null }),
    filters: filtersArb,
    sort: fc.record({ key: fc.constantFrom(...SORT_KEYS), dir: fc.constantFrom('asc', 'desc') }),
    galleryIndex: fc.integer({ min: 0, max: 100 }),
    highlighted: idList,
    shortlist: idList,
  },
  { requiredKeys: [] },
);

const clientMessageArb: fc.Arbitrary<ClientMessage> = fc.oneof(
  fc.record(
    {
      type: fc.constant('hello' as const),
      v: fc.integer(),
      role: fc.constant('viewer' as const),
      token: fc.string({ minLength: 1, maxLength: 64 }),
      deviceId: fc.stringMatching(/^[A-Za-z0-9_-]{8,64}$/),
      device: fc.constantFrom('phone' as const, 'tablet' as const, 'desktop' as const),
      resumeFrom: seq,
    },
    { requiredKeys: ['type', 'v', 'role', 'token', 'deviceId', 'device'] },
  ),
  fc.record(
    {
      type: fc.constant('hello' as const),
      v: fc.integer(),
      role: fc.constant('presenter' as const),
      presentationId: id,
      auth: fc.string({ minLength: 1, maxLength: 64 }),
      resumeFrom: seq,
      takeover: fc.boolean(),
    },
    { requiredKeys: ['type', 'v', 'role', 'presentationId'] },
  ),
  fc.record({ type: fc.constant('change' as const), clientSeq: seq, patch: patchArb }),
  fc.record({
    type: fc.constant('volatile' as const),
    data: fc.record(
      {
        pointer: fc.option(fc.record({ x: fraction, y: fraction }), { nil: null }),
        scroll: fc.option(fc.record({ top: fraction }), { nil: null }),
      },
      { requiredKeys: [] },
    ),
  }),
  fc.constant({ type: 'takeover' as const }),
  fc.record({ type: fc.constant('presence' as const), visible: fc.boolean() }),
  fc.record({ type: fc.constant('ack' as const), seq }),
  fc.record({ type: fc.constant('resume' as const), seq }),
  fc.record({
    type: fc.constant('pong' as const),
    t: fc.double({ noNaN: true, noDefaultInfinity: true }),
  }),
);

// ------------------------------------------------------------------ tests

describe('parseClientMessage accepts every message the protocol defines', () => {
  it.each(Object.entries(VALID))('accepts %s exactly as sent', (_name, message) => {
    const result = parse(message);

    expect(result).toEqual({ ok: true, message });
  });

  it('accepts any valid message, returning it unchanged', () => {
    fc.assert(
      fc.property(clientMessageArb, (message) => {
        const sent = JSON.parse(JSON.stringify(message)) as unknown;

        expect(parse(message)).toEqual({ ok: true, message: sent });
      }),
      { numRuns: 300 },
    );
  });
});

describe('parseClientMessage refuses what the protocol does not define', () => {
  it('refuses text that is not JSON', () => {
    expect(parseClientMessage('{"type":')).toEqual({
      ok: false,
      code: 'invalid_message',
      message: 'The frame is not valid JSON.',
    });
  });

  it.each([
    ['null', 'null'],
    ['a number', '42'],
    ['a string', '"hello"'],
    ['an array', '[{"type":"takeover"}]'],
    ['an object without a type', '{}'],
    ['an unknown type', '{"type":"shutdown"}'],
  ])('refuses %s', (_name, text) => {
    expectRefused(parseClientMessage(text));
  });

  it.each([
    ['a takeover', { type: 'takeover', force: true }],
    ['an ack', { type: 'ack', seq: 1, extra: 1 }],
    ['a viewer hello', { ...viewerHello, presentationId: 'p_abc' }],
    ['a presenter hello', { ...presenterHello, token: 'x'.repeat(43) }],
    ['a change patch', { type: 'change', clientSeq: 1, patch: { price: 1 } }],
    [
      'the filters in a patch',
      {
        type: 'change',
        clientSeq: 1,
        patch: { filters: { ...initialViewState().filters, internal: true } },
      },
    ],
    [
      'the sort in a patch',
      { type: 'change', clientSeq: 1, patch: { sort: { key: 'price', dir: 'asc', by: 1 } } },
    ],
    ['a volatile pointer', { type: 'volatile', data: { pointer: { x: 0, y: 0, z: 0 } } }],
    ['volatile data', { type: 'volatile', data: { zoom: 2 } }],
  ])('refuses an extra key in %s', (_name, message) => {
    expectRefused(parse(message));
  });

  it.each([
    ['v as a string', { ...viewerHello, v: '1' }],
    ['v as a fraction', { ...viewerHello, v: 1.5 }],
    ['an unknown role', { ...viewerHello, role: 'admin' }],
    ['an unknown device', { ...viewerHello, device: 'watch' }],
    ['an empty token', { ...viewerHello, token: '' }],
    ['a token as a number', { ...viewerHello, token: 42 }],
    ['a negative resumeFrom', { ...viewerHello, resumeFrom: -1 }],
    ['a resumeFrom past the safe integers', { ...viewerHello, resumeFrom: 2 ** 53 }],
    ['a takeover flag as a string', { ...presenterHello, takeover: 'yes' }],
    ['a clientSeq as a fraction', { type: 'change', clientSeq: 0.5, patch: {} }],
    ['a patch as an array', { type: 'change', clientSeq: 1, patch: [] }],
    ['an unknown view', { type: 'change', clientSeq: 1, patch: { view: 'admin' } }],
    ['a floor out of range', { type: 'change', clientSeq: 1, patch: { floor: 201 } }],
    ['a galleryIndex out of range', { type: 'change', clientSeq: 1, patch: { galleryIndex: -1 } }],
    ['an id with a slash', { type: 'change', clientSeq: 1, patch: { unitId: '../etc' } }],
    ['a pointer outside 0..1', { type: 'volatile', data: { pointer: { x: 1.01, y: 0 } } }],
    ['visible as a number', { type: 'presence', visible: 1 }],
    ['an ack without a seq', { type: 'ack' }],
    ['an ack with a null seq', { type: 'ack', seq: null }],
    ['a pong with a string time', { type: 'pong', t: '1' }],
  ])('refuses %s', (_name, message) => {
    expectRefused(parse(message));
  });

  it('refuses a number outside the finite range even when JSON spells it', () => {
    expectRefused(parseClientMessage('{"type":"pong","t":1e999}'));
  });
});

describe('parseClientMessage refuses oversized fields', () => {
  const change = (patch: Record<string, unknown>) => ({ type: 'change', clientSeq: 1, patch });

  it.each([
    ['a token over 512 characters', { ...viewerHello, token: 'x'.repeat(513) }],
    ['an auth over 4096 characters', { ...presenterHello, auth: 'x'.repeat(4097) }],
    ['a deviceId over 64 characters', { ...viewerHello, deviceId: 'd'.repeat(65) }],
    ['a deviceId under 8 characters', { ...viewerHello, deviceId: 'd'.repeat(7) }],
    ['an id over 64 characters', change({ unitId: 'u'.repeat(65) })],
    ['a highlight list over 500 ids', change({ highlighted: Array(501).fill('u1') })],
    ['a shortlist over 500 ids', change({ shortlist: Array(501).fill('u1') })],
    [
      'a completion list over 40 quarters',
      change({ filters: { ...initialViewState().filters, completion: Array(41).fill('2027-Q1') } }),
    ],
    [
      'a rooms list longer than the room kinds',
      change({
        filters: { ...initialViewState().filters, rooms: [...ROOM_KINDS, ROOM_KINDS[0]] },
      }),
    ],
  ])('refuses %s', (_name, message) => {
    expectRefused(parse(message));
  });

  it('accepts the largest allowed sizes', () => {
    expect(parse({ ...viewerHello, token: 'x'.repeat(512) }).ok).toBe(true);
    expect(parse({ ...presenterHello, auth: 'x'.repeat(4096) }).ok).toBe(true);
    expect(parse(change({ highlighted: Array(500).fill('u'.repeat(64)) })).ok).toBe(true);
  });
});

describe('parseClientMessage and prototype keys', () => {
  const hostile = [
    '{"type":"takeover","__proto__":{"polluted":true}}',
    '{"type":"change","clientSeq":1,"patch":{"__proto__":{"polluted":true}}}',
    '{"type":"change","clientSeq":1,"patch":{"constructor":{"prototype":{"polluted":true}}}}',
    '{"type":"volatile","data":{"__proto__":{"polluted":true}}}',
    '{"__proto__":{"type":"takeover","polluted":true}}',
    '{"type":"ack","seq":1,"constructor":{"prototype":{"polluted":true}}}',
  ];

  it.each(hostile)('refuses %s', (text) => {
    expectRefused(parseClientMessage(text));
  });

  it.each(hostile)('leaves Object.prototype untouched after %s', (text) => {
    parseClientMessage(text);

    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });
});

describe('parseClientMessage error messages', () => {
  it.each([
    ['the token of a hello', { ...viewerHello, token: CANARY.repeat(100) }],
    ['the deviceId of a hello', { ...viewerHello, deviceId: `${CANARY}/../` }],
    ['the device of a hello', { ...viewerHello, device: CANARY }],
    ['the role of a hello', { ...viewerHello, role: CANARY }],
    ['the auth of a presenter hello', { ...presenterHello, auth: CANARY.repeat(500) }],
    [
      'the presentationId of a presenter hello',
      { ...presenterHello, presentationId: `${CANARY}$` },
    ],
    ['a patch field', { type: 'change', clientSeq: 1, patch: { unitId: `${CANARY}<script>` } }],
    ['a patch view', { type: 'change', clientSeq: 1, patch: { view: CANARY } }],
    ['an extra key', { type: 'takeover', [CANARY]: CANARY }],
    ['an extra key in a patch', { type: 'change', clientSeq: 1, patch: { [CANARY]: 1 } }],
    ['a seq', { type: 'ack', seq: CANARY }],
    ['a pong time', { type: 'pong', t: CANARY }],
  ])('do not echo a bad value in %s', (_name, message) => {
    const result = parse(message);

    expectRefused(result);
    expect(JSON.stringify(result)).not.toContain(CANARY);
  });

  it('do not echo the text of a frame that is not JSON', () => {
    const result = parseClientMessage(`{"type":"hello","token":"${CANARY}`);

    expectRefused(result);
    expect(JSON.stringify(result)).not.toContain(CANARY);
  });

  // Regression: the message used to quote the received `type` back to the client.
  it('do not echo a bad value in the type itself', () => {
    const result = parse({ type: CANARY });

    expectRefused(result);
    expect(JSON.stringify(result)).not.toContain(CANARY);
  });
});

describe('parseClientMessage under fuzzing', () => {
  function expectParsedOrRefused(text: string): void {
    const result = parseClientMessage(text);
    if (result.ok) {
      expect(result.message).toEqual(JSON.parse(text));
    } else {
      expect(result.code).toBe('invalid_message');
      expect(typeof result.message).toBe('string');
    }
  }

  it('never throws on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
        expectParsedOrRefused(text);
      }),
      { numRuns: 5000 },
    );
  });

  it('never throws on arbitrary JSON values', () => {
    fc.assert(
      fc.property(fc.json(), (text) => {
        expectParsedOrRefused(text);
      }),
      { numRuns: 5000 },
    );
  });

  it('never throws on arbitrary serialised values', () => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        const text = JSON.stringify(value) ?? 'null';
        expectParsedOrRefused(text);
      }),
      { numRuns: 5000 },
    );
  });

  it('never throws on arbitrary objects whose type is a string, number, boolean or null', () => {
    const typed = fc.record({
      type: fc.oneof(
        fc.constantFrom('hello', 'change', 'ack', 'volatile', 'toString', '__proto__'),
        fc.string(),
        fc.double(),
        fc.boolean(),
        fc.constant(null),
      ),
      rest: fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 2 })),
    });
    fc.assert(
      fc.property(typed, ({ type, rest }) => {
        expectParsedOrRefused(JSON.stringify({ ...rest, type }));
      }),
      { numRuns: 500 },
    );
  });

  // Regression: the error path called String() on the received `type`, which threw for an
  // object with a non-callable toString and ended the server process.
  it('never throws when the type is an object whose toString is not a function', () => {
    expectParsedOrRefused('{"type":{"toString":1}}');
  });

  it('never throws on arbitrary objects whose type is an object or an array', () => {
    const key = fc.oneof(fc.constantFrom('toString', 'valueOf'), fc.string({ maxLength: 8 }));
    const composite = fc.dictionary(key, fc.jsonValue({ maxDepth: 1 }), { minKeys: 1 });
    const type = fc.oneof(composite, fc.array(composite, { minLength: 1, maxLength: 3 }));
    fc.assert(
      fc.property(type, (value) => {
        expectParsedOrRefused(JSON.stringify({ type: value }));
      }),
      { numRuns: 300 },
    );
  });

  type Path = (string | number)[];

  /** Every property of every object in a message, as a path from the root. */
  function objectPaths(value: unknown, at: Path = []): Path[] {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return [];
    return Object.entries(value).flatMap(([key, inner]) => [
      [...at, key],
      ...objectPaths(inner, [...at, key]),
    ]);
  }

  const OPTIONAL_TOP = new Set(['resumeFrom', 'auth', 'takeover']);
  const OPTIONAL_PARENTS = new Set(['patch', 'data']);

  function isOptional(path: Path): boolean {
    if (path.length === 1) return OPTIONAL_TOP.has(String(path[0]));
    return path.length === 2 && OPTIONAL_PARENTS.has(String(path[0]));
  }

  type Mutation =
    | { kind: 'replace'; pick: number; value: unknown }
    | { kind: 'delete'; pick: number }
    | { kind: 'extra'; pick: number; key: string };

  const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
    fc.record({
      kind: fc.constant('replace' as const),
      pick: fc.nat(),
      value: fc.oneof(
        fc.jsonValue({ maxDepth: 2 }),
        fc.string({ maxLength: 600 }),
        fc.double(),
        fc.constant(null),
      ),
    }),
    fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }),
    fc.record({
      kind: fc.constant('extra' as const),
      pick: fc.nat(),
      key: fc.oneof(fc.string({ minLength: 1, maxLength: 12 }), fc.constant('__proto__')),
    }),
  );

  function mutate(message: ClientMessage, mutation: Mutation): { copy: unknown; path: Path } {
    const copy = JSON.parse(JSON.stringify(message)) as Record<string, unknown>;
    const paths = objectPaths(copy);
    const path = paths[mutation.pick % paths.length] ?? [];
    let parent: Record<string | number, unknown> = copy;
    for (const step of path.slice(0, -1)) parent = parent[step] as Record<string, unknown>;
    const last = path[path.length - 1] ?? 'type';

    if (mutation.kind === 'replace') parent[last] = mutation.value;
    else if (mutation.kind === 'delete') delete parent[last];
    else if (!Object.prototype.hasOwnProperty.call(parent, mutation.key)) {
      Object.defineProperty(parent, mutation.key, {
        value: 1,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return { copy, path };
  }

  it('returns a mutated valid message unchanged or refuses it, and never throws', () => {
    fc.assert(
      fc.property(clientMessageArb, mutationArb, (message, mutation) => {
        const { copy, path } = mutate(message, mutation);
        const text = JSON.stringify(copy);

        expectParsedOrRefused(text);

        const result = parseClientMessage(text);
        if (mutation.kind === 'extra' && text !== JSON.stringify(message)) {
          expect(result.ok).toBe(false);
        }
        if (mutation.kind === 'delete' && !isOptional(path)) expect(result.ok).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });
});
