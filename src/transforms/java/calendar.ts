/**
 * java.util.GregorianCalendar as SimpleDateFormat uses it in UTC with the en-US week rules (weeks start
 * on Sunday; week 1 is the week holding January 1): the Julian calendar before 15 October 1582 and the
 * Gregorian one from then on, "fixed dates" (days since 1 January 1 CE, Gregorian) for all arithmetic,
 * the field resolution of a lenient calendar (the most recently set combination of date fields wins)
 * and the week-year rules. Instants are exact 64-bit millis, so years far beyond JavaScript's Date
 * range (±275,760) work as they do in Java (±292 million).
 * Hand-written: Temporal and Intl use the proleptic Gregorian calendar and ISO weeks, so neither gives
 * Java's answers for old dates, huge years or week numbers.
 */

export const ONE_DAY = 86_400_000;
/** Fixed date of 1970-01-01. */
const EPOCH_OFFSET = 719_163;
/** Fixed date of 1582-10-15, the first Gregorian day. */
const GREGORIAN_CUTOVER_DATE = 577_736;
const CUTOVER_YEAR = 1582;
const JULIAN_EPOCH = -1;
export const FIRST_DAY_OF_WEEK = 1; // Sunday
export const MINIMAL_DAYS_IN_FIRST_WEEK = 1;

const floorDiv = (a: number, b: number) => Math.floor(a / b);
const mod = (a: number, b: number) => a - b * Math.floor(a / b);

export type CalendarSystem = 'gregorian' | 'julian';

export const isGregorianLeap = (year: number) =>
  mod(year, 4) === 0 && (mod(year, 100) !== 0 || mod(year, 400) === 0);
export const isJulianLeap = (year: number) => mod(year, 4) === 0;

/** Fixed date of (normalized year, month 1-12, day) in one calendar; months may be out of range only here. */
export function fixedDateOf(system: CalendarSystem, year: number, month: number, day: number): number {
  const previousYear = year - 1;
  const monthDays = floorDiv(367 * month - 362, 12);
  if (system === 'gregorian') {
    let days =
      day +
      365 * previousYear +
      floorDiv(previousYear, 4) -
      floorDiv(previousYear, 100) +
      floorDiv(previousYear, 400) +
      monthDays;
    if (month > 2) days -= isGregorianLeap(year) ? 1 : 2;
    return days;
  }
  let days = JULIAN_EPOCH - 1 + 365 * previousYear + day + floorDiv(previousYear, 4) + monthDays;
  if (month > 2) days -= isJulianLeap(year) ? 1 : 2;
  return days;
}

export interface CalendarDate {
  system: CalendarSystem;
  /** Normalized year: 0 is 1 BCE, -1 is 2 BCE. */
  year: number;
  /** 1-12. */
  month: number;
  day: number;
  /** 1 (Sunday) to 7 (Saturday). */
  dayOfWeek: number;
}

export function dayOfWeekOf(fixedDate: number): number {
  return mod(fixedDate, 7) + 1;
}

/** The fixed date of the given day of the week on or before `fixedDate`. */
export function dayOfWeekOnOrBefore(fixedDate: number, dayOfWeek: number): number {
  // (dayOfWeek - 1) is Java int arithmetic: a lenient, absurd day of week wraps.
  return fixedDate - mod(fixedDate - ((dayOfWeek - 1) | 0), 7);
}

export function systemFor(fixedDate: number): CalendarSystem {
  return fixedDate >= GREGORIAN_CUTOVER_DATE ? 'gregorian' : 'julian';
}

