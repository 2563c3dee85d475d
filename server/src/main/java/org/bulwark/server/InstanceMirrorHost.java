package org.bulwark.server;

import org.agrona.collections.Long2LongHashMap;
import org.agrona.concurrent.UnsafeBuffer;
import org.bulwark.common.log.MessageLog;
import org.bulwark.journal.Journal;
import org.bulwark.journal.JournalRecord;
import org.bulwark.replication.MemberHost;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The member side of mirroring (ARCHITECTURE.md: replication never learns about the store): what
 * {@link org.bulwark.replication.MirrorMember} asks of an {@link Instance} when its role changes —
 * protect the databases from clients, follow the journal as a backup, take over as primary.
 */
final class InstanceMirrorHost implements MemberHost
{
    private static final String SUBSYSTEM = "MIRROR";
    private static final long TAKEOVER_APPLY_TIMEOUT_MS = 60_000;

    private final Instance instance;
    private final MessageLog log;
    /** Transactions open at the end of recovery: rolled back only by a member that becomes primary. */
    private Long2LongHashMap openAtRecovery;
    private final long recoveredTo;
    private volatile BackupDejournaler dejournaler;

    InstanceMirrorHost(final Instance instance, final Long2LongHashMap openAtRecovery, final long recoveredTo)
    {
        this.instance = instance;
        this.log = instance.log();
        this.openAtRecovery = openAtRecovery;
        this.recoveredTo = recoveredTo;
    }

    @Override
    public Journal journal()
    {
        return instance.journal();
    }

    @Override
    public void protect(final String reason)
    {
        instance.store().readOnly(true, reason);
    }

    @Override
    public synchronized void follow() throws IOException
    {
        if (null == dejournaler)
        {
            dejournaler = new BackupDejournaler(instance.store(), instance.journal(), instance.fileLayer(), log,
                recoveredTo, openAtRecovery);
            log.info(SUBSYSTEM, "dejournaling from position " + recoveredTo + " (" + openAtRecovery.size() +
                " transaction(s) open)");
        }
    }

    @Override
    public long appliedPosition()
    {
        final BackupDejournaler current = dejournaler;
        return null == current ? instance.journal().appendedPosition() : current.appliedPosition();
    }

    /**
     * @return records the backup's dejournaler applied, or 0.
     */
    long recordsDejournaled()
    {
        final BackupDejournaler current = dejournaler;
        return null == current ? 0 : current.recordsApplied();
    }

    @Override
    public synchronized void becomePrimary(final long term, final String mirrorName, final String memberName)
        throws IOException
    {
        final Journal journal = instance.journal();
        Long2LongHashMap open = openAtRecovery;
        if (null != dejournaler)
        {
            open = dejournaler.finish(journal.appendedPosition(), TAKEOVER_APPLY_TIMEOUT_MS);
            dejournaler.close();
            dejournaler = null;
        }
        instance.store().updateListener(instance.journalBridge());
        appendTermMarker(journal, term, mirrorName, memberName);
        instance.resetTransactionIds();
        instance.rollBackOpen(open, "left open by the former primary");
        openAtRecovery = new Long2LongHashMap(-1);
        instance.store().readOnly(false, "");
        log.info(SUBSYSTEM, "databases open for updates: primary of mirror " + mirrorName + " in term " + term);
    }

    /**
     * The term's first record (SPEC M-10: journal records carry the term): a mirror marker whose name
     * is {@code TERM <mirror> <member>} and whose key is the term number.
     */
    private static void appendTermMarker(final Journal journal, final long term, final String mirrorName,
        final String memberName)
    {
        final byte[] name = ("TERM " + mirrorName + " " + memberName).getBytes(StandardCharsets.UTF_8);
        final UnsafeBuffer nameBuffer = new UnsafeBuffer(name);
        final UnsafeBuffer key = new UnsafeBuffer(ByteBuffer.allocate(8));
        key.putLong(0, term);
        final long position = journal.append(JournalRecord.TYPE_MIRROR_MARKER, 0, 0, JournalRecord.NONE, nameBuffer,
            0, name.length, key, 0, 8, null, 0, -1, null, 0, -1);
        journal.awaitDurable(position + JournalRecord.alignedLength(JournalRecord.frameLength(name.length, 8, -1, -1)));
    }

    @Override
    public void shutDown(final String reason)
    {
        log.severe(SUBSYSTEM, "shutting down: " + reason);
        final Thread exit = new Thread(() -> System.exit(3), "bulwark-mirror-shutdown");
        exit.setDaemon(true);
        exit.start();
    }

    /**
     * Stop following the journal (the member is closing).
     */
    synchronized void close()
    {
        if (null != dejournaler)
        {
            dejournaler.close();
            dejournaler = null;
        }
    }
}
