package org.bulwark.server.terminal;

import org.bulwark.store.NumericValue;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Parses one line of the terminal idiom into statements, before any of them runs (a line with a
 * syntax error does nothing). Commands and functions are case-insensitive and may be abbreviated
 * ({@code s w zw k ts tc tro l h q}, {@code $g $o $q $d $i $tl $t}). A command is followed by one
 * space and its arguments, which end at the next space outside a string; commands without
 * arguments are followed by a space or the end of the line; {@code ;} starts a comment.
 *
 * <p>Numeric literals are canonicalised as G-2 says ({@code 01} is {@code 1}, {@code 1.50} is
 * {@code 1.5}, {@code .5} stays {@code .5}); strings are quoted with {@code ""} for a quote.
 * Errors are {@code <SYNTAX>} with the 1-based column.
 */
final class TerminalParser
{
    private final String line;
    private int at;

    private TerminalParser(final String line)
    {
        this.line = line;
    }

    static List<Statement> parse(final String line)
    {
        return new TerminalParser(line).statements();
    }

    private List<Statement> statements()
    {
        final List<Statement> statements = new ArrayList<>();
        skipSpaces();
        while (at < line.length() && peek() != ';')
        {
            statements.add(statement());
            if (at < line.length())
            {
                if (peek() != ' ')
                {
                    throw error("expected a space before the next command, found '" + peek() + "'");
                }
                skipSpaces();
            }
        }
        return statements;
    }

    private Statement statement()
    {
        final int start = at;
        final String word = name();
        if (word.isEmpty())
        {
            throw error("expected a command, found '" + peek() + "'");
        }
        if (at < line.length() && peek() != ' ')
        {
            throw error("expected a space after the command '" + word + "', found '" + peek() + "'");
        }
        // Arguments follow one space; a command without any is followed by the next command.
        final char next = at + 1 < line.length() && peek() == ' ' ? line.charAt(at + 1) : ' ';
        final boolean hasArguments = next != ' ' && next != ';';
        switch (word.toLowerCase(Locale.ROOT))
        {
            case "s":
            case "set":
                requireArguments(hasArguments, start, "set needs an assignment such as ^x(1)=\"v\"");
                at++;
                return set();
            case "w":
            case "write":
                return hasArguments && skipOne() ? write() : new Statement.ZWrite(List.of());
            case "zw":
            case "zwrite":
                return new Statement.ZWrite(hasArguments && skipOne() ? references() : List.of());
            case "k":
            case "kill":
                return new Statement.Kill(hasArguments && skipOne() ? references() : List.of(), false);
            case "zk":
            case "zkill":
                requireArguments(hasArguments, start, "zkill needs a reference");
                at++;
                return new Statement.Kill(references(), true);
            case "ts":
            case "tstart":
                return new Statement.TStart();
            case "tc":
            case "tcommit":
                return new Statement.TCommit();
            case "tro":
            case "trollback":
                return new Statement.TRollback(Character.isDigit(next) && skipOne() ? levels() : 0);
            case "l":
            case "lock":
                return new Statement.Lock((next == '+' || next == '-' || next == '^') && skipOne() ?
                    lockItems() : List.of());
            case "h":
            case "halt":
            case "q":
            case "quit":
                return new Statement.Halt();
            case "help":
                return new Statement.Help();
            default:
                throw TerminalException.syntax(start + 1, "unknown command '" + word + "' (help lists them)");
        }
    }

    /**
     * Step over the space between a command and its arguments.
     *
     * @return true.
     */
    private boolean skipOne()
    {
        at++;
        return true;
    }

    private void requireArguments(final boolean hasArguments, final int start, final String problem)
    {
        if (!hasArguments)
        {
            throw TerminalException.syntax(start + 1, problem);
        }
    }

    private Statement set()
    {
        final List<Statement.Assignment> assignments = new ArrayList<>();
        do
        {
            final Expression target = reference();
            expect('=', "expected '=' after " + describe(target));
            assignments.add(new Statement.Assignment(target, expression()));
        }
        while (accept(','));
        return new Statement.Set(assignments);
    }

