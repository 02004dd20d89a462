package bnscope.jobs;

import bnscope.core.BadInputException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The arguments of one bnscope command: positional arguments, {@code --flag}s, {@code --option value}s
 * and repeated {@code --set key=value} / {@code --runs DIR...} lists. Unknown options are an error
 * naming the option and the command's usage.
 */
public final class CommandLine {
    private final String command;
    private final List<String> positional = new ArrayList<>();
    private final Map<String, List<String>> options = new LinkedHashMap<>();

    private CommandLine(String command) {
        this.command = command;
    }

    /**
     * @param flags       options without a value (e.g. "--resume")
     * @param valued      options with one value (repeatable ones collect into a list)
     * @param multiValued options followed by values until the next option (e.g. "--runs a b")
     */
    public static CommandLine parse(String command, String[] args, Set<String> flags, Set<String> valued, Set<String> multiValued) {
        CommandLine cl = new CommandLine(command);
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.startsWith("--") && a.contains("=") && valued.contains(a.substring(0, a.indexOf('=')))) {
                cl.add(a.substring(0, a.indexOf('=')), a.substring(a.indexOf('=') + 1));
            } else if (flags.contains(a)) {
                cl.add(a, "true");
            } else if (valued.contains(a)) {
                if (i + 1 >= args.length) {
                    throw new BadInputException("Option " + a + " of `" + command + "` needs a value. Run `./submit.sh help " + command + "`.");
                }
                cl.add(a, args[++i]);
            } else if (multiValued.contains(a)) {
                int start = i;
                while (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                    cl.add(a, args[++i]);
                }
                if (i == start) {
                    throw new BadInputException("Option " + a + " of `" + command + "` needs at least one value.");
                }
            } else if (a.startsWith("--") || (a.startsWith("-") && a.length() > 1 && !isNumber(a))) {
                if (a.equals("-f") && valued.contains("-f")) {
                    cl.add(a, i + 1 < args.length ? args[++i] : null);
                    continue;
                }
                throw new BadInputException("Unknown option " + a + " for `" + command + "`. Run `./submit.sh help " + command
                        + "` for its options.");
            } else {
                cl.positional.add(a);
            }
        }
        return cl;
    }

    private static boolean isNumber(String s) {
        return s.matches("-?\\d+(\\.\\d+)?");
    }

    private void add(String option, String value) {
        options.computeIfAbsent(option, k -> new ArrayList<>()).add(value);
    }

    public String command() {
        return command;
    }

    public List<String> positional() {
        return positional;
    }

    public boolean has(String option) {
        return options.containsKey(option);
    }

    public String value(String option) {
        List<String> v = options.get(option);
        return v == null ? null : v.get(v.size() - 1);
    }

    public List<String> values(String option) {
        return options.getOrDefault(option, List.of());
    }

    public double doubleValue(String option, double fallback) {
        String v = value(option);
        if (v == null) {
            return fallback;
        }
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new BadInputException("Option " + option + " of `" + command + "` must be a number, got '" + v + "'.");
        }
    }

    /** Fails unless there are between min and max positional arguments. */
    public void requirePositional(int min, int max, String what) {
        if (positional.size() < min || positional.size() > max) {
            throw new BadInputException("`" + command + "` takes " + what + ", got " + (positional.isEmpty() ? "none" : positional)
                    + ". Run `./submit.sh help " + command + "`.");
        }
    }
}
