package bnscope.core;

/**
 * A problem with what the user gave us (a data file, a config key or value, a table) rather than a
 * bug. Its message is one paragraph meant for the console: which file or key, what was expected,
 * and what to do. Entry points print the message alone (no stack trace) and exit non-zero.
 */
public class BadInputException extends RuntimeException {
    public BadInputException(String message) {
        super(message);
    }

    public BadInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
