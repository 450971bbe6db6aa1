import { it, expect } from 'vitest';
import { x } from '../src/screens/views/probe.js';
it('probe', () => { const v = x() as unknown as { type: string }; expect(v.type).toBe('div'); });
