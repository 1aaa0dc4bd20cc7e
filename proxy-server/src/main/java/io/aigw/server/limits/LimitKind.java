package io.aigw.server.limits;

/** What one check of a request's plan limits, as the metrics and the 429's wording name it. */
enum LimitKind {
    RPM("rpm", "requests per minute"),
    TPM("tpm", "tokens per minute"),
    PARALLEL("parallel", "requests in flight"),
    QUOTA_DAILY("quota_daily", "daily token quota"),
    QUOTA_MONTHLY("quota_monthly", "monthly token quota");

    final String label;
    final String words;

    LimitKind(String label, String words) {
        this.label = label;
        this.words = words;
    }

    boolean isQuota() {
        return this == QUOTA_DAILY || this == QUOTA_MONTHLY;
    }

    /** Charged in tokens, so corrected once the real usage is known. */
    boolean countsTokens() {
        return this == TPM || isQuota();
    }
}
