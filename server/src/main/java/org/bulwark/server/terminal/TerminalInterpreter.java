package org.bulwark.server.terminal;

import org.bulwark.store.BulwarkException;
import org.bulwark.store.ErrorCode;
import org.bulwark.store.NumericValue;

import java.io.PrintStream;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Runs the statements of one line on a {@link TerminalBackend}, writing what they print. Keeps the
 * session's local variables and {@code $test}. An error stops the rest of its line and is printed
 * as its G-5 name and detail ({@code <UNDEFINED> ^x(2)}), as the member reports it.
 */
public final class TerminalInterpreter
{
    static final String HELP = String.join("\n",
        "set ^x(\"a\",1)=\"v\",n=5     write ^x(1),!,$get(^x(2),\"none\")     write ^x   zwrite ^x   kill ^x(1)",
        "zkill ^x(1)   tstart   tcommit   trollback [levels]   lock +^x(1):5   lock -^x(1)   lock ^x   lock",
        "functions: $get(ref[,default]) $order(ref[,-1]) $query(ref[,-1]) $data(ref) $increment(ref[,by])",
        "           $tlevel $test      halt or quit ends the session; ; starts a comment");

    private final TerminalBackend backend;
    private final PrintStream out;
    private final Map<String, String> locals = new TreeMap<>();
    private boolean test;
    private boolean halted;
    private boolean atLineStart = true;
    private int caretIndent = -1;

    public TerminalInterpreter(final TerminalBackend backend, final PrintStream out)
    {
        this.backend = backend;
        this.out = out;
    }

    /**
     * Parse and run one line; an error is printed, and ends the line.
     *
     * @return null if the line ran, else the error printed.
     */
    public RuntimeException execute(final String line)
    {
        try
        {
            for (final Statement statement : TerminalParser.parse(line))
            {
                if (halted)
                {
                    break;
                }
                run(statement);
            }
            endLine();
            return null;
        }
        catch (final TerminalException ex)
        {
            endLine();
            if (caretIndent >= 0 && ex.column() > 0)
            {
                out.println(" ".repeat(caretIndent + ex.column() - 1) + "^");
            }
            out.println(ex.getMessage());
            return ex;
        }
        catch (final BulwarkException ex)
        {
            endLine();
            out.println(ex.getMessage());
            return ex;
        }
        catch (final IllegalArgumentException | IllegalStateException ex)
        {
            endLine();
            final TerminalException error = TerminalException.command(ex.getMessage());
            out.println(error.getMessage());
            return error;
        }
    }

    /**
     * Point at the column of a syntax error under the line as typed after a prompt this long.
     *
     * @param indent the prompt's length, -1 for no pointer (scripts).
     */
    public void caretIndent(final int indent)
    {
        this.caretIndent = indent;
    }

    /**
     * @return true once {@code halt} or {@code quit} ran.
     */
    public boolean halted()
    {
        return halted;
    }

    /**
     * @return the prompt: {@code USER> }, with the transaction level in front inside one ({@code TL1:USER> }).
     */
    public String prompt()
    {
        final int level = backend.tlevel();
        return (level > 0 ? "TL" + level + ":" : "") + "USER> ";
    }

    // =================================================================== statements

    private void run(final Statement statement)
    {
        if (statement instanceof Statement.Set set)
        {
            for (final Statement.Assignment assignment : set.assignments())
            {
                final String value = evaluate(assignment.value());
                if (assignment.target() instanceof Expression.GlobalNode global)
                {
                    backend.set(reference(global), value);
                }
                else
                {
                    locals.put(((Expression.LocalVariable)assignment.target()).name(), value);
                }
            }
        }
        else if (statement instanceof Statement.Write write)
        {
            write(write.arguments());
        }
        else if (statement instanceof Statement.ZWrite zwrite)
        {
            zwrite(zwrite.references());
        }
        else if (statement instanceof Statement.Kill kill)
        {
            kill(kill);
        }
        else if (statement instanceof Statement.TStart)
        {
            backend.tstart();
        }
        else if (statement instanceof Statement.TCommit)
        {
            backend.tcommit();
        }
        else if (statement instanceof Statement.TRollback rollback)
        {
            backend.trollback(rollback.levels());
        }
        else if (statement instanceof Statement.Lock lock)
        {
            lock(lock.items());
        }
        else if (statement instanceof Statement.Halt)
        {
            halted = true;
        }
        else if (statement instanceof Statement.Help)
        {
            print(HELP);
            newLine();
        }
        else
        {
            throw new IllegalStateException("no handler for " + statement);
        }
    }

