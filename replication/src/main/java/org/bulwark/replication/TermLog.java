package org.bulwark.replication;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The durable history of mirror terms this member knows (SPEC M-10): each takeover starts a term with
 * a higher number at a journal position. A member that learns of a higher term stops acting as
 * primary; a member rejoining after a failover compares its journal with the position where the
 * first term after its own began (M-11).
 *
 * <p>Kept as text in {@code mirror-terms} in the data directory, one {@code term startPosition
 * primary} line per term, replaced atomically (written beside, synced, renamed, directory synced).
 */
public final class TermLog
{
    public static final String FILE_NAME = "mirror-terms";

    /**
     * @param term          the term's number.
     * @param startPosition the journal position where it began (its first record, a term marker).
     * @param primary       the member that was primary in it.
     */
    public record Term(long term, long startPosition, String primary)
    {
    }

    private final Path file;
    private final List<Term> terms;

    private TermLog(final Path file, final List<Term> terms)
    {
        this.file = file;
        this.terms = terms;
    }

    /**
     * @throws IOException naming the file and line that is not a term.
     */
    public static TermLog open(final Path dataDirectory) throws IOException
    {
        final Path file = dataDirectory.resolve(FILE_NAME);
        final List<Term> terms = new ArrayList<>();
        if (Files.exists(file))
        {
            int lineNumber = 0;
            for (final String raw : Files.readAllLines(file, StandardCharsets.UTF_8))
            {
                lineNumber++;
                final String line = raw.strip();
                if (line.isEmpty() || line.startsWith("#"))
                {
                    continue;
                }
                final String[] parts = line.split("\\s+");
                try
                {
                    final Term term = new Term(Long.parseLong(parts[0]), Long.parseLong(parts[1]), parts[2]);
                    if (!terms.isEmpty() && term.term() <= terms.get(terms.size() - 1).term())
                    {
                        throw new IOException(file + ":" + lineNumber + ": term " + term.term() + " does not follow " +
                            terms.get(terms.size() - 1).term());
                    }
                    terms.add(term);
                }
                catch (final RuntimeException ex)
                {
                    throw new IOException(file + ":" + lineNumber + ": not 'term startPosition primary': " + line);
                }
            }
        }
        return new TermLog(file, terms);
    }

    /**
     * @return the latest term known, 0 if none.
     */
    public synchronized long currentTerm()
    {
        return terms.isEmpty() ? 0 : terms.get(terms.size() - 1).term();
    }

    /**
     * @return the latest term known, or null.
     */
    public synchronized Term current()
    {
        return terms.isEmpty() ? null : terms.get(terms.size() - 1);
    }

    /**
     * @return where the first term after {@code term} began: the failover point for a member whose
     * journal ends in {@code term}; -1 if no later term is known.
     */
    public synchronized long firstStartAfter(final long term)
    {
        for (final Term t : terms)
        {
            if (t.term() > term)
            {
                return t.startPosition();
            }
        }
        return -1;
    }

    /**
     * Record a new term, durably, before anything acts on it.
     *
     * @throws IllegalArgumentException if it is not higher than the current one.
     */
    public synchronized void append(final Term term) throws IOException
    {
        if (term.term() <= currentTerm())
        {
            throw new IllegalArgumentException("term " + term.term() + " is not higher than the current term " +
                currentTerm());
        }
        final List<Term> next = new ArrayList<>(terms);
        next.add(term);
        write(next);
        terms.add(term);
    }

    public synchronized List<Term> terms()
    {
        return List.copyOf(terms);
    }

    private void write(final List<Term> next) throws IOException
    {
        final StringBuilder text = new StringBuilder("# bulwark mirror terms: term startPosition primary\n");
        for (final Term t : next)
        {
            text.append(t.term()).append(' ').append(t.startPosition()).append(' ').append(t.primary()).append('\n');
        }
        final Path temporary = file.resolveSibling(FILE_NAME + ".new");
        Files.writeString(temporary, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE, StandardOpenOption.SYNC);
        Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel directory = FileChannel.open(file.getParent(), StandardOpenOption.READ))
        {
            directory.force(true);
        }
    }
}
