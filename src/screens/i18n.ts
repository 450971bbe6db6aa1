/**
 * Interface strings for the views, the buyer's viewer and the agent's console, in Russian and
 * English.
 *
 * The Russian dictionary is the source of truth: `Messages` is derived from it, so the English
 * one fails to compile when a key is missing. Placeholders are written `{name}`; `t` knows from
 * the Russian text which parameters a key needs, so a call that forgets one does not compile.
 * Counted phrases live under `plural.<base>.<category>` with the categories of
 * `Intl.PluralRules` (Russian uses one / few / many / other, English one / other).
 */
import type { ErrorCode } from '../core/errors.js';
import type { Finishing, PublicStatus, WindowView } from '../core/inventory.js';
import type { DeviceKind, EndReason, PresentationStatus, TransportKind } from '../core/protocol.js';
import type { SortKey, ViewName } from '../core/view-state.js';
// Types only: the console's strings are added at run time by the console itself.
import type { CONSOLE_RU } from './console/strings.js';

export type Lang = 'ru' | 'en';

export const LANGS: readonly Lang[] = ['ru', 'en'];

const ru = {
  // ------------------------------------------------------------------ shared words
  'app.title': 'Удалённая презентация',
  'app.language': 'Язык',
  'app.lang.ru': 'Русский',
  'app.lang.en': 'English',
  'app.loading': 'Загрузка…',
  'app.retry': 'Повторить',
  'app.close': 'Закрыть',
  'app.cancel': 'Отмена',
  'app.confirm': 'Подтвердить',
  'app.back': 'Назад',
  'app.notSet': '—',
  'app.complex': 'ЖК «{name}»',

  // ------------------------------------------------------------------ the six views
  'view.overview': 'Обзор ЖК',
  'view.grid': 'Шахматка',
  'view.floor': 'План этажа',
  'view.list': 'Список',
  'view.unit': 'Квартира',
  'view.shortlist': 'Подборка',
  'view.switch': 'Вид',

  'place.section': 'Секция {number}',
  'place.floor': 'Этаж {floor}',
  'place.unit': 'Квартира № {number}',
  'place.unitShort': 'Кв. {number}',

  // ------------------------------------------------------------------ unit vocabulary
  'status.available': 'Свободно',
  'status.reserved': 'Бронь',
  'status.sold': 'Продано',
  'status.unavailable': 'Недоступно',
  'status.legend': 'Обозначения',

  'finishing.shell': 'Без отделки',
  'finishing.white_box': 'Предчистовая',
  'finishing.turnkey': 'Чистовая',

  'windowView.park': 'На парк',
  'windowView.yard': 'Во двор',
  'windowView.city': 'На город',
  'windowView.river': 'На реку',
  'windowView.street': 'На улицу',

  'outdoor.balcony': 'Балкон',
  'outdoor.loggia': 'Лоджия',
  'outdoor.none': 'Нет',

  'rooms.studio': 'Студия',
  'rooms.1': '1-комн.',
  'rooms.2': '2-комн.',
  'rooms.3': '3-комн.',
  'rooms.4+': '4+ комн.',
  'rooms.euro.1': 'Евро-однокомнатная (1Е)',
  'rooms.euro.2': 'Евродвушка (2Е)',
  'rooms.euro.3': 'Евротрёшка (3Е)',
  'rooms.euro.4+': 'Евро 4+ (4Е)',
  'rooms.openPlan': 'Свободная планировка',
  'rooms.short.studio': 'С',
  'rooms.short.openPlan': 'СП',
  'rooms.short.euroSuffix': 'Е',

  // ------------------------------------------------------------------ overview
  'overview.title': 'Корпуса',
  'overview.completion': 'Сдача: {quarter}',
  'overview.from': 'от {price}',
  'overview.soldOut': 'Свободных квартир нет',
  'overview.open': 'Открыть шахматку: {name}',
  'overview.empty': 'В этом ЖК пока нет корпусов.',

  // ------------------------------------------------------------------ grid
  'grid.caption': 'Шахматка: {building}, секция {section}',
  'grid.floorHeader': 'Этаж',
  'grid.position': 'Стояк {number}',
  'grid.sections': 'Секции',
  'grid.sectionOf': 'Секция {number} из {total}',
  'grid.noUnit': 'Нет квартиры',
  'grid.outsideFilters': 'не подходит под фильтры',
  'grid.highlighted': 'выделено агентом',
  'grid.selected': 'открыта',
  'grid.liked': 'нравится покупателю',
  'grid.empty': 'В этом корпусе пока нет секций.',

  // ------------------------------------------------------------------ floor plan
  'floor.plan': 'План этажа {floor}, секция {section}',
  'floor.of': 'Этаж {floor} из {floors}',
  'floor.up': 'Этаж выше',
  'floor.down': 'Этаж ниже',
  'floor.corridor': 'Коридор',
  'floor.lifts': 'Лифты',
  'floor.empty': 'На этом этаже нет квартир.',

  // ------------------------------------------------------------------ list
  'list.caption': 'Квартиры по фильтрам',
  'list.number': 'Номер',
  'list.type': 'Тип',
  'list.building': 'Корпус',
  'list.status': 'Статус',
  'list.showing': 'Показаны первые {shown} из {total}. Уточните фильтры, чтобы увидеть остальные.',
  'list.empty': 'Под эти фильтры не подходит ни одна квартира. Ослабьте фильтры.',
  'list.open': 'Открыть квартиру № {number}',

  // ------------------------------------------------------------------ filters and sort
  'filter.title': 'Фильтры',
  'filter.building': 'Корпус',
  'filter.section': 'Секция',
  'filter.rooms': 'Комнатность',
  'filter.euroOnly': 'Только евро',
  'filter.price': 'Цена, млн ₽',
  'filter.area': 'Площадь, м²',
  'filter.floor': 'Этаж',
  'filter.from': 'от',
  'filter.to': 'до',
  'filter.notFirst': 'Не первый',
  'filter.notLast': 'Не последний',
  'filter.finishing': 'Отделка',
  'filter.completion': 'Срок сдачи',
  'filter.status': 'Статус',
  'filter.offersOnly': 'Только акции',
  'filter.reset': 'Сбросить фильтры',
  'filter.summary': 'Подбор по параметрам',
  'filter.none': 'Показаны все квартиры',
  'filter.chip.price': 'Цена {range}',
  'filter.chip.area': 'Площадь {range}',
  'filter.chip.floor': 'Этаж {range}',
  'filter.range.both': '{from}–{to}',
  'filter.range.from': 'от {from}',
  'filter.range.to': 'до {to}',

  'sort.title': 'Сортировка',
  'sort.price': 'Цена',
  'sort.pricePerM2': 'Цена за м²',
  'sort.area': 'Площадь',
  'sort.floor': 'Этаж',
  'sort.asc': 'по возрастанию',
  'sort.desc': 'по убыванию',
  'sort.summary': 'Сортировка: {key}, {dir}',
  'sort.toggle': 'Сменить направление сортировки',

  // ------------------------------------------------------------------ unit card
  'unit.specs': 'Характеристики',
  'unit.rooms': 'Тип',
  'unit.areaTotal': 'Общая площадь',
  'unit.areaLiving': 'Жилая площадь',
  'unit.areaKitchen': 'Кухня',
  'unit.floor': 'Этаж',
  'unit.floorOf': '{floor} из {floors}',
  'unit.ceiling': 'Потолки',
  'unit.ceilingValue': '{value} м',
  'unit.finishing': 'Отделка',
  'unit.view': 'Вид из окон',
  'unit.outdoor': 'Балкон или лоджия',
  'unit.bathrooms': 'Санузлы',
  'unit.layoutCode': 'Код планировки',
  'unit.completion': 'Срок сдачи',
  'unit.building': 'Корпус',
  'unit.section': 'Секция',
  'unit.status': 'Статус',
  'unit.price': 'Цена',
  'unit.pricePerM2': 'Цена за м²',
  'unit.priceHidden': 'Квартира не продаётся — цена не показывается.',
  'unit.offer': 'Акция',
  'unit.notFound': 'Эта квартира больше не показывается. Выберите другую в списке или на шахматке.',
  'unit.showOnGrid': 'На шахматке',
  'unit.showOnFloor': 'На плане этажа',
  'unit.highlight': 'Выделить для покупателя',

  'plan.title': 'Планировка',
  'plan.label': 'Планировка: {rooms}, {area}',
  'plan.room': 'Комната',
  'plan.kitchen': 'Кухня',
  'plan.kitchenLiving': 'Кухня-гостиная',
  'plan.studio': 'Жилая зона',
  'plan.bath': 'С/у',
  'plan.hall': 'Прихожая',
  'plan.balcony': 'Балкон',
  'plan.loggia': 'Лоджия',
  'plan.windows': 'Окна: {view}',

  'gallery.title': 'Фото и виды',
  'gallery.prev': 'Предыдущее изображение',
  'gallery.next': 'Следующее изображение',
  'gallery.position': '{index} из {total}',
  'gallery.living': 'Комната',
  'gallery.kitchen': 'Кухня',
  'gallery.window': 'Вид из окна',
  'gallery.facade': 'Фасад корпуса',
  'gallery.yard': 'Двор без машин',
  'gallery.caption': '{subject} — иллюстрация, не фотография',

  'mortgage.title': 'Ипотека',
  'mortgage.monthly': '{amount} в месяц',
  'mortgage.family': 'Семейная ипотека',
  'mortgage.standard': 'Рыночная ставка',
  'mortgage.terms': 'Взнос {down} %, ставка {rate} %, {years}',
  'mortgage.overLimit': 'Кредит больше {limit} — семейная ставка на всю сумму не действует.',
  'mortgage.note': 'Оценка для ориентира: точный платёж рассчитает банк.',

  'shortlist.title': 'Подборка',
  'shortlist.add': 'Добавить в подборку',
  'shortlist.remove': 'Убрать из подборки',
  'shortlist.inShortlist': 'В подборке',
  'shortlist.compare': 'Сравнение',
  'shortlist.open': 'Открыть',
  'shortlist.best': 'лучшее',
  'shortlist.emptyConsole': 'Подборка пуста. Добавьте квартиры кнопкой «Добавить в подборку».',
  'shortlist.emptyViewer': 'Агент ещё не добавил квартиры в подборку.',
  'shortlist.parameter': 'Параметр',

  // ------------------------------------------------------------------ counted phrases
  'plural.units.one': '{count} квартира',
  'plural.units.few': '{count} квартиры',
  'plural.units.many': '{count} квартир',
  'plural.units.other': '{count} квартиры',
  'plural.available.one': '{count} квартира в продаже',
  'plural.available.few': '{count} квартиры в продаже',
  'plural.available.many': '{count} квартир в продаже',
  'plural.available.other': '{count} квартиры в продаже',
  'plural.floors.one': '{count} этаж',
  'plural.floors.few': '{count} этажа',
  'plural.floors.many': '{count} этажей',
  'plural.floors.other': '{count} этажа',
  'plural.sections.one': '{count} секция',
  'plural.sections.few': '{count} секции',
  'plural.sections.many': '{count} секций',
  'plural.sections.other': '{count} секции',
  'plural.years.one': '{count} год',
  'plural.years.few': '{count} года',
  'plural.years.many': '{count} лет',
  'plural.years.other': '{count} года',
  'plural.minutes.one': '{count} минута',
  'plural.minutes.few': '{count} минуты',
  'plural.minutes.many': '{count} минут',
  'plural.minutes.other': '{count} минуты',
  'plural.hours.one': '{count} час',
  'plural.hours.few': '{count} часа',
  'plural.hours.many': '{count} часов',
  'plural.hours.other': '{count} часа',
  'plural.devices.one': '{count} устройство',
  'plural.devices.few': '{count} устройства',
  'plural.devices.many': '{count} устройств',
  'plural.devices.other': '{count} устройства',
  'plural.found.one': 'Найдена {count} квартира',
  'plural.found.few': 'Найдено {count} квартиры',
  'plural.found.many': 'Найдено {count} квартир',
  'plural.found.other': 'Найдено {count} квартиры',

  // ------------------------------------------------------------------ buyer's viewer
  'viewer.connecting': 'Подключаемся к показу…',
  'viewer.connectingHint': 'Обычно это занимает пару секунд.',
  'viewer.live': 'В эфире',
  'viewer.presentedBy': 'Показывает {agent}',
  'viewer.agentAway': 'Агент переподключается…',
  'viewer.agentAwayHint':
    'Экран остановлен на последнем кадре. Если агент не вернётся до {time}, показ завершится, а здесь появится список показанных квартир.',
  'viewer.agentAwayHintNoTime':
    'Экран остановлен на последнем кадре. Если агент скоро не вернётся, показ завершится, а здесь появится список показанных квартир.',
  'viewer.endedTitle': 'Показ завершён',
  'viewer.endedByAgent': 'Агент завершил показ. Спасибо, что посмотрели!',
  'viewer.endedAgentLeft': 'Агент не вернулся вовремя, поэтому показ завершён.',
  'viewer.recapTitle': 'Квартиры, которые вам показали',
  'viewer.recapEmpty': 'В этом показе не открывали отдельных квартир.',
  'viewer.contactTitle': 'Ваш агент',
  'viewer.contactCall': 'Позвонить: {phone}',
  'viewer.contactHint': 'Напишите или позвоните агенту, чтобы продолжить разговор.',
  'viewer.expiredTitle': 'Срок ссылки истёк',
  'viewer.expiredBody':
    'Эта ссылка больше не действует. Попросите агента ({agent}) прислать новую.',
  'viewer.revokedTitle': 'Ссылка отозвана',
  'viewer.revokedBody':
    'Агент закрыл доступ по этой ссылке. Если это ошибка, попросите агента прислать новую.',
  'viewer.invalidTitle': 'Ссылка недействительна',
  'viewer.invalidBody':
    'Проверьте, что ссылка скопирована целиком, или попросите агента прислать её ещё раз.',
  'viewer.offlineTitle': 'Нет связи',
  'viewer.offlineBody': 'Пробуем переподключиться. Экран обновится сам, как только связь вернётся.',
  'viewer.retryIn': 'Следующая попытка через {seconds} с',
  'viewer.tooManyTitle': 'Слишком много устройств',
  'viewer.tooManyBody':
    'Ссылка уже открыта на наибольшем разрешённом числе устройств. Закройте её на одном из них или попросите агента новую ссылку.',
  'viewer.unavailableTitle': 'Сервис временно недоступен',
  'viewer.unavailableBody':
    'Не удалось проверить ссылку. Страница попробует снова через несколько секунд.',
  'viewer.failedTitle': 'Показ не открывается',
  'viewer.failedBody':
    'Обновите страницу. Если не поможет, попросите агента прислать ссылку ещё раз.',
  'viewer.backToAgent': 'Вернуться к показу агента',
  'viewer.lookingAround': 'Вы смотрите сами — агент тем временем показывает другое.',
  'viewer.following': 'Вы видите то же, что агент',
  'viewer.validUntil': 'Ссылка действует до {time}',
  'viewer.like': 'Нравится',
  'viewer.liked': 'Агент увидит, что эта квартира вам понравилась',
  'viewer.callMe': 'Перезвоните мне',
  'viewer.callMeSent': 'Агент увидит вашу просьбу перезвонить',
  'viewer.readOnly': 'Это экран просмотра: показом управляет агент.',

  // ------------------------------------------------------------------ errors, by code
  'error.invalid_request': 'Запрос не удался: проверьте введённые данные и попробуйте снова.',
  'error.invalid_message': 'Приложение отправило непонятное сообщение. Обновите страницу.',
  'error.frame_too_large': 'Изменение слишком большое. Сбросьте часть фильтров и повторите.',
  'error.payload_too_large': 'Запрос слишком большой: сократите введённые данные и повторите.',
  'error.unsupported_version': 'Приложение устарело. Обновите страницу.',
  'error.hello_required': 'Соединение началось неправильно. Обновите страницу.',
  'error.not_allowed': 'С этого экрана так сделать нельзя. Обновите страницу.',
  'error.not_presenting':
    'Показ идёт в другой вкладке. Нажмите «Показывать отсюда», чтобы перехватить его.',
  'error.unauthorized': 'Сессия закончилась. Войдите снова.',
  'error.invalid_credentials': 'Неверная почта или пароль. Проверьте их и попробуйте ещё раз.',
  'error.forbidden': 'У вас нет доступа к этому действию. Обратитесь к администратору.',
  'error.csrf_failed': 'Страница устарела. Обновите её и повторите действие.',
  'error.origin_not_allowed': 'Этот адрес не разрешён. Откройте приложение по основному адресу.',
  'error.not_found': 'Здесь ничего нет. Вернитесь к списку презентаций.',
  'error.link_invalid': 'Ссылка недействительна. Попросите агента прислать её ещё раз.',
  'error.link_expired': 'Срок ссылки истёк. Попросите агента прислать новую.',
  'error.link_revoked': 'Агент отозвал ссылку. Попросите новую, если показ нужен.',
  'error.presentation_ended': 'Показ уже завершён. Начните новую презентацию.',
  'error.too_many_devices':
    'Ссылка открыта на слишком многих устройствах. Закройте её на одном из них.',
  'error.invalid_transition': 'Сейчас это сделать нельзя: обновите страницу, чтобы увидеть статус.',
  'error.lifetime_exceeded': 'Дольше продлить нельзя. Выпустите новую ссылку.',
  'error.rate_limited': 'Слишком много действий подряд. Подождите несколько секунд и повторите.',
  'error.unavailable': 'Сервис временно недоступен. Повторите через минуту.',
  'error.shutting_down': 'Сервер перезапускается. Соединение восстановится само.',
  'error.internal': 'На сервере что-то пошло не так. Повторите; если не поможет — сообщите нам.',
  'error.unknown': 'Что-то пошло не так. Обновите страницу и попробуйте снова.',
} as const;

