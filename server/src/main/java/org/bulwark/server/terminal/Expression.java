package org.bulwark.server.terminal;

import java.util.List;

/**
 * The expressions of the terminal idiom, as parsed: literals, global and local references, the
 * functions {@code $get $order $query $data $increment} and the special variables
 * {@code $tlevel $test}. {@code column} is where the expression starts, 1-based.
 */
sealed interface Expression
{
    int column();

    /**
     * A string or a number, numbers already in canonical form.
     */
    record Literal(String value, int column) implements Expression
    {
    }

    /**
     * {@code ^name(subscript,...)}.
     */
    record GlobalNode(String name, List<Expression> subscripts, int column) implements Expression
    {
    }

    /**
     * An unsubscripted local variable of this terminal session.
     */
    record LocalVariable(String name, int column) implements Expression
    {
    }

    /**
     * {@code $function(reference[,argument])}: {@code reference} is a {@link GlobalNode} or a
     * {@link LocalVariable}; {@code argument} may be null.
     */
    record Call(Function function, Expression reference, Expression argument, int column) implements Expression
    {
    }

    /**
     * {@code $tlevel} or {@code $test}.
     */
    record Special(Function function, int column) implements Expression
    {
    }

    /**
     * The functions and special variables, with their abbreviations.
     */
    enum Function
    {
        GET("get", "g", true),
        ORDER("order", "o", true),
        QUERY("query", "q", true),
        DATA("data", "d", true),
        INCREMENT("increment", "i", true),
        TLEVEL("tlevel", "tl", false),
        TEST("test", "t", false);

        final String fullName;
        final String abbreviation;
        final boolean takesArguments;

        Function(final String fullName, final String abbreviation, final boolean takesArguments)
        {
            this.fullName = fullName;
            this.abbreviation = abbreviation;
            this.takesArguments = takesArguments;
        }

        /**
         * @return the function named {@code name} (any case, full or abbreviated), or null.
         */
        static Function named(final String name)
        {
            for (final Function f : values())
            {
                if (f.fullName.equalsIgnoreCase(name) || f.abbreviation.equalsIgnoreCase(name))
                {
                    return f;
                }
            }
            return null;
        }
    }
}
