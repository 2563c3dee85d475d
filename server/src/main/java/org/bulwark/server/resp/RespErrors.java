package org.bulwark.server.resp;

import org.bulwark.journal.JournalFrozenException;
import org.bulwark.store.BulwarkException;
import org.bulwark.store.ErrorCode;

/**
 * Maps failures to RESP error text. The first word is the SPEC G-5 name without brackets and
 * without its blank, so that clients which take the first word as the error code get one word:
 *
 * <pre>
 * &lt;UNDEFINED&gt;      -UNDEFINED ^x("a")          &lt;LOCK TIMEOUT&gt;    -LOCKTIMEOUT ^x(1) not locked within 500 ms
 * &lt;PROTECT&gt;        -PROTECT ...                &lt;JOURNAL FROZEN&gt;  -JOURNALFROZEN ...
 * &lt;SUBSCRIPT&gt;, &lt;MAXSTRING&gt;, &lt;FRAMESTACK&gt;, &lt;ROLLBACK&gt;, &lt;DATABASE&gt;: the same word
 * bad requests: -ERR ... (naming the command and argument), unknown: -ERR unknown command 'X'
 * </pre>
 */
final class RespErrors
{
    private RespErrors()
    {
    }

    /**
     * @return the RESP error code word for a G-5 error.
     */
    static String code(final ErrorCode code)
    {
        return code.displayName().replace(" ", "");
    }

    /**
     * @return the error line (without the leading '-'), or null if it is not a client's error
     * (the caller logs those).
     */
    static String text(final Throwable failure)
    {
        if (failure instanceof BulwarkException)
        {
            final BulwarkException ex = (BulwarkException)failure;
            return ex.detail().isEmpty() ? code(ex.code()) : code(ex.code()) + " " + ex.detail();
        }
        if (failure instanceof JournalFrozenException)
        {
            return code(ErrorCode.JOURNAL_FROZEN) + " " + failure.getMessage();
        }
        if (failure instanceof RespArgumentException || failure instanceof IllegalArgumentException ||
            failure instanceof IllegalStateException)
        {
            return "ERR " + failure.getMessage();
        }
        return null;
    }
}
