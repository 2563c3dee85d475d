package org.bulwark.server;

import org.bulwark.store.BulwarkException;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code bulwark shell}: a line-oriented session on a member, one command per line, for operators
 * and scripts (SPEC T-1, T-2 at the command line). References are written {@code ^name(sub,...)}
 * with numbers or "quoted strings" ({@code ""} inside quotes for a quote).
 *
 * <pre>
 * set REF VALUE        get REF          kill REF         zkill REF       data REF
 * order REF [-1]       incr REF [BY]    zwrite REF
 * tstart               tcommit          trollback [N]    tlevel
 * lock REF [MS] [shared]                unlock REF [shared]               unlockall
 * help                 quit
 * </pre>
 * Errors print as {@code <ERROR> ...} and the session goes on; the exit code is 1 if any command failed.
 */
final class ShellCommand
{
    private final PrintStream out;
    private final BufferedReader in;

    ShellCommand(final PrintStream out, final BufferedReader in)
    {
        this.out = out;
        this.in = in;
    }

    int run(final InstanceConfig config, final InstanceOptions options) throws Exception
    {
        int failures = 0;
        try (Instance instance = Instance.open(config, options))
        {
            final BulwarkSession session = instance.openSession();
            int lineNumber = 0;
            for (String line; null != (line = in.readLine()); )
            {
                lineNumber++;
                final String command = line.strip();
                if (command.isEmpty() || command.startsWith(";"))
                {
                    continue;
                }
                if ("quit".equals(command) || "halt".equals(command))
                {
                    break;
                }
                try
                {
                    execute(session, command);
                }
                catch (final BulwarkException | IllegalArgumentException ex)
                {
                    if (ex instanceof BulwarkException)
                    {
                        instance.metrics().error(((BulwarkException)ex).code());
                    }
                    out.println("<ERROR> line " + lineNumber + ": " + ex.getMessage());
                    failures++;
                }
            }
            if (session.tlevel() > 0)
            {
                out.println("(the session ends with an open transaction: rolled back)");
            }
            session.close();
        }
        return failures == 0 ? BulwarkCli.EXIT_OK : BulwarkCli.EXIT_FAILED;
    }

    private void execute(final BulwarkSession s, final String command) throws IOException
    {
        final int space = command.indexOf(' ');
        final String verb = (space < 0 ? command : command.substring(0, space)).toLowerCase(java.util.Locale.ROOT);
        final String rest = space < 0 ? "" : command.substring(space + 1).strip();
        switch (verb)
        {
            case "set" ->
            {
                final Reference ref = Reference.parse(rest);
                s.set(Reference.value(ref.rest()), ref.global(), ref.subscripts());
            }
            case "get" ->
            {
                final Reference ref = Reference.parse(rest);
                out.println(s.getString(ref.global(), ref.subscripts()));
            }
            case "kill" ->
            {
                final Reference ref = Reference.parse(rest);
                s.kill(ref.global(), ref.subscripts());
            }
            case "zkill" ->
            {
                final Reference ref = Reference.parse(rest);
                s.zkill(ref.global(), ref.subscripts());
            }
            case "data" ->
            {
                final Reference ref = Reference.parse(rest);
                out.println(s.data(ref.global(), ref.subscripts()));
            }
            case "order" ->
            {
                final Reference ref = Reference.parse(rest);
                out.println(s.order("-1".equals(ref.rest()) ? -1 : 1, ref.global(), ref.subscripts()));
            }
            case "incr" ->
            {
                final Reference ref = Reference.parse(rest);
                out.println(s.incrementBy(ref.rest().isEmpty() ? "1" : ref.rest(), ref.global(), ref.subscripts()));
            }
            case "zwrite" ->
            {
                final Reference ref = Reference.parse(rest);
                s.scan(ref.global(), ref.subscripts(), (key, value, offset, length) ->
                {
                    out.println(key + "=" + Reference.quote(value.getStringWithoutLengthUtf8(offset, length)));
                    return true;
                });
            }
            case "tstart" -> out.println("$tlevel=" + s.tstart());
            case "tcommit" ->
            {
                s.tcommit();
                out.println("$tlevel=" + s.tlevel());
            }
            case "trollback" ->
            {
                if (rest.isEmpty())
                {
                    s.trollback();
                }
                else
                {
                    s.trollback(Integer.parseInt(rest));
                }
                out.println("$tlevel=" + s.tlevel());
            }
            case "tlevel" -> out.println("$tlevel=" + s.tlevel());
            case "lock" ->
            {
                final Reference ref = Reference.parse(rest);
                final String[] words = ref.rest().isEmpty() ? new String[0] : ref.rest().split("\\s+");
                final long timeoutMs = words.length > 0 ? Long.parseLong(words[0]) : 0;
                final boolean shared = words.length > 1 && "shared".equals(words[1]);
                out.println("$test=" + (s.tryLock(timeoutMs, !shared, ref.global(), ref.subscripts()) ? 1 : 0));
            }
            case "unlock" ->
            {
                final Reference ref = Reference.parse(rest);
                s.unlock(!"shared".equals(ref.rest()), ref.global(), ref.subscripts());
            }
            case "unlockall" -> s.unlockAll();
            case "help" -> out.println("set REF VALUE, get REF, kill REF, zkill REF, data REF, order REF [-1], " +
                "incr REF [BY], zwrite REF, tstart, tcommit, trollback [N], tlevel, lock REF [MS] [shared], " +
                "unlock REF [shared], unlockall, quit; REF is ^name(sub,...)");
            default -> throw new IllegalArgumentException("unknown command '" + verb + "' (try help)");
        }
    }