    private void write(final List<Expression> arguments)
    {
        for (final Expression argument : arguments)
        {
            if (null == argument)
            {
                newLine();
            }
            else if (arguments.size() == 1 && argument instanceof Expression.GlobalNode global &&
                global.subscripts().isEmpty())
            {
                // "write ^x" alone: the whole global, as zwrite shows it.
                zwrite(List.of(argument));
            }
            else
            {
                print(evaluate(argument));
            }
        }
    }

    private void zwrite(final List<Expression> references)
    {
        if (references.isEmpty())
        {
            for (final Map.Entry<String, String> local : locals.entrySet())
            {
                printNode(local.getKey(), local.getValue());
            }
            return;
        }
        for (final Expression reference : references)
        {
            if (reference instanceof Expression.GlobalNode global)
            {
                backend.scan(reference(global), (node, value) ->
                {
                    printNode(node, value);
                    return true;
                });
            }
            else
            {
                final String name = ((Expression.LocalVariable)reference).name();
                if (locals.containsKey(name))
                {
                    printNode(name, locals.get(name));
                }
            }
        }
    }

    private void printNode(final String reference, final String value)
    {
        endLine();
        print(reference + "=" + GlobalRef.literal(value));
        newLine();
    }

    private void kill(final Statement.Kill kill)
    {
        if (kill.references().isEmpty())
        {
            locals.clear();
            return;
        }
        for (final Expression reference : kill.references())
        {
            if (reference instanceof Expression.GlobalNode global)
            {
                if (kill.nodeOnly())
                {
                    backend.zkill(reference(global));
                }
                else
                {
                    backend.kill(reference(global));
                }
            }
            else
            {
                locals.remove(((Expression.LocalVariable)reference).name());
            }
        }
    }

    private void lock(final List<Statement.LockItem> items)
    {
        if (items.isEmpty())
        {
            backend.unlockAll();
            return;
        }
        boolean released = false;
        for (final Statement.LockItem item : items)
        {
            final GlobalRef ref = reference(item.reference());
            if (item.mode() == '-')
            {
                backend.unlock(ref, !item.shared());
                continue;
            }
            if (item.mode() == ' ' && !released)
            {
                backend.unlockAll(); // a lock without a sign replaces what the session holds
                released = true;
            }
            final long timeoutMs = null == item.timeoutSeconds() ? Long.MAX_VALUE : timeoutMs(item.timeoutSeconds());
            test = backend.lock(ref, !item.shared(), timeoutMs);
            if (!test)
            {
                throw new BulwarkException(ErrorCode.LOCK_TIMEOUT, ref + (null == item.timeoutSeconds() ?
                    " not locked" : " not locked within " + evaluate(item.timeoutSeconds()) + " s") + " ($test=0)");
            }
        }
    }

    private long timeoutMs(final Expression seconds)
    {
        final String text = evaluate(seconds);
        try
        {
            final BigDecimal value = new BigDecimal(text);
            if (value.signum() < 0)
            {
                throw TerminalException.function("a lock timeout cannot be negative: " + text);
            }
            return value.multiply(BigDecimal.valueOf(TimeUnit.SECONDS.toMillis(1))).longValue();
        }
        catch (final NumberFormatException ex)
        {
            throw TerminalException.function("a lock timeout is a number of seconds, not '" + text + "'");
        }
    }

    // =================================================================== expressions