/** Every Russian text by key: the shared ones here and the console's (`console/strings.ts`). */
type AllRussian = typeof ru & typeof CONSOLE_RU;

export type MessageKey = keyof AllRussian;

/** Every language must define every key the Russian dictionary has. */
export type Messages = Record<MessageKey, string>;

// Every wire name a screen shows must have a text; this fails to compile otherwise.
type WireNamesCovered = Record<
  | `error.${ErrorCode}`
  | `presentationStatus.${PresentationStatus}`
  | `endReason.${EndReason}`
  | `device.${DeviceKind}`
  | `transport.${TransportKind}`
  | `status.${PublicStatus}`
  | `finishing.${Finishing}`
  | `windowView.${WindowView}`
  | `view.${ViewName}`
  | `sort.${SortKey}`,
  string
>;
const wireNamesCovered: WireNamesCovered = {} as AllRussian;
void wireNamesCovered;

/** The English texts of the shared keys; the console adds its own with `addMessages`. */
const en: Record<keyof typeof ru, string> = {
  'app.title': 'Remote presentation',
  'app.language': 'Language',
  'app.lang.ru': 'Русский',
  'app.lang.en': 'English',
  'app.loading': 'Loading…',
  'app.retry': 'Retry',
  'app.close': 'Close',
  'app.cancel': 'Cancel',
  'app.confirm': 'Confirm',
  'app.back': 'Back',
  'app.notSet': '—',
  'app.complex': '{name} residential complex',

  'view.overview': 'Complex overview',
  'view.grid': 'Availability grid',
  'view.floor': 'Floor plan',
  'view.list': 'List',
  'view.unit': 'Unit',
  'view.shortlist': 'Shortlist',
  'view.switch': 'View',

  'place.section': 'Section {number}',
  'place.floor': 'Floor {floor}',
  'place.unit': 'Unit {number}',
  'place.unitShort': 'Unit {number}',

  'status.available': 'Available',
  'status.reserved': 'Reserved',
  'status.sold': 'Sold',
  'status.unavailable': 'Unavailable',
  'status.legend': 'Legend',

  'finishing.shell': 'Shell',
  'finishing.white_box': 'White box',
  'finishing.turnkey': 'Turnkey',

  'windowView.park': 'Park',
  'windowView.yard': 'Courtyard',
  'windowView.city': 'City',
  'windowView.river': 'River',
  'windowView.street': 'Street',

  'outdoor.balcony': 'Balcony',
  'outdoor.loggia': 'Loggia',
  'outdoor.none': 'None',

  'rooms.studio': 'Studio',
  'rooms.1': '1-room',
  'rooms.2': '2-room',
  'rooms.3': '3-room',
  'rooms.4+': '4+ rooms',
  'rooms.euro.1': 'Euro-1 (1E)',
  'rooms.euro.2': 'Euro-2 (2E)',
  'rooms.euro.3': 'Euro-3 (3E)',
  'rooms.euro.4+': 'Euro-4+ (4E)',
  'rooms.openPlan': 'Open plan',
  'rooms.short.studio': 'S',
  'rooms.short.openPlan': 'OP',
  'rooms.short.euroSuffix': 'E',

  'overview.title': 'Buildings',
  'overview.completion': 'Completion: {quarter}',
  'overview.from': 'from {price}',
  'overview.soldOut': 'No units available',
  'overview.open': 'Open the availability grid: {name}',
  'overview.empty': 'This complex has no buildings yet.',

  'grid.caption': 'Availability grid: {building}, section {section}',
  'grid.floorHeader': 'Floor',
  'grid.position': 'Riser {number}',
  'grid.sections': 'Sections',
  'grid.sectionOf': 'Section {number} of {total}',
  'grid.noUnit': 'No unit',
  'grid.outsideFilters': 'outside the filters',
  'grid.highlighted': 'highlighted by the agent',
  'grid.selected': 'open',
  'grid.liked': 'the buyer likes it',
  'grid.empty': 'This building has no sections yet.',

  'floor.plan': 'Plan of floor {floor}, section {section}',
  'floor.of': 'Floor {floor} of {floors}',
  'floor.up': 'Floor up',
  'floor.down': 'Floor down',
  'floor.corridor': 'Corridor',
  'floor.lifts': 'Lifts',
  'floor.empty': 'There are no units on this floor.',

  'list.caption': 'Units matching the filters',
  'list.number': 'Number',
  'list.type': 'Type',
  'list.building': 'Building',
  'list.status': 'Status',
  'list.showing': 'Showing the first {shown} of {total}. Narrow the filters to see the rest.',
  'list.empty': 'No unit matches these filters. Loosen the filters.',
  'list.open': 'Open unit {number}',

  'filter.title': 'Filters',
  'filter.building': 'Building',
  'filter.section': 'Section',
  'filter.rooms': 'Rooms',
  'filter.euroOnly': 'Euro layouts only',
  'filter.price': 'Price, million ₽',
  'filter.area': 'Area, m²',
  'filter.floor': 'Floor',
  'filter.from': 'from',
  'filter.to': 'to',
  'filter.notFirst': 'Not the first',
  'filter.notLast': 'Not the top',
  'filter.finishing': 'Finishing',
  'filter.completion': 'Completion',
  'filter.status': 'Status',
  'filter.offersOnly': 'Special offers only',
  'filter.reset': 'Reset filters',
  'filter.summary': 'Selected for you',
  'filter.none': 'All units are shown',
  'filter.chip.price': 'Price {range}',
  'filter.chip.area': 'Area {range}',
  'filter.chip.floor': 'Floor {range}',
  'filter.range.both': '{from}–{to}',
  'filter.range.from': 'from {from}',
  'filter.range.to': 'up to {to}',

  'sort.title': 'Sort',
  'sort.price': 'Price',
  'sort.pricePerM2': 'Price per m²',
  'sort.area': 'Area',
  'sort.floor': 'Floor',
  'sort.asc': 'ascending',
  'sort.desc': 'descending',
  'sort.summary': 'Sorted by {key}, {dir}',
  'sort.toggle': 'Reverse the sort order',

  'unit.specs': 'Specifications',
  'unit.rooms': 'Type',
  'unit.areaTotal': 'Total area',
  'unit.areaLiving': 'Living area',
  'unit.areaKitchen': 'Kitchen',
  'unit.floor': 'Floor',
  'unit.floorOf': '{floor} of {floors}',
  'unit.ceiling': 'Ceiling height',
  'unit.ceilingValue': '{value} m',
  'unit.finishing': 'Finishing',
  'unit.view': 'Window view',
  'unit.outdoor': 'Balcony or loggia',
  'unit.bathrooms': 'Bathrooms',
  'unit.layoutCode': 'Layout code',
  'unit.completion': 'Completion',
  'unit.building': 'Building',
  'unit.section': 'Section',
  'unit.status': 'Status',
  'unit.price': 'Price',
  'unit.pricePerM2': 'Price per m²',
  'unit.priceHidden': 'This unit is not for sale, so its price is not shown.',
  'unit.offer': 'Special offer',
  'unit.notFound': 'This unit is no longer shown. Pick another one in the list or the grid.',
  'unit.showOnGrid': 'In the grid',
  'unit.showOnFloor': 'On the floor plan',
  'unit.highlight': 'Highlight for the buyer',

  'plan.title': 'Layout',
  'plan.label': 'Layout: {rooms}, {area}',
  'plan.room': 'Room',
  'plan.kitchen': 'Kitchen',
  'plan.kitchenLiving': 'Kitchen-living',
  'plan.studio': 'Living area',
  'plan.bath': 'Bath',
  'plan.hall': 'Hall',
  'plan.balcony': 'Balcony',
  'plan.loggia': 'Loggia',
  'plan.windows': 'Windows: {view}',

  'gallery.title': 'Pictures and views',
  'gallery.prev': 'Previous picture',
  'gallery.next': 'Next picture',
  'gallery.position': '{index} of {total}',
  'gallery.living': 'Room',
  'gallery.kitchen': 'Kitchen',
  'gallery.window': 'View from the window',
  'gallery.facade': 'Building facade',
  'gallery.yard': 'Car-free courtyard',
  'gallery.caption': '{subject} — an illustration, not a photograph',

  'mortgage.title': 'Mortgage',
  'mortgage.monthly': '{amount} a month',
  'mortgage.family': 'Family mortgage',
  'mortgage.standard': 'Market rate',
  'mortgage.terms': '{down} % down, {rate} % rate, {years}',
  'mortgage.overLimit': 'The loan exceeds {limit}, so the family rate does not cover all of it.',
  'mortgage.note': 'An estimate for orientation: the bank calculates the exact payment.',

  'shortlist.title': 'Shortlist',
  'shortlist.add': 'Add to shortlist',
  'shortlist.remove': 'Remove from shortlist',
  'shortlist.inShortlist': 'In the shortlist',
  'shortlist.compare': 'Comparison',
  'shortlist.open': 'Open',
  'shortlist.best': 'best',
  'shortlist.emptyConsole': 'The shortlist is empty. Add units with “Add to shortlist”.',
  'shortlist.emptyViewer': 'The agent has not added units to the shortlist yet.',
  'shortlist.parameter': 'Parameter',

  'plural.units.one': '{count} unit',
  'plural.units.few': '{count} units',
  'plural.units.many': '{count} units',
  'plural.units.other': '{count} units',
  'plural.available.one': '{count} unit available',
  'plural.available.few': '{count} units available',
  'plural.available.many': '{count} units available',
  'plural.available.other': '{count} units available',
  'plural.floors.one': '{count} floor',
  'plural.floors.few': '{count} floors',
  'plural.floors.many': '{count} floors',
  'plural.floors.other': '{count} floors',
  'plural.sections.one': '{count} section',
  'plural.sections.few': '{count} sections',
  'plural.sections.many': '{count} sections',
  'plural.sections.other': '{count} sections',
  'plural.years.one': '{count} year',
  'plural.years.few': '{count} years',
  'plural.years.many': '{count} years',
  'plural.years.other': '{count} years',
  'plural.minutes.one': '{count} minute',
  'plural.minutes.few': '{count} minutes',
  'plural.minutes.many': '{count} minutes',
  'plural.minutes.other': '{count} minutes',
  'plural.hours.one': '{count} hour',
  'plural.hours.few': '{count} hours',
  'plural.hours.many': '{count} hours',
  'plural.hours.other': '{count} hours',
  'plural.devices.one': '{count} device',
  'plural.devices.few': '{count} devices',
  'plural.devices.many': '{count} devices',
  'plural.devices.other': '{count} devices',
  'plural.found.one': '{count} unit found',
  'plural.found.few': '{count} units found',
  'plural.found.many': '{count} units found',
  'plural.found.other': '{count} units found',

  'viewer.connecting': 'Connecting to the presentation…',
  'viewer.connectingHint': 'This usually takes a couple of seconds.',
  'viewer.live': 'Live',
  'viewer.presentedBy': 'Presented by {agent}',
  'viewer.agentAway': 'The agent is reconnecting…',
  'viewer.agentAwayHint':
    'The screen is paused on the last frame. If the agent is not back by {time}, the presentation ends and this screen lists the units you were shown.',
  'viewer.agentAwayHintNoTime':
    'The screen is paused on the last frame. If the agent does not come back soon, the presentation ends and this screen lists the units you were shown.',
  'viewer.endedTitle': 'The presentation has ended',
  'viewer.endedByAgent': 'The agent ended the presentation. Thank you for watching!',
  'viewer.endedAgentLeft': 'The agent did not come back in time, so the presentation has ended.',
  'viewer.recapTitle': 'Units you were shown',
  'viewer.recapEmpty': 'No individual unit was opened in this presentation.',
  'viewer.contactTitle': 'Your agent',
  'viewer.contactCall': 'Call {phone}',
  'viewer.contactHint': 'Call or message your agent to continue the conversation.',
  'viewer.expiredTitle': 'This link has expired',
  'viewer.expiredBody': 'This link no longer works. Ask your agent ({agent}) to send a new one.',
  'viewer.revokedTitle': 'This link was revoked',
  'viewer.revokedBody':
    'The agent closed access through this link. If that was a mistake, ask the agent for a new one.',
  'viewer.invalidTitle': 'This link is not valid',
  'viewer.invalidBody': 'Check that the whole link was copied, or ask the agent to send it again.',
  'viewer.offlineTitle': 'No connection',
  'viewer.offlineBody':
    'Trying to reconnect. The screen updates by itself as soon as the connection is back.',
  'viewer.retryIn': 'Next attempt in {seconds} s',
  'viewer.tooManyTitle': 'Too many devices',
  'viewer.tooManyBody':
    'This link is already open on as many devices as allowed. Close it on one of them or ask the agent for a new link.',
  'viewer.unavailableTitle': 'The service is briefly unavailable',
  'viewer.unavailableBody': 'The link could not be checked. The page tries again in a few seconds.',
  'viewer.failedTitle': 'The presentation does not open',
  'viewer.failedBody':
    'Reload the page. If that does not help, ask the agent to send the link again.',
  'viewer.backToAgent': 'Back to the agent’s view',
  'viewer.lookingAround':
    'You are looking around on your own — the agent is showing something else.',
  'viewer.following': 'You see what the agent sees',
  'viewer.validUntil': 'The link works until {time}',
  'viewer.like': 'I like it',
  'viewer.liked': 'The agent will see that you like this unit',
  'viewer.callMe': 'Call me back',
  'viewer.callMeSent': 'The agent will see your request to call back',
  'viewer.readOnly': 'This screen only watches: the agent leads the presentation.',

  'error.invalid_request': 'The request failed: check what you entered and try again.',
  'error.invalid_message': 'The app sent a message the server did not understand. Reload the page.',
  'error.frame_too_large': 'That change is too large. Clear some filters and try again.',
  'error.payload_too_large': 'That request is too large. Shorten what you entered and try again.',
  'error.unsupported_version': 'This app is out of date. Reload the page.',
  'error.hello_required': 'The connection started the wrong way. Reload the page.',
  'error.not_allowed': 'This screen cannot do that. Reload the page.',
  'error.not_presenting': 'Another tab is presenting. Press “Present from here” to take over.',
  'error.unauthorized': 'Your session has ended. Sign in again.',
  'error.invalid_credentials': 'The e-mail or password is wrong. Check them and try again.',
  'error.forbidden': 'You do not have access to this. Ask your administrator.',
  'error.csrf_failed': 'This page is out of date. Reload it and repeat the action.',
  'error.origin_not_allowed': 'This address is not allowed. Open the app at its main address.',
  'error.not_found': 'Nothing is here. Go back to your presentations.',
  'error.link_invalid': 'This link is not valid. Ask the agent to send it again.',
  'error.link_expired': 'This link has expired. Ask the agent for a new one.',
  'error.link_revoked': 'The agent revoked this link. Ask for a new one if you need it.',
  'error.presentation_ended': 'This presentation has ended. Start a new one.',
  'error.too_many_devices': 'This link is open on too many devices. Close it on one of them.',
  'error.invalid_transition': 'This cannot be done now. Reload the page to see the current status.',
  'error.lifetime_exceeded': 'It cannot be extended any further. Issue a new link.',
  'error.rate_limited': 'Too many actions in a row. Wait a few seconds and try again.',
  'error.unavailable': 'The service is briefly unavailable. Try again in a minute.',
  'error.shutting_down': 'The server is restarting. The connection comes back by itself.',
  'error.internal': 'Something went wrong on the server. Try again; if it persists, tell us.',
  'error.unknown': 'Something went wrong. Reload the page and try again.',
};

