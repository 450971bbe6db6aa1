import type { ComponentChildren } from 'preact';

interface NoticeScreenProps {
  title: string;
  body: string;
  /** A notice that is not an error (ended, connecting) is calmer in colour. */
  tone?: 'calm' | 'problem';
  children?: ComponentChildren;
}

/** A whole-screen message in place of the agent's view: a heading, what to do, and actions. */
export function NoticeScreen({ title, body, tone = 'problem', children }: NoticeScreenProps) {
  return (
    <section class={`rp-viewer-notice rp-notice-${tone}`}>
      <h2>{title}</h2>
      <p>{body}</p>
      {children}
    </section>
  );
}