export function dateFromFixed(
  fixedDate: number,
  system: CalendarSystem = systemFor(fixedDate),
): CalendarDate {
  let year: number;
  if (system === 'gregorian') {
    const d0 = fixedDate - 1;
    const n400 = floorDiv(d0, 146_097);
    const d1 = mod(d0, 146_097);
    const n100 = Math.trunc(d1 / 36_524);
    const d2 = d1 % 36_524;
    const n4 = Math.trunc(d2 / 1461);
    const d3 = d2 % 1461;
    const n1 = Math.trunc(d3 / 365);
    year = 400 * n400 + 100 * n100 + 4 * n4 + n1;
    if (!(n100 === 4 || n1 === 4)) year += 1;
  } else {
    year = floorDiv(4 * (fixedDate - JULIAN_EPOCH) + 1464, 1461);
  }
  let priorDays = fixedDate - fixedDateOf(system, year, 1, 1);
  const leap = system === 'gregorian' ? isGregorianLeap(year) : isJulianLeap(year);
  if (fixedDate >= fixedDateOf(system, year, 3, 1)) priorDays += leap ? 1 : 2;
  const month = floorDiv(12 * priorDays + 373, 367);
  const day = fixedDate - fixedDateOf(system, year, month, 1) + 1;
  return { system, year, month, day, dayOfWeek: dayOfWeekOf(fixedDate) };
}

/** Splits exact epoch millis into a fixed date and the millis of that day. */
export function splitMillis(millis: number | bigint): { fixedDate: number; timeOfDay: number } {
  if (typeof millis === 'number' && Number.isSafeInteger(millis)) {
    return { fixedDate: floorDiv(millis, ONE_DAY) + EPOCH_OFFSET, timeOfDay: mod(millis, ONE_DAY) };
  }
  const big = BigInt(millis);
  const day = BigInt(ONE_DAY);
  let days = big / day;
  let rest = big % day;
  if (rest < 0n) {
    rest += day;
    days -= 1n;
  }
  return { fixedDate: Number(days) + EPOCH_OFFSET, timeOfDay: Number(rest) };
}

/** Exact epoch millis of a fixed date plus millis of day, wrapped to a Java long as Java's arithmetic does. */
export function joinMillis(fixedDate: number, timeOfDay: bigint): bigint {
  return BigInt.asIntN(64, BigInt(fixedDate - EPOCH_OFFSET) * BigInt(ONE_DAY) + timeOfDay);
}

/** GregorianCalendar.getWeekNumber: weeks between a period's first day and a date (may be 0). */
export function weekNumber(fixedDay1: number, fixedDate: number): number {
  let firstWeekStart = dayOfWeekOnOrBefore(fixedDay1 + 6, FIRST_DAY_OF_WEEK);
  if (firstWeekStart - fixedDay1 >= MINIMAL_DAYS_IN_FIRST_WEEK) firstWeekStart -= 7;
  return floorDiv(fixedDate - firstWeekStart, 7) + 1;
}

/** Every calendar field SimpleDateFormat can print, for one instant. */
export interface CalendarFields {
  era: 0 | 1;
  /** Year of era (1 and up). */
  year: number;
  /** Normalized year. */
  normalizedYear: number;
  /** 0-11. */
  month: number;
  day: number;
  dayOfYear: number;
  dayOfWeek: number;
  dayOfWeekInMonth: number;
  weekOfYear: number;
  weekOfMonth: number;
  weekYear: number;
  hourOfDay: number;
  minute: number;
  second: number;
  millisecond: number;
}

