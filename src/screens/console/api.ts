/**
 * The console's calls to the agent API. The session lives in an httpOnly cookie the page cannot
 * read; every change also carries the CSRF token the server handed out at sign-in, which a page
 * on another site cannot know.
 */
import type { Unit } from '../../core/inventory.js';
import type { ViewState } from '../../core/view-state.js';
import type {
  AgentInventory,
  AgentSession,
  Buyer,
  BuyerChoice,
  IssuedLink,
  PresentationDetail,
  SessionRecord,
  UnitChange,
} from './api-types.js';

/** An error with the server's code, so the screen can say what to do next in its own words. */
export class ApiError extends Error {
  readonly code: string;
  readonly status: number;

  constructor(code: string, message: string, status: number) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
  }
}

function errorFrom(body: unknown, status: number): ApiError {
  const error = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  if (error && typeof error.code === 'string') {
    return new ApiError(error.code, String(error.message ?? error.code), status);
  }
  return new ApiError(status >= 500 ? 'internal' : 'invalid_request', `HTTP ${status}`, status);
}

export interface CreatedPresentation {
  presentation: PresentationDetail;
  link: IssuedLink;
}

export class ConsoleApi {
  #csrfToken: string | null = null;
  /** Called when the server no longer knows the session, so the console can ask to sign in. */
  onUnauthorized: (() => void) | null = null;

  async #request<T>(method: 'GET' | 'POST' | 'PATCH', path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (method !== 'GET' && this.#csrfToken) headers['x-csrf-token'] = this.#csrfToken;

    let response: Response;
    try {
      response = await fetch(path, {
        method,
        headers,
        credentials: 'same-origin',
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      throw new ApiError('unavailable', 'The server could not be reached.', 0);
    }

    if (response.status === 204) return undefined as T;
    const data: unknown = await response.json().catch(() => null);
    if (response.ok) return data as T;

    const error = errorFrom(data, response.status);
    // Signing in with a wrong password is also a 401, but it is not a lost session.
    if (error.code === 'unauthorized') this.onUnauthorized?.();
    throw error;
  }

  #remember(session: AgentSession): AgentSession {
    this.#csrfToken = session.csrfToken;
    return session;
  }

  async me(): Promise<AgentSession> {
    return this.#remember(await this.#request<AgentSession>('GET', '/api/v1/auth/me'));
  }

  async login(email: string, password: string): Promise<AgentSession> {
    const session = await this.#request<AgentSession>('POST', '/api/v1/auth/login', {
      email,
      password,
    });
    return this.#remember(session);
  }

  async logout(): Promise<void> {
    try {
      await this.#request<void>('POST', '/api/v1/auth/logout');
    } finally {
      this.#csrfToken = null;
    }
  }

  inventory(): Promise<AgentInventory> {
    return this.#request('GET', '/api/v1/inventory');
  }

  async searchBuyers(query: string): Promise<Buyer[]> {
    const q = query.trim();
    const path = q ? `/api/v1/buyers?q=${encodeURIComponent(q)}` : '/api/v1/buyers';
    return (await this.#request<{ buyers: Buyer[] }>('GET', path)).buyers;
  }

  createPresentation(
    buyer: BuyerChoice,
    lifetimeMinutes: number,
    state: ViewState,
  ): Promise<CreatedPresentation> {
    return this.#request('POST', '/api/v1/presentations', { ...buyer, lifetimeMinutes, state });
  }

  async presentations(): Promise<PresentationDetail[]> {
    type Answer = { presentations: PresentationDetail[] };
    return (await this.#request<Answer>('GET', '/api/v1/presentations')).presentations;
  }

  async presentation(id: string): Promise<PresentationDetail> {
    const path = `/api/v1/presentations/${encodeURIComponent(id)}`;
    return (await this.#request<{ presentation: PresentationDetail }>('GET', path)).presentation;
  }

  async extend(id: string, minutes: number): Promise<PresentationDetail> {
    const path = `/api/v1/presentations/${encodeURIComponent(id)}/extend`;
    type Answer = { presentation: PresentationDetail };
    return (await this.#request<Answer>('POST', path, { minutes })).presentation;
  }

  async end(id: string): Promise<PresentationDetail> {
    return this.#finish(id, 'end');
  }

  async revoke(id: string): Promise<PresentationDetail> {
    return this.#finish(id, 'revoke');
  }

  reissue(id: string): Promise<CreatedPresentation> {
    return this.#request('POST', `/api/v1/presentations/${encodeURIComponent(id)}/reissue`);
  }

  /** Hands the presentation to the colleague with this e-mail; the buyer keeps the link. */
  async handoff(id: string, toEmail: string): Promise<PresentationDetail> {
    const path = `/api/v1/presentations/${encodeURIComponent(id)}/handoff`;
    type Answer = { presentation: PresentationDetail };
    return (await this.#request<Answer>('POST', path, { toEmail })).presentation;
  }

  record(id: string): Promise<SessionRecord> {
    return this.#request('GET', recordUrl(id, 'json'));
  }

  async updateUnit(id: string, change: UnitChange): Promise<Unit> {
    const path = `/api/v1/inventory/units/${encodeURIComponent(id)}`;
    return (await this.#request<{ unit: Unit }>('PATCH', path, change)).unit;
  }

  async #finish(id: string, action: 'end' | 'revoke'): Promise<PresentationDetail> {
    const path = `/api/v1/presentations/${encodeURIComponent(id)}/${action}`;
    return (await this.#request<{ presentation: PresentationDetail }>('POST', path)).presentation;
  }
}

/** Where a presentation's record downloads from; the session cookie authorises the GET. */
export function recordUrl(id: string, format: 'json' | 'csv'): string {
  const path = `/api/v1/presentations/${encodeURIComponent(id)}/record`;
  return format === 'csv' ? `${path}?format=csv` : path;
}
