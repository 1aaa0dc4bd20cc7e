package io.aigw.core.keys;

import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.temporal.TemporalAdjusters;
import java.util.Locale;

/** The period a key's budget is spent over, in UTC days: weeks start on Monday. */
public enum BudgetPeriod {
    DAILY,
    WEEKLY,
    MONTHLY,
    TOTAL;

    /** The first day of {@code TOTAL}: before any spend row. */
    public static final LocalDate BEGINNING = LocalDate.of(1970, 1, 1);

    /** The first UTC day of the period that holds {@code day}. */
    public LocalDate start(LocalDate day) {
        return switch (this) {
            case DAILY -> day;
            case WEEKLY -> day.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
            case MONTHLY -> day.withDayOfMonth(1);
            case TOTAL -> BEGINNING;
        };
    }

    /** As written in the API and the database: {@code daily}, {@code weekly}, ... */
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The period named {@code s}, or null when it names none. */
    public static BudgetPeriod parse(String s) {
        for (BudgetPeriod p : values()) {
            if (p.wire().equals(s)) {
                return p;
            }
        }
        return null;
    }
}