export function fieldsOf(millis: number | bigint): CalendarFields {
  const { fixedDate, timeOfDay } = splitMillis(millis);
  const date = dateFromFixed(fixedDate);
  const normalizedYear = date.year;
  const system = date.system;
  // In the cutover year January 1 is the Julian one, and October's first day is Julian October 1.
  const jan1 =
    normalizedYear === CUTOVER_YEAR
      ? fixedDateOf('julian', CUTOVER_YEAR, 1, 1)
      : fixedDateOf(system, normalizedYear, 1, 1);
  let month1 = fixedDate - date.day + 1;
  if (normalizedYear === CUTOVER_YEAR && date.month === 10 && system === 'gregorian')
    month1 = fixedDateOf('julian', CUTOVER_YEAR, 10, 1);
  const dayOfYear = fixedDate - jan1 + 1;
  const dayOfWeekInMonth = Math.trunc((fixedDate - month1) / 7) + 1;
  let weekOfYear = weekNumber(jan1, fixedDate);
  if (weekOfYear === 0) {
    const dec31 = jan1 - 1;
    let previousJan1: number;
    if (normalizedYear > CUTOVER_YEAR + 1)
      previousJan1 = jan1 - (isGregorianLeap(normalizedYear - 1) ? 366 : 365);
    else if (normalizedYear <= CUTOVER_YEAR)
      previousJan1 = jan1 - (isJulianLeap(normalizedYear - 1) ? 366 : 365);
    else previousJan1 = fixedDateOf('julian', CUTOVER_YEAR, 1, 1);
    weekOfYear = weekNumber(previousJan1, dec31);
  } else if (normalizedYear > CUTOVER_YEAR || normalizedYear < CUTOVER_YEAR - 1) {
    if (weekOfYear >= 52) {
      const leap = system === 'gregorian' ? isGregorianLeap(normalizedYear) : isJulianLeap(normalizedYear);
      const nextJan1 = jan1 + (leap ? 366 : 365);
      const nextWeekStart = dayOfWeekOnOrBefore(nextJan1 + 6, FIRST_DAY_OF_WEEK);
      if (nextWeekStart - nextJan1 >= MINIMAL_DAYS_IN_FIRST_WEEK && fixedDate >= nextWeekStart - 7)
        weekOfYear = 1;
    }
  } else {
    const nextYear = normalizedYear + 1;
    const nextSystem: CalendarSystem = nextYear === CUTOVER_YEAR ? 'julian' : system;
    const nextJan1 = fixedDateOf(nextSystem, nextYear, 1, 1);
    const nextWeekStart = dayOfWeekOnOrBefore(nextJan1 + 6, FIRST_DAY_OF_WEEK);
    if (nextWeekStart - nextJan1 >= MINIMAL_DAYS_IN_FIRST_WEEK && fixedDate >= nextWeekStart - 7)
      weekOfYear = 1;
  }
  const weekOfMonth = weekNumber(month1, fixedDate);
  const era = normalizedYear <= 0 ? 0 : 1;
  return {
    era,
    year: era === 0 ? 1 - normalizedYear : normalizedYear,
    normalizedYear,
    month: date.month - 1,
    day: date.day,
    dayOfYear,
    dayOfWeek: date.dayOfWeek,
    dayOfWeekInMonth,
    weekOfYear,
    weekOfMonth,
    weekYear: weekYearOf(normalizedYear, date.month - 1, weekOfYear, dayOfYear, jan1, system),
    hourOfDay: Math.floor(timeOfDay / 3_600_000),
    minute: Math.floor(timeOfDay / 60_000) % 60,
    second: Math.floor(timeOfDay / 1000) % 60,
    millisecond: timeOfDay % 1000,
  };
}

/** GregorianCalendar.getWeekYear: the fast rule after 1583, the careful one before. */
function weekYearOf(
  year: number,
  month: number,
  weekOfYear: number,
  dayOfYear: number,
  jan1: number,
  system: CalendarSystem,
): number {
  if (year > CUTOVER_YEAR + 1) {
    if (month === 0) return weekOfYear >= 52 ? year - 1 : year;
    return weekOfYear === 1 ? year + 1 : year;
  }
  const leap = system === 'gregorian' ? isGregorianLeap(year) : isJulianLeap(year);
  const maxDayOfYear = year === CUTOVER_YEAR ? 355 : leap ? 366 : 365;
  if (dayOfYear > MINIMAL_DAYS_IN_FIRST_WEEK && dayOfYear < maxDayOfYear - 6) return year;
  const firstWeekDay = (start: number) => {
    let delta = FIRST_DAY_OF_WEEK - dayOfWeekOf(start);
    if (delta < 0) delta += 7;
    return start + delta;
  };
  const minDayOfYear = firstWeekDay(jan1) - jan1 + 1;
  if (dayOfYear < minDayOfYear) return minDayOfYear <= MINIMAL_DAYS_IN_FIRST_WEEK ? year - 1 : year;
  // Java sets YEAR to year + 1 while the era stays as it is: in BCE that names the AD year -year.
  const next = year <= 0 ? -year : year + 1;
  const nextJan1 = fixedDateOf(next > CUTOVER_YEAR ? 'gregorian' : 'julian', next, 1, 1);
  let nextMin = firstWeekDay(nextJan1) - nextJan1;
  if (nextMin === 0) nextMin = 7;
  if (nextMin >= MINIMAL_DAYS_IN_FIRST_WEEK && maxDayOfYear - dayOfYear + 1 <= 7 - nextMin) return year + 1;
  return year;
}

