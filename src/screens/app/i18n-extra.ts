/**
 * Strings the screens' shells need beyond the shared dictionary in `../i18n.ts`, in the same
 * form: Russian is the source of truth, English must name every key, and `{name}` placeholders
 * are checked at compile time. The buyer's strings live here; the console's live in
 * `../console/messages.ts`, so the phone does not download the agent's vocabulary.
 */
import type { Lang } from '../i18n.js';

type Placeholders<S> = S extends `${string}{${infer Name}}${infer Rest}`
  ? Name | Placeholders<Rest>
  : never;

type ParamsArg<S> = [Placeholders<S>] extends [never]
  ? [params?: Record<string, never>]
  : [params: Record<Placeholders<S>, string | number>];

export type Translate<R extends Record<string, string>> = <K extends keyof R & string>(
  lang: Lang,
  key: K,
  ...rest: ParamsArg<R[K]>
) => string;

/** A lookup over a Russian dictionary and its complete English counterpart. */
export function messages<const R extends Record<string, string>>(
  ru: R,
  en: { [K in keyof R]: string },
): Translate<R> {
  const dictionaries: Record<Lang, Record<string, string>> = { ru, en };

  return (lang, key, ...rest) => {
    const params: Record<string, string | number> | undefined = rest[0];
    const template = dictionaries[lang][key] ?? key;
    if (!params) return template;
    return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
      Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : whole,
    );
  };
}

/** The buyer's page's own strings. */
export const tx = messages(
  {
    'viewer.expiredBodyNoAgent': 'Эта ссылка больше не действует. Попросите агента прислать новую.',
    'viewer.agentAwayHintNoTime':
      'Экран остановлен на последнем кадре. Показ продолжится, как только агент вернётся.',
    'viewer.unavailableTitle': 'Показ пока не открылся',
    'viewer.failedTitle': 'Показ не открывается на этой странице',
    'viewer.reload': 'Обновить страницу',
    'viewer.recapFacts': '{rooms} · {area} · этаж {floor}',
    'viewer.recapUntil': 'Эта подборка открыта по ссылке до {time}.',

    'viewer.reactions': 'Отметка для агента',
    'viewer.moreInfo': 'Подробнее о ней',
    'viewer.moreInfoSent': 'Агент увидит, что вы хотите узнать об этой квартире больше',
    'viewer.alreadySent': 'Уже отправлено — агент видит вашу отметку.',
    'viewer.reactionsPaused':
      'Отметки уже отправлены — агент их видит. Следующую можно будет отправить через несколько секунд.',
    'viewer.reactionOffline': 'Нет связи — отметка не ушла. Повторите, когда связь вернётся.',

    'viewer.unitNow.reserved': 'Эту квартиру только что забронировали.',
    'viewer.unitNow.sold': 'Эту квартиру только что продали.',
    'viewer.unitNow.unavailable': 'Эту квартиру только что сняли с продажи.',
    'viewer.unitNow.available': 'Эта квартира снова свободна.',
    'viewer.unitNowHint': 'Агент подскажет похожие варианты.',
  },
  {
    'viewer.expiredBodyNoAgent': 'This link no longer works. Ask the agent to send you a new one.',
    'viewer.agentAwayHintNoTime':
      'The screen is paused on the last frame. The presentation continues as soon as the agent is back.',
    'viewer.unavailableTitle': 'The presentation has not opened yet',
    'viewer.failedTitle': 'The presentation cannot open on this page',
    'viewer.reload': 'Reload the page',
    'viewer.recapFacts': '{rooms} · {area} · floor {floor}',
    'viewer.recapUntil': 'This list stays open at this link until {time}.',

    'viewer.reactions': 'A note for the agent',
    'viewer.moreInfo': 'Tell me more',
    'viewer.moreInfoSent': 'The agent will see that you want to know more about this unit',
    'viewer.alreadySent': 'Already sent — the agent can see it.',
    'viewer.reactionsPaused':
      'Already sent — the agent can see your notes. You can send another in a few seconds.',
    'viewer.reactionOffline':
      'No connection, so this was not sent. Try again once you are back online.',

    'viewer.unitNow.reserved': 'This apartment has just been reserved.',
    'viewer.unitNow.sold': 'This apartment has just been sold.',
    'viewer.unitNow.unavailable': 'This apartment has just been taken off sale.',
    'viewer.unitNow.available': 'This apartment is available again.',
    'viewer.unitNowHint': 'The agent can suggest similar ones.',
  },
);