const dictionaries: Record<Lang, Record<string, string>> = { ru: { ...ru }, en: { ...en } };

/** Every key in both languages once the console's strings are added; the shared ones before. */
export const DICTIONARIES = dictionaries as Readonly<Record<Lang, Messages>>;

/** Adds a screen's own keys to the dictionary (see `console/strings.ts`). */
export function addMessages(
  ruTexts: Record<string, string>,
  enTexts: Record<string, string>,
): void {
  Object.assign(dictionaries.ru, ruTexts);
  Object.assign(dictionaries.en, enTexts);
}

// ---------------------------------------------------------------- lookup

/** The names inside `{…}` in a message, as a union of string literals. */
type Placeholders<S extends string> = S extends `${string}{${infer Name}}${infer Rest}`
  ? Name | Placeholders<Rest>
  : never;

export type MessageParams<K extends MessageKey> = Record<
  Placeholders<AllRussian[K]>,
  string | number
>;

/** A key without placeholders takes no parameters; one with them requires every one. */
type ParamsArg<K extends MessageKey> = [Placeholders<AllRussian[K]>] extends [never]
  ? [params?: Record<string, never>]
  : [params: MessageParams<K>];

const PLACEHOLDER = /\{(\w+)\}/g;

function interpolate(template: string, params: Record<string, string | number> | undefined) {
  if (!params) return template;
  return template.replace(PLACEHOLDER, (whole, name: string) =>
    Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : whole,
  );
}

