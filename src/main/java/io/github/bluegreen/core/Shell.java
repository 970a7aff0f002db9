package io.github.bluegreen.core;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The one quoting helper: every command line sent to a shell is built here from separate arguments, each
 * single-quoted, so no user string (path, JVM option, nginx command) is ever parsed as shell code.
 */
public final class Shell {
    private Shell() {}

    /** {@code it's} becomes {@code 'it'"'"'s'}: a POSIX shell reads it back as exactly the input. */
    public static String quote(String argument) {
        return "'" + argument.replace("'", "'\"'\"'") + "'";
    }

    /** Joins arguments into one shell command line, each quoted. */
    public static String join(List<String> argv) {
        return argv.stream().map(Shell::quote).collect(Collectors.joining(" "));
    }

    /**
     * Splits a configured command such as {@code sudo systemctl reload nginx} into words: blanks separate
     * words, single or double quotes group them. No expansion of any kind happens.
     */
    public static List<String> split(String command) {
        List<String> words = new java.util.ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        for (char c : command.toCharArray()) {
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    word.append(c);
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
                inWord = true;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            } else {
                word.append(c);
                inWord = true;
            }
        }
        if (quote != 0) {
            throw new IllegalArgumentException("unbalanced " + quote + " in: " + command);
        }
        if (inWord) {
            words.add(word.toString());
        }
        return words;
    }
}
