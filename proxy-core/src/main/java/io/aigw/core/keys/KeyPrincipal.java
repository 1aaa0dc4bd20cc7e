package io.aigw.core.keys;

import io.aigw.core.error.ApiError;
import java.time.LocalDate;

/**
 * The database key a request was authenticated with, as the exchange carries it: the key's state
 * when the request arrived, and the directory whose ledger holds its spend. Checks that need the
 * requested model run when the endpoint has read it, before any provider is called.
 */
public record KeyPrincipal(ClientKey key, KeyDirectory directory) {
    /** OpenAI's answer when a key's quota is spent: type and code both {@code insufficient_quota}. */
    public static final ApiError BUDGET_SPENT = new ApiError(
            429,
            "insufficient_quota",
            "insufficient_quota",
            null,
            "This API key has spent its budget for the current period; it can be raised with PATCH /admin/keys/{id}.");

    public long id() {
        return key.id();
    }

    /** Why a request for {@code model} is refused (model not allowed, budget spent), or null. */
    public ApiError refusal(String model) {
        if (!key.settings().allowsModel(model)) {
            return new ApiError(
                    403,
                    ApiError.INVALID_REQUEST,
                    "model_not_allowed",
                    "model",
                    "This API key is not allowed to use the requested model.");
        }
        Double budget = key.settings().budgetUsd();
        if (budget != null) {
            LocalDate start = key.settings().spendPeriod().start(directory.today());
            if (directory.ledger().spent(key.id(), start) >= budget) {
                return BUDGET_SPENT;
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return "KeyPrincipal[" + key.id() + "]"; // no hash, no prefix: this may reach a log line
    }
}