// --- field resolution (parsing) --------------------------------------------------------------------

export const FIELD = {
  ERA: 0,
  YEAR: 1,
  MONTH: 2,
  WEEK_OF_YEAR: 3,
  WEEK_OF_MONTH: 4,
  DAY_OF_MONTH: 5,
  DAY_OF_YEAR: 6,
  DAY_OF_WEEK: 7,
  DAY_OF_WEEK_IN_MONTH: 8,
  AM_PM: 9,
  HOUR: 10,
  HOUR_OF_DAY: 11,
  MINUTE: 12,
  SECOND: 13,
  MILLISECOND: 14,
  ZONE_OFFSET: 15,
  DST_OFFSET: 16,
  WEEK_YEAR: 17,
} as const;

const FIELD_COUNT = 18;

/** Java int arithmetic (wraps at 32 bits). */
const int32 = (value: number) => Number(BigInt.asIntN(32, BigInt(Math.trunc(value))));

/** The set calendar fields in the order they were set (Java's pseudo time stamps), as CalendarBuilder keeps them. */
export class FieldBuilder {
  private readonly values = new Array<number>(FIELD_COUNT).fill(0);
  private readonly stamps = new Array<number>(FIELD_COUNT).fill(0);
  private nextStamp = 2;

  set(field: number, value: number): this {
    this.values[field] = int32(value);
    this.stamps[field] = this.nextStamp++;
    return this;
  }

  isSet(field: number): boolean {
    return (this.stamps[field] as number) > 0;
  }

  get(field: number): number {
    return this.values[field] as number;
  }

  stamp(field: number): number {
    return this.stamps[field] as number;
  }

  addYear(years: number): void {
    this.values[FIELD.YEAR] = int32((this.values[FIELD.YEAR] as number) + years);
    this.values[FIELD.WEEK_YEAR] = int32((this.values[FIELD.WEEK_YEAR] as number) + years);
  }

  /** CalendarBuilder.establish + Calendar.getTime in UTC: the instant, or null where Java throws. */
  establish(): bigint | null {
    const calendar = new ResolvingCalendar(this);
    const weekDate = this.isSet(FIELD.WEEK_YEAR) && this.stamp(FIELD.WEEK_YEAR) > this.stamp(FIELD.YEAR);
    if (weekDate) {
      let weekOfYear = this.isSet(FIELD.WEEK_OF_YEAR) ? this.get(FIELD.WEEK_OF_YEAR) : 1;
      let dayOfWeek = this.isSet(FIELD.DAY_OF_WEEK) ? this.get(FIELD.DAY_OF_WEEK) : FIRST_DAY_OF_WEEK;
      if (!(dayOfWeek > 0 && dayOfWeek <= 7)) {
        // Lenient: an ISO day number out of range rolls into the neighbouring weeks.
        if (dayOfWeek >= 8) {
          dayOfWeek -= 1;
          weekOfYear = int32(weekOfYear + Math.trunc(dayOfWeek / 7));
          dayOfWeek = (dayOfWeek % 7) + 1;
        } else {
          while (dayOfWeek <= 0) {
            dayOfWeek += 7;
            weekOfYear = int32(weekOfYear - 1);
          }
        }
        dayOfWeek = dayOfWeek === 7 ? 1 : dayOfWeek + 1;
      }
      calendar.setWeekDate(this.get(FIELD.WEEK_YEAR), weekOfYear, dayOfWeek);
    }
    return calendar.computeTime();
  }
}

const MASK = (field: number) => 1 << field;

class ResolvingCalendar {
  private readonly values: number[];
  private readonly stamps: number[];
  private nextStamp: number;

  constructor(builder: FieldBuilder) {
    this.values = [];
    this.stamps = [];
    let max = 1;
    for (let field = 0; field < FIELD_COUNT - 1; field++) {
      this.values.push(builder.get(field));
      this.stamps.push(builder.stamp(field));
      max = Math.max(max, builder.stamp(field));
    }
    this.nextStamp = max + 1;
  }