/** The message for `key` in `lang`, with `{name}` placeholders filled from `params`. */
export function t<K extends MessageKey>(lang: Lang, key: K, ...rest: ParamsArg<K>): string {
  // A console key on a page that has not loaded the console's strings shows as itself, which
  // the browser tests catch as a raw key, rather than as "undefined".
  return interpolate(DICTIONARIES[lang][key] ?? key, rest[0]);
}

/** Whether a runtime string (an error code from the wire, say) names a message. */
export function isMessageKey(key: string): key is MessageKey {
  return Object.prototype.hasOwnProperty.call(dictionaries.ru, key);
}

/** The sentence for an error code; a code this build does not know gets the generic one. */
export function errorMessage(lang: Lang, code: string): string {
  const key = `error.${code}`;
  return isMessageKey(key) ? t(lang, key as `error.${ErrorCode}`) : t(lang, 'error.unknown');
}

// ---------------------------------------------------------------- plurals

export type PluralBase = MessageKey extends infer K
  ? K extends `plural.${infer Base}.one`
    ? Base
    : never
  : never;

export type PluralCategory = 'one' | 'few' | 'many' | 'other';

// Built on first use, for the language shown only: `Intl` constructors are slow on a phone.
const pluralRules: Partial<Record<Lang, Intl.PluralRules>> = {};
const countFormat: Partial<Record<Lang, Intl.NumberFormat>> = {};
const INTL_LOCALE: Record<Lang, string> = { ru: 'ru-RU', en: 'en-GB' };

