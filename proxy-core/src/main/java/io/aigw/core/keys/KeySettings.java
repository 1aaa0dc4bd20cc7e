package io.aigw.core.keys;

import java.time.Instant;
import java.util.List;

/**
 * What an operator sets on a key (at creation or by a patch); every field but {@code name} and
 * {@code models} may be null (absent). The limits are stored for issue 17's enforcement, not used here.
 *
 * @param models exact model names and {@code prefix*} globs; empty allows every model
 * @param budgetPeriod null exactly when {@code budgetUsd} is null
 * @param metadataJson a JSON object as text, or null
 */
public record KeySettings(
        String name,
        List<String> models,
        Double budgetUsd,
        BudgetPeriod budgetPeriod,
        Instant expiresAt,
        Long rpm,
        Long tpm,
        Long maxParallel,
        Long tokenQuotaDaily,
        Long tokenQuotaMonthly,
        String metadataJson) {

    public KeySettings {
        models = List.copyOf(models);
    }

    /** A key with only a name: every model, no budget, no expiry, no limits. */
    public static KeySettings named(String name) {
        return new KeySettings(name, List.of(), null, null, null, null, null, null, null, null, null);
    }

    public KeySettings withModels(List<String> m) {
        return new KeySettings(
                name,
                m,
                budgetUsd,
                budgetPeriod,
                expiresAt,
                rpm,
                tpm,
                maxParallel,
                tokenQuotaDaily,
                tokenQuotaMonthly,
                metadataJson);
    }

    public KeySettings withBudget(Double usd, BudgetPeriod period) {
        return new KeySettings(
                name,
                models,
                usd,
                period,
                expiresAt,
                rpm,
                tpm,
                maxParallel,
                tokenQuotaDaily,
                tokenQuotaMonthly,
                metadataJson);
    }

    public KeySettings withExpiresAt(Instant at) {
        return new KeySettings(
                name,
                models,
                budgetUsd,
                budgetPeriod,
                at,
                rpm,
                tpm,
                maxParallel,
                tokenQuotaDaily,
                tokenQuotaMonthly,
                metadataJson);
    }

    /** Whether a request for {@code model} may use this key: an exact name, or a {@code prefix*} glob. */
    public boolean allowsModel(String model) {
        if (models.isEmpty()) {
            return true;
        }
        if (model == null) {
            return false;
        }
        for (String m : models) {
            if (m.endsWith("*") ? model.startsWith(m.substring(0, m.length() - 1)) : model.equals(m)) {
                return true;
            }
        }
        return false;
    }

    /** The period spend is shown for: the budget's, else monthly. */
    public BudgetPeriod spendPeriod() {
        return budgetPeriod == null ? BudgetPeriod.MONTHLY : budgetPeriod;
    }
}