  private set(field: number, value: number): void {
    this.values[field] = value;
    this.stamps[field] = this.nextStamp++;
  }

  private isSet(field: number): boolean {
    return (this.stamps[field] as number) > 0;
  }

  private get(field: number): number {
    return this.values[field] as number;
  }

  /** GregorianCalendar.setWeekDate in lenient mode. */
  setWeekDate(weekYear: number, weekOfYear: number, dayOfWeek: number): void {
    const instant = this.computeTime();
    const era = instant === null ? 1 : fieldsOf(instant).era;
    const year = era === 0 ? 1 - weekYear : weekYear;
    const start = this.fixedDateOfWeekOne(year);
    let days = dayOfWeek - FIRST_DAY_OF_WEEK;
    if (days < 0) days += 7;
    days = int32(days + int32(7 * int32(weekOfYear - 1)));
    // Java computes that day's instant (wrapping a long like any other) and copies back the date fields
    // of whatever instant that is.
    const date = fieldsOf(joinMillis(start + days, 0n));
    this.set(FIELD.ERA, date.era);
    this.set(FIELD.YEAR, date.year);
    this.set(FIELD.MONTH, date.month);
    this.set(FIELD.DAY_OF_MONTH, date.day);
  }

  /** The first day of week 1 of a (normalized) year, as a fresh calendar with YEAR, WEEK_OF_YEAR=1 computes it. */
  private fixedDateOfWeekOne(year: number): number {
    const system: CalendarSystem = year > CUTOVER_YEAR ? 'gregorian' : 'julian';
    const jan1 = fixedDateOf(system, year, 1, 1);
    let firstWeekStart = dayOfWeekOnOrBefore(jan1 + 6, FIRST_DAY_OF_WEEK);
    if (firstWeekStart - jan1 >= MINIMAL_DAYS_IN_FIRST_WEEK) firstWeekStart -= 7;
    return firstWeekStart;
  }

  /** Calendar.selectFields. */
  private selectFields(): number {
    const s = this.stamps as number[];
    const aggregate = (a: number, b: number) => (a === 0 || b === 0 ? 0 : Math.max(a, b));
    let mask = MASK(FIELD.YEAR);
    if (s[FIELD.ERA] !== 0) mask |= MASK(FIELD.ERA);
    const dowStamp = s[FIELD.DAY_OF_WEEK] as number;
    const monthStamp = s[FIELD.MONTH] as number;
    let domStamp = s[FIELD.DAY_OF_MONTH] as number;
    let womStamp = aggregate(s[FIELD.WEEK_OF_MONTH] as number, dowStamp);
    let dowimStamp = aggregate(s[FIELD.DAY_OF_WEEK_IN_MONTH] as number, dowStamp);
    const doyStamp = s[FIELD.DAY_OF_YEAR] as number;
    let woyStamp = aggregate(s[FIELD.WEEK_OF_YEAR] as number, dowStamp);
    let best = Math.max(domStamp, womStamp, dowimStamp, doyStamp, woyStamp);
    if (best === 0) {
      womStamp = s[FIELD.WEEK_OF_MONTH] as number;
      dowimStamp = Math.max(s[FIELD.DAY_OF_WEEK_IN_MONTH] as number, dowStamp);
      woyStamp = s[FIELD.WEEK_OF_YEAR] as number;
      best = Math.max(womStamp, dowimStamp, woyStamp);
      if (best === 0) {
        domStamp = monthStamp;
        best = monthStamp;
      }
    }
    if (
      best === domStamp ||
      (best === womStamp && (s[FIELD.WEEK_OF_MONTH] as number) >= (s[FIELD.WEEK_OF_YEAR] as number)) ||
      (best === dowimStamp && (s[FIELD.DAY_OF_WEEK_IN_MONTH] as number) >= (s[FIELD.WEEK_OF_YEAR] as number))
    ) {
      mask |= MASK(FIELD.MONTH);
      if (best === domStamp) mask |= MASK(FIELD.DAY_OF_MONTH);
      else {
        if (dowStamp !== 0) mask |= MASK(FIELD.DAY_OF_WEEK);
        if (womStamp === dowimStamp) {
          mask |=
            (s[FIELD.WEEK_OF_MONTH] as number) >= (s[FIELD.DAY_OF_WEEK_IN_MONTH] as number)
              ? MASK(FIELD.WEEK_OF_MONTH)
              : MASK(FIELD.DAY_OF_WEEK_IN_MONTH);
        } else if (best === womStamp) mask |= MASK(FIELD.WEEK_OF_MONTH);
        else if (s[FIELD.DAY_OF_WEEK_IN_MONTH] !== 0) mask |= MASK(FIELD.DAY_OF_WEEK_IN_MONTH);
      }
    } else if (best === doyStamp) mask |= MASK(FIELD.DAY_OF_YEAR);
    else {
      if (dowStamp !== 0) mask |= MASK(FIELD.DAY_OF_WEEK);
      mask |= MASK(FIELD.WEEK_OF_YEAR);
    }
    const hourOfDayStamp = s[FIELD.HOUR_OF_DAY] as number;
    const hourStamp = aggregate(s[FIELD.HOUR] as number, s[FIELD.AM_PM] as number);
    let bestHour = Math.max(hourStamp, hourOfDayStamp);
    if (bestHour === 0) bestHour = Math.max(s[FIELD.HOUR] as number, s[FIELD.AM_PM] as number);
    if (bestHour !== 0) {
      if (bestHour === hourOfDayStamp) mask |= MASK(FIELD.HOUR_OF_DAY);
      else {
        mask |= MASK(FIELD.HOUR);
        if (s[FIELD.AM_PM] !== 0) mask |= MASK(FIELD.AM_PM);
      }
    }
    for (const field of [
      FIELD.MINUTE,
      FIELD.SECOND,
      FIELD.MILLISECOND,
      FIELD.ZONE_OFFSET,
      FIELD.DST_OFFSET,
    ]) {
      if (s[field] !== 0) mask |= MASK(field);
    }
    return mask;
  }

