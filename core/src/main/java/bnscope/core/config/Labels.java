package bnscope.core.config;

import bnscope.core.BadInputException;

import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The one lookup from a config value to the enum constant it names (model.kind, model.preset,
 * model.implementation, noise.generator): every such enum has a lowercase label, the value config
 * files, manifests and docs use.
 */
public final class Labels {
    private Labels() {
    }

    /** The constant whose label is {@code name} (trimmed, case-insensitive); bad input naming {@code key} and the labels otherwise. */
    public static <E> E byLabel(E[] values, Function<E, String> label, String name, String key) {
        String wanted = name == null ? "" : name.strip().toLowerCase(Locale.ROOT);
        for (E e : values) {
            if (label.apply(e).equals(wanted)) {
                return e;
            }
        }
        throw new BadInputException("Config key '" + key + "' has value \"" + name + "\", but it must be one of "
                + Arrays.stream(values).map(label).sorted().toList() + ". See docs/config.md.");
    }

    /** Every label: the values the key accepts (ConfigKeys' one-of rule). */
    public static <E> Set<String> of(E[] values, Function<E, String> label) {
        return Arrays.stream(values).map(label).collect(Collectors.toUnmodifiableSet());
    }
}
