package bnscope.analysis;

import org.jline.reader.EOFError;
import org.jline.reader.Parser;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** When the shell runs what was typed, and when it asks for the next line: a ';' token of Spark's lexer ends a statement. */
class StatementLineParserTest {
    @Test
    void aStatementEndsAtASemicolonTokenOnly() {
        assertTrue(StatementLineParser.complete("SELECT 1;"));
        assertTrue(StatementLineParser.complete("SELECT variant\n  FROM curves\n;"));
        assertTrue(StatementLineParser.complete("SELECT 1; -- done"));
        assertTrue(StatementLineParser.complete("SELECT 1 /* ; */ ;"));
        assertFalse(StatementLineParser.complete("SELECT variant, count(*)"));
        assertFalse(StatementLineParser.complete("SELECT ';'"));
        assertFalse(StatementLineParser.complete("SELECT 1 -- ;"));
        assertFalse(StatementLineParser.complete("SELECT 1 /* ; */"));
        assertFalse(StatementLineParser.complete("SELECT `a;b`"));
        assertFalse(StatementLineParser.complete("SELECT 'it''s;"));
        assertFalse(StatementLineParser.complete("SELECT \"a;"));
        assertTrue(StatementLineParser.complete("SELECT 'it''s';"));
    }

    @Test
    void shellCommandsAndBlankLinesNeedNoSemicolon() {
        assertTrue(StatementLineParser.complete("\\d curves"));
        assertTrue(StatementLineParser.complete("  \\q"));
        assertTrue(StatementLineParser.complete("   "));
    }

    @Test
    void anUnfinishedStatementAsksJLineForTheNextLine() {
        StatementLineParser parser = new StatementLineParser();
        assertThrows(EOFError.class, () -> parser.parse("SELECT 1", 8, Parser.ParseContext.ACCEPT_LINE));
        assertEquals("\\d", parser.parse("\\d curves", 9, Parser.ParseContext.ACCEPT_LINE).words().get(0));
        // completion parses the unfinished line too, and must not stop it
        assertEquals("SELECT", parser.parse("SELECT 1", 8, Parser.ParseContext.COMPLETE).words().get(0));
    }

    @Test
    void tablesListsTheFirstSentenceOfADescription() {
        assertEquals("Loss landscape per step (the paper's Fig. 4): a.", ShellCommands.firstSentence(
                "Loss landscape per step (the paper's Fig. 4): a. More."));
        assertEquals("No full stop", ShellCommands.firstSentence("No full stop"));
        assertEquals("Keys, e.g. variant and step.", ShellCommands.firstSentence("Keys, e.g. variant and step. Then."));
    }
}