    /**
     * A parsed {@code ^name(sub,...)} and what follows it on the line.
     */
    record Reference(String global, Object[] subscripts, String rest)
    {
        static Reference parse(final String text)
        {
            if (!text.startsWith("^"))
            {
                throw new IllegalArgumentException("expected a reference such as ^name(1,\"a\"), found '" + text + "'");
            }
            int at = 1;
            while (at < text.length() && (Character.isLetterOrDigit(text.charAt(at)) || text.charAt(at) == '%'))
            {
                at++;
            }
            final String name = text.substring(1, at);
            final List<Object> subscripts = new ArrayList<>();
            if (at < text.length() && text.charAt(at) == '(')
            {
                at++;
                while (true)
                {
                    final StringBuilder token = new StringBuilder();
                    at = token(text, at, token);
                    subscripts.add(subscript(token.toString()));
                    if (at >= text.length())
                    {
                        throw new IllegalArgumentException("unclosed '(' in " + text);
                    }
                    final char c = text.charAt(at++);
                    if (c == ')')
                    {
                        break;
                    }
                    if (c != ',')
                    {
                        throw new IllegalArgumentException("expected ',' or ')' at column " + at + " of " + text);
                    }
                }
            }
            return new Reference(name, subscripts.toArray(), text.substring(at).strip());
        }

        /**
         * Read one subscript (quoted or not) from {@code at}; return where it ends.
         */
        private static int token(final String text, final int from, final StringBuilder token)
        {
            int at = from;
            if (at < text.length() && text.charAt(at) == '"')
            {
                token.append('"');
                at++;
                while (at < text.length())
                {
                    final char c = text.charAt(at++);
                    if (c == '"')
                    {
                        if (at < text.length() && text.charAt(at) == '"')
                        {
                            token.append('"');
                            at++;
                            continue;
                        }
                        return at;
                    }
                    token.append(c);
                }
                throw new IllegalArgumentException("unclosed string in " + text);
            }
            while (at < text.length() && text.charAt(at) != ',' && text.charAt(at) != ')')
            {
                token.append(text.charAt(at++));
            }
            return at;
        }

        private static Object subscript(final String token)
        {
            if (token.startsWith("\""))
            {
                return token.substring(1);
            }
            if (!token.matches("-?[0-9]+(\\.[0-9]+)?"))
            {
                throw new IllegalArgumentException("subscript '" + token + "' is neither a number nor a \"string\"");
            }
            return token.contains(".") ? new java.math.BigDecimal(token) : (Object)Long.parseLong(token);
        }

        static String value(final String text)
        {
            if (text.startsWith("\""))
            {
                if (text.length() < 2 || !text.endsWith("\""))
                {
                    throw new IllegalArgumentException("unclosed string: " + text);
                }
                return text.substring(1, text.length() - 1).replace("\"\"", "\"");
            }
            if (text.isEmpty())
            {
                throw new IllegalArgumentException("set needs a value");
            }
            return text;
        }

        static String quote(final String value)
        {
            return value.matches("-?[0-9]+") ? value : "\"" + value.replace("\"", "\"\"") + "\"";
        }
    }
}