    private Statement write()
    {
        final List<Expression> arguments = new ArrayList<>();
        do
        {
            if (accept('!'))
            {
                arguments.add(null);
                while (accept('!'))
                {
                    arguments.add(null);
                }
                if (at < line.length() && peek() != ',' && peek() != ' ')
                {
                    arguments.add(expression());
                }
            }
            else
            {
                arguments.add(expression());
            }
        }
        while (accept(','));
        return new Statement.Write(arguments);
    }

    private List<Expression> references()
    {
        final List<Expression> references = new ArrayList<>();
        do
        {
            references.add(reference());
        }
        while (accept(','));
        return references;
    }

    private int levels()
    {
        final int start = at;
        while (at < line.length() && Character.isDigit(peek()))
        {
            at++;
        }
        if (start == at)
        {
            throw error("trollback takes a number of levels, found '" + peek() + "'");
        }
        try
        {
            return Integer.parseInt(line.substring(start, at));
        }
        catch (final NumberFormatException ex)
        {
            throw TerminalException.syntax(start + 1, "too many levels: " + line.substring(start, at));
        }
    }

    private List<Statement.LockItem> lockItems()
    {
        final List<Statement.LockItem> items = new ArrayList<>();
        do
        {
            char mode = ' ';
            if (accept('+'))
            {
                mode = '+';
            }
            else if (accept('-'))
            {
                mode = '-';
            }
            if (at >= line.length() || peek() != '^')
            {
                throw error("lock takes a global reference such as ^x(1), found " + found());
            }
            final Expression.GlobalNode reference = global();
            boolean shared = false;
            if (accept('#'))
            {
                final int typeAt = at;
                final String type = expression() instanceof Expression.Literal literal ? literal.value() : "";
                if (!type.equalsIgnoreCase("S") && !type.equalsIgnoreCase("E"))
                {
                    throw TerminalException.syntax(typeAt + 1, "lock type must be \"S\" (shared) or \"E\"");
                }
                shared = type.equalsIgnoreCase("S");
            }
            Expression timeout = null;
            if (accept(':'))
            {
                if (mode == '-')
                {
                    throw TerminalException.syntax(at, "an unlock takes no timeout");
                }
                timeout = expression();
            }
            items.add(new Statement.LockItem(mode, reference, shared, timeout));
        }
        while (accept(','));
        return items;
    }

    // =================================================================== expressions

    private Expression expression()
    {
        if (at >= line.length())
        {
            throw error("expected a value (a \"string\", a number, ^global, $function or a variable), found the end " +
                "of the line");
        }
        final char c = peek();
        if (c == '"')
        {
            return string();
        }
        if (Character.isDigit(c) || c == '.' || ((c == '-' || c == '+') && at + 1 < line.length() &&
            (Character.isDigit(line.charAt(at + 1)) || line.charAt(at + 1) == '.')))
        {
            return number();
        }
        if (c == '^')
        {
            return global();
        }
        if (c == '$')
        {
            return function();
        }
        if (isNameStart(c))
        {
            return local();
        }
        throw error("expected a value (a \"string\", a number, ^global, $function or a variable), found " + found());
    }

    /**
     * A global reference or a local variable.
     */
    private Expression reference()
    {
        if (at < line.length() && peek() == '^')
        {
            return global();
        }
        if (at < line.length() && isNameStart(peek()))
        {
            return local();
        }
        throw error("expected a reference such as ^x(1) or a variable name, found " + found());
    }

    private Expression.GlobalNode global()
    {
        final int start = at;
        at++; // '^'
        final String name = name();
        if (name.isEmpty())
        {
            throw error("expected a global name after '^' (a letter or % first), found " + found());
        }
        final List<Expression> subscripts = new ArrayList<>();
        if (accept('('))
        {
            do
            {
                subscripts.add(expression());
            }
            while (accept(','));
            expect(')', "expected ',' or ')' after subscript " + subscripts.size() + " of ^" + name);
        }
        return new Expression.GlobalNode(name, subscripts, start + 1);
    }

