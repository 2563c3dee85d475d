package org.bulwark.journal;

import java.io.IOException;

/**
 * A journal file is damaged where it should not be (not a torn tail): recovery stops there rather
 * than apply garbage (SPEC E-2). The message names the file and offset.
 */
public final class JournalDamagedException extends IOException
{
    private static final long serialVersionUID = 1L;

    public JournalDamagedException(final String message)
    {
        super(message);
    }
}
