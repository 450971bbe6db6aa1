import { useEffect } from 'preact/hooks';

/** Keeps the tab's title in step with the screen, so a backgrounded tab still says where it is. */
export function useDocumentTitle(title: string): void {
  useEffect(() => {
    document.title = title;
  }, [title]);
}