  /** GregorianCalendar.getFixedDate for one calendar system. */
  private fixedDate(system: CalendarSystem, yearIn: number, mask: number): number {
    let year = yearIn;
    let month = 0;
    if (mask & MASK(FIELD.MONTH)) {
      month = this.get(FIELD.MONTH);
      if (month > 11) {
        year = int32(year + Math.trunc(month / 12));
        month %= 12;
      } else if (month < 0) {
        year = int32(year + floorDiv(month, 12));
        month = mod(month, 12);
      }
    }
    let fixed = fixedDateOf(system, year, month + 1, 1);
    if (mask & MASK(FIELD.MONTH)) {
      if (mask & MASK(FIELD.DAY_OF_MONTH)) {
        if (this.isSet(FIELD.DAY_OF_MONTH)) fixed += this.get(FIELD.DAY_OF_MONTH) - 1;
      } else if (mask & MASK(FIELD.WEEK_OF_MONTH)) {
        let firstWeekDay = dayOfWeekOnOrBefore(fixed + 6, FIRST_DAY_OF_WEEK);
        if (firstWeekDay - fixed >= MINIMAL_DAYS_IN_FIRST_WEEK) firstWeekDay -= 7;
        if (mask & MASK(FIELD.DAY_OF_WEEK))
          firstWeekDay = dayOfWeekOnOrBefore(firstWeekDay + 6, this.get(FIELD.DAY_OF_WEEK));
        fixed = firstWeekDay + int32(7 * int32(this.get(FIELD.WEEK_OF_MONTH) - 1));
      } else {
        const dayOfWeek = mask & MASK(FIELD.DAY_OF_WEEK) ? this.get(FIELD.DAY_OF_WEEK) : FIRST_DAY_OF_WEEK;
        const dowim = mask & MASK(FIELD.DAY_OF_WEEK_IN_MONTH) ? this.get(FIELD.DAY_OF_WEEK_IN_MONTH) : 1;
        if (dowim >= 0) fixed = dayOfWeekOnOrBefore(fixed + int32(7 * dowim) - 1, dayOfWeek);
        else {
          const lastDate = monthLength(system, month, year) + int32(7 * (dowim + 1));
          fixed = dayOfWeekOnOrBefore(fixed + lastDate - 1, dayOfWeek);
        }
      }
    } else {
      if (mask & MASK(FIELD.DAY_OF_YEAR)) fixed += this.get(FIELD.DAY_OF_YEAR) - 1;
      else {
        let firstWeekDay = dayOfWeekOnOrBefore(fixed + 6, FIRST_DAY_OF_WEEK);
        if (firstWeekDay - fixed >= MINIMAL_DAYS_IN_FIRST_WEEK) firstWeekDay -= 7;
        if (mask & MASK(FIELD.DAY_OF_WEEK)) {
          const dayOfWeek = this.get(FIELD.DAY_OF_WEEK);
          if (dayOfWeek !== FIRST_DAY_OF_WEEK)
            firstWeekDay = dayOfWeekOnOrBefore(firstWeekDay + 6, dayOfWeek);
        }
        fixed = firstWeekDay + 7 * (this.get(FIELD.WEEK_OF_YEAR) - 1);
      }
    }
    return fixed;
  }

