package org.bulwark.server;

import org.agrona.collections.Long2LongHashMap;
import org.bulwark.common.io.FileLayer;
import org.bulwark.common.log.MessageLog;
import org.bulwark.journal.Journal;
import org.bulwark.journal.JournalReader;
import org.bulwark.journal.JournalRecord;
import org.bulwark.journal.RollForward;
import org.bulwark.store.Store;
import org.bulwark.store.StoreSession;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A mirror backup's dejournaler (SPEC M-6, J-8's apply side): follows this member's own copy of the
 * primary's journal as it is written and applies every update to the databases, through a session
 * that may write while clients are refused ({@code <PROTECT>}). Updates are applied in journal
 * order, transactions included, exactly as the primary made them (a rollback arrives as the undo
 * records the primary journaled); transactions still open are tracked so that a takeover can roll
 * them back, as crash recovery does.
 *
 * <p>The applied position is also what the write daemon seals as the checkpoint, so a restart rolls
 * forward from where the block files are complete.
 */
final class BackupDejournaler implements AutoCloseable
{
    private static final long IDLE_PARK_NS = TimeUnit.MICROSECONDS.toNanos(200);

    private final Journal journal;
    private final JournalReader reader;
    private final Listener listener;
    private final MessageLog log;
    private final Thread thread;
    /** Transaction id → position of its last record, for each one open (RollForward's convention). */
    private final Long2LongHashMap open;
    /** Transaction id → position of its first record seen, for the checkpoint's oldest open transaction. */
    private final Long2LongHashMap openFirst = new Long2LongHashMap(-1);
    private volatile long appliedPosition;
    /** Where the oldest open transaction began, or -1: read by the write daemon's thread. */
    private volatile long oldestOpen = -1;
    private volatile boolean running = true;
    private volatile String failure;
    private long applied;

    /**
     * @param from              the position up to which the databases are complete (recovery's end).
     * @param openTransactions  transactions open at {@code from} (id → last record's position).
     */
    BackupDejournaler(final Store store, final Journal journal, final FileLayer layer, final MessageLog log,
        final long from, final Long2LongHashMap openTransactions) throws IOException
    {
        this.journal = journal;
        this.log = log;
        this.open = new Long2LongHashMap(-1);
        final Long2LongHashMap.KeyIterator it = openTransactions.keySet().iterator();
        while (it.hasNext())
        {
            final long transaction = it.nextValue();
            open.put(transaction, openTransactions.get(transaction));
            openFirst.put(transaction, openTransactions.get(transaction));
        }
        final StoreSession session = store.newSession();
        session.applier(true);
        this.listener = new Listener(session, from);
        store.updateListener(listener);
        this.reader = new JournalReader(journal.files(), layer);
        reader.seek(Math.max(from, reader.startPosition()));
        this.appliedPosition = from;
        this.oldestOpen = oldestOpen();
        this.thread = new Thread(this::run, "bulwark-mirror-dejournal");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * @return the position up to which the databases hold every update of the journal.
     */
    long appliedPosition()
    {
        return appliedPosition;
    }

    /**
     * @return records applied since start.
     */
    long recordsApplied()
    {
        return applied;
    }

    /**
     * @return why dejournaling stopped, or null while it runs well.
     */
    String failure()
    {
        return failure;
    }

    /**
     * Apply everything written up to {@code position}, then stop (a takeover).
     *
     * @return the transactions left open (id → last record's position), to roll back.
     * @throws IOException if dejournaling failed or did not get there within {@code timeoutMs}.
     */
    Long2LongHashMap finish(final long position, final long timeoutMs) throws IOException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (appliedPosition < position)
        {
            if (null != failure)
            {
                throw new IOException("dejournaling stopped at position " + appliedPosition + ": " + failure);
            }
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new IOException("dejournaling reached position " + appliedPosition + ", not " + position +
                    ", within " + timeoutMs + " ms");
            }
            journal.requestFlush();
            LockSupport.parkNanos(IDLE_PARK_NS);
        }
        stop();
        return open;
    }

    private void stop()
    {
        running = false;
        LockSupport.unpark(thread);
        try
        {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private void run()
    {
        try
        {
            while (running)
            {
                final long limit = journal.writtenPosition();
                if (limit <= appliedPosition)
                {
                    LockSupport.parkNanos(this, IDLE_PARK_NS);
                    continue;
                }
                reader.refresh();
                while (running && reader.position() < limit && reader.next())
                {
                    apply(reader.record(), reader.recordPosition(), reader.position());
                    appliedPosition = reader.position();
                }
                // Padding at the end of what is written moves the reader without a record.
                if (reader.position() <= limit && reader.position() > appliedPosition)
                {
                    appliedPosition = reader.position();
                }
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            failure = ex.toString();
            log.severe("MIRROR", "dejournaling stopped at position " + appliedPosition + ": " + ex +
                ". The databases of this backup are behind its journal; restart the member to retry");
        }
    }

    private void apply(final JournalRecord record, final long position, final long end)
    {
        final long transaction = record.transaction();
        switch (record.type())
        {
            case JournalRecord.TYPE_TSTART:
                open.put(transaction, position);
                openFirst.put(transaction, position);
                oldestOpen = oldestOpen();
                break;
            case JournalRecord.TYPE_TCOMMIT:
            case JournalRecord.TYPE_TROLLBACK:
                open.remove(transaction);
                openFirst.remove(transaction);
                oldestOpen = oldestOpen();
                break;
            case JournalRecord.TYPE_SET:
            case JournalRecord.TYPE_KILL:
                if (0 != transaction)
                {
                    open.put(transaction, position);
                    if (!openFirst.containsKey(transaction))
                    {
                        openFirst.put(transaction, position);
                        oldestOpen = oldestOpen();
                    }
                }
                listener.at(position, end);
                RollForward.apply(record, listener);
                applied++;
                break;
            default:
                break;
        }
    }

    private long oldestOpen()
    {
        long oldest = -1;
        final Long2LongHashMap.ValueIterator values = openFirst.values().iterator();
        while (values.hasNext())
        {
            final long first = values.nextValue();
            if (oldest < 0 || first < oldest)
            {
                oldest = first;
            }
        }
        return oldest;
    }

    @Override
    public void close()
    {
        stop();
        try
        {
            reader.close();
        }
        catch (final IOException ex)
        {
            log.warning("MIRROR", "closing the dejournaler's journal reader: " + ex);
        }
    }

    /**
     * Applies without journaling again, and tells the write daemon how far the databases are complete
     * and where the oldest open transaction began (a restart scans from there).
     */
    private final class Listener extends ReplayListener
    {
        Listener(final StoreSession session, final long from)
        {
            super(session, from, -1);
        }

        @Override
        public long oldestOpenTransaction()
        {
            return oldestOpen;
        }
    }
}
