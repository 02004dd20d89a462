package bnscope.analysis;

import org.jline.reader.EOFError;
import org.jline.reader.ParsedLine;
import org.jline.reader.impl.DefaultParser;

/**
 * How the SQL shell's line reader splits input: a line starting with {@code \} is a shell command
 * and ends at the line's end; anything else is SQL that goes on over several lines until it ends
 * in a {@code ;} token of Spark's own lexer ({@link ReadOnlyStatement#endsStatement}), so a
 * {@code ;} inside a string or a comment does not end it. JLine asks for the next line (with the
 * continuation prompt) when the parser reports an {@link EOFError}.
 */
final class StatementLineParser extends DefaultParser {
    StatementLineParser() {
        // SQL has no backslash escapes, and the shell's commands start with one: keep it a character
        setEscapeChars(new char[0]);
        setEofOnUnclosedQuote(false);
    }

    @Override
    public ParsedLine parse(String line, int cursor, ParseContext context) {
        if (context == ParseContext.ACCEPT_LINE && !complete(line)) {
            throw new EOFError(-1, -1, "the statement goes on until a ';'", ";");
        }
        return super.parse(line, cursor, context);
    }

    /** Whether {@code input} is ready to run: blank, a shell command, or SQL ending in ';'. */
    static boolean complete(String input) {
        String text = input.strip();
        return text.isEmpty() || text.startsWith("\\") || ReadOnlyStatement.endsStatement(text);
    }
}
