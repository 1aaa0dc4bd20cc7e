package io.aigw.core.log;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Replaces personal data and secrets in text with {@code [REDACTED:rule]} markers before a request
 * log row is stored: the built-in rules ({@code email}, {@code phone}, {@code card}, {@code secret})
 * a configuration names, then its custom regex rules. Immutable and thread-safe: patterns are
 * compiled once, here.
 *
 * <p>Built-in rules always run in one fixed order, whatever the order in configuration (secrets and
 * emails first, since they hold digits a card or phone rule would otherwise claim), custom rules
 * after them in the order given. Text a rule's pre-check rules out costs a scan, not a regex.
 *
 * <p>For JSON, redact string values with {@link JsonRedaction} rather than the text, so the result
 * stays JSON.
 */
public final class Redactor {
    /** The built-in rule names. */
    public static final List<String> BUILTIN = BuiltinRules.NAMES;

    private static final Redactor NONE = new Redactor(List.of(), 0);

    private final RedactionRule[] rules;
    /** The first {@code builtins} of {@link #rules} are built-in ones. */
    private final int builtins;

    private final List<String> names;

    private Redactor(List<RedactionRule> rules, int builtins) {
        this.rules = rules.toArray(new RedactionRule[0]);
        this.builtins = builtins;
        List<String> distinct = new ArrayList<>();
        for (RedactionRule rule : rules) {
            if (!distinct.contains(rule.name())) {
                distinct.add(rule.name());
            }
        }
        this.names = List.copyOf(distinct);
    }

    /**
     * The named built-in rules and the custom ones ({@code name -> Java regex}; use an ordered map to
     * fix their order). Repeated built-in names count once.
     *
     * @throws IllegalArgumentException for an unknown built-in name (the message lists the known
     *     ones), a custom rule named like a built-in one, an invalid custom name, or a regex that does
     *     not compile (the message names the rule)
     */
    public static Redactor of(List<String> builtinNames, Map<String, String> customRegexes) {
        for (String name : builtinNames) {
            BuiltinRules.named(name); // throws for an unknown name, before any work
        }
        List<RedactionRule> rules = new ArrayList<>();
        for (String name : BuiltinRules.RUN_ORDER) {
            if (builtinNames.contains(name)) {
                rules.addAll(BuiltinRules.named(name));
            }
        }
        int builtins = rules.size();
        customRegexes.forEach((name, regex) -> {
            if (BUILTIN.contains(name)) {
                throw new IllegalArgumentException("custom redaction rule '" + name + "' has a built-in rule's name");
            }
            rules.add(RedactionRule.custom(name, regex));
        });
        return rules.isEmpty() ? NONE : new Redactor(rules, builtins);
    }

    /** Every built-in rule, no custom one. */
    public static Redactor builtins() {
        return of(BUILTIN, Map.of());
    }

    /** Redacts nothing. */
    public static Redactor none() {
        return NONE;
    }

    /** The names of the rules in force, in the order they run. */
    public List<String> ruleNames() {
        return names;
    }

    /**
     * True when {@link #redact} would surely return its input unchanged: only built-in rules, and
     * their shared pre-check rules them all out. For text not yet a String (a parser's buffer).
     */
    public boolean leavesAlone(CharSequence text) {
        return builtins == rules.length && (builtins == 0 || BuiltinRules.noneCanMatch(text));
    }

    /** As {@link #leavesAlone(CharSequence)}, for {@code length} chars of {@code text} from {@code offset}. */
    public boolean leavesAlone(char[] text, int offset, int length) {
        return builtins == rules.length && (builtins == 0 || BuiltinRules.noneCanMatch(text, offset, length));
    }

    public boolean isEmpty() {
        return rules.length == 0;
    }

    /** Text with every match replaced; the same instance when nothing matched; null stays null. */
    public String redact(String text) {
        if (text == null) {
            return null;
        }
        // Most strings are clean: one shared scan rules every built-in rule out at once.
        int first = builtins > 0 && BuiltinRules.noneCanMatch(text) ? builtins : 0;
        String out = text;
        for (int i = first; i < rules.length; i++) {
            out = rules[i].apply(out);
        }
        return out;
    }
}