/** The plural category of `count`; categories our dictionaries do not use fall back to other. */
export function pluralCategory(lang: Lang, count: number): PluralCategory {
  const rules = (pluralRules[lang] ??= new Intl.PluralRules(lang));
  const category = rules.select(count);
  return category === 'one' || category === 'few' || category === 'many' ? category : 'other';
}

/** A counted phrase: `plural(ru, 'units', 5)` → «5 квартир». */
export function plural(lang: Lang, base: PluralBase, count: number): string {
  const key = `plural.${base}.${pluralCategory(lang, count)}` as MessageKey;
  const format = (countFormat[lang] ??= new Intl.NumberFormat(INTL_LOCALE[lang]));
  return interpolate(DICTIONARIES[lang][key], { count: format.format(count) });
}

// ---------------------------------------------------------------- language choice

/**
 * Languages whose speakers mostly read Russian better than English: a browser set to one of
 * them gets the Russian interface even when it lists neither Russian nor English.
 */
const RUSSIAN_READING = new Set(['uk', 'be', 'kk', 'ky', 'uz', 'tg', 'tk', 'hy', 'az', 'ka']);

/**
 * Picks the interface language from `navigator.languages`: the first of Russian or English the
 * browser lists wins; otherwise Russian for the region's neighbouring languages and for an empty
 * list (the product's first language), English for everyone else.
 */
export function detectLang(navigatorLanguages: readonly string[]): Lang {
  const primaries = navigatorLanguages.map((tag) => tag.trim().toLowerCase().split(/[-_]/)[0]);

  for (const primary of primaries) {
    if (primary === 'ru' || primary === 'en') return primary;
  }

  if (primaries.length === 0) return 'ru';
  return primaries.some((p) => p !== undefined && RUSSIAN_READING.has(p)) ? 'ru' : 'en';
}