    private String evaluate(final Expression expression)
    {
        if (expression instanceof Expression.Literal literal)
        {
            return literal.value();
        }
        if (expression instanceof Expression.GlobalNode global)
        {
            final GlobalRef ref = reference(global);
            final String value = backend.get(ref);
            if (null == value)
            {
                throw new BulwarkException(ErrorCode.UNDEFINED, ref.toString());
            }
            return value;
        }
        if (expression instanceof Expression.LocalVariable local)
        {
            final String value = locals.get(local.name());
            if (null == value)
            {
                throw new BulwarkException(ErrorCode.UNDEFINED, local.name());
            }
            return value;
        }
        if (expression instanceof Expression.Special special)
        {
            return special.function() == Expression.Function.TLEVEL ? Integer.toString(backend.tlevel()) :
                (test ? "1" : "0");
        }
        return call((Expression.Call)expression);
    }

    private String call(final Expression.Call call)
    {
        final Expression argument = call.argument();
        if (call.reference() instanceof Expression.LocalVariable local)
        {
            return callOnLocal(call, local.name());
        }
        final GlobalRef ref = reference((Expression.GlobalNode)call.reference());
        switch (call.function())
        {
            case GET:
            {
                final String value = backend.get(ref);
                return null != value ? value : null == argument ? "" : evaluate(argument);
            }
            case DATA:
                return Integer.toString(backend.data(ref));
            case ORDER:
                return backend.order(ref, direction(argument));
            case QUERY:
                return backend.query(ref, direction(argument));
            case INCREMENT:
                return backend.increment(ref, null == argument ? "1" : number(evaluate(argument)));
            default:
                throw new IllegalStateException("no handler for $" + call.function().fullName);
        }
    }

    private String callOnLocal(final Expression.Call call, final String name)
    {
        final String value = locals.get(name);
        switch (call.function())
        {
            case GET:
                return null != value ? value : null == call.argument() ? "" : evaluate(call.argument());
            case DATA:
                return null == value ? "0" : "1";
            case INCREMENT:
            {
                final BigDecimal by = new BigDecimal(null == call.argument() ? "1" : number(evaluate(call.argument())));
                final String result = NumericValue.format(numeric(null == value ? "0" : value).add(by));
                locals.put(name, result);
                return result;
            }
            default:
                throw TerminalException.function("$" + call.function().fullName + " needs a global reference, not " +
                    "the local variable " + name);
        }
    }

    private int direction(final Expression argument)
    {
        if (null == argument)
        {
            return 1;
        }
        final String text = evaluate(argument);
        if (text.equals("1") || text.equals("-1"))
        {
            return Integer.parseInt(text);
        }
        throw TerminalException.function("direction must be 1 or -1, not '" + text + "'");
    }

    private static String number(final String text)
    {
        return NumericValue.format(numeric(text));
    }

    /**
     * The numeric interpretation of text as M reads it: its longest numeric prefix, 0 if none.
     */
    private static BigDecimal numeric(final String text)
    {
        int end = 0;
        if (end < text.length() && (text.charAt(end) == '-' || text.charAt(end) == '+'))
        {
            end++;
        }
        boolean point = false;
        int lastDigit = -1;
        while (end < text.length())
        {
            final char c = text.charAt(end);
            if (Character.isDigit(c))
            {
                lastDigit = end;
            }
            else if (c != '.' || point)
            {
                break;
            }
            else
            {
                point = true;
            }
            end++;
        }
        return lastDigit < 0 ? BigDecimal.ZERO : new BigDecimal(text.substring(0, lastDigit + 1));
    }

    private GlobalRef reference(final Expression.GlobalNode global)
    {
        final List<String> subscripts = new ArrayList<>(global.subscripts().size());
        for (final Expression subscript : global.subscripts())
        {
            subscripts.add(evaluate(subscript));
        }
        return new GlobalRef(global.name(), subscripts);
    }

    // =================================================================== output

    private void print(final String text)
    {
        if (!text.isEmpty())
        {
            out.print(text);
            atLineStart = text.endsWith("\n");
        }
    }

    private void newLine()
    {
        out.println();
        atLineStart = true;
    }

    /**
     * Finish a line something was written on, so that the next output or prompt starts a new one.
     */
    private void endLine()
    {
        if (!atLineStart)
        {
            newLine();
        }
    }
}