    private Expression.LocalVariable local()
    {
        final int start = at;
        final String name = name();
        if (at < line.length() && peek() == '(')
        {
            throw error("local variables take no subscripts here; use a global such as ^" + name + "(...)");
        }
        return new Expression.LocalVariable(name, start + 1);
    }

    private Expression function()
    {
        final int start = at;
        at++; // '$'
        final String name = name();
        final Expression.Function function = Expression.Function.named(name);
        if (null == function)
        {
            throw TerminalException.syntax(start + 1, "unknown function $" + name + " (the terminal knows $get, " +
                "$order, $query, $data, $increment, $tlevel, $test)");
        }
        if (!function.takesArguments)
        {
            return new Expression.Special(function, start + 1);
        }
        expect('(', "expected '(' after $" + function.fullName);
        final Expression reference = reference();
        Expression argument = null;
        if (accept(','))
        {
            if (function == Expression.Function.DATA)
            {
                throw TerminalException.syntax(at, "$data takes one argument");
            }
            argument = expression();
        }
        expect(')', "expected ')' to close $" + function.fullName + "(");
        return new Expression.Call(function, reference, argument, start + 1);
    }

    private Expression.Literal string()
    {
        final int start = at;
        final StringBuilder value = new StringBuilder();
        at++;
        while (at < line.length())
        {
            final char c = line.charAt(at++);
            if (c == '"')
            {
                if (at < line.length() && peek() == '"')
                {
                    value.append('"');
                    at++;
                    continue;
                }
                return new Expression.Literal(value.toString(), start + 1);
            }
            value.append(c);
        }
        throw TerminalException.syntax(start + 1, "string not closed: a '\"' is missing (write \"\" for a quote " +
            "inside a string)");
    }

    private Expression.Literal number()
    {
        final int start = at;
        if (peek() == '-' || peek() == '+')
        {
            at++;
        }
        while (at < line.length() && Character.isDigit(peek()))
        {
            at++;
        }
        if (at < line.length() && peek() == '.')
        {
            at++;
            while (at < line.length() && Character.isDigit(peek()))
            {
                at++;
            }
        }
        final String text = line.substring(start, at);
        try
        {
            return new Expression.Literal(NumericValue.format(new BigDecimal(text)), start + 1);
        }
        catch (final NumberFormatException ex)
        {
            throw TerminalException.syntax(start + 1, "'" + text + "' is not a number");
        }
    }

    // =================================================================== lexical

    private String name()
    {
        final int start = at;
        if (at < line.length() && isNameStart(peek()))
        {
            at++;
            while (at < line.length() && Character.isLetterOrDigit(peek()))
            {
                at++;
            }
        }
        return line.substring(start, at);
    }

    private static boolean isNameStart(final char c)
    {
        return Character.isLetter(c) || c == '%';
    }

    private char peek()
    {
        return line.charAt(at);
    }

    private boolean accept(final char c)
    {
        if (at < line.length() && peek() == c)
        {
            at++;
            return true;
        }
        return false;
    }

    private void expect(final char c, final String problem)
    {
        if (!accept(c))
        {
            throw error(problem + ", found " + found());
        }
    }

    private void skipSpaces()
    {
        while (at < line.length() && peek() == ' ')
        {
            at++;
        }
    }

    private String found()
    {
        return at >= line.length() ? "the end of the line" : "'" + peek() + "'";
    }

    private TerminalException error(final String problem)
    {
        return TerminalException.syntax(at + 1, problem);
    }

    private static String describe(final Expression target)
    {
        if (target instanceof Expression.GlobalNode global)
        {
            return "^" + global.name() + (global.subscripts().isEmpty() ? "" : "(...)");
        }
        return ((Expression.LocalVariable)target).name();
    }
}