  /** GregorianCalendar.computeTime in UTC; null where Java throws IllegalArgumentException. */
  computeTime(): bigint | null {
    const mask = this.selectFields();
    let year = this.isSet(FIELD.YEAR) ? this.get(FIELD.YEAR) : 1970;
    const era = this.isSet(FIELD.ERA) ? this.get(FIELD.ERA) : 1;
    if (era === 0) year = int32(1 - year);
    else if (era !== 1) return null;
    let timeOfDay = 0n;
    if (mask & MASK(FIELD.HOUR_OF_DAY)) timeOfDay += BigInt(this.get(FIELD.HOUR_OF_DAY));
    else {
      timeOfDay += BigInt(this.get(FIELD.HOUR));
      if (mask & MASK(FIELD.AM_PM)) timeOfDay += 12n * BigInt(this.get(FIELD.AM_PM));
    }
    timeOfDay = timeOfDay * 60n + BigInt(this.get(FIELD.MINUTE));
    timeOfDay = timeOfDay * 60n + BigInt(this.get(FIELD.SECOND));
    timeOfDay = timeOfDay * 1000n + BigInt(this.get(FIELD.MILLISECOND));
    const day = BigInt(ONE_DAY);
    let dayOffset = timeOfDay / day;
    timeOfDay %= day;
    while (timeOfDay < 0n) {
      timeOfDay += day;
      dayOffset -= 1n;
    }
    const offset = Number(dayOffset);
    let fixed: number;
    const gregorian = () => offset + this.fixedDate('gregorian', year, mask);
    const julian = () => offset + this.fixedDate('julian', year, mask);
    // Outside the cutover the year's own calendar decides; near it, fields relative to the start of
    // the year read as Julian, others as Gregorian when that lands after the cutover.
    const near = (gfd: number, jfd: number) =>
      mask & (MASK(FIELD.DAY_OF_YEAR) | MASK(FIELD.WEEK_OF_YEAR))
        ? jfd
        : gfd >= GREGORIAN_CUTOVER_DATE
          ? gfd
          : jfd;
    if (year > CUTOVER_YEAR) {
      const gfd = gregorian();
      fixed = gfd >= GREGORIAN_CUTOVER_DATE ? gfd : near(gfd, julian());
    } else if (year < CUTOVER_YEAR) {
      const jfd = julian();
      fixed = jfd < GREGORIAN_CUTOVER_DATE ? jfd : near(jfd, jfd);
    } else fixed = near(gregorian(), julian());
    let zoneOffset = 0n;
    if (mask & MASK(FIELD.ZONE_OFFSET)) zoneOffset += BigInt(this.get(FIELD.ZONE_OFFSET));
    if (mask & MASK(FIELD.DST_OFFSET)) zoneOffset += BigInt(this.get(FIELD.DST_OFFSET));
    return BigInt.asIntN(64, joinMillis(fixed, timeOfDay) - zoneOffset);
  }
}

function monthLength(system: CalendarSystem, month: number, year: number): number {
  const lengths = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  const leap = system === 'gregorian' ? isGregorianLeap(year) : isJulianLeap(year);
  return month === 1 && leap ? 29 : (lengths[month] as number);
}
